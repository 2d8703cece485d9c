package session

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/uketsuke/uketsuke/app/audit"
)

// Step is one handled event, for the simulator's trace and tests.
type Step struct {
	At       time.Time
	Event    EventKind
	From, To State
	Ignored  bool // no row of the table matched
}

// Stage is one timed piece of session work (card-face scan, card reads,
// decoding, embedding, eligibility), for the audit log and the simulator.
type Stage struct {
	Name  string
	Took  time.Duration
	OK    bool
	Score float64 // stage.match: the fused face similarity
}

// Options builds a Kiosk.
type Options struct {
	Devices  Devices
	Settings Settings
	Audit    *audit.Logger // nil: no audit log
	OnStep   func(Step)    // called on the machine's goroutine; must not block
	OnStage  func(Stage)   // called from session goroutines; must be safe and quick
}

// Kiosk runs the machine: one goroutine (Run) handles every event in order,
// so the table's actions never race each other. Session work runs on
// goroutines that belong to the session and end with it.
type Kiosk struct {
	dev     Devices
	set     Settings
	pool    *Pool
	log     *audit.Logger
	onStep  func(Step)
	onStage func(Stage)

	events  chan Event
	done    chan struct{}
	pending []Event // follow-ups raised by actions, handled next

	state       State
	prev        State
	fault       ErrorCode // a missing or broken part, shown while idle
	refused     *refusedCodes
	s           *session
	nextID      uint64
	cardPresent bool
	ctx         context.Context

	// A card left on the reader after 受付完了 or after its session (cardleft.go).
	cardTimer *time.Timer
	cardGen   int
	reminders int

	mu       sync.Mutex
	view     View
	watchers map[chan View]struct{}
}

// New checks the options and makes an idle kiosk; call Run to start it.
func New(o Options) (*Kiosk, error) {
	if err := o.Devices.check(); err != nil {
		return nil, err
	}
	if err := o.Settings.check(); err != nil {
		return nil, err
	}
	if o.Settings.Visits != VisitFirst && o.Devices.Revisit == nil {
		return nil, fmt.Errorf("%w: %v reception needs a re-visit port", ErrConfig, o.Settings.Visits)
	}
	refused, err := newRefusedCodes()
	if err != nil {
		return nil, err
	}
	k := &Kiosk{
		dev: o.Devices, set: o.Settings, pool: NewPool(o.Settings.workers()),
		log: o.Audit, onStep: o.OnStep, onStage: o.OnStage,
		events: make(chan Event, 64), done: make(chan struct{}),
		watchers: map[chan View]struct{}{}, refused: refused,
	}
	k.view = k.snapshot()
	return k, nil
}

// Run handles events until ctx ends, then ends any session (wiping it).
func (k *Kiosk) Run(ctx context.Context) error {
	k.ctx = ctx
	defer close(k.done)
	for {
		select {
		case <-ctx.Done():
			k.stopCardLeft()
			if k.s != nil {
				k.prev, k.state = k.state, StateIdle
				k.end(ErrCodeCancelled)
				k.publish()
			}
			return ctx.Err()
		case ev := <-k.events:
			k.handle(ev)
			for len(k.pending) > 0 {
				next := k.pending[0]
				k.pending = k.pending[1:]
				k.handle(next)
			}
		}
	}
}

// CardPlaced tells the kiosk a card is on the reader.
func (k *Kiosk) CardPlaced(c Card) error {
	if c == nil {
		return fmt.Errorf("%w: nil card", ErrConfig)
	}
	return k.enqueue(Event{Kind: EvCardPlaced, Card: c})
}

// CardRemoved tells the kiosk the card left the reader.
func (k *Kiosk) CardRemoved() error { return k.enqueue(Event{Kind: EvCardRemoved}) }

// Touch sends a patient's touch. Only touch kinds are accepted.
func (k *Kiosk) Touch(ev Event) error {
	if !touchEvents[ev.Kind] {
		return fmt.Errorf("%w: %s is not a touch", ErrNotAllowed, ev.Kind)
	}
	return k.enqueue(Event{Kind: ev.Kind, Digit: ev.Digit, Items: ev.Items, Department: ev.Department})
}

// Press is Touch for events without data.
func (k *Kiosk) Press(kind EventKind) error { return k.Touch(Event{Kind: kind}) }

// Digit sends one PIN key.
func (k *Kiosk) Digit(d byte) error { return k.Touch(Event{Kind: EvDigit, Digit: d}) }

// Fault tells the kiosk that a part is missing or broken, or with
// ErrCodeNone that all is well again. The idle screen says what is wrong so
// staff can act; a session already running goes on.
func (k *Kiosk) Fault(code ErrorCode) error {
	return k.enqueue(Event{Kind: EvNone, fault: &code})
}

// Staff sends a command from the staff terminal.
func (k *Kiosk) Staff(kind EventKind) error {
	if !staffEvents[kind] {
		return fmt.Errorf("%w: %s is not a staff command", ErrNotAllowed, kind)
	}
	return k.enqueue(Event{Kind: kind})
}

// StaffIn sends a command from a staff terminal for the session numbered
// id (View.Session): when that session has ended, the command is dropped,
// so a decision about an earlier patient never reaches the next one.
func (k *Kiosk) StaffIn(id uint64, kind EventKind) error {
	if !staffEvents[kind] {
		return fmt.Errorf("%w: %s is not a staff command", ErrNotAllowed, kind)
	}
	if id == 0 {
		return fmt.Errorf("%w: a staff command names its session", ErrNotAllowed)
	}
	return k.enqueue(Event{Kind: kind, session: id})
}

// UseSettings changes the limits of the sessions that begin after it; a
// session already running keeps its own.
func (k *Kiosk) UseSettings(s Settings) error {
	if err := s.check(); err != nil {
		return err
	}
	if s.Visits != VisitFirst && k.dev.Revisit == nil {
		return fmt.Errorf("%w: %v reception needs a re-visit port", ErrConfig, s.Visits)
	}
	return k.enqueue(Event{Kind: EvNone, limits: &s})
}

func (k *Kiosk) enqueue(ev Event) error {
	select {
	case k.events <- ev:
		return nil
	case <-k.done:
		return ErrStopped
	}
}

// Sync returns once every event sent before it has been handled and its
// view published: for tests and the simulator, which must not race the
// machine.
func (k *Kiosk) Sync(ctx context.Context) error {
	ack := make(chan struct{})
	if err := k.enqueue(Event{Kind: EvNone, ack: ack}); err != nil {
		return err
	}
	select {
	case <-ack:
		return nil
	case <-k.done:
		return ErrStopped
	case <-ctx.Done():
		return ctx.Err()
	}
}

// raise queues a follow-up event from inside an action.
func (k *Kiosk) raise(ev Event) {
	if k.s != nil {
		ev.session = k.s.id
	}
	k.pending = append(k.pending, ev)
}

func (k *Kiosk) handle(ev Event) {
	if ev.ack != nil {
		close(ev.ack)
		return
	}
	if ev.fault != nil {
		k.fault = *ev.fault
		k.publish()
		return
	}
	if ev.limits != nil {
		workers := k.set.Workers // the pool was sized at start
		k.set = *ev.limits
		k.set.Workers = workers
		return
	}
	if k.stale(ev) {
		return
	}
	k.observe(ev)
	from := k.state
	t, ok := lookup(from, k.s, ev)
	if ok {
		to := t.to
		if to == stay {
			to = from
		}
		k.prev, k.state = from, to
		if t.do != nil {
			t.do(k, ev)
		}
		if k.s != nil && !reminders[ev.Kind] {
			k.s.rearmInactivity()
		}
	}
	k.watchCardLeft()
	k.record(ev, from, ok)
	k.publish()
}

// stale drops events of an ended session or of a superseded timer.
func (k *Kiosk) stale(ev Event) bool {
	if ev.Kind == EvTakeCard {
		return ev.gen != k.cardGen
	}
	if ev.session == 0 {
		return false
	}
	if k.s == nil || ev.session != k.s.id {
		return true
	}
	switch ev.Kind {
	case EvFaceTimeout:
		return ev.gen != k.s.faceAttempt
	case EvInactivity, EvStillThere:
		return ev.gen != k.s.idleGen
	}
	return false
}

// observe keeps facts the table's guards read, whatever the state.
func (k *Kiosk) observe(ev Event) {
	switch ev.Kind {
	case EvCardPlaced:
		k.cardPresent = true
	case EvCardRemoved:
		k.cardPresent = false
	}
	s := k.s
	if s == nil {
		return
	}
	switch ev.Kind {
	case EvPhotoReady:
		s.photoReady = true
	case EvPhotoFailed:
		if s.photoErr == ErrCodeNone {
			s.photoErr = ev.Code
		}
	case EvGuidance:
		if ev.hintDue {
			s.hintDue(ev.gen)
		} else {
			s.offerHint(ev.Guidance)
		}
	case EvFaceMatched:
		s.matched = true
	case EvRequestStaff:
		// Where the table has no row for it (during the face capture or
		// the PIN pad), staff start the check: remember that it was asked.
		s.staffAsked = true
	case EvStaffStart:
		s.helpCalled = false // staff are at the kiosk
	}
}

func (k *Kiosk) record(ev Event, from State, ok bool) {
	if k.s != nil && k.s.audit != nil {
		k.s.audit.Event(eventTerms[ev.Kind], audit.Word(termFrom, stateTerms[from]),
			audit.Word(termTo, stateTerms[k.state]), audit.Bool(termIgnored, !ok))
	}
	if k.onStep != nil {
		k.onStep(Step{At: time.Now(), Event: ev.Kind, From: from, To: k.state, Ignored: !ok})
	}
}

// View is the current snapshot.
func (k *Kiosk) View() View {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.view
}

// Watch delivers snapshots until ctx ends. A slow reader sees only the
// latest one: the channel holds one view and a newer replaces it.
func (k *Kiosk) Watch(ctx context.Context) <-chan View {
	ch := make(chan View, 1)
	k.mu.Lock()
	k.watchers[ch] = struct{}{}
	ch <- k.view
	k.mu.Unlock()
	context.AfterFunc(ctx, func() {
		k.mu.Lock()
		delete(k.watchers, ch)
		k.mu.Unlock()
	})
	return ch
}

func (k *Kiosk) publish() {
	v := k.snapshot()
	k.mu.Lock()
	defer k.mu.Unlock()
	v.Seq = k.view.Seq + 1
	k.view = v
	for ch := range k.watchers {
		select {
		case <-ch:
		default:
		}
		ch <- v
	}
}
