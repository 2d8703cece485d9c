package session_test

import (
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/sim/standin"
)

func askPrescription(s *session.Settings, _ *standin.World) { s.AskPrescription = true }

// toConsent brings a face session to the consent screen.
func toConsent(r *rig) {
	r.w.Scene.Show(7, session.GuidanceNone)
	r.place(holder())
	r.await(session.StateMethod, nil)
	r.must(r.k.Press(session.EvChooseFace))
	r.await(session.StateConsent, nil)
}

// Each choice on the prescription screen reaches Complete with the consent
// items, and nothing is recorded before the choice.
func TestPrescriptionChoiceReachesComplete(t *testing.T) {
	for _, tc := range []struct {
		touch session.EventKind
		want  session.Prescription
	}{
		{session.EvPrescribeElectronic, session.PrescriptionElectronic},
		{session.EvPrescribePaper, session.PrescriptionPaper},
	} {
		t.Run(tc.touch.String(), func(t *testing.T) {
			r := newRig(t, askPrescription)
			toConsent(r)
			r.must(r.k.Press(session.EvConsentAll))
			v := r.await(session.StatePrescription, nil)
			if v.Message != "screen.prescription" {
				t.Fatalf("message %q", v.Message)
			}
			r.settle()
			if got := r.w.Eligibility.Completions; len(got) != 0 {
				t.Fatalf("recorded before the prescription choice: %+v", got)
			}
			r.must(r.k.Press(tc.touch))
			r.await(session.StateDone, nil)
			want := session.Completion{Items: session.ConsentAll, Prescription: tc.want}
			if got := r.w.Eligibility.Completions; len(got) != 1 || got[0] != want {
				t.Fatalf("completions %+v, want %+v", got, want)
			}
		})
	}
}

// 個別に同意, then the prescription form: the individual items go with it.
func TestIndividualConsentThenPrescription(t *testing.T) {
	r := newRig(t, askPrescription)
	toConsent(r)
	r.must(r.k.Press(session.EvPrescribePaper)) // not on the consent screen
	r.must(r.k.Press(session.EvConsentEach))
	r.must(r.k.Touch(session.Event{Kind: session.EvToggleItem, Items: session.ConsentDrug}))
	r.must(r.k.Press(session.EvConsentDone))
	r.await(session.StatePrescription, nil)
	r.must(r.k.Press(session.EvPrescribePaper))
	r.await(session.StateDone, nil)
	want := session.Completion{Items: session.ConsentDrug, Prescription: session.PrescriptionPaper}
	if got := r.w.Eligibility.Completions; len(got) != 1 || got[0] != want {
		t.Fatalf("completions %+v, want %+v", got, want)
	}
}

// Back from the prescription screen returns to consent with the individual
// choice kept, and the patient can change it before choosing the form.
func TestPrescriptionBackReturnsToConsent(t *testing.T) {
	r := newRig(t, askPrescription)
	toConsent(r)
	r.must(r.k.Press(session.EvConsentEach))
	r.must(r.k.Touch(session.Event{Kind: session.EvToggleItem, Items: session.ConsentMedical}))
	r.must(r.k.Press(session.EvConsentDone))
	r.await(session.StatePrescription, nil)
	r.must(r.k.Press(session.EvBack))
	v := r.await(session.StateConsent, nil)
	if !v.Consent.Individual || v.Consent.Selected != session.ConsentMedical {
		t.Fatalf("consent after back: %+v", v.Consent)
	}
	r.must(r.k.Touch(session.Event{Kind: session.EvToggleItem, Items: session.ConsentCheckup}))
	r.must(r.k.Press(session.EvConsentDone))
	r.await(session.StatePrescription, nil)
	r.must(r.k.Press(session.EvPrescribeElectronic))
	r.await(session.StateDone, nil)
	want := session.Completion{Items: session.ConsentMedical | session.ConsentCheckup, Prescription: session.PrescriptionElectronic}
	if got := r.w.Eligibility.Completions; len(got) != 1 || got[0] != want {
		t.Fatalf("completions %+v, want %+v", got, want)
	}
}

// Without AskPrescription the screen is skipped and the touches do nothing.
func TestNoPrescriptionScreenWhenNotAsked(t *testing.T) {
	r := newRig(t, nil)
	toConsent(r)
	r.must(r.k.Press(session.EvConsentEach))
	r.must(r.k.Touch(session.Event{Kind: session.EvToggleItem, Items: session.ConsentCheckup}))
	r.must(r.k.Press(session.EvConsentDone))
	r.await(session.StateDone, nil)
	r.must(r.k.Press(session.EvPrescribeElectronic))
	if v := r.settle(); v.State != session.StateDone {
		t.Fatalf("prescription touch moved the done screen to %s", v.State)
	}
	want := session.Completion{Items: session.ConsentCheckup, Prescription: session.PrescriptionUnasked}
	if got := r.w.Eligibility.Completions; len(got) != 1 || got[0] != want {
		t.Fatalf("completions %+v, want %+v", got, want)
	}
}

// Walking away from the prescription screen ends the session unrecorded.
func TestPrescriptionScreenEndsOnInactivity(t *testing.T) {
	r := newRig(t, func(s *session.Settings, w *standin.World) {
		askPrescription(s, w)
		s.Inactivity = 500 * time.Millisecond
	})
	toConsent(r)
	r.must(r.k.Press(session.EvConsentAll))
	r.await(session.StatePrescription, nil)
	r.await(session.StateIdle, nil)
	if got := r.w.Eligibility.Completions; len(got) != 0 {
		t.Fatalf("recorded without a choice: %+v", got)
	}
}

// A session that ended at the consent screen (card pulled) tells the
// eligibility side to forget its answer: it names the patient.
func TestAnEndedSessionForgetsItsAnswer(t *testing.T) {
	r := newRig(t, askPrescription)
	toConsent(r)
	r.must(r.k.CardRemoved())
	r.await(session.StateIdle, nil)
	r.settle()
	if got := r.w.Eligibility.Forgotten; len(got) != 1 || got[0] != "t1" {
		t.Fatalf("forgotten tickets %v, want [t1]", got)
	}
}
