package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	_ "image/jpeg" // LFW photos
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/uketsuke/uketsuke/app/audit"
	"github.com/uketsuke/uketsuke/app/config"
	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/hardware/ocr"
	"github.com/uketsuke/uketsuke/sim/scenario"
	"github.com/uketsuke/uketsuke/sim/vcard"
	"github.com/uketsuke/uketsuke/wire"
)

func init() {
	Register(Command{Name: "simulate", Summary: "run a whole kiosk session headless from a scenario", Run: runSimulate})
	Register(Command{Name: "simulate bench", Summary: "ms from choosing 顔認証 to the eligibility result (median, p95)", Run: runSimulateBench})
}

type simFlags struct {
	scenario  string
	json      bool
	transport string
	world     string
	face      string
	faces     string
	models    string
	latency   string
	attempt   time.Duration
	audit     string
	results   string
	encoding  string
	reqres    string
}

func (f *simFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.transport, "transport", "inproc", "how the kiosk reaches the virtual card: pcsc (through a real pcscd and vpcd) or inproc")
	fs.StringVar(&f.world, "world", "virtual", "virtual: the real card stack on the virtual card and the eligibility stand-in over HTTPS;"+
		" stand-in: every port faked")
	fs.StringVar(&f.face, "face", "stand-in", "virtual world's cameras, card-face OCR and face engine: stand-in or real"+
		" (LFW photos through sim/camera, Tesseract, JPEG 2000, ONNX face engine)")
	fs.StringVar(&f.faces, "faces", "../shared/faces/lfw-devtrain", "photos for --face real, one folder per person")
	fs.StringVar(&f.models, "models", "build/models", "face models for --face real")
	fs.StringVar(&f.latency, "latency", "real", "stand-in speed: real (measured device latencies) or fast")
	fs.DurationVar(&f.attempt, "attempt-time", 10*time.Second, "time budget of one face attempt")
	fs.StringVar(&f.audit, "audit", "", "write the operation and error logs (JSON lines) into this folder")
	fs.StringVar(&f.results, "results", "", "the 連携 folder the result files go to (face/ inside it); default: a temporary one")
	fs.StringVar(&f.encoding, "encoding", "utf-8", "result files: utf-8 or shift_jis")
}

func runSimulate(ctx context.Context, env *Env, args []string) error {
	var f simFlags
	fs := flag.NewFlagSet("simulate", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.StringVar(&f.scenario, "scenario", "", "built-in scenario name or a scenario file ("+strings.Join(scenario.Names(), ", ")+", all)")
	fs.BoolVar(&f.json, "json", false, "one JSON object per line")
	fs.StringVar(&f.reqres, "reqres", "", "play a reception system on this 連携 folder: checks by insured number through req/ and res/")
	f.register(fs)
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	if f.reqres != "" && f.scenario == "" && fs.NArg() == 0 {
		return simulateReqRes(ctx, env, &f)
	}
	if f.scenario == "" || fs.NArg() > 0 {
		return fmt.Errorf("%w: simulate --scenario NAME|FILE [--json] [--transport inproc|pcsc]", ErrUsage)
	}
	names := []string{f.scenario}
	if f.scenario == "all" {
		names = scenario.Names()
	}
	for _, name := range names {
		if err := simulateOne(ctx, env, &f, name); err != nil {
			return err
		}
	}
	return nil
}

func simulateOne(ctx context.Context, env *Env, f *simFlags, name string) error {
	sc, err := scenario.Load(name)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	world, closeWorld, err := newSimWorld(f)
	if err != nil {
		return err
	}
	defer closeWorld()
	var log *audit.Logger
	if b, ok := world.(built); ok && f.audit != "" {
		log = b.Audit()
	}
	out := newTracePrinter(env.Stdout, f.json, sc.Name)
	reps, err := scenario.Run(ctx, sc, scenario.Options{World: world, Settings: simSettings(f, world),
		Audit: log, Trace: out.print})
	for i, r := range reps {
		var runErr error
		if i == len(reps)-1 {
			runErr = err
		}
		out.report(r, runErr)
	}
	return err
}

// built is a world the composition root assembled from a configuration.
type built interface {
	Settings() session.Settings
	Audit() *audit.Logger
}

// simSettings are the configuration's limits; the stand-in world has no
// configuration of its own and takes the default one's.
func simSettings(f *simFlags, w scenario.World) session.Settings {
	s := session.SettingsFrom(config.Default())
	if b, ok := w.(built); ok {
		s = b.Settings()
	}
	s.FaceAttemptTime = f.attempt
	return s
}

// newSimWorld builds the kiosk's surroundings for the flags through the
// composition root.
func newSimWorld(f *simFlags) (scenario.World, func(), error) {
	if f.latency != "real" && f.latency != "fast" {
		return nil, nil, fmt.Errorf("%w: --latency real or fast", ErrUsage)
	}
	switch f.transport {
	case "inproc", "inprocess":
		f.transport = "inprocess"
	case "pcsc":
	default:
		return nil, nil, fmt.Errorf("%w: --transport pcsc or inproc", ErrUsage)
	}
	if f.face != "stand-in" && f.face != "real" {
		return nil, nil, fmt.Errorf("%w: --face stand-in or real", ErrUsage)
	}
	switch f.world {
	case "stand-in":
		if f.transport != "inprocess" {
			return nil, nil, fmt.Errorf("%w: the stand-in world has no card to reach through pcscd", ErrUsage)
		}
		return wire.StandIns(f.latency == "fast"), func() {}, nil
	case "virtual":
		return newVirtualWorld(f)
	}
	return nil, nil, fmt.Errorf("%w: --world virtual or stand-in", ErrUsage)
}

func newVirtualWorld(f *simFlags) (scenario.World, func(), error) {
	dir, err := os.MkdirTemp("", "uketsuke-simulate-")
	if err != nil {
		return nil, nil, err
	}
	if f.face == "real" {
		if err := ocr.RestartWithThreadLimit(); err != nil {
			return nil, nil, err
		}
	}
	cfg := wire.SimulatedConfig(wire.Simulated{Dir: dir, Transport: f.transport, Fast: f.latency == "fast",
		RealFace: f.face == "real", Faces: f.faces, Models: f.models, Audit: f.audit, Results: f.results,
		Encoding: f.encoding})
	w, err := wire.Build(cfg, wire.Options{})
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	script, err := w.Script()
	if err != nil {
		w.Close()
		os.RemoveAll(dir)
		return nil, nil, err
	}
	return withSettings{script, w}, func() { w.Close(); os.RemoveAll(dir) }, nil
}

// withSettings carries the configuration's session limits and audit log
// to the runner.
type withSettings struct {
	scenario.World
	w *wire.World
}

func (w withSettings) Settings() session.Settings { return w.w.Settings }
func (w withSettings) Audit() *audit.Logger       { return w.w.Audit }

// CardLink is the virtual card's traffic since the last call.
func (w withSettings) CardLink() ([]vcard.Exchange, vcard.Latency) { return w.w.Sim.CardLink() }

// tracePrinter writes each event with a millisecond timestamp.
type tracePrinter struct {
	mu   sync.Mutex
	w    io.Writer
	json bool
	name string
}

func newTracePrinter(w io.Writer, asJSON bool, name string) *tracePrinter {
	return &tracePrinter{w: w, json: asJSON, name: name}
}

func (p *tracePrinter) print(t scenario.Trace) {
	p.mu.Lock()
	defer p.mu.Unlock()
	ms := float64(t.At.Microseconds()) / 1000
	if p.json {
		line, _ := json.Marshal(struct {
			T        float64 `json:"t_ms"`
			Scenario string  `json:"scenario"`
			Run      string  `json:"run"`
			Kind     string  `json:"kind"`
			Name     string  `json:"name"`
			From     string  `json:"from,omitempty"`
			To       string  `json:"to,omitempty"`
			Detail   string  `json:"detail,omitempty"`
		}{ms, p.name, t.Run, t.Kind, t.Name, t.From, t.To, t.Detail})
		fmt.Fprintf(p.w, "%s\n", line)
		return
	}
	move := ""
	if t.Kind == "event" {
		move = t.From + " → " + t.To
	}
	fmt.Fprintf(p.w, "%10.3f ms  %-22s %-6s %-20s %-28s %s\n", ms, t.Run, t.Kind, t.Name, move, t.Detail)
}

func (p *tracePrinter) report(r scenario.Report, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	status := "ok"
	if err != nil {
		status = "FAILED: " + err.Error()
	}
	f2r := float64(r.FaceToResult.Microseconds()) / 1000
	if p.json {
		line, _ := json.Marshal(map[string]any{"kind": "result", "scenario": p.name, "run": r.Run,
			"elapsed_ms": r.Elapsed.Milliseconds(), "face_to_result_ms": f2r, "final": r.Final.String(), "status": status})
		fmt.Fprintf(p.w, "%s\n", line)
		return
	}
	fmt.Fprintf(p.w, "== %s / %s: %s in %d ms (face→result %.1f ms), final %s\n", p.name, r.Run, status,
		r.Elapsed.Milliseconds(), f2r, r.Final)
}

func runSimulateBench(ctx context.Context, env *Env, args []string) error {
	var f simFlags
	fs := flag.NewFlagSet("simulate bench", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	n := fs.Int("n", 50, "sessions")
	think := fs.Duration("think", 0, "the patient reads each screen this long before touching (0: taps at once, the worst case)")
	f.register(fs)
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	if *n < 1 || *n > 10000 {
		return fmt.Errorf("%w: -n must be 1..10000", ErrUsage)
	}
	sc, err := scenario.Load("face-ok")
	if err != nil {
		return err
	}
	sc = scenario.WithThinkTime(sc, *think)
	world, closeWorld, err := newSimWorld(&f)
	if err != nil {
		return err
	}
	defer closeWorld()
	var samples []time.Duration
	stages := map[string][]time.Duration{}
	var link linkFigures
	failed := 0
	before := usage()
	for i := 0; i < *n; i++ {
		reps, err := scenario.Run(ctx, sc, scenario.Options{World: world, Settings: simSettings(&f, world)})
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			failed++
			fmt.Fprintf(env.Stderr, "session %d: %v\n", i+1, err)
			continue
		}
		samples = append(samples, reps[0].FaceToResult)
		for name, d := range reps[0].Stages {
			stages[name] = append(stages[name], d)
		}
		link.add(world, reps[0])
	}
	spent := usage().since(before)
	fmt.Fprintf(env.Stdout, "simulate bench: %d sessions, transport %s, latency %s, face %s, think %v\n",
		*n, f.transport, f.latency, f.face, *think)
	if len(samples) == 0 {
		return fmt.Errorf("simulate bench: every session failed")
	}
	med, p95 := percentile(samples, 0.5), percentile(samples, 0.95)
	fmt.Fprintf(env.Stdout, "choose 顔認証 → eligibility result: median %.1f ms, p95 %.1f ms, max %.1f ms (%d sessions)\n",
		simMS(med), simMS(p95), simMS(percentile(samples, 1)), len(samples))
	if failed > 0 {
		fmt.Fprintf(env.Stdout, "failed sessions: %d of %d (not in the figures)\n", failed, *n)
	}
	printStages(env.Stdout, stages)
	link.print(env.Stdout)
	spent.print(env.Stdout, *n-failed)
	return nil
}

// printStages shows where the time goes: each stage's median and p95.
func printStages(w io.Writer, stages map[string][]time.Duration) {
	names := make([]string, 0, len(stages))
	for n := range stages {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintln(w, "stages (median / p95 ms):")
	for _, n := range names {
		fmt.Fprintf(w, "  %-22s %8.1f %8.1f\n", strings.TrimPrefix(n, "stage."),
			simMS(percentile(stages[n], 0.5)), simMS(percentile(stages[n], 0.95)))
	}
}

func simMS(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// simulateReqRes plays a reception system against the kiosk's req/ → res/
// service: a few checks by insured number, one of a record replaced by a
// newer one, and a malformed request; every one must get its answer.
func simulateReqRes(ctx context.Context, env *Env, f *simFlags) error {
	dir, err := os.MkdirTemp("", "uketsuke-reqres-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := os.MkdirAll(f.reqres, 0o750); err != nil {
		return err
	}
	cfg := wire.SimulatedConfig(wire.Simulated{Dir: dir, Fast: f.latency == "fast", Results: f.reqres, Encoding: f.encoding})
	w, err := wire.Build(cfg, wire.Options{})
	if err != nil {
		return err
	}
	defer w.Close()
	clinic, err := w.Clinic()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	go w.ServeRequests(ctx)
	failed := 0
	for _, o := range clinic.Play(ctx, w.Sim.Queries(5)) {
		status := fmt.Sprintf("SegmentOfResult %s, QualificationValidity %q", o.Segment, o.Validity)
		switch {
		case o.Err != nil:
			status, failed = "FAILED: "+o.Err.Error(), failed+1
		case o.Segment == "9":
			status += ", ErrorMessage " + o.Error
		}
		fmt.Fprintf(env.Stdout, "%-44s %s\n", o.Request, status)
	}
	if failed > 0 {
		return fmt.Errorf("simulate --reqres: %d requests got no answer", failed)
	}
	return nil
}
