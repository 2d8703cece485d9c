package standintest

import (
	"context"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/sim/standin"
)

// person is who the holder's photo and the camera's scene show.
const person = 7

// Script is what a test adds to the sessions Run drives.
type Script struct {
	// Follow, when set, is handed every View from a watch of its own, as
	// the screen and the narrator are.
	Follow func(session.View)
	// Settle, when set, runs once each awaited screen is shown, before the
	// patient acts on it (to let the narrator finish saying it).
	Settle func()
	// AtDone, when set, runs on each done screen before the card is taken.
	AtDone func()
}

// Run builds a kiosk on a fast stand-in world and drives three sessions of
// h: a wrong PIN then the right one; a face match after the camera saw the
// holder too far away; a card pulled while the PIN is typed. It returns
// every View it saw, in order.
func Run(t testing.TB, h Holder, s Script) []session.View {
	t.Helper()
	w := standin.NewWorld(standin.Fast)
	set := session.DefaultSettings()
	set.FaceAttemptTime = 10 * time.Second // the hint, then the match, even on a busy machine
	k, err := session.New(session.Options{Devices: w.Devices(), Settings: set})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { k.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	if s.Follow != nil {
		follow := k.Watch(ctx)
		go func() {
			for v := range follow {
				s.Follow(v)
			}
		}()
	}
	d := &driver{t: t, k: k, views: k.Watch(ctx), script: s}
	pin := h.Profile.PIN
	// The card wipes the holder's secrets it is given: a fresh copy each time.
	card := func() *standin.Card {
		return w.Card(standin.Holder{Person: person, PIN: []byte(pin), KeyB: []byte(h.KeyB)})
	}

	// The PIN: one wrong try, then the right one; consent; done.
	d.must(k.CardPlaced(card()))
	d.await(session.StateMethod, nil)
	d.must(k.Press(session.EvChoosePIN))
	d.await(session.StatePIN, nil)
	d.typePIN("0000")
	d.must(k.Press(session.EvSubmitPIN))
	d.await(session.StatePIN, func(v session.View) bool { return v.Error == session.ErrCodePINWrong && v.PIN.Digits == 0 })
	d.typePIN(pin)
	d.must(k.Press(session.EvSubmitPIN))
	d.consentAndLeave()

	// The face, after the camera saw the holder too far away.
	w.Scene.Show(person, session.GuidanceCloser)
	d.must(k.CardPlaced(card()))
	d.await(session.StateMethod, nil)
	d.must(k.Press(session.EvChooseFace))
	d.await(session.StateFace, nil)
	w.Scene.Show(person, session.GuidanceNone)
	d.consentAndLeave()

	// An error: the card pulled while the PIN is typed.
	d.must(k.CardPlaced(card()))
	d.await(session.StateMethod, nil)
	d.must(k.Press(session.EvChoosePIN))
	d.await(session.StatePIN, nil)
	d.typePIN(pin[:2])
	d.must(k.CardRemoved())
	d.await(session.StateIdle, nil)
	return d.seen
}

// driver plays the patient: it acts, then waits for the screen that follows.
type driver struct {
	t      testing.TB
	k      *session.Kiosk
	views  <-chan session.View
	script Script
	seen   []session.View
}

func (d *driver) must(err error) {
	d.t.Helper()
	if err != nil {
		d.t.Fatal(err)
	}
}

func (d *driver) typePIN(digits string) {
	d.t.Helper()
	for i := range len(digits) {
		d.must(d.k.Digit(digits[i] - '0'))
	}
}

// await reads Views until one in state st that ok accepts (nil: any).
func (d *driver) await(st session.State, ok func(session.View) bool) {
	d.t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case v := <-d.views:
			d.seen = append(d.seen, v)
			if v.State == st && (ok == nil || ok(v)) {
				if d.script.Settle != nil {
					d.script.Settle()
				}
				return
			}
		case <-deadline:
			d.t.Fatalf("waiting for %s", st)
		}
	}
}

// consentAndLeave agrees to share records, waits for the done screen and
// takes the card.
func (d *driver) consentAndLeave() {
	d.t.Helper()
	d.await(session.StateConsent, nil)
	d.must(d.k.Press(session.EvConsentAll))
	d.await(session.StateDone, nil)
	if d.script.AtDone != nil {
		d.script.AtDone()
	}
	d.must(d.k.CardRemoved())
	d.await(session.StateIdle, nil)
}
