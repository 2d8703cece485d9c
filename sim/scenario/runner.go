package scenario

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/uketsuke/uketsuke/app/audit"
	"github.com/uketsuke/uketsuke/app/session"
)

// World is the kiosk's surroundings as a script controls them. The stand-in
// world (fakeworld.go) and the real-component worlds of `uketsuke simulate`
// implement it.
type World interface {
	Devices() session.Devices
	// NewCard puts the holder's card in reach and teaches the card-face camera
	// what it shows.
	NewCard(h Holder) (Card, error)
	// ShowFace sets who is in front of the face camera: holder, stranger or
	// nobody, with a quality problem (GuidanceNone for none).
	ShowFace(who string, problem session.Guidance)
	SetService(s Service)
	// PIN returns the holder's PIN digits (0-9) for "digits": "holder".
	PIN() []byte
}

// Card is a card the script can pull.
type Card interface {
	session.Card
	Pull()
}

// Trace is one line of a run's trace.
type Trace struct {
	At     time.Duration // since the run began
	Run    string
	Kind   string // event, script, result
	Name   string // event or action
	From   string `json:",omitempty"`
	To     string `json:",omitempty"`
	Detail string `json:",omitempty"`
}

// Options shape a run.
type Options struct {
	World    World
	Settings session.Settings
	Audit    *audit.Logger
	Trace    func(Trace) // nil: no trace
}

// Report is a run's outcome.
type Report struct {
	Run          string
	Elapsed      time.Duration
	FaceToResult time.Duration // choose_face handled → eligibility answer handled; 0 if none
	ChoseFace    time.Time     // when choose_face was handled; zero if never
	Answered     time.Time     // when the eligibility answer was handled; zero if never
	Final        session.State
	Stages       map[string]time.Duration // how long each piece of work took (the last one of each name)
}

// WithThinkTime returns a copy of sc in which the patient reads each screen
// for d before every touch: without it, the script taps the instant a screen
// appears, the worst case for anything that runs in the background.
func WithThinkTime(sc *Scenario, d time.Duration) *Scenario {
	out := *sc
	out.Steps = nil
	for _, st := range sc.Steps {
		if st.Touch != "" && d > 0 {
			out.Steps = append(out.Steps, Step{Wait: d.String()})
		}
		out.Steps = append(out.Steps, st)
	}
	return &out
}

// Run executes every run of the scenario in order and stops at the first
// failure.
func Run(ctx context.Context, sc *Scenario, o Options) ([]Report, error) {
	runs := sc.Runs
	if len(runs) == 0 {
		runs = []Variant{{Name: sc.Name}}
	}
	var out []Report
	for _, r := range runs {
		steps := append(append([]Step(nil), sc.Steps...), r.Steps...)
		variant := *sc
		if r.Holder != nil {
			variant.Holder = *r.Holder
		}
		if r.Service != nil {
			variant.Service = *r.Service
		}
		rep, err := runOnce(ctx, &variant, r.Name, steps, o)
		out = append(out, rep)
		if err != nil {
			return out, fmt.Errorf("%s: %w", r.Name, err)
		}
	}
	return out, nil
}

type runner struct {
	o      Options
	sc     *Scenario
	name   string
	k      *session.Kiosk
	views  <-chan session.View
	last   session.View
	card   Card
	start  time.Time
	mu     sync.Mutex
	choose time.Time
	answer time.Time
	result time.Duration
	stages map[string]time.Duration
}

func runOnce(ctx context.Context, sc *Scenario, name string, steps []Step, o Options) (Report, error) {
	r := &runner{o: o, sc: sc, name: name, start: time.Now(), stages: map[string]time.Duration{}}
	o.World.SetService(sc.Service)
	o.World.ShowFace("nobody", session.GuidanceNone)
	k, err := session.New(session.Options{Devices: o.World.Devices(), Settings: o.Settings,
		Audit: o.Audit, OnStep: r.onStep, OnStage: r.onStage})
	if err != nil {
		return Report{Run: name}, err
	}
	r.k = k
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { k.Run(ctx); close(done) }()
	r.views = k.Watch(ctx)
	err = r.steps(ctx, steps)
	cancel()
	<-done
	r.mu.Lock()
	defer r.mu.Unlock()
	return Report{Run: name, Elapsed: time.Since(r.start), FaceToResult: r.result, ChoseFace: r.choose,
		Answered: r.answer, Final: r.k.View().State, Stages: r.stages}, err
}

func (r *runner) trace(t Trace) {
	if r.o.Trace != nil {
		t.At, t.Run = time.Since(r.start), r.name
		r.o.Trace(t)
	}
}

func (r *runner) onStep(s session.Step) {
	r.mu.Lock()
	switch s.Event {
	case session.EvChooseFace:
		if !s.Ignored {
			r.choose = s.At
		}
	case session.EvEligible, session.EvUnregistered, session.EvIneligible:
		if !r.choose.IsZero() && r.result == 0 && !s.Ignored {
			r.result, r.answer = s.At.Sub(r.choose), s.At
		}
	}
	r.mu.Unlock()
	detail := ""
	if s.Ignored {
		detail = "ignored"
	}
	r.trace(Trace{Kind: "event", Name: s.Event.String(), From: s.From.String(), To: s.To.String(), Detail: detail})
}

func (r *runner) onStage(st session.Stage) {
	r.mu.Lock()
	r.stages[st.Name] = st.Took
	r.mu.Unlock()
	detail := fmt.Sprintf("%.1f ms", float64(st.Took.Microseconds())/1000)
	if !st.OK {
		detail += " failed"
	}
	r.trace(Trace{Kind: "stage", Name: strings.TrimPrefix(st.Name, "stage."), Detail: detail})
}

func (r *runner) steps(ctx context.Context, steps []Step) error {
	for i, st := range steps {
		if err := r.step(ctx, st); err != nil {
			return fmt.Errorf("%w: step %d: %v", ErrFailed, i+1, err)
		}
	}
	return nil
}

func (r *runner) step(ctx context.Context, st Step) error {
	switch {
	case st.Await != "":
		return r.await(ctx, st)
	case st.Touch != "":
		kind, _ := session.ParseEvent(st.Touch)
		r.trace(Trace{Kind: "script", Name: "touch", Detail: strings.TrimSpace(st.Touch + " " + st.Item)})
		return r.k.Touch(session.Event{Kind: kind, Items: items[st.Item]})
	case st.Digits != "":
		return r.digits(st.Digits)
	case st.Staff != "":
		kind, _ := session.ParseEvent(st.Staff)
		r.trace(Trace{Kind: "script", Name: "staff", Detail: st.Staff})
		return r.k.Staff(kind)
	case st.Card != "":
		return r.cardStep(st.Card)
	case st.Face != "":
		r.trace(Trace{Kind: "script", Name: "face", Detail: strings.TrimSpace(st.Face + " " + st.Problem)})
		r.o.World.ShowFace(st.Face, session.Guidance(st.Problem))
		return nil
	case st.Expect != nil:
		return r.expect(ctx, st.Expect)
	case st.Wait != "":
		d, _ := parseDelay(st.Wait)
		r.trace(Trace{Kind: "script", Name: "wait", Detail: st.Wait})
		select {
		case <-time.After(d):
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return errors.New("empty step")
}

func (r *runner) digits(d string) error {
	keys := []byte(d)
	if d == "holder" {
		keys = r.o.World.PIN()
		defer clear(keys)
	} else {
		for i := range keys {
			keys[i] -= '0'
		}
	}
	r.trace(Trace{Kind: "script", Name: "digits", Detail: fmt.Sprintf("%d keys", len(keys))})
	for _, k := range keys {
		if err := r.k.Digit(k); err != nil {
			return err
		}
	}
	return nil
}

func (r *runner) cardStep(what string) error {
	r.trace(Trace{Kind: "script", Name: "card", Detail: what})
	if what == "remove" {
		if r.card != nil {
			r.card.Pull()
		}
		return r.k.CardRemoved()
	}
	c, err := r.o.World.NewCard(r.sc.Holder)
	if err != nil {
		return err
	}
	r.card = c
	return r.k.CardPlaced(c)
}

func (r *runner) await(ctx context.Context, st Step) error {
	want, _ := session.ParseState(st.Await)
	timeout := 10 * time.Second
	if st.Timeout != "" {
		timeout, _ = time.ParseDuration(st.Timeout)
	}
	return r.until(ctx, timeout, func(v session.View) string {
		if v.State == want {
			return ""
		}
		return "state " + v.State.String()
	}, "await "+st.Await)
}

// expect first lets the machine handle every action sent so far (so that
// "nothing happened" is checked after the touch, not before), then allows
// workers a moment to report.
func (r *runner) expect(ctx context.Context, e *Expect) error {
	if err := r.k.Sync(ctx); err != nil {
		return err
	}
	r.last = r.k.View()
	return r.until(ctx, 2*time.Second, e.mismatch, "expect")
}

func (r *runner) until(ctx context.Context, timeout time.Duration, bad func(session.View) string, what string) error {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		miss := bad(r.last)
		if miss == "" {
			return nil
		}
		select {
		case v := <-r.views:
			r.last = v
		case <-deadline.C:
			return fmt.Errorf("%s: after %v:%s (error %q, validity %d)", what, timeout, miss, r.last.Error, r.last.Result.Validity)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
