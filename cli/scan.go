//go:build !kiosk

package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"syscall"
	"time"

	"github.com/uketsuke/uketsuke/app/cardscan"
	"github.com/uketsuke/uketsuke/app/secret"
	"github.com/uketsuke/uketsuke/hardware/ocr"
	"github.com/uketsuke/uketsuke/sim/cardface"
)

func init() {
	Register(Command{Name: "scan", Summary: "read 照合番号B from card-face images (testing: prints the code)", Run: runScan})
	Register(Command{Name: "scan bench", Summary: "score the card-face scanner on rendered cards", Run: runScanBench})
}

func runScan(ctx context.Context, env *Env, args []string) error {
	fs := flag.NewFlagSet("scan", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Bool("json", true, "one JSON line per image (the only output format)")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	if fs.NArg() == 0 {
		return fmt.Errorf("%w: scan [--json] IMAGE...", ErrUsage)
	}
	pool, err := newScanPool()
	if err != nil {
		return err
	}
	defer pool.Close()
	for _, path := range fs.Args() {
		start := time.Now()
		res, err := scanFile(ctx, pool, path)
		line := scanLine(path, res, err, time.Since(start))
		res.Destroy()
		_, werr := env.Stdout.Write(line)
		secret.Wipe(line)
		if werr != nil {
			return werr
		}
	}
	return nil
}

// newScanPool starts one OCR worker, first restarting the process with
// OMP_THREAD_LIMIT=1 if it is unset, so the figures are one core's.
func newScanPool() (*ocr.Pool, error) {
	if err := ocr.RestartWithThreadLimit(); err != nil {
		return nil, err
	}
	return ocr.NewPool(1)
}

func scanFile(ctx context.Context, pool *ocr.Pool, path string) (*cardscan.Result, error) {
	img, err := scanDecodeImage(path)
	if err != nil {
		return nil, err
	}
	return pool.Scan(ctx, img)
}

func scanDecodeImage(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return cardscan.Decode(f)
}

// scanLine builds the JSON line byte by byte so the code never becomes a Go
// string; the caller wipes the line once written.
func scanLine(path string, res *cardscan.Result, err error, took time.Duration) []byte {
	name, _ := json.Marshal(path)
	b := append([]byte(`{"file":`), name...)
	if err != nil {
		b = append(b, `,"ok":false,"error":`...)
		b = strconv.AppendQuote(b, cardscan.Kind(err))
		if f := cardscan.FieldOf(err); f != "" {
			b = append(b, `,"field":`...)
			b = strconv.AppendQuote(b, string(f))
		}
	} else {
		b = append(b, `,"ok":true`...)
		for _, kv := range []struct {
			key string
			buf *secret.Buffer
		}{{"birth_yymmdd", res.BirthYYMMDD}, {"expiry_year", res.ExpiryYear},
			{"security_code", res.SecurityCode}, {"verification_code_b", res.CodeB}} {
			b = append(b, `,"`+kv.key+`":"`...)
			b = append(b, kv.buf.Bytes()...)
			b = append(b, '"')
		}
		b = append(b, `,"confidence":`...)
		b = strconv.AppendFloat(b, res.Confidence, 'f', 3, 64)
		if res.Design != cardscan.DesignUnknown {
			b = append(b, `,"design":`...)
			b = strconv.AppendQuote(b, string(res.Design))
		}
	}
	b = append(b, `,"ms":`...)
	b = strconv.AppendInt(b, took.Milliseconds(), 10)
	return append(b, "}\n"...)
}

// scanTally accumulates a benchmark's outcomes.
type scanTally struct {
	n, exact, wrong, refused  int
	birthOK, expiryOK, codeOK int
	refusals                  map[string]int
	durations, cpu            []time.Duration
	// byDesign splits the outcomes when the designs are mixed.
	byDesign map[cardface.Design]*scanOutcomes
}

// scanOutcomes counts one design's cards; recognised and misrecognised
// count the read cards whose design the scanner named rightly or wrongly
// (the rest it left unknown).
type scanOutcomes struct{ n, exact, wrong, refused, recognised, misrecognised int }

// scanThreadCPU is the CPU time the calling OS thread has used. The scan runs
// Tesseract on the calling thread (one OpenMP thread), so the difference
// around a scan is its cost on one core, whatever else the machine runs.
func scanThreadCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func runScanBench(ctx context.Context, env *Env, args []string) error {
	fs := flag.NewFlagSet("scan bench", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	n := fs.Int("n", 1000, "cards to render and scan")
	seed := fs.Int64("seed", 1, "first card's seed; card i uses seed+i")
	mix := fs.String("mix", "normal", "distortion mix: clean, normal or hard")
	dump := fs.String("dump", "", "folder to save the frames of wrong or refused cards (synthetic holders only)")
	layout := fs.String("layout", "fixed", "card layout: fixed (one per design, comparable with earlier figures) or random (drawn from each card's seed)")
	design := fs.String("design", "current", "card design: current, next (the 2026 card as far as announced) or mixed (odd seeds next, even current)")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	m := cardface.Mix(*mix)
	if m != cardface.Clean && m != cardface.Normal && m != cardface.Hard {
		return fmt.Errorf("%w: --mix must be clean, normal or hard", ErrUsage)
	}
	lm := cardface.LayoutMode(*layout)
	if lm != cardface.LayoutFixed && lm != cardface.LayoutRandom {
		return fmt.Errorf("%w: --layout must be fixed or random", ErrUsage)
	}
	if *design != string(cardface.DesignCurrent) && *design != string(cardface.DesignNext) && *design != scanDesignMixed {
		return fmt.Errorf("%w: --design must be current, next or mixed", ErrUsage)
	}
	render := scanRenderSpec{mix: m, layout: lm, design: *design}
	if *n < 1 {
		return fmt.Errorf("%w: -n must be positive", ErrUsage)
	}
	pool, err := newScanPool()
	if err != nil {
		return err
	}
	defer pool.Close()
	t := &scanTally{refusals: map[string]int{}, byDesign: map[cardface.Design]*scanOutcomes{}}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for card := range scanRenderAhead(ctx, *seed, *n, render) {
		if card.err != nil {
			return card.err
		}
		if err := scanBenchOne(ctx, pool, card, render, t, *dump); err != nil {
			return err
		}
		if t.n%100 == 0 && t.n < *n {
			fmt.Fprintf(env.Stderr, "scan bench: %d/%d cards, %d exact, %d wrong, %d refused\n", t.n, *n, t.exact, t.wrong, t.refused)
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	t.report(env.Stdout, render, *seed)
	return nil
}

// scanDesignMixed is the --design value that alternates the two designs.
const scanDesignMixed = "mixed"

// scanRenderSpec is how the benchmark draws its cards.
type scanRenderSpec struct {
	mix    cardface.Mix
	layout cardface.LayoutMode
	design string // a cardface.Design or scanDesignMixed
}

// designOf is card seed's design: with mixed designs odd seeds get the next
// card, so any run of cards is half and half.
func (r scanRenderSpec) designOf(seed int64) cardface.Design {
	if r.design != scanDesignMixed {
		return cardface.Design(r.design)
	}
	if seed%2 != 0 {
		return cardface.DesignNext
	}
	return cardface.DesignCurrent
}

type scanCard struct {
	seed  int64
	img   image.Image
	truth cardface.Truth
	err   error
}

// scanRenderAhead renders the benchmark's cards on another goroutine, a couple
// ahead of the scanner, so rendering overlaps scanning on a second core.
func scanRenderAhead(ctx context.Context, first int64, n int, r scanRenderSpec) <-chan scanCard {
	out := make(chan scanCard, 2)
	go func() {
		defer close(out)
		for i := 0; i < n; i++ {
			seed := first + int64(i)
			img, truth, err := cardface.Render(cardface.RandomHolder(seed), nil, cardface.Options{Seed: seed, Mix: r.mix, Font: -1,
				Layout: r.layout, Design: r.designOf(seed)})
			select {
			case out <- scanCard{seed, img, truth, err}:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	return out
}

func scanBenchOne(ctx context.Context, pool *ocr.Pool, card scanCard, r scanRenderSpec, t *scanTally, dump string) error {
	img, truth, seed := card.img, card.truth, card.seed
	runtime.LockOSThread()
	cpu0, start := scanThreadCPU(), time.Now()
	res, err := pool.Scan(ctx, img)
	t.durations = append(t.durations, time.Since(start))
	t.cpu = append(t.cpu, scanThreadCPU()-cpu0)
	runtime.UnlockOSThread()
	t.n++
	defer res.Destroy()
	d := t.byDesign[truth.Design]
	if d == nil {
		d = &scanOutcomes{}
		t.byDesign[truth.Design] = d
	}
	d.n++
	outcome := ""
	switch {
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return err
	case err != nil:
		t.refused++
		d.refused++
		kind := cardscan.Kind(err)
		if f := cardscan.FieldOf(err); f != "" {
			kind += "/" + string(f)
		}
		t.refusals[kind]++
		outcome = "refused-" + cardscan.Kind(err)
	default:
		b, e, c := bytes.Equal(res.BirthYYMMDD.Bytes(), []byte(truth.BirthYYMMDD)),
			bytes.Equal(res.ExpiryYear.Bytes(), []byte(truth.ExpiryYear)), bytes.Equal(res.SecurityCode.Bytes(), []byte(truth.SecurityCode))
		t.birthOK, t.expiryOK, t.codeOK = t.birthOK+scanCount(b), t.expiryOK+scanCount(e), t.codeOK+scanCount(c)
		switch string(res.Design) {
		case string(truth.Design):
			d.recognised++
		case "":
		default:
			d.misrecognised++
		}
		if bytes.Equal(res.CodeB.Bytes(), []byte(truth.CodeB)) {
			t.exact++
			d.exact++
		} else {
			t.wrong++
			d.wrong++
			outcome = "wrong"
		}
	}
	if outcome != "" && dump != "" {
		name := fmt.Sprintf("%s-%s-%s-%s-%d.png", r.mix, truth.Layout, truth.Design, outcome, seed)
		return scanSaveFrame(filepath.Join(dump, name), img)
	}
	return nil
}

func scanCount(b bool) int {
	if b {
		return 1
	}
	return 0
}

func scanSaveFrame(path string, img image.Image) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return png.Encode(f, img)
}

func (t *scanTally) report(w io.Writer, r scanRenderSpec, seed int64) {
	pct := func(k int) string { return fmt.Sprintf("%.2f %% (%d/%d)", 100*float64(k)/float64(t.n), k, t.n) }
	// Times in whole ms by the benches' one percentile rule.
	ms := func(d []time.Duration, q float64) int64 { return percentile(d, q).Milliseconds() }
	fmt.Fprintf(w, "scan bench: %d cards, mix %s, layout %s, design %s, seeds %d..%d, 1 OCR worker\n",
		t.n, r.mix, r.layout, r.design, seed, seed+int64(t.n)-1)
	fmt.Fprintf(w, "exact 照合番号B   %s\n", pct(t.exact))
	fmt.Fprintf(w, "wrong code       %s\n", pct(t.wrong))
	fmt.Fprintf(w, "refused          %s\n", pct(t.refused))
	if r.design == scanDesignMixed {
		for _, d := range []cardface.Design{cardface.DesignCurrent, cardface.DesignNext} {
			o := t.byDesign[d]
			if o == nil {
				o = &scanOutcomes{}
			}
			fmt.Fprintf(w, "  design %-8s %d cards: %d exact, %d wrong, %d refused\n", d, o.n, o.exact, o.wrong, o.refused)
		}
	}
	for _, d := range []cardface.Design{cardface.DesignCurrent, cardface.DesignNext} {
		if o := t.byDesign[d]; o != nil && o.exact+o.wrong > 0 {
			fmt.Fprintf(w, "  design %-8s recognised on %d of %d read cards, mistaken on %d (the rest: unknown)\n",
				d, o.recognised, o.exact+o.wrong, o.misrecognised)
		}
	}
	kinds := make([]string, 0, len(t.refusals))
	for k := range t.refusals {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		fmt.Fprintf(w, "  %-30s %d\n", k, t.refusals[k])
	}
	fmt.Fprintf(w, "field accuracy   birth %s, expiry year %s, security code %s\n", pct(t.birthOK), pct(t.expiryOK), pct(t.codeOK))
	fmt.Fprintf(w, "ms per card      CPU on one core: median %d, p95 %d, max %d; wall: median %d, p95 %d (scan only, rendering excluded)\n",
		ms(t.cpu, 0.5), ms(t.cpu, 0.95), ms(t.cpu, 1), ms(t.durations, 0.5), ms(t.durations, 0.95))
}
