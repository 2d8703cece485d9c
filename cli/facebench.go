package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/uketsuke/uketsuke/app/face"
	"github.com/uketsuke/uketsuke/hardware/jp2"
)

// evalFlags are the options of `face bench` and `face calibrate`.
type evalFlags struct {
	faceFlags
	sources   setSources
	limit     int
	frames    int
	frame     string
	cardPhoto bool
}

func (f *evalFlags) register(fs *flag.FlagSet) {
	f.faceFlags.register(fs)
	f.sources.register(fs)
	fs.IntVar(&f.limit, "limit", 0, "use at most this many images of each set (whole people), 0 = all")
	fs.IntVar(&f.frames, "frames", 1, "fuse this many jittered frames per probe")
	fs.StringVar(&f.frame, "frame", "", "place live images in a WxH camera frame, e.g. 640x480")
	fs.BoolVar(&f.cardPhoto, "as-card-photo", false, "also compare against each image issued as the chip's photo (grey, 300x400, JPEG 2000 at the card's budget)")
}

func (f *evalFlags) options(env *Env) (evalOptions, error) {
	o := evalOptions{frames: f.frames, cardPhoto: f.cardPhoto, progress: env.Stderr}
	if f.frame != "" {
		if _, err := fmt.Sscanf(f.frame, "%dx%d", &o.frameW, &o.frameH); err != nil || o.frameW < 64 || o.frameH < 64 || o.frameW > 4096 || o.frameH > 4096 {
			return o, fmt.Errorf("%w: --frame WxH", ErrUsage)
		}
	}
	return o, nil
}

// runEval lists the sets, opens the engine and embeds everything. The
// caller destroys the pool.
func runEval(ctx context.Context, env *Env, f *evalFlags) (*pool, *evalStats, *face.Config, error) {
	o, err := f.options(env)
	if err != nil {
		return nil, nil, nil, err
	}
	sets, err := f.sources.load(f.limit)
	if err != nil {
		return nil, nil, nil, err
	}
	eng, closeEng, err := openEngine(&f.faceFlags)
	if err != nil {
		return nil, nil, nil, err
	}
	defer closeEng()
	p, st, err := evaluate(ctx, eng, sets, o)
	return p, st, eng.Config, err
}

func runFaceBench(ctx context.Context, env *Env, args []string) error {
	fs := flag.NewFlagSet("face bench", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	var f evalFlags
	f.register(fs)
	fuse := fs.String("fuse", "", "measure fusing this many real frames of one person per attempt, e.g. 3,4,5")
	maxFMR := fs.Float64("max-fmr", 0, "fail when the FMR at the configured threshold exceeds this on any set (0 = report only)")
	alsoAt := fs.String("also-at", "", "also report FMR and FNMR at these thresholds, e.g. 0.9451")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	fuseSizes, err := parseSizes(*fuse)
	if err != nil {
		return err
	}
	extra, err := parseThresholds(*alsoAt)
	if err != nil {
		return err
	}
	p, st, cfg, err := runEval(ctx, env, &f)
	if err != nil {
		return err
	}
	defer p.Destroy()
	threshold := cfg.Threshold()
	st.print(env.Stdout, cfg, p)
	var over []string
	for si := range p.sets {
		printSetHeader(env.Stdout, p, si)
		for _, m := range p.modes(si) {
			if fmr := m.report(env.Stdout, threshold, extra); *maxFMR > 0 && fmr > *maxFMR {
				over = append(over, fmt.Sprintf("%s: FMR %.2e", m.label, fmr))
			}
		}
	}
	for _, n := range fuseSizes {
		r, err := p.fusionStudy(n, threshold)
		if err != nil {
			return err
		}
		r.print(env.Stdout, n, threshold, p.card != nil)
	}
	st.printSpeed(env.Stdout)
	if len(over) > 0 {
		return fmt.Errorf("FMR at the configured threshold %.4f exceeds %.0e: %s", threshold, *maxFMR, strings.Join(over, "; "))
	}
	return nil
}

func parseSizes(s string) ([]int, error) {
	if s == "" {
		return nil, nil
	}
	var out []int
	for _, part := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil || n < 2 || n > 10 {
			return nil, fmt.Errorf("%w: --fuse wants frame counts 2..10, e.g. 3,5", ErrUsage)
		}
		out = append(out, n)
	}
	return out, nil
}

func parseThresholds(s string) ([]float64, error) {
	if s == "" {
		return nil, nil
	}
	var out []float64
	for _, part := range strings.Split(s, ",") {
		t, err := strconv.ParseFloat(strings.TrimSpace(part), 64)
		if err != nil || t <= -1 || t >= 1 {
			return nil, fmt.Errorf("%w: --also-at wants thresholds like 0.9451,0.96", ErrUsage)
		}
		out = append(out, t)
	}
	return out, nil
}

func (st *evalStats) print(w io.Writer, cfg *face.Config, p *pool) {
	fmt.Fprintf(w, "images %d, detection failures %d, %s\n", st.images, st.detectFail, st.elapsed.Round(time.Second))
	fmt.Fprintf(w, "embedder %s, match in grey %v, flip %v, fusion %s, jittered frames fused per probe %d, threshold %.4f\n",
		cfg.Embedder.File, cfg.MatchInGrey, cfg.FlipAverage, cfg.Fusion, st.fusedFrames, cfg.Threshold())
	if p.card != nil && len(p.cardBytes) > 0 {
		sizes := make([]float64, len(p.cardBytes))
		for i, b := range p.cardBytes {
			sizes[i] = float64(b)
		}
		fmt.Fprintf(w, "card photos: %dx%d grey JPEG 2000, median %.0f bytes (p5 %.0f, p95 %.0f), no face found in %d\n",
			jp2.CardPhotoWidth, jp2.CardPhotoHeight, percentileOrNaN(sizes, 0.5), percentileOrNaN(sizes, 0.05), percentileOrNaN(sizes, 0.95), st.cardFail)
	}
}

func printSetHeader(w io.Writer, p *pool, si int) {
	s := p.sets[si]
	lo, hi := p.start[si], p.start[si+1]
	noLive, noCard := 0, 0
	for i := lo; i < hi; i++ {
		if !p.liveOK[i] {
			noLive++
		}
		if p.card != nil && !p.cardOK[i] {
			noCard++
		}
	}
	fmt.Fprintf(w, "\nset %s: %d images of %d people; no face: %d images", s.name, hi-lo, len(s.people), noLive)
	if p.card != nil {
		fmt.Fprintf(w, ", %d card photos", noCard)
	}
	fmt.Fprintln(w)
}

// report prints one set's figures for one way of measuring and returns the
// FMR at the threshold (0 without impostor pairs).
func (m *modeScores) report(w io.Writer, threshold float64, extra []float64) float64 {
	fmt.Fprintf(w, "  %s: genuine pairs %d (+%d lost to failures), lowest genuine %.4f, impostor pairs %d, highest impostor %.4f\n",
		m.label, len(m.genuine), m.lost, lowest(m.genuine), len(m.impostor), highest(m.impostor))
	if len(m.impostor) == 0 {
		return 0
	}
	for _, op := range face.Calibrate(m.genuine, m.impostor, []float64{1e-3, 1e-4}) {
		fmt.Fprintf(w, "    FMR %.0e: threshold %.4f, FNMR %s, measured FMR %.2e\n", op.TargetFMR, op.Threshold, fnmrText(m.genuine, op.FNMR), op.FMR)
	}
	for _, t := range extra {
		at := face.RatesAt(m.genuine, m.impostor, t)
		fmt.Fprintf(w, "    at %.4f: FMR %.2e (%d of %d), FNMR %s\n",
			t, at.FMR, countAtOrAbove(m.impostor, t), len(m.impostor), fnmrText(m.genuine, at.FNMR))
	}
	at := face.RatesAt(m.genuine, m.impostor, threshold)
	fmt.Fprintf(w, "    at the configured threshold %.4f: FMR %.2e (%d of %d), FNMR %s\n",
		threshold, at.FMR, countAtOrAbove(m.impostor, threshold), len(m.impostor), fnmrText(m.genuine, at.FNMR))
	groups := make([]string, 0, len(m.within))
	for g := range m.within {
		groups = append(groups, g)
	}
	sort.Strings(groups)
	for _, g := range groups {
		s := m.within[g]
		fmt.Fprintf(w, "    within %s: impostor pairs %d, highest %.4f, at the configured threshold FMR %.2e (%d)\n",
			g, len(s), highest(s), float64(countAtOrAbove(s, threshold))/float64(len(s)), countAtOrAbove(s, threshold))
	}
	return at.FMR
}

func fnmrText(genuine []float32, fnmr float64) string {
	if len(genuine) == 0 {
		return "n/a (no genuine pairs)"
	}
	return fmt.Sprintf("%.2f %% (%d of %d)", 100*fnmr, int(fnmr*float64(len(genuine))+0.5), len(genuine))
}

func (st *evalStats) printSpeed(w io.Writer) {
	fmt.Fprintf(w, "\ndetect ms: median %.1f, p95 %.1f; embed (align+model) ms: median %.1f, p95 %.1f; detect+embed median %.1f\n",
		percentileOrNaN(st.detectMs, 0.5), percentileOrNaN(st.detectMs, 0.95),
		percentileOrNaN(st.embedMs, 0.5), percentileOrNaN(st.embedMs, 0.95),
		percentileOrNaN(st.detectMs, 0.5)+percentileOrNaN(st.embedMs, 0.5))
	keys := make([]string, 0, len(st.reasons))
	for k := range st.reasons {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Fprintf(w, "CPU ms (this thread; intra-op threads add to it when > 1): detect median %.1f, p95 %.1f; embed median %.1f, p95 %.1f; detect+embed median %.1f\n",
		percentileOrNaN(st.detectCPU, 0.5), percentileOrNaN(st.detectCPU, 0.95),
		percentileOrNaN(st.embedCPU, 0.5), percentileOrNaN(st.embedCPU, 0.95),
		percentileOrNaN(st.detectCPU, 0.5)+percentileOrNaN(st.embedCPU, 0.5))
	fmt.Fprint(w, "quality reasons of live images (not gating here):")
	for _, k := range keys {
		fmt.Fprintf(w, " %s=%d", k, st.reasons[k])
	}
	fmt.Fprintf(w, "\npeak RSS %.0f MiB\n", peakRSSMiB())
}
