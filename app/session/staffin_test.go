package session_test

import (
	"errors"
	"testing"

	"github.com/uketsuke/uketsuke/app/session"
)

// A staff decision names its session: one for an earlier patient is
// dropped, one for this patient goes through.
func TestAStaffDecisionForAnotherSessionIsDropped(t *testing.T) {
	r := newRig(t, nil)
	first := r.place(holder())
	v := r.await(session.StateMethod, nil)
	if v.Session == 0 {
		t.Fatal("a running session has no number")
	}
	old := v.Session
	r.must(r.k.Press(session.EvRequestStaff))
	r.await(session.StateStaffCheck, nil)
	first.Remove()
	r.must(r.k.CardRemoved())
	if v := r.await(session.StateIdle, nil); v.Session != 0 {
		t.Errorf("idle with session %d", v.Session)
	}
	r.place(holder())
	r.await(session.StateMethod, nil)
	r.must(r.k.Press(session.EvRequestStaff))
	v = r.await(session.StateStaffCheck, nil)
	if v.Session == old {
		t.Fatal("two patients share a session number")
	}
	r.must(r.k.StaffIn(old, session.EvStaffApprove))
	if v := r.settle(); v.State != session.StateStaffCheck {
		t.Fatalf("the earlier patient's approval moved the kiosk to %s", v.State)
	}
	r.must(r.k.StaffIn(v.Session, session.EvStaffApprove))
	r.await(session.StateConsent, nil)
	if err := r.k.StaffIn(0, session.EvStaffApprove); !errors.Is(err, session.ErrNotAllowed) {
		t.Errorf("no session: %v", err)
	}
	if err := r.k.StaffIn(v.Session, session.EvChooseFace); !errors.Is(err, session.ErrNotAllowed) {
		t.Errorf("a touch as a staff command: %v", err)
	}
}

// New limits apply from the next session; the running one keeps its own.
func TestNewSettingsApplyFromTheNextSession(t *testing.T) {
	r := newRig(t, nil)
	c := r.place(holder())
	v := r.await(session.StateMethod, nil)
	s := testSettings()
	s.FaceAttempts = 1
	r.must(r.k.UseSettings(s))
	r.must(r.k.Press(session.EvChooseFace))
	if v = r.await(session.StateFace, nil); v.Face.MaxAttempts != 3 {
		t.Errorf("the running session's attempts changed to %d", v.Face.MaxAttempts)
	}
	c.Remove()
	r.must(r.k.CardRemoved())
	r.await(session.StateIdle, nil)
	r.place(holder())
	r.await(session.StateMethod, nil)
	r.must(r.k.Press(session.EvChooseFace))
	if v = r.await(session.StateFace, nil); v.Face.MaxAttempts != 1 {
		t.Errorf("the next session has %d attempts, want 1", v.Face.MaxAttempts)
	}
	bad := s
	bad.FaceAttempts = 0
	if err := r.k.UseSettings(bad); !errors.Is(err, session.ErrConfig) {
		t.Errorf("0 attempts: %v", err)
	}
}

// A patient who calls staff from the PIN pad (no row moves the kiosk
// there) is seen in the view, and staff can start the check.
func TestACallForStaffFromThePINPadShowsInTheView(t *testing.T) {
	r := newRig(t, nil)
	r.place(holder())
	r.await(session.StateMethod, nil)
	r.must(r.k.Press(session.EvChoosePIN))
	if v := r.await(session.StatePIN, nil); v.StaffAsked {
		t.Fatal("asked for staff before the patient did")
	}
	r.must(r.k.Press(session.EvRequestStaff))
	v := r.settle()
	if v.State != session.StatePIN || !v.StaffAsked {
		t.Fatalf("state %s, asked %v", v.State, v.StaffAsked)
	}
	r.must(r.k.StaffIn(v.Session, session.EvStaffStart))
	r.must(r.k.StaffIn(v.Session, session.EvStaffApprove))
	r.await(session.StateConsent, nil)
}
