package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/app/session/fake"
	"github.com/uketsuke/uketsuke/app/session/scenario"
)

func init() {
	Register(Command{Name: "simulate", Summary: "run a whole kiosk session headless from a scenario", Run: runSimulate})
	Register(Command{Name: "simulate bench", Summary: "ms from choosing 顔認証 to the eligibility result (median, p95)", Run: runSimulateBench})
}

type simFlags struct {
	scenario  string
	json      bool
	transport string
	latency   string
	attempt   time.Duration
}

func (f *simFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.transport, "transport", "inprocess", "how the kiosk reaches the virtual card: inprocess or pcsc")
	fs.StringVar(&f.latency, "latency", "real", "stand-in speed: real (measured device latencies) or fast")
	fs.DurationVar(&f.attempt, "attempt-time", 3*time.Second, "time budget of one face attempt")
}

func runSimulate(ctx context.Context, env *Env, args []string) error {
	var f simFlags
	fs := flag.NewFlagSet("simulate", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.StringVar(&f.scenario, "scenario", "", "built-in scenario name or a scenario file ("+strings.Join(scenario.Names(), ", ")+", all)")
	fs.BoolVar(&f.json, "json", false, "one JSON object per line")
	f.register(fs)
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	if f.scenario == "" || fs.NArg() > 0 {
		return fmt.Errorf("%w: simulate --scenario NAME|FILE [--json] [--transport inprocess|pcsc]", ErrUsage)
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
	out := newTracePrinter(env.Stdout, f.json, sc.Name)
	reps, err := scenario.Run(ctx, sc, scenario.Options{World: world, Settings: simSettings(f), Trace: out.print})
	for _, r := range reps {
		out.report(r, err)
	}
	return err
}

func simSettings(f *simFlags) session.Settings {
	s := session.DefaultSettings()
	s.FaceAttemptTime = f.attempt
	return s
}

// newSimWorld picks the kiosk's surroundings for the flags.
func newSimWorld(f *simFlags) (scenario.World, func(), error) {
	lat := fake.Realistic
	switch f.latency {
	case "real":
	case "fast":
		lat = fake.Fast
	default:
		return nil, nil, fmt.Errorf("%w: --latency real or fast", ErrUsage)
	}
	switch f.transport {
	case "inprocess":
		return scenario.NewFakeWorld(lat), func() {}, nil
	case "pcsc":
		return nil, nil, errors.New("simulate: --transport pcsc needs the virtual card world (not wired yet)")
	}
	return nil, nil, fmt.Errorf("%w: --transport inprocess or pcsc", ErrUsage)
}

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
	fmt.Fprintf(p.w, "%10.3f ms  %-22s %-6s %-14s %-28s %s\n", ms, t.Run, t.Kind, t.Name, move, t.Detail)
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
	world, closeWorld, err := newSimWorld(&f)
	if err != nil {
		return err
	}
	defer closeWorld()
	var samples []time.Duration
	for i := 0; i < *n; i++ {
		reps, err := scenario.Run(ctx, sc, scenario.Options{World: world, Settings: simSettings(&f)})
		if err != nil {
			return fmt.Errorf("session %d: %w", i+1, err)
		}
		samples = append(samples, reps[0].FaceToResult)
	}
	med, p95 := simPercentile(samples, 0.5), simPercentile(samples, 0.95)
	fmt.Fprintf(env.Stdout, "simulate bench: %d sessions, transport %s, latency %s\n", *n, f.transport, f.latency)
	fmt.Fprintf(env.Stdout, "choose 顔認証 → eligibility result: median %.1f ms, p95 %.1f ms, max %.1f ms\n",
		simMS(med), simMS(p95), simMS(simPercentile(samples, 1)))
	return nil
}

func simPercentile(s []time.Duration, q float64) time.Duration {
	c := append([]time.Duration(nil), s...)
	sort.Slice(c, func(i, j int) bool { return c[i] < c[j] })
	i := int(q*float64(len(c))+0.5) - 1
	return c[min(max(i, 0), len(c)-1)]
}

func simMS(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
