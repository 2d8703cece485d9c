package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"

	"github.com/uketsuke/uketsuke/app/face"
	"github.com/uketsuke/uketsuke/hardware/onnxface"
)

// Face commands: embed, compare, calibrate, bench. Model files and the
// threshold come from the face configuration (--config, default
// build/face.json, else the bundled defaults over build/models).

func init() {
	Register(Command{Name: "face embed", Summary: "detect, check and embed faces: face embed [--json] IMAGE...", Run: runFaceEmbed})
	Register(Command{Name: "face compare", Summary: "score two face images: face compare A B", Run: runFaceCompare})
	Register(Command{Name: "face calibrate", Summary: "threshold at FMR 1e-4/1e-3 from a folder of people: face calibrate --dir DIR", Run: runFaceCalibrate})
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
}

func (f *faceFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.config, "config", defaultFaceConfig, "face configuration (JSON); bundled defaults if absent")
	fs.StringVar(&f.models, "models", "build/models", "model folder for the bundled defaults")
	fs.StringVar(&f.embedder, "embedder", "", "bundled embedder preset: dlib_resnet, mobileface, faceres")
	fs.StringVar(&f.grey, "grey", "", "match in grey: true or false (default from configuration)")
	fs.IntVar(&f.threads, "threads", 0, "intra-op threads per model (default from configuration)")
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
		cfg.Embedder = m
		cfg.SetDir(f.models)
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
	return cfg, nil
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
