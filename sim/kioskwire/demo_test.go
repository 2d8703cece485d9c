package kioskwire

import (
	"context"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/app/session"
)

// run starts a kiosk on the demo world and places a card of person p.
func run(t *testing.T, p Person) (*Demo, *session.Kiosk, <-chan session.View) {
	t.Helper()
	d, err := New()
	if err != nil {
		t.Fatal(err)
	}
	s := Settings()
	s.FaceAttemptTime = 2 * time.Second
	k, err := session.New(session.Options{Devices: d.Devices(), Settings: s})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { k.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	views := k.Watch(ctx)
	card, err := d.Issue(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := k.CardPlaced(card); err != nil {
		t.Fatal(err)
	}
	return d, k, views
}

func await(t *testing.T, views <-chan session.View, want session.State) session.View {
	t.Helper()
	deadline := time.After(15 * time.Second)
	for {
		select {
		case v := <-views:
			if v.State == want {
				return v
			}
		case <-deadline:
			t.Fatalf("no %s within 15 s", want)
		}
	}
}

func TestPINPathOnTheVirtualCard(t *testing.T) {
	_, k, views := run(t, PersonStandard)
	if v := await(t, views, session.StateMethod); !v.Methods.PIN || v.PIN.TriesLeft != 3 {
		t.Fatalf("method view %+v: want PIN offered with 3 tries read from the card", v.Methods)
	}
	k.Press(session.EvChoosePIN)
	await(t, views, session.StatePIN)
	for _, d := range []byte{1, 2, 3, 4} {
		k.Digit(d)
	}
	k.Press(session.EvSubmitPIN)
	await(t, views, session.StateConsent)
	k.Press(session.EvConsentAll)
	if v := await(t, views, session.StateDone); v.Result.Validity != session.ValidityValid {
		t.Errorf("result %v, want valid", v.Result.Validity)
	}
}

func TestWrongPINCountsDownOnTheCard(t *testing.T) {
	_, k, views := run(t, PersonStandard)
	await(t, views, session.StateMethod)
	k.Press(session.EvChoosePIN)
	await(t, views, session.StatePIN)
	for _, d := range []byte{9, 9, 9, 9} {
		k.Digit(d)
	}
	k.Press(session.EvSubmitPIN)
	await(t, views, session.StatePINVerifying)
	if v := await(t, views, session.StatePIN); v.PIN.TriesLeft != 2 {
		t.Errorf("tries left %d after a wrong PIN, want 2", v.PIN.TriesLeft)
	}
}

func TestFaceMatchAndMismatch(t *testing.T) {
	d, k, views := run(t, PersonStandard)
	d.ShowFace(true, false, session.GuidanceNone) // a stranger first
	await(t, views, session.StateMethod)
	k.Press(session.EvChooseFace)
	await(t, views, session.StateFaceFailed)
	d.ShowFace(true, true, session.GuidanceNone)
	k.Press(session.EvRetryFace)
	await(t, views, session.StateConsent)
}

func TestCardWithoutPINOffersFaceOnly(t *testing.T) {
	_, _, views := run(t, PersonNoPIN)
	v := await(t, views, session.StateMethod)
	if v.Methods.PIN || !v.Methods.NoPIN || !v.Methods.Face {
		t.Errorf("methods %+v for a card without a PIN", v.Methods)
	}
}

func TestSmartphoneIsRejected(t *testing.T) {
	_, _, views := run(t, PersonSmartphone)
	if v := await(t, views, session.StateRejected); v.Error != session.ErrCodeSmartphone {
		t.Errorf("error %q, want %q", v.Error, session.ErrCodeSmartphone)
	}
}

func TestPullEndsTheSession(t *testing.T) {
	d, k, views := run(t, PersonStandard)
	await(t, views, session.StateMethod)
	if err := d.Pull(); err != nil {
		t.Fatal(err)
	}
	k.CardRemoved()
	await(t, views, session.StateIdle)
	if err := d.Pull(); err != ErrNoCard {
		t.Errorf("second pull: %v, want ErrNoCard", err)
	}
}
