package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/cli"
	"github.com/uketsuke/uketsuke/wire"
)

// The demo's photographs, in --photos (make demo-photos puts them there).
const (
	demoHolder   = "astronaut.png" // Debian python3-skimage: NASA portrait, public domain
	demoStranger = "stranger.png"  // Debian python3-skimage: camera.png, CC0
)

type demoFlags struct {
	script, dir, photos, models, card string
	exitWhenDone, staffCard, revisit  bool
	timeout, linger                   time.Duration
}

func parseDemoFlags(args []string) (demoFlags, error) {
	var f demoFlags
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	fs.StringVar(&f.script, "script", "", "play the operator's part: face-ok, pin-ok, stranger-then-pin, card-pulled or (with --revisit) revisit")
	fs.BoolVar(&f.exitWhenDone, "exit-when-done", false, "with --script: exit 0 at 受付完了, 1 otherwise")
	fs.StringVar(&f.dir, "dir", "", "results (DIR/results/face/...) and logs; default a temporary folder removed at exit")
	fs.StringVar(&f.photos, "photos", "build/demo", "the demo's photographs ("+demoHolder+", "+demoStranger+")")
	fs.StringVar(&f.models, "models", "build/models", "face models")
	fs.StringVar(&f.card, "card", "", "how the virtual card reaches the kiosk: pcsc or inprocess (default: pcsc when pcscd shows vpcd's reader)")
	fs.BoolVar(&f.staffCard, "staff-card", false, "register the simulated staff card (PIN 5678) as an operator: the staff corner opens the card login")
	fs.BoolVar(&f.revisit, "revisit", false, "re-visit reception (初診/再診): a SQLite table under --dir, demo keys, the visit-history stand-in and a recording ticket printer")
	fs.DurationVar(&f.timeout, "timeout", 90*time.Second, "with --script: give up after this long")
	fs.DurationVar(&f.linger, "linger", 0, "with --exit-when-done: keep the windows this long after the end (screenshots)")
	if err := fs.Parse(args); err != nil {
		return f, fmt.Errorf("%w: %v", cli.ErrUsage, err)
	}
	if fs.NArg() > 0 {
		return f, fmt.Errorf("%w: demo: unexpected argument %q", cli.ErrUsage, fs.Arg(0))
	}
	if f.card != "" && f.card != "pcsc" && f.card != "inprocess" {
		return f, fmt.Errorf("%w: demo: --card pcsc or inprocess", cli.ErrUsage)
	}
	if f.exitWhenDone && f.script == "" {
		return f, fmt.Errorf("%w: demo: --exit-when-done needs --script", cli.ErrUsage)
	}
	return f, nil
}

// stageLog keeps the last session's stage timings for the operator window
// and, for a script, prints each as a JSON line.
type stageLog struct {
	out io.Writer // nil: no JSON lines

	mu       sync.Mutex
	lines    []string
	onChange func(text string)
}

func newStageLog(print bool) *stageLog {
	l := &stageLog{}
	if print {
		l.out = os.Stdout
	}
	return l
}

// reset starts a new session's timings.
func (l *stageLog) reset() {
	l.mu.Lock()
	l.lines = nil
	l.mu.Unlock()
}

func (l *stageLog) add(w *wire.World, st session.Stage) {
	name := strings.TrimPrefix(st.Name, "stage.")
	part := w.PartOf(name)
	ms := st.Took.Milliseconds()
	line := stageLine{Stage: name, Part: part, MS: ms, OK: st.OK}
	text := fmt.Sprintf("%-13s %5d ms  %s", name, ms, part)
	if name == "match" {
		score := math.Round(st.Score*1000) / 1000
		line.Score = &score
		text += fmt.Sprintf(" (score %.3f)", st.Score)
	}
	l.emit(line)
	l.mu.Lock()
	l.lines = append(l.lines, text)
	all, f := strings.Join(l.lines, "\n"), l.onChange
	l.mu.Unlock()
	if f != nil {
		f(all)
	}
}

// stageLine is one stage's JSON line, in the order a reader expects.
type stageLine struct {
	Stage string   `json:"stage"`
	Part  string   `json:"part"`
	Score *float64 `json:"score,omitempty"`
	MS    int64    `json:"ms"`
	OK    bool     `json:"ok"`
}

// stateLine is a state the kiosk entered, and at 受付完了 the time from the
// patient's choice of method and the result file.
type stateLine struct {
	State        string `json:"state"`
	MSFromChoice *int64 `json:"ms_from_choice,omitempty"`
	ResultFile   string `json:"result_file,omitempty"`
	LastState    string `json:"last_state,omitempty"`
	Error        string `json:"error,omitempty"`
}

func (l *stageLog) emit(v any) {
	if l.out == nil {
		return
	}
	b, _ := json.Marshal(v)
	l.mu.Lock()
	fmt.Fprintln(l.out, string(b))
	l.mu.Unlock()
}

// A demo script reacts to each state the kiosk enters: it returns true
// when the script is finished with success, and may fail with an error.
type demoScript func(d *demoRun, state session.State) (done bool, err error)

// demoRun is one script's hands: the operator (card, camera) and the
// patient's touches.
type demoRun struct {
	op     *operator
	k      *session.Kiosk
	chosen time.Time
	pulled bool // card-pulled: the card was pulled once
	step   int
}

func (d *demoRun) choose(kind session.EventKind) error {
	d.chosen = time.Now()
	return d.k.Press(kind)
}

func (d *demoRun) typePIN() error {
	for _, b := range []byte("1234") {
		if err := d.k.Digit(b - '0'); err != nil {
			return err
		}
	}
	return d.k.Press(session.EvSubmitPIN)
}

var demoScripts = map[string]demoScript{
	"face-ok": func(d *demoRun, s session.State) (bool, error) {
		return common(d, s, session.EvChooseFace)
	},
	"pin-ok": func(d *demoRun, s session.State) (bool, error) {
		return common(d, s, session.EvChoosePIN)
	},
	"stranger-then-pin": func(d *demoRun, s session.State) (bool, error) {
		if s == session.StateFaceFailed {
			d.op.setFace(faceNobody)
			return false, d.k.Press(session.EvChoosePIN)
		}
		return common(d, s, session.EvChooseFace)
	},
	// card-pulled: the card leaves the reader during the face attempt; the
	// kiosk must go back to waiting, and the card placed again completes.
	// revisit (with --revisit): a first visit by PIN that links the card,
	// then the same card again: 再診, straight to the ticket, no PIN.
	"revisit": func(d *demoRun, s session.State) (bool, error) {
		switch {
		case s == session.StateTicket && d.step == 0:
			d.step = 1
			d.op.pull()
			return false, nil
		case s == session.StateIdle && d.step == 1:
			d.step = 2
			d.op.placeAgain()
			return false, nil
		case s == session.StateVisitKind && d.step == 2:
			return false, d.choose(session.EvChooseRevisit)
		case s == session.StateTicket && d.step == 2:
			return true, nil
		case s == session.StatePIN && d.step == 2:
			return false, fmt.Errorf("the linked card was asked for its PIN")
		}
		return common(d, s, session.EvChoosePIN)
	},
	"card-pulled": func(d *demoRun, s session.State) (bool, error) {
		switch {
		case s == session.StateFace && !d.pulled:
			d.pulled = true
			d.op.pull()
			return false, nil
		case s == session.StateIdle && d.pulled && d.step == 0:
			d.step = 1
			d.op.place()
			return false, nil
		case s == session.StateDone && d.step == 0:
			return false, fmt.Errorf("受付完了 although the card was pulled")
		}
		return common(d, s, session.EvChooseFace)
	},
}

// common is the patient's part every script shares; with --revisit a
// first visit that links the card and takes the first department's ticket.
func common(d *demoRun, s session.State, method session.EventKind) (bool, error) {
	switch s {
	case session.StateVisitKind:
		return false, d.k.Press(session.EvChooseFirstVisit)
	case session.StateLinkOffer:
		return false, d.k.Press(session.EvLinkYes)
	case session.StateDepartment:
		return false, d.k.Touch(session.Event{Kind: session.EvChooseDepartment, Department: 0})
	case session.StateTicket:
		return true, nil
	case session.StateMethod:
		return false, d.choose(method)
	case session.StatePIN:
		return false, d.typePIN()
	case session.StateConsent:
		return false, d.k.Press(session.EvConsentAll)
	case session.StatePrescription:
		return false, d.k.Press(session.EvPrescribeElectronic)
	case session.StateDone:
		return true, nil
	case session.StateError, session.StateRejected:
		return false, fmt.Errorf("the kiosk shows %s", s)
	}
	return false, nil
}

// runDemoScript places the card, puts the right person at the camera and
// taps through the session; it prints the done line and gives the exit
// status.
func runDemoScript(ctx context.Context, op *operator, log *stageLog, play demoScript, timeout time.Duration, name string) int {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	d := &demoRun{op: op, k: op.k}
	views := op.k.Watch(ctx)
	// Let the window come up before the card arrives.
	select {
	case <-time.After(time.Second):
	case <-ctx.Done():
	}
	who := faceHolder
	switch name {
	case "pin-ok":
		who = faceNobody
	case "stranger-then-pin":
		who = faceStranger
	}
	op.setFace(who)
	op.place()
	last := session.State(255)
	for {
		select {
		case <-ctx.Done():
			log.emit(stateLine{State: "timeout", LastState: last.String()})
			return 1
		case v := <-views:
			if v.State == last {
				continue
			}
			last = v.State
			if v.State != session.StateDone {
				log.emit(stateLine{State: v.State.String()})
			}
			done, err := play(d, v.State)
			if err != nil {
				log.emit(stateLine{State: "failed", LastState: last.String(), Error: err.Error()})
				return 1
			}
			if done {
				ms := time.Since(d.chosen).Milliseconds()
				op.sessionDone()
				log.emit(stateLine{State: "done", MSFromChoice: &ms, ResultFile: op.lastResult()})
				return 0
			}
		}
	}
}
