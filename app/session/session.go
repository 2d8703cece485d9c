package session

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/uketsuke/uketsuke/app/audit"
	"github.com/uketsuke/uketsuke/app/secret"
)

// session is everything one card's visit holds. It lives from card
// placement to the end, and its end wipes every secret it touched.
type session struct {
	id       uint64
	ctx      context.Context
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	k        *Kiosk
	card     *guardedCard
	settings Settings
	audit    *audit.Session
	began    time.Time

	hasPIN   bool
	pinTries int // -1 until read from the card
	pin      *secret.Buffer
	digits   int

	pipe        *pipeline
	faceAttempt int
	faceEnds    time.Time
	faceTimer   *time.Timer
	photoReady  bool
	photoErr    ErrorCode
	matched     bool
	staffAsked  bool     // the patient asked for staff (EvRequestStaff)
	guidance    Guidance // the face hint on the screen (hint.go)
	hints       hints
	choseFaceAt time.Time

	idleGen    int
	idleTimer  *time.Timer
	idleEnds   time.Time   // when the inactivity timer ends the session
	warnTimer  *time.Timer // asks whether the patient is still there
	stillThere bool        // the question is on the screen
	helpCalled bool        // the patient called for help; staff have not answered

	method       Method
	result       Result
	individual   bool
	items        ConsentItems
	prescription Prescription // the patient's choice, when the facility asks
	errCode      ErrorCode
	proof        *Proof
	prep         atomic.Pointer[preparation] // the PIN-less check readied during the match
	pipeStarted  bool                        // the face pipeline runs (at once in first-visit mode)

	visit revisitState // re-visit reception (revisitflow.go)
}

func (k *Kiosk) newSession(c Card) *session {
	k.nextID++
	ctx, cancel := context.WithCancel(k.ctx)
	s := &session{
		id: k.nextID, ctx: ctx, cancel: cancel, k: k, card: guard(c),
		settings: k.set, began: time.Now(), pinTries: -1,
		visit: revisitState{department: -1},
	}
	if k.log != nil {
		s.audit = k.log.Begin()
	}
	return s
}

// spawn runs fn on a goroutine that the session's end waits for.
func (s *session) spawn(fn func()) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		fn()
	}()
}

// post hands an event from a session goroutine to the machine; it gives up
// once the session has ended, so no worker blocks past its session.
func (s *session) post(ev Event) {
	ev.session = s.id
	select {
	case s.k.events <- ev:
	case <-s.ctx.Done():
	}
}

// postCardErr turns a card failure into the right event.
func (s *session) postCardErr(err error, fallback EventKind, code ErrorCode) {
	if s.ctx.Err() != nil {
		return
	}
	if errors.Is(err, ErrCardRemoved) {
		s.post(Event{Kind: EvCardRemoved})
		return
	}
	s.post(Event{Kind: fallback, Code: code})
}

// timed runs one stage of work and reports how long it took.
func (s *session) timed(name string, fn func() error) error {
	start := time.Now()
	err := fn()
	s.stage(Stage{Name: name, Took: time.Since(start), OK: err == nil})
	return err
}

// stage reports one timed piece of work to the audit log and the watcher.
func (s *session) stage(st Stage) {
	name := st.Name
	if s.audit != nil {
		s.audit.Event(stageTerms[name], audit.Duration(termTook, st.Took), audit.Bool(termOK, st.OK))
	}
	if s.k.onStage != nil {
		s.k.onStage(st)
	}
}

// rearmInactivity restarts the inactivity timer and its warning, which
// comes stillThereLead before it: whatever the machine handled was someone's
// doing, so any question on the screen is answered.
func (s *session) rearmInactivity() {
	s.idleGen++
	gen := s.idleGen
	s.stopInactivity()
	s.stillThere = false
	s.idleEnds = time.Now().Add(s.settings.Inactivity)
	s.idleTimer = time.AfterFunc(s.settings.Inactivity, func() {
		s.post(Event{Kind: EvInactivity, gen: gen})
	})
	s.warnTimer = time.AfterFunc(s.settings.Inactivity-s.settings.stillThereLead(), func() {
		s.post(Event{Kind: EvStillThere, gen: gen})
	})
}

func (s *session) stopInactivity() {
	for _, t := range []*time.Timer{s.idleTimer, s.warnTimer} {
		if t != nil {
			t.Stop()
		}
	}
}

func (s *session) armFaceTimer() {
	s.stopFaceTimer()
	gen := s.faceAttempt
	s.faceEnds = time.Now().Add(s.settings.FaceAttemptTime)
	s.faceTimer = time.AfterFunc(s.settings.FaceAttemptTime, func() {
		s.post(Event{Kind: EvFaceTimeout, gen: gen})
	})
}

func (s *session) stopFaceTimer() {
	if s.faceTimer != nil {
		s.faceTimer.Stop()
		s.faceTimer = nil
	}
}

// wipe ends every goroutine and destroys every secret. It runs on the
// machine's goroutine; workers give up as soon as the context is cancelled.
func (s *session) wipe() {
	s.cancel()
	s.stopFaceTimer()
	s.stopInactivity()
	s.hints.stop()
	s.wg.Wait()
	if s.pipe != nil {
		s.pipe.destroy()
	}
	s.clearPIN()
	s.dropProof()
}

func (s *session) clearPIN() {
	s.pin.Destroy()
	s.pin = nil
	s.digits = 0
}

func (s *session) dropProof() {
	if s.proof != nil {
		secret.Wipe(s.proof.Signature)
		secret.Wipe(s.proof.Certificate)
		s.proof = nil
	}
}
