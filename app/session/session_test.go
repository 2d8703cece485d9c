package session_test

import (
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/app/config"
	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/sim/standin"
)

func TestFaceOK(t *testing.T) {
	r := newRig(t, nil)
	r.w.Scene.Show(7, session.GuidanceNone)
	r.place(holder())
	v := r.await(session.StateMethod, nil)
	if !v.Methods.Face || !v.Methods.PIN || v.PIN.TriesLeft != 3 {
		t.Fatalf("method view %+v", v.Methods)
	}
	r.must(r.k.Press(session.EvChooseFace))
	r.await(session.StateConsent, nil)
	r.must(r.k.Press(session.EvConsentAll))
	v = r.await(session.StateDone, nil)
	if v.Result.Validity != session.ValidityValid || v.Result.Method != session.MethodFace || v.Message != "screen.done" {
		t.Fatalf("done view %+v", v)
	}
	if got := r.w.Eligibility.Checks; len(got) != 1 || got[0] != session.MethodFace {
		t.Fatalf("checks %v", got)
	}
	if got := r.w.Eligibility.Completions; len(got) != 1 ||
		got[0] != (session.Completion{Items: session.ConsentAll, Prescription: session.PrescriptionUnasked}) {
		t.Fatalf("completions %+v: without AskPrescription the form is not asked", got)
	}
	r.must(r.k.CardRemoved())
	r.await(session.StateIdle, nil)
}

func TestImpostorTimesOutThenPIN(t *testing.T) {
	r := newRig(t, func(s *session.Settings, _ *standin.World) { s.FaceAttempts = 2 })
	r.w.Scene.Show(9, session.GuidanceNone) // not the holder
	card := r.place(holder())
	r.await(session.StateMethod, nil)
	r.must(r.k.Press(session.EvChooseFace))
	v := r.await(session.StateFaceFailed, nil)
	if !v.Face.CanRetry || v.Face.Attempt != 1 || v.Face.MaxAttempts != 2 {
		t.Fatalf("after first attempt %+v", v.Face)
	}
	r.must(r.k.Press(session.EvRetryFace))
	r.await(session.StateFace, nil)
	v = r.await(session.StateFaceFailed, nil)
	if v.Face.CanRetry || v.Methods.Face {
		t.Fatalf("face still offered after the last attempt: %+v", v.Face)
	}
	r.must(r.k.Press(session.EvRetryFace)) // refused by the guard
	r.must(r.k.Press(session.EvChoosePIN))
	r.await(session.StatePIN, nil)
	r.typePIN("4821")
	r.must(r.k.Press(session.EvSubmitPIN))
	r.await(session.StateConsent, nil)
	if card.Verifies != 1 {
		t.Fatalf("%d PIN verifications", card.Verifies)
	}
	if got := r.w.Eligibility.Checks; len(got) != 1 || got[0] != session.MethodPIN {
		t.Fatalf("checks %v", got)
	}
}

func TestPINNeedsExactlyFourDigits(t *testing.T) {
	r := newRig(t, nil)
	card := r.place(holder())
	r.await(session.StateMethod, nil)
	r.must(r.k.Press(session.EvChoosePIN))
	v := r.await(session.StatePIN, nil)
	if v.PIN.TriesLeft != 3 || v.PIN.CanSubmit || v.PIN.Length != 4 {
		t.Fatalf("fresh pad %+v", v.PIN)
	}
	r.typePIN("482")
	r.must(r.k.Press(session.EvSubmitPIN)) // three digits: not sent
	v = r.await(session.StatePIN, func(v session.View) bool { return v.PIN.Digits == 3 })
	if v.PIN.CanSubmit {
		t.Fatal("submit enabled with 3 digits")
	}
	r.typePIN("19") // the fifth digit is refused
	v = r.settle()
	if v.PIN.Digits != 4 || !v.PIN.CanSubmit || v.State != session.StatePIN {
		t.Fatalf("after five keys %+v", v.PIN)
	}
	r.must(r.k.Press(session.EvDelete))
	r.typePIN("1")
	r.settle()
	if card.Verifies != 0 {
		t.Fatal("PIN sent without the patient's touch")
	}
	r.must(r.k.Touch(session.Event{Kind: session.EvDigit, Digit: 12})) // not a digit
	if v := r.settle(); v.PIN.Digits != 4 {
		t.Fatalf("digits %d", v.PIN.Digits)
	}
}

func TestPINWrongThreeTimesLocks(t *testing.T) {
	r := newRig(t, nil)
	card := r.place(holder())
	r.await(session.StateMethod, nil)
	r.must(r.k.Press(session.EvChoosePIN))
	for want := 2; want >= 1; want-- {
		r.await(session.StatePIN, nil)
		r.typePIN("0000")
		r.must(r.k.Press(session.EvSubmitPIN))
		v := r.await(session.StatePIN, func(v session.View) bool { return v.PIN.TriesLeft == want })
		if v.PIN.Digits != 0 || v.Error != "pin.wrong" {
			t.Fatalf("after a wrong PIN %+v %q", v.PIN, v.Error)
		}
		if v.PIN.LastTry != (want == 1) {
			t.Fatalf("last-try warning %v with %d left", v.PIN.LastTry, want)
		}
	}
	v := r.settle()
	if v.Message != "pin.last_try" {
		t.Fatalf("message %q", v.Message)
	}
	r.typePIN("0000")
	r.must(r.k.Press(session.EvSubmitPIN))
	v = r.await(session.StateMethod, nil)
	if v.Methods.PIN || !v.Methods.PINLocked || !v.Methods.Face || !v.Methods.Staff || v.Error != session.ErrCodePINLocked {
		t.Fatalf("after lock %+v %q", v.Methods, v.Error)
	}
	if card.Verifies != 3 || card.PINTries() != 0 {
		t.Fatalf("verifies %d, tries %d", card.Verifies, card.PINTries())
	}
	r.must(r.k.Press(session.EvChoosePIN))
	if v := r.settle(); v.State != session.StateMethod {
		t.Fatalf("locked PIN pad opened: %s", v.State)
	}
}

func TestCardWithoutPIN(t *testing.T) {
	r := newRig(t, nil)
	h := holder()
	h.PIN = nil
	r.place(h)
	v := r.await(session.StateMethod, nil)
	if v.Methods.PIN || !v.Methods.NoPIN || !v.Methods.Face || !v.Methods.Staff {
		t.Fatalf("methods %+v", v.Methods)
	}
	r.must(r.k.Press(session.EvChoosePIN))
	if v := r.settle(); v.State != session.StateMethod {
		t.Fatalf("PIN pad for a card without PIN: %s", v.State)
	}
	r.must(r.k.Press(session.EvRequestStaff))
	r.await(session.StateStaffCheck, nil)
	r.must(r.k.Staff(session.EvStaffApprove))
	r.await(session.StateConsent, nil)
	if got := r.w.Eligibility.Checks; len(got) != 1 || got[0] != session.MethodStaff {
		t.Fatalf("checks %v", got)
	}
}

func TestUnregisteredCardRegistersThenConsentsIndividually(t *testing.T) {
	r := newRig(t, nil)
	r.w.Eligibility.Registered = false
	r.w.Scene.Show(7, session.GuidanceNone)
	r.place(holder())
	r.await(session.StateMethod, nil)
	r.must(r.k.Press(session.EvChooseFace))
	r.await(session.StateRegister, nil)
	r.must(r.k.Press(session.EvRegisterYes))
	r.await(session.StateConsent, nil)
	r.must(r.k.Press(session.EvConsentDone)) // not in individual mode yet
	r.must(r.k.Press(session.EvConsentEach))
	r.must(r.k.Touch(session.Event{Kind: session.EvToggleItem, Items: session.ConsentDrug}))
	r.must(r.k.Touch(session.Event{Kind: session.EvToggleItem, Items: session.ConsentCheckup}))
	r.must(r.k.Touch(session.Event{Kind: session.EvToggleItem, Items: session.ConsentMedical}))
	r.must(r.k.Touch(session.Event{Kind: session.EvToggleItem, Items: session.ConsentMedical}))
	v := r.await(session.StateConsent, func(v session.View) bool {
		return v.Consent.Individual && v.Consent.Selected == session.ConsentDrug|session.ConsentCheckup
	})
	_ = v
	r.must(r.k.Press(session.EvConsentDone))
	r.await(session.StateDone, nil)
	if got := r.w.Eligibility.Consents; len(got) != 1 || got[0] != session.ConsentDrug|session.ConsentCheckup {
		t.Fatalf("consents %v", got)
	}
	if !r.w.Eligibility.Registered {
		t.Fatal("not registered")
	}
}

func TestRejectedCards(t *testing.T) {
	cases := map[session.CardKind]session.ErrorCode{
		session.CardJuki: session.ErrCodeJuki, session.CardSmartphone: session.ErrCodeSmartphone,
		session.CardNextGeneration: session.ErrCodeNextGeneration,
	}
	for kind, code := range cases {
		r := newRig(t, nil)
		h := holder()
		h.Kind = kind
		r.place(h)
		v := r.await(session.StateRejected, nil)
		if v.Error != code {
			t.Errorf("kind %d: error %q, want %q", kind, v.Error, code)
		}
		r.must(r.k.CardRemoved())
		r.await(session.StateIdle, nil)
	}
}

func TestGuidanceReachesTheView(t *testing.T) {
	r := newRig(t, func(s *session.Settings, _ *standin.World) { s.FaceAttemptTime = 2 * time.Second })
	r.w.Scene.Show(7, session.GuidanceMask)
	r.place(holder())
	r.await(session.StateMethod, nil)
	r.must(r.k.Press(session.EvChooseFace))
	r.await(session.StateFace, func(v session.View) bool { return v.Guidance == session.GuidanceMask })
	r.w.Scene.Show(7, session.GuidanceNone)
	r.await(session.StateConsent, nil)
}

// The camera embeds frames from the card's detection on; the reason it
// finds while the patient is still choosing must show once the face
// attempt begins (the attempt clears the screen's guidance).
func TestGuidanceSeenBeforeTheChoiceShowsInTheAttempt(t *testing.T) {
	r := newRig(t, func(s *session.Settings, _ *standin.World) { s.FaceAttemptTime = 3 * time.Second })
	r.w.Scene.Show(9, session.GuidanceMask)
	r.place(holder())
	r.await(session.StateMethod, nil)
	time.Sleep(500 * time.Millisecond) // the camera side has reported the reason by now
	r.must(r.k.Press(session.EvChooseFace))
	r.await(session.StateFace, func(v session.View) bool { return v.Guidance == session.GuidanceMask })
}

func TestWrongKeyBDisablesFace(t *testing.T) {
	r := newRig(t, nil)
	card := r.w.Card(holder())
	r.w.Keys.SetKey(standin.Masked([]byte("55021720350000"))) // the scanner misreads the card
	r.must(r.k.CardPlaced(card))
	v := r.await(session.StateMethod, func(v session.View) bool { return !v.Methods.Face })
	if !v.Methods.PIN {
		t.Fatalf("methods %+v", v.Methods)
	}
	r.must(r.k.Press(session.EvChooseFace))
	if v := r.settle(); v.State != session.StateMethod {
		t.Fatalf("face chosen with a failed card side: %s", v.State)
	}
}

func TestKeyBBelowTheMarginIsNeverSent(t *testing.T) {
	r := newRig(t, nil)
	h := holder()
	h.KeyBTries = 4 // the default margin is 5
	card := r.place(h)
	v := r.await(session.StateMethod, func(v session.View) bool { return !v.Methods.Face })
	if !v.Methods.PIN || card.KeyBTries() != 4 {
		t.Fatalf("methods %+v, tries left %d: want PIN only and no try spent", v.Methods, card.KeyBTries())
	}
	r.must(r.k.Press(session.EvRequestStaff))
	r.await(session.StateStaffCheck, nil)
}

func TestRefusedKeyBIsNeverSentTwice(t *testing.T) {
	r := newRig(t, nil)
	card := r.w.Card(holder())
	r.w.Keys.SetKey(standin.Masked([]byte("55021720350000"))) // the scanner misreads the card
	r.must(r.k.CardPlaced(card))
	r.await(session.StateMethod, func(v session.View) bool { return !v.Methods.Face })
	if card.KeyBTries() != 9 {
		t.Fatalf("first misread: %d tries left, want 9", card.KeyBTries())
	}
	r.must(r.k.CardRemoved())
	r.await(session.StateIdle, nil)
	r.must(r.k.CardPlaced(card)) // the same card, read the same wrong way
	r.await(session.StateMethod, func(v session.View) bool { return !v.Methods.Face })
	if card.KeyBTries() != 9 {
		t.Fatalf("the refused code was sent again: %d tries left", card.KeyBTries())
	}
}

func TestFaultIsShownAndCleared(t *testing.T) {
	r := newRig(t, nil)
	r.must(r.k.Fault(session.ErrCodeNoReader))
	r.await(session.StateIdle, func(v session.View) bool { return v.Fault == session.ErrCodeNoReader })
	r.must(r.k.Fault(session.ErrCodeNone))
	r.await(session.StateIdle, func(v session.View) bool { return v.Fault == session.ErrCodeNone })
}

func TestUnreadableCardFaceRetriesThenFails(t *testing.T) {
	r := newRig(t, nil)
	r.w.Keys.FailFirst = 2 // three scans allowed: the third reads
	r.w.Scene.Show(7, session.GuidanceNone)
	r.place(holder())
	r.await(session.StateMethod, nil)
	r.must(r.k.Press(session.EvChooseFace))
	r.await(session.StateConsent, nil)
	if r.w.Keys.Scans != 3 {
		t.Fatalf("%d scans", r.w.Keys.Scans)
	}
}

func TestBadRecordSignature(t *testing.T) {
	r := newRig(t, nil)
	h := holder()
	h.BadRecord = true
	r.place(h)
	r.await(session.StateMethod, nil)
	r.must(r.k.Press(session.EvChooseFace))
	v := r.await(session.StateFaceFailed, nil)
	if v.Error != session.ErrCodeRecordInvalid || v.Face.CanRetry {
		t.Fatalf("view %+v %q", v.Face, v.Error)
	}
}

func TestStaffRejects(t *testing.T) {
	r := newRig(t, nil)
	r.place(holder())
	r.await(session.StateMethod, nil)
	if err := r.k.Staff(session.EvChooseFace); !errors.Is(err, session.ErrNotAllowed) {
		t.Fatalf("a touch from the staff terminal: %v", err)
	}
	if err := r.k.Touch(session.Event{Kind: session.EvStaffApprove}); !errors.Is(err, session.ErrNotAllowed) {
		t.Fatalf("staff approval from the touch screen: %v", err)
	}
	r.must(r.k.Staff(session.EvStaffStart))
	r.await(session.StateStaffCheck, nil)
	r.must(r.k.Staff(session.EvStaffReject))
	v := r.await(session.StateError, nil)
	if v.Error != session.ErrCodeStaffRejected {
		t.Fatalf("error %q", v.Error)
	}
}

func TestEligibilityDown(t *testing.T) {
	r := newRig(t, nil)
	r.w.Eligibility.Down = true
	r.w.Scene.Show(7, session.GuidanceNone)
	r.place(holder())
	r.await(session.StateMethod, nil)
	r.must(r.k.Press(session.EvChooseFace))
	v := r.await(session.StateError, nil)
	if v.Error != session.ErrCodeEligibility {
		t.Fatalf("error %q", v.Error)
	}
}

func TestIneligibleEndsAtReception(t *testing.T) {
	r := newRig(t, nil)
	r.w.Eligibility.Validity = session.ValidityInvalid
	r.w.Scene.Show(7, session.GuidanceNone)
	r.place(holder())
	r.await(session.StateMethod, nil)
	r.must(r.k.Press(session.EvChooseFace))
	v := r.await(session.StateDone, nil)
	if v.Message != "done.see_reception" || v.Result.Validity != session.ValidityInvalid {
		t.Fatalf("view %q %d", v.Message, v.Result.Validity)
	}
}

func TestInactivityEndsSession(t *testing.T) {
	r := newRig(t, func(s *session.Settings, _ *standin.World) { s.Inactivity = 150 * time.Millisecond })
	r.place(holder())
	r.await(session.StateMethod, nil)
	r.must(r.k.Press(session.EvChoosePIN))
	r.typePIN("48")
	v := r.await(session.StateIdle, nil)
	if v.Error != session.ErrCodeCardStillThere || v.PIN.Digits != 0 {
		t.Fatalf("idle view %+v %q", v.PIN, v.Error)
	}
	r.must(r.k.CardRemoved())
	if v := r.await(session.StateIdle, func(v session.View) bool { return v.Error == "" }); v.Message != "screen.idle" {
		t.Fatalf("message %q", v.Message)
	}
}

// TestCardPulledInEveryState walks to each state, pulls the card, and checks
// the kiosk is idle at once with no session goroutine left.
func TestCardPulledInEveryState(t *testing.T) {
	for _, st := range session.States() {
		if st == session.StateIdle {
			continue
		}
		t.Run(st.String(), func(t *testing.T) {
			base := runtime.NumGoroutine()
			r := newRig(t, slowFor(st))
			card := r.place(holderFor(st))
			driveTo(t, r, st)
			card.Remove()
			r.must(r.k.CardRemoved())
			v := r.await(session.StateIdle, nil)
			if v.PIN.Digits != 0 || v.Error != "" {
				t.Fatalf("idle view after pull: %+v %q", v.PIN, v.Error)
			}
			r.stop()
			goroutinesSettle(t, base)
		})
	}
}

// slowFor makes the worker behind a transient state slow enough to catch it.
func slowFor(st session.State) func(*session.Settings, *standin.World) {
	return func(s *session.Settings, w *standin.World) {
		s.FaceAttemptTime = 200 * time.Millisecond
		switch st {
		case session.StateReading:
			w.Keys.Delay = time.Second
		case session.StateChecking, session.StateRegistering, session.StateSubmitting, session.StatePINVerifying:
			w.Eligibility.Delay = time.Second
		case session.StateFace:
			s.FaceAttemptTime = 5 * time.Second
		}
		if st == session.StateRegister || st == session.StateRegistering {
			w.Eligibility.Registered = false
		}
		if st == session.StatePrescription {
			s.AskPrescription = true
		}
		slowForRevisit(st, s, w)
	}
}

func holderFor(st session.State) standin.Holder {
	h := holder()
	switch st {
	case session.StateRejected:
		h.Kind = session.CardSmartphone
	case session.StateReading:
		h.Person = 7
	}
	return h
}

// driveTo brings the rig's session into state st.
func driveTo(t *testing.T, r *rig, st session.State) {
	t.Helper()
	press := func(k session.EventKind) { r.must(r.k.Press(k)) }
	if driveToRevisit(r, st) {
		return
	}
	switch st {
	case session.StateReading, session.StateRejected:
		r.await(st, nil)
		return
	}
	r.await(session.StateMethod, nil)
	switch st {
	case session.StateMethod:
	case session.StateFace:
		r.w.Scene.Show(9, session.GuidanceNone)
		press(session.EvChooseFace)
	case session.StateFaceFailed:
		r.w.Scene.Show(9, session.GuidanceNone)
		press(session.EvChooseFace)
	case session.StatePIN:
		press(session.EvChoosePIN)
		r.await(session.StatePIN, nil)
		r.typePIN("48")
	case session.StatePINVerifying:
		press(session.EvChoosePIN)
		r.await(session.StatePIN, nil)
		r.typePIN("4821")
		press(session.EvSubmitPIN)
	case session.StateStaffCheck:
		press(session.EvRequestStaff)
	case session.StateError:
		press(session.EvRequestStaff)
		r.await(session.StateStaffCheck, nil)
		r.must(r.k.Staff(session.EvStaffReject))
	default: // states after identification
		r.w.Scene.Show(7, session.GuidanceNone)
		press(session.EvChooseFace)
		switch st {
		case session.StateRegistering:
			r.await(session.StateRegister, nil)
			press(session.EvRegisterYes)
		case session.StateSubmitting:
			r.await(session.StateConsent, nil)
			press(session.EvConsentAll)
		case session.StatePrescription:
			r.await(session.StateConsent, nil)
			press(session.EvConsentAll)
		case session.StateDone:
			r.await(session.StateConsent, nil)
			press(session.EvConsentAll)
		}
	}
	r.await(st, nil)
}

func TestSettingsFromConfig(t *testing.T) {
	c := config.Default()
	c.Face.Attempts, c.Face.AttemptTime.Duration = 2, 7*time.Second
	s := session.SettingsFrom(c)
	if s.FaceAttempts != 2 || s.FaceAttemptTime != 7*time.Second ||
		s.Inactivity != c.Session.Inactivity.Duration || s.CardScanAttempts != c.Card.ScanAttempts {
		t.Fatalf("%+v", s)
	}
	w := standin.NewWorld(standin.Fast)
	if _, err := session.New(session.Options{Devices: w.Devices(), Settings: s}); err != nil {
		t.Fatalf("a valid configuration gives invalid settings: %v", err)
	}
	if _, err := session.New(session.Options{Devices: w.Devices(), Settings: session.Settings{}}); !errors.Is(err, session.ErrConfig) {
		t.Fatalf("zero settings accepted: %v", err)
	}
	if _, err := session.New(session.Options{Settings: s}); !errors.Is(err, session.ErrConfig) {
		t.Fatalf("no devices accepted: %v", err)
	}
}

// The key lists the catalogues are checked against are complete for what
// the scenarios produce, and free of duplicates.
func TestKeyListsAreCompleteAndUnique(t *testing.T) {
	msgs := map[session.MsgKey]bool{}
	for _, k := range session.MessageKeys() {
		if msgs[k] {
			t.Errorf("duplicate message key %q", k)
		}
		msgs[k] = true
	}
	codes := map[session.ErrorCode]bool{"": true}
	for _, c := range session.ErrorCodes() {
		if codes[c] {
			t.Errorf("duplicate error code %q", c)
		}
		codes[c] = true
	}
	r := newRig(t, nil)
	card := r.place(holder())
	r.await(session.StateMethod, nil)
	r.must(r.k.Press(session.EvChoosePIN))
	for range 3 {
		r.await(session.StatePIN, nil)
		r.typePIN("0000")
		r.must(r.k.Press(session.EvSubmitPIN))
		v := r.settle()
		if !msgs[v.Message] || !codes[v.Error] {
			t.Errorf("view carries an unlisted key: %q %q", v.Message, v.Error)
		}
	}
	v := r.await(session.StateMethod, nil)
	if !msgs[v.Message] || !codes[v.Error] || v.Message != session.MsgPINLocked {
		t.Errorf("view carries an unlisted key: %q %q", v.Message, v.Error)
	}
	_ = card
}

// While the card side is slow and the window already holds enough frames,
// the camera stops embedding (it would only take the card side's CPU), yet
// the match still happens at once when the photo is ready.
func TestCameraYieldsToSlowCardSide(t *testing.T) {
	r := newRig(t, func(s *session.Settings, w *standin.World) {
		s.FusionWindow = time.Second
		s.FaceAttemptTime = 3 * time.Second
		w.Keys.Delay = 600 * time.Millisecond
	})
	r.w.Scene.Show(7, session.GuidanceNone)
	r.place(holder())
	r.await(session.StateMethod, nil)
	r.must(r.k.Press(session.EvChooseFace))
	r.await(session.StateFace, func(v session.View) bool { return v.Face.PhotoReady })
	live := r.w.Engine.Live.Load()
	r.await(session.StateConsent, nil)
	// 600 ms of frames every 2 ms would be about 300 embeddings unthrottled;
	// throttled, the window refills about every half window (3 per 500 ms).
	if live < 3 || live > 40 {
		t.Fatalf("%d live embeddings while the card side worked", live)
	}
}
