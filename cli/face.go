package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"syscall"
	"time"

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
	Register(Command{Name: "face calibrate", Summary: "threshold at FMR 1e-4/1e-3 from a folder of people: face calibrate --dir DIR", Run: runFaceCalibrate})
	Register(Command{Name: "face spoof", Summary: "run the presentation-attack and occlusion checks on generated attacks: face spoof --dir DIR", Run: runFaceSpoof})
	Register(Command{Name: "face bench", Summary: "accuracy and speed on a folder of people: face bench --dir DIR", Run: runFaceBench})
}

const defaultFaceConfig = "build/face.json"

// faceFlags are the options every face command shares.
type faceFlags struct {
	config   string
	models   string
	embedder string
	grey     string
	threads  int
	ensemble string
	flip     string
}

func (f *faceFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.config, "config", defaultFaceConfig, "face configuration (JSON); bundled defaults if absent")
	fs.StringVar(&f.models, "models", "build/models", "model folder for the bundled defaults")
	fs.StringVar(&f.embedder, "embedder", "", "bundled embedder preset: dlib_resnet, mobileface, faceres")
	fs.StringVar(&f.grey, "grey", "", "match in grey: true or false (default from configuration)")
	fs.IntVar(&f.threads, "threads", 0, "intra-op threads per model (default from configuration)")
	fs.StringVar(&f.ensemble, "ensemble", "", "add presets to a score-level ensemble: name:weight[,name:weight]")
	fs.StringVar(&f.flip, "flip", "", "average each chip with its mirror image: true or false (default from configuration)")
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

// person is one sub-folder of a calibration set.
type person struct {
	name  string
	files []string
}

func listPeople(dir string, limit int) ([]person, int, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, 0, err
	}
	var people []person
	n := 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		files, _ := filepath.Glob(filepath.Join(dir, e.Name(), "*"))
		sort.Strings(files)
		if limit > 0 && n+len(files) > limit {
			break
		}
		people = append(people, person{name: e.Name(), files: files})
		n += len(files)
	}
	if n == 0 {
		return nil, 0, fmt.Errorf("%w: no images in sub-folders of %s", ErrUsage, dir)
	}
	return people, n, nil
}

// evalOptions steer one pass over a calibration folder.
type evalOptions struct {
	frames   int // live frames fused per probe (1 = single image)
	frameW   int // >0: place each image in a frameW×frameH camera-like frame
	frameH   int
	progress io.Writer
}

// evalStats is what a pass measured.
type evalStats struct {
	images, detectFail  int
	reasons             map[string]int
	detectMs, embedMs   []float64
	detectCPU, embedCPU []float64 // thread CPU time: robust to other load on the machine
	genuine, impostor   []float32
	genuineLost         int // genuine pairs with an image that gave no embedding
	ops                 []face.OperatingPoint
	elapsed             time.Duration
	fusedFrames         int
}

// evaluate embeds every image once (embeddings in one locked matrix, in
// memory only) and scores every genuine and impostor pair.
func evaluate(ctx context.Context, eng *face.Engine, people []person, total int, o evalOptions) (*evalStats, error) {
	runtime.LockOSThread() // for threadCPU
	defer runtime.UnlockOSThread()
	st := &evalStats{reasons: map[string]int{}, fusedFrames: max(o.frames, 1)}
	start := time.Now()
	dim := probeDim(eng)
	// Locked memory is scarce (8 MiB by default): one matrix unless frames
	// are fused.
	single, fused := face.NewMatrix(total, dim), (*face.Matrix)(nil)
	defer single.Destroy()
	if o.frames > 1 {
		fused = face.NewMatrix(total, dim)
		defer fused.Destroy()
	} else {
		fused = single
	}
	ok := make([]bool, total)
	owner := make([]int, total)
	i := 0
	for pi, p := range people {
		for _, file := range p.files {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			owner[i] = pi
			var err error
			ok[i], err = st.embedFile(eng, file, i, single, fused, o)
			if err != nil {
				return nil, err
			}
			i++
			if o.progress != nil && i%250 == 0 {
				fmt.Fprintf(o.progress, "  %d/%d images, %s\n", i, total, time.Since(start).Round(time.Second))
			}
		}
	}
	st.images = total
	st.scorePairs(single, fused, ok, owner)
	st.ops = face.Calibrate(st.genuine, st.impostor, []float64{1e-3, 1e-4})
	st.elapsed = time.Since(start)
	return st, nil
}

func probeDim(eng *face.Engine) int { return eng.Config.EmbeddingDim() }

// embedFile fills row i of single (one image) and fused (o.frames jittered
// frames of it, standing in for the frames of one attempt).
func (st *evalStats) embedFile(eng *face.Engine, file string, i int, single, fused *face.Matrix, o evalOptions) (bool, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return false, err
	}
	img, err := face.Decode(data)
	clear(data)
	if err != nil {
		st.reasons[decodeReason(err)]++
		st.detectFail++
		return false, nil
	}
	defer img.Release()
	if o.frameW > 0 {
		framed, err := toFrame(img, o.frameW, o.frameH)
		if err != nil {
			return false, err
		}
		defer framed.Release()
		img = framed
	}
	e, err := st.embedTimed(eng, img, true)
	if err != nil || e == nil {
		return false, err
	}
	defer e.Destroy()
	if err := single.Set(i, e); err != nil {
		return false, err
	}
	if o.frames <= 1 {
		return true, nil
	}
	return st.embedFused(eng, img, i, e, fused, o.frames)
}

func (st *evalStats) embedFused(eng *face.Engine, img *face.Image, i int, first *face.Embedding, fused *face.Matrix, n int) (bool, error) {
	rng := rand.New(rand.NewPCG(uint64(i), 99))
	frames := []*face.Embedding{first}
	defer func() {
		for _, f := range frames[1:] {
			f.Destroy()
		}
	}()
	for k := 1; k < n; k++ {
		j, err := jitter(img, rng)
		if err != nil {
			return false, err
		}
		e, err := st.embedTimed(eng, j, false)
		j.Release()
		if err != nil {
			return false, err
		}
		if e != nil {
			frames = append(frames, e)
		}
	}
	f, err := face.Fuse(frames)
	if err != nil {
		return false, err
	}
	defer f.Destroy()
	return true, fused.Set(i, f)
}

// embedTimed detects and embeds one image, recording timings and reasons.
func (st *evalStats) embedTimed(eng *face.Engine, img *face.Image, record bool) (*face.Embedding, error) {
	t0, c0 := time.Now(), threadCPU()
	faces, err := eng.Detector.Detect(img)
	if err != nil {
		return nil, err
	}
	t1, c1 := time.Now(), threadCPU()
	q := face.Assess(img, faces, eng.Config.Quality)
	if record {
		st.detectMs = append(st.detectMs, ms(t1.Sub(t0)))
		st.detectCPU = append(st.detectCPU, ms(c1-c0))
		for _, r := range q.Reasons {
			st.reasons[string(r)]++
		}
	}
	if len(faces) == 0 {
		if record {
			st.detectFail++
		}
		return nil, nil
	}
	t2, c2 := time.Now(), threadCPU()
	e, err := eng.EmbedFace(img, faces[face.Primary(faces)])
	if record && err == nil {
		st.embedMs = append(st.embedMs, ms(time.Since(t2)))
		st.embedCPU = append(st.embedCPU, ms(threadCPU()-c2))
	}
	return e, err
}

// threadCPU is the CPU time of the calling OS thread. With one intra-op
// thread ONNX Runtime computes on the caller's thread, so differences of
// this (under runtime.LockOSThread) are the work of one call, whatever else
// the machine is doing.
func threadCPU() time.Duration {
	var ru syscall.Rusage
	const rusageThread = 1 // RUSAGE_THREAD on Linux
	if syscall.Getrusage(rusageThread, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// jitter makes another "frame" of the same attempt: a shift of a few
// pixels, ±3 % scale, ±3° roll and ±10 % exposure.
func jitter(img *face.Image, rng *rand.Rand) (*face.Image, error) {
	a := (rng.Float64()*2 - 1) * 3 * math.Pi / 180
	s := 1 + (rng.Float64()*2-1)*0.03
	cx, cy := float64(img.W)/2, float64(img.H)/2
	tx, ty := (rng.Float64()*2-1)*3, (rng.Float64()*2-1)*3
	c, sn := s*math.Cos(a), s*math.Sin(a)
	m := face.Affine{A: c, B: -sn, C: cx - c*cx + sn*cy + tx, D: sn, E: c, F: cy - sn*cx - c*cy + ty}
	out, err := face.Extract(img, m, img.W, img.H)
	if err != nil {
		return nil, err
	}
	gain := 1 + (rng.Float64()*2-1)*0.1
	for k, v := range out.Pix {
		out.Pix[k] = byte(math.Min(255, float64(v)*gain))
	}
	return out, nil
}

// toFrame puts the image, enlarged to the frame's height, in the middle of
// a grey frame: the size a kiosk camera delivers.
func toFrame(img *face.Image, w, h int) (*face.Image, error) {
	k := float64(img.H) / float64(h)
	ox := (float64(w) - float64(img.W)/k) / 2
	m := face.Affine{A: k, C: -ox * k, E: k}
	return face.Extract(img, m, w, h)
}

// scorePairs scores every pair i<j: the reference is image i alone, the
// probe is image j's fused frames (the same as single when frames = 1).
func (st *evalStats) scorePairs(single, fused *face.Matrix, ok []bool, owner []int) {
	n := len(ok)
	st.impostor = make([]float32, 0, n*(n-1)/2)
	for i := 0; i < n; i++ {
		ri := single.Row(i)
		for j := i + 1; j < n; j++ {
			same := owner[i] == owner[j]
			if !ok[i] || !ok[j] {
				if same {
					st.genuineLost++
				}
				continue
			}
			s := dot32(ri, fused.Row(j))
			if same {
				st.genuine = append(st.genuine, s)
			} else {
				st.impostor = append(st.impostor, s)
			}
		}
	}
}

func dot32(a, b []float32) float32 {
	var s float32
	for k := range a {
		s += a[k] * b[k]
	}
	return s
}

func percentileOf(v []float64, q float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := slices.Clone(v)
	sort.Float64s(s)
	return s[min(len(s)-1, int(q*float64(len(s))))]
}

func peakRSSMiB() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return math.NaN()
	}
	return float64(ru.Maxrss) / 1024
}

func (st *evalStats) print(w io.Writer, cfg *face.Config) {
	fmt.Fprintf(w, "images %d, detection failures %d, genuine pairs %d (+%d lost to failures), impostor pairs %d, %s\n",
		st.images, st.detectFail, len(st.genuine), st.genuineLost, len(st.impostor), st.elapsed.Round(time.Second))
	fmt.Fprintf(w, "embedder %s, match in grey %v, frames fused %d\n", cfg.Embedder.File, cfg.MatchInGrey, st.fusedFrames)
	for _, op := range st.ops {
		fnmrAll := (op.FNMR*float64(len(st.genuine)) + float64(st.genuineLost)) / float64(len(st.genuine)+st.genuineLost)
		fmt.Fprintf(w, "FMR %.0e: threshold %.4f, FNMR %.2f %% (%.2f %% counting failures as rejections), measured FMR %.2e\n",
			op.TargetFMR, op.Threshold, 100*op.FNMR, 100*fnmrAll, op.FMR)
	}
}

func (st *evalStats) printSpeed(w io.Writer) {
	fmt.Fprintf(w, "detect ms: median %.1f, p95 %.1f; embed (align+model) ms: median %.1f, p95 %.1f; detect+embed median %.1f\n",
		percentileOf(st.detectMs, 0.5), percentileOf(st.detectMs, 0.95),
		percentileOf(st.embedMs, 0.5), percentileOf(st.embedMs, 0.95),
		percentileOf(st.detectMs, 0.5)+percentileOf(st.embedMs, 0.5))
	keys := make([]string, 0, len(st.reasons))
	for k := range st.reasons {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Fprintf(w, "CPU ms (this thread; intra-op threads add to it when > 1): detect median %.1f, p95 %.1f; embed median %.1f, p95 %.1f; detect+embed median %.1f\n",
		percentileOf(st.detectCPU, 0.5), percentileOf(st.detectCPU, 0.95),
		percentileOf(st.embedCPU, 0.5), percentileOf(st.embedCPU, 0.95),
		percentileOf(st.detectCPU, 0.5)+percentileOf(st.embedCPU, 0.5))
	fmt.Fprint(w, "quality reasons (not gating here):")
	for _, k := range keys {
		fmt.Fprintf(w, " %s=%d", k, st.reasons[k])
	}
	fmt.Fprintf(w, "\npeak RSS %.0f MiB\n", peakRSSMiB())
}

type evalFlags struct {
	faceFlags
	dir    string
	limit  int
	frames int
	frame  string
}

func (f *evalFlags) parse(name string, env *Env, args []string) error {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	f.register(fs)
	fs.StringVar(&f.dir, "dir", "", "folder with one sub-folder of images per person")
	fs.IntVar(&f.limit, "limit", 0, "use at most this many images (whole people), 0 = all")
	fs.IntVar(&f.frames, "frames", 1, "fuse this many jittered frames per probe")
	fs.StringVar(&f.frame, "frame", "", "place images in a WxH camera frame, e.g. 640x480")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	if f.dir == "" {
		return fmt.Errorf("%w: %s --dir DIR", ErrUsage, name)
	}
	return nil
}

func (f *evalFlags) options(env *Env) (evalOptions, error) {
	o := evalOptions{frames: f.frames, progress: env.Stderr}
	if f.frame != "" {
		if _, err := fmt.Sscanf(f.frame, "%dx%d", &o.frameW, &o.frameH); err != nil || o.frameW < 64 || o.frameH < 64 || o.frameW > 4096 || o.frameH > 4096 {
			return o, fmt.Errorf("%w: --frame WxH", ErrUsage)
		}
	}
	return o, nil
}

func runEval(ctx context.Context, env *Env, name string, args []string) (*evalStats, *evalFlags, *face.Config, error) {
	var f evalFlags
	if err := f.parse(name, env, args); err != nil {
		return nil, nil, nil, err
	}
	o, err := f.options(env)
	if err != nil {
		return nil, nil, nil, err
	}
	people, total, err := listPeople(f.dir, f.limit)
	if err != nil {
		return nil, nil, nil, err
	}
	eng, closeEng, err := openEngine(&f.faceFlags)
	if err != nil {
		return nil, nil, nil, err
	}
	defer closeEng()
	st, err := evaluate(ctx, eng, people, total, o)
	return st, &f, eng.Config, err
}

func runFaceCalibrate(ctx context.Context, env *Env, args []string) error {
	st, f, cfg, err := runEval(ctx, env, "face calibrate", args)
	if err != nil {
		return err
	}
	st.print(env.Stdout, cfg)
	cfg.Embedder.Threshold = st.ops[len(st.ops)-1].Threshold
	if err := cfg.Save(f.config); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "wrote threshold %.4f (FMR 1e-4) to %s\n", cfg.Embedder.Threshold, f.config)
	return nil
}

func runFaceBench(ctx context.Context, env *Env, args []string) error {
	st, _, cfg, err := runEval(ctx, env, "face bench", args)
	if err != nil {
		return err
	}
	st.print(env.Stdout, cfg)
	st.printSpeed(env.Stdout)
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
	people, _, err := listPeople(*dir, 0)
	if err != nil {
		return err
	}
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
			percentileOf(t.parallax, 0.1), percentileOf(t.parallax, 0.5), percentileOf(t.parallax, 0.9))
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
