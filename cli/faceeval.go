package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"syscall"
	"time"

	"github.com/uketsuke/uketsuke/app/face"
)

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
	genuine, impostor   []float32
	genuineLost         int // genuine pairs with an image that gave no embedding
	ops                 []face.OperatingPoint
	elapsed             time.Duration
	fusedFrames, refDim int
}

// evaluate embeds every image once (embeddings in one locked matrix, in
// memory only) and scores every genuine and impostor pair.
func evaluate(ctx context.Context, eng *face.Engine, people []person, total int, o evalOptions) (*evalStats, error) {
	st := &evalStats{reasons: map[string]int{}, fusedFrames: max(o.frames, 1)}
	start := time.Now()
	dim := probeDim(eng)
	single, fused := face.NewMatrix(total, dim), face.NewMatrix(total, dim)
	defer single.Destroy()
	defer fused.Destroy()
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

func probeDim(eng *face.Engine) int {
	if d := eng.Config.Embedder.Dim; d > 0 {
		return d
	}
	return 128
}

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
		return true, fused.Set(i, e)
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
	t0 := time.Now()
	faces, err := eng.Detector.Detect(img)
	if err != nil {
		return nil, err
	}
	t1 := time.Now()
	q := face.Assess(img, faces, eng.Config.Quality)
	if record {
		st.detectMs = append(st.detectMs, ms(t1.Sub(t0)))
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
	e, err := eng.EmbedFace(img, faces[face.Primary(faces)])
	if record && err == nil {
		st.embedMs = append(st.embedMs, ms(time.Since(t1)))
	}
	return e, err
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
