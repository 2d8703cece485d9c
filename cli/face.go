package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/uketsuke/uketsuke/app/face"
	"github.com/uketsuke/uketsuke/hardware/onnxface"
	"github.com/uketsuke/uketsuke/sim/spoof"
)

// Face commands: embed, compare, calibrate, bench. Model files and the
// threshold come from the face configuration (--config, default
// build/face.json, else the bundled defaults over build/models).

func init() {
	Register(Command{Name: "face embed", Summary: "detect, check and embed faces: face embed [--json] IMAGE...", Run: runFaceEmbed})
	Register(Command{Name: "face compare", Summary: "score two face images: face compare A B", Run: runFaceCompare})
	Register(Command{Name: "face calibrate", Summary: "threshold holding FMR 1e-4 on every set, into a signed bundle: face calibrate --dir DIR... [--as-card-photo] [--bundle OUT --key KEY]", Run: runFaceCalibrate})
	Register(Command{Name: "face spoof", Summary: "run the presentation-attack and occlusion checks on generated attacks: face spoof --dir DIR", Run: runFaceSpoof})
	Register(Command{Name: "face bench", Summary: "accuracy and speed per set: face bench --dir DIR... [--as-card-photo] [--fuse 3,5] [--max-fmr 1e-3]", Run: runFaceBench})
}

const defaultFaceConfig = "build/face.json"

// faceFlags are the options every face command shares.
type faceFlags struct {
	config    string
	models    string
	embedder  string
	grey      string
	threads   int
	ensemble  string
	flip      string
	threshold float64
}

func (f *faceFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.config, "config", defaultFaceConfig, "face configuration (JSON); bundled defaults if absent")
	fs.StringVar(&f.models, "models", "build/models", "model folder for the bundled defaults")
	fs.StringVar(&f.embedder, "embedder", "", "bundled embedder preset: dlib_resnet, mobileface, faceres")
	fs.StringVar(&f.grey, "grey", "", "match in grey: true or false (default from configuration)")
	fs.IntVar(&f.threads, "threads", 0, "intra-op threads per model (default from configuration)")
	fs.StringVar(&f.ensemble, "ensemble", "", "add presets to a score-level ensemble: name:weight[,name:weight]")
	fs.StringVar(&f.flip, "flip", "", "average each chip with its mirror image: true or false (default from configuration)")
	fs.Float64Var(&f.threshold, "threshold", 0, "decision threshold (default from configuration)")
}

// load reads the configuration and applies the command-line overrides.
func (f *faceFlags) load() (*face.Config, error) {
	cfg, err := face.LoadConfig(f.config)
	if errors.Is(err, os.ErrNotExist) {
		cfg, err = face.DefaultConfig(f.models), nil
	}
	if err != nil {
		return nil, err
	}
	if f.embedder != "" {
		m, ok := face.EmbedderPreset(f.embedder)
		if !ok {
			return nil, fmt.Errorf("%w: unknown embedder %q", ErrUsage, f.embedder)
		}
		m.File = f.presetFile(m.File)
		cfg.Embedder = m
	}
	switch f.grey {
	case "true":
		cfg.MatchInGrey = true
	case "false":
		cfg.MatchInGrey = false
	case "":
	default:
		return nil, fmt.Errorf("%w: --grey must be true or false", ErrUsage)
	}
	if f.threads > 0 {
		cfg.Threads = f.threads
	}
	if f.threshold != 0 {
		cfg.Embedder.Threshold = f.threshold
	}
	if err := f.applyEnsemble(cfg); err != nil {
		return nil, err
	}
	switch f.flip {
	case "true", "false":
		cfg.FlipAverage = f.flip == "true"
	case "":
	default:
		return nil, fmt.Errorf("%w: --flip must be true or false", ErrUsage)
	}
	return cfg, nil
}

func (f *faceFlags) applyEnsemble(cfg *face.Config) error {
	if f.ensemble == "" {
		return nil
	}
	cfg.Ensemble = nil
	for _, part := range strings.Split(f.ensemble, ",") {
		var w float64
		name, weight, _ := strings.Cut(part, ":")
		if _, err := fmt.Sscanf(weight, "%g", &w); err != nil || w <= 0 {
			return fmt.Errorf("%w: --ensemble name:weight", ErrUsage)
		}
		m, ok := face.EmbedderPreset(name)
		if !ok {
			return fmt.Errorf("%w: unknown embedder %q", ErrUsage, name)
		}
		m.Weight = w
		m.File = f.presetFile(m.File)
		cfg.Ensemble = append(cfg.Ensemble, m)
	}
	return nil
}

// presetFile makes a bundled model's file absolute under --models, so that
// it resolves whatever folder the configuration came from.
func (f *faceFlags) presetFile(file string) string {
	abs, err := filepath.Abs(filepath.Join(f.models, file))
	if err != nil {
		return file
	}
	return abs
}

func openEngine(f *faceFlags) (*face.Engine, func(), error) {
	cfg, err := f.load()
	if err != nil {
		return nil, nil, err
	}
	return onnxface.Open(cfg)
}

// faceResult is one image's line of `face embed`.
type faceResult struct {
	File      string        `json:"file"`
	OK        bool          `json:"ok"`
	Reason    string        `json:"reason,omitempty"`
	Quality   *face.Quality `json:"quality,omitempty"`
	Embedding []float32     `json:"embedding,omitempty"`
}

// analyseFile decodes and analyses one file; a reason (not an error) is
// returned for anything wrong with the file or the face in it.
func analyseFile(eng *face.Engine, path string, gate face.Gate) (*face.Probe, string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, "unreadable", nil
	}
	img, err := face.Decode(data)
	clear(data)
	if err != nil {
		return nil, decodeReason(err), nil
	}
	defer img.Release()
	p, err := eng.Analyse(img, gate)
	var qe *face.QualityError
	if errors.As(err, &qe) {
		return p, string(qe.Reasons[0]), nil
	}
	return p, "", err
}

func decodeReason(err error) string {
	switch {
	case errors.Is(err, face.ErrEmpty):
		return "empty_file"
	case errors.Is(err, face.ErrTooSmall):
		return "image_too_small"
	case errors.Is(err, face.ErrTooLarge):
		return "image_too_large"
	}
	return "not_an_image"
}

func runFaceEmbed(ctx context.Context, env *Env, args []string) error {
	fs := flag.NewFlagSet("face embed", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	var ff faceFlags
	ff.register(fs)
	asJSON := fs.Bool("json", false, "one JSON object per image")
	strict := fs.Bool("strict", false, "apply the live-frame quality gate")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	if fs.NArg() == 0 {
		return fmt.Errorf("%w: face embed [--json] IMAGE...", ErrUsage)
	}
	eng, closeEng, err := openEngine(&ff)
	if err != nil {
		return err
	}
	defer closeEng()
	gate := face.GateFaceOnly
	if *strict {
		gate = face.GateStrict
	}
	failed := 0
	for _, path := range fs.Args() {
		r, err := embedOne(eng, path, gate)
		if err != nil {
			return err
		}
		if !r.OK {
			failed++
		}
		printEmbed(env.Stdout, r, *asJSON)
		clear(r.Embedding)
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d images gave no embedding", failed, fs.NArg())
	}
	return nil
}

func embedOne(eng *face.Engine, path string, gate face.Gate) (faceResult, error) {
	p, reason, err := analyseFile(eng, path, gate)
	if err != nil {
		return faceResult{}, err
	}
	r := faceResult{File: path, OK: reason == "", Reason: reason}
	if p != nil {
		q := p.Quality
		r.Quality = &q
		if p.Embedding != nil {
			r.Embedding = slices.Clone(p.Embedding.Vector())
		}
		p.Destroy()
	}
	return r, nil
}

func printEmbed(w io.Writer, r faceResult, asJSON bool) {
	if asJSON {
		data, _ := json.Marshal(r)
		fmt.Fprintln(w, string(data))
		return
	}
	if !r.OK {
		fmt.Fprintf(w, "%s: %s\n", r.File, r.Reason)
		return
	}
	fmt.Fprintf(w, "%s: ok, %d values, eye distance %.0f px, yaw %.0f°, pitch %.0f°, quality reasons %v\n",
		r.File, len(r.Embedding), r.Quality.EyeDistance, r.Quality.Yaw, r.Quality.Pitch, r.Quality.Reasons)
}

func runFaceCompare(ctx context.Context, env *Env, args []string) error {
	fs := flag.NewFlagSet("face compare", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	var ff faceFlags
	ff.register(fs)
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	if fs.NArg() != 2 {
		return fmt.Errorf("%w: face compare A B", ErrUsage)
	}
	eng, closeEng, err := openEngine(&ff)
	if err != nil {
		return err
	}
	defer closeEng()
	var probes [2]*face.Probe
	for i, path := range fs.Args() {
		p, reason, err := analyseFile(eng, path, face.GateFaceOnly)
		if err != nil {
			return err
		}
		if reason != "" {
			data, _ := json.Marshal(faceResult{File: path, Reason: reason})
			fmt.Fprintln(env.Stdout, string(data))
			return fmt.Errorf("%s: %s", path, reason)
		}
		defer p.Destroy()
		probes[i] = p
	}
	s, err := face.Score(probes[0].Embedding, probes[1].Embedding)
	if err != nil {
		return err
	}
	data, _ := json.Marshal(face.Decide(s, eng.Config.Threshold()))
	fmt.Fprintln(env.Stdout, string(data))
	return nil
}

// spoofKinds are the sequences `face spoof` makes of each person.
var spoofKinds = []string{"live-head", "printed-photo", "phone-replay"}

// spoofTally counts what the checks said about one kind of sequence.
type spoofTally struct {
	n, flat, live, inconclusive, noFace int
	spoofFired                          map[string]int
	liveSum                             map[string]float64
	parallax                            []float64
}

func runFaceSpoof(ctx context.Context, env *Env, args []string) error {
	fs := flag.NewFlagSet("face spoof", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	var ff faceFlags
	ff.register(fs)
	dir := fs.String("dir", "", "folder with one sub-folder of images per person")
	limit := fs.Int("limit", 40, "people to use")
	nFrames := fs.Int("frames", 5, "frames per attempt")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	if *dir == "" {
		return fmt.Errorf("%w: face spoof --dir DIR", ErrUsage)
	}
	set, err := loadDirSet(*dir, 0)
	if err != nil {
		return err
	}
	people := set.people
	eng, closeEng, err := openEngine(&ff)
	if err != nil {
		return err
	}
	defer closeEng()
	tallies := map[string]*spoofTally{}
	for _, k := range spoofKinds {
		tallies[k] = &spoofTally{spoofFired: map[string]int{}, liveSum: map[string]float64{}}
	}
	occl := map[string]map[face.Reason]int{}
	used := 0
	for pi := 0; pi < len(people) && used < *limit; pi++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		ok, err := spoofPerson(eng, people[pi].files[0], pi, *nFrames, tallies, occl)
		if err != nil {
			return err
		}
		if ok {
			used++
		}
	}
	printSpoof(env.Stdout, used, tallies, occl)
	return nil
}

// spoofPerson makes every sequence and occlusion of one image and runs the checks.
func spoofPerson(eng *face.Engine, file string, seed, n int, tallies map[string]*spoofTally, occl map[string]map[face.Reason]int) (bool, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return false, err
	}
	src, err := face.Decode(data)
	clear(data)
	if err != nil {
		return false, nil
	}
	defer src.Release()
	frame, err := toFrame(src, 480, 480)
	if err != nil {
		return false, err
	}
	defer frame.Release()
	faces, err := eng.Detector.Detect(frame)
	if err != nil || len(faces) == 0 || len(faces[face.Primary(faces)].MeshDepth) == 0 {
		return false, err
	}
	f := faces[face.Primary(faces)]
	if err := occlusions(eng, frame, f, occl); err != nil {
		return false, err
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 5))
	for _, kind := range spoofKinds {
		var seq []*face.Image
		switch kind {
		case "live-head":
			seq, err = spoof.LiveHead(frame, f.Mesh, f.MeshDepth, spoof.Poses(n, 6, rng))
		case "printed-photo":
			seq, err = spoof.PrintedPhoto(src, spoof.Poses(n, 12, rng), 480, 480)
		case "phone-replay":
			seq, err = spoof.PhoneReplay(src, spoof.Poses(n, 12, rng), 480, 480)
		}
		if err != nil {
			return false, err
		}
		err = tallySequence(eng, seq, tallies[kind])
		for _, s := range seq {
			s.Release()
		}
		if err != nil {
			return false, err
		}
	}
	return true, nil
}

func tallySequence(eng *face.Engine, seq []*face.Image, t *spoofTally) error {
	var probes []*face.Probe
	defer func() {
		for _, p := range probes {
			p.Destroy()
		}
	}()
	for _, img := range seq {
		p, err := eng.Analyse(img, face.GateFaceOnly)
		if errors.Is(err, face.ErrQuality) {
			continue
		}
		if err != nil {
			return err
		}
		probes = append(probes, p)
	}
	t.n++
	if len(probes) == 0 {
		t.noFace++
		return nil
	}
	var meshes [][]face.Point
	live := map[string]float64{}
	for _, p := range probes {
		meshes = append(meshes, p.Face.Mesh)
		for k, v := range p.Live {
			live[k] += v / float64(len(probes))
		}
	}
	r := face.TemporalCheck(meshes, eng.Config.Temporal)
	t.parallax = append(t.parallax, r.Parallax)
	switch r.Verdict {
	case face.VerdictFlat:
		t.flat++
	case face.VerdictLive:
		t.live++
	default:
		t.inconclusive++
	}
	for _, s := range eng.Spoof {
		t.liveSum[s.Name()] += live[s.Name()]
		if live[s.Name()] < s.MinLive() {
			t.spoofFired[s.Name()]++
		}
	}
	return nil
}

// occlusions paints masks and dark glasses on the frame and records the
// quality gate's reasons, with the bare face as control.
func occlusions(eng *face.Engine, frame *face.Image, f face.Face, tally map[string]map[face.Reason]int) error {
	cases := []struct {
		name  string
		paint func(*face.Image)
	}{
		{"bare", func(*face.Image) {}},
		{"mask-white", func(im *face.Image) { spoof.Mask(im, f.Mesh, spoof.MaskWhite) }},
		{"mask-blue", func(im *face.Image) { spoof.Mask(im, f.Mesh, spoof.MaskBlue) }},
		{"mask-black", func(im *face.Image) { spoof.Mask(im, f.Mesh, spoof.MaskBlack) }},
		{"mask-beige", func(im *face.Image) { spoof.Mask(im, f.Mesh, spoof.MaskBeige) }},
		{"dark-glasses", func(im *face.Image) { spoof.DarkGlasses(im, f.Mesh) }},
	}
	for _, c := range cases {
		im, err := frame.Clone()
		if err != nil {
			return err
		}
		c.paint(im)
		faces, err := eng.Detector.Detect(im)
		if err != nil {
			im.Release()
			return err
		}
		q := face.Assess(im, faces, eng.Config.Quality)
		im.Release()
		if tally[c.name] == nil {
			tally[c.name] = map[face.Reason]int{}
		}
		tally[c.name]["n"]++
		for _, r := range q.Reasons {
			tally[c.name][r]++
		}
	}
	return nil
}

func printSpoof(w io.Writer, people int, tallies map[string]*spoofTally, occl map[string]map[face.Reason]int) {
	fmt.Fprintf(w, "people %d\n", people)
	for _, k := range spoofKinds {
		t := tallies[k]
		fmt.Fprintf(w, "%-14s attempts %d: temporal flat %d, live %d, inconclusive %d, no face %d; parallax p10/p50/p90 %.4f/%.4f/%.4f",
			k, t.n, t.flat, t.live, t.inconclusive, t.noFace,
			percentileOrNaN(t.parallax, 0.1), percentileOrNaN(t.parallax, 0.5), percentileOrNaN(t.parallax, 0.9))
		names := make([]string, 0, len(t.liveSum))
		for name := range t.liveSum {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			fmt.Fprintf(w, "; %s mean %.3f, fired %d", name, t.liveSum[name]/float64(max(t.n-t.noFace, 1)), t.spoofFired[name])
		}
		fmt.Fprintln(w)
	}
	names := make([]string, 0, len(occl))
	for k := range occl {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		fmt.Fprintf(w, "%-13s n=%d lower_face_covered=%d eyes_not_visible=%d no_face=%d blurred=%d\n", k, occl[k]["n"],
			occl[k][face.LowerFaceCovered], occl[k][face.EyesNotVisible], occl[k][face.NoFace], occl[k][face.Blurred])
	}
}
