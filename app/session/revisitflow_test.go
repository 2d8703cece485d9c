package session_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/app/audit"
	"github.com/uketsuke/uketsuke/app/revisit"
	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/sim/standin"
)

// revisitHolder is holder() with a certificate serial the stand-in table
// knows cards by.
func revisitHolder() standin.Holder {
	h := holder()
	h.CertSerial = []byte("RV-0001")
	return h
}

var revisitCert = standin.Certificate([]byte("RV-0001"))

// newRevisitRig is a kiosk in mode m whose stand-in table knows the card
// with route (revisit.RouteUnknown: not linked).
func newRevisitRig(t *testing.T, m session.VisitMode, route revisit.Route, mod func(*session.Settings, *standin.World)) *rig {
	t.Helper()
	return newRig(t, func(s *session.Settings, w *standin.World) {
		s.Visits = m
		if route != revisit.RouteUnknown {
			w.Revisit.Know(revisitCert, route, session.ValidityValid)
		}
		if mod != nil {
			mod(s, w)
		}
	})
}

func TestRevisitKnownCardGetsTicketWithoutFaceOrPIN(t *testing.T) {
	r := newRevisitRig(t, session.VisitRevisit, revisit.RouteTicket, nil)
	card := r.place(revisitHolder())
	v := r.await(session.StateTicket, nil)
	if v.Revisit.Number != 1 || !v.Revisit.Printed || v.Revisit.PrintErr != "" || !v.Revisit.Linked ||
		v.Revisit.Mode != session.VisitRevisit || v.Revisit.Route != revisit.RouteTicket || v.Message != "screen.ticket" {
		t.Fatalf("ticket view %+v %q", v.Revisit, v.Message)
	}
	if v.Result.Method != session.MethodLocal || v.Result.Validity != session.ValidityValid {
		t.Fatalf("result %+v", v.Result)
	}
	// Taps on the ticket screen do nothing: one number a session.
	for range 3 {
		r.must(r.k.Touch(session.Event{Kind: session.EvChooseDepartment}))
		r.must(r.k.Press(session.EvLinkNo))
	}
	if v := r.settle(); v.State != session.StateTicket || v.Revisit.Number != 1 {
		t.Fatalf("after taps: %s %+v", v.State, v.Revisit)
	}
	calls := r.w.Revisit.Calls()
	want := session.TicketRequest{Ref: "visit-1", Method: session.MethodLocal}
	if len(calls.Tickets) != 1 || calls.Tickets[0] != want {
		t.Fatalf("tickets %+v, want one %+v", calls.Tickets, want)
	}
	if card.Verifies != 0 || len(r.w.Eligibility.Checks) != 0 || r.w.Engine.Live.Load() != 0 || len(calls.Links) != 0 {
		t.Fatalf("a known card was asked for more: %d PIN verifications, checks %v, %d live embeddings, links %v",
			card.Verifies, r.w.Eligibility.Checks, r.w.Engine.Live.Load(), calls.Links)
	}
	r.must(r.k.CardRemoved())
	r.await(session.StateIdle, nil)
	if got := r.w.Revisit.Calls().Forgotten; !slices.Equal(got, []string{"visit-1"}) {
		t.Fatalf("forgotten %v", got)
	}
}

func TestRevisitProofAsksForFaceFirst(t *testing.T) {
	r := newRevisitRig(t, session.VisitRevisit, revisit.RouteTicket, func(s *session.Settings, _ *standin.World) {
		s.RevisitProof = true
	})
	r.w.Scene.Show(7, session.GuidanceNone)
	r.place(revisitHolder())
	r.await(session.StateMethod, nil)
	if n := len(r.w.Revisit.Calls().Tickets); n != 0 {
		t.Fatalf("%d tickets before the proof", n)
	}
	r.must(r.k.Press(session.EvChooseFace))
	r.await(session.StateConsent, nil)
	r.must(r.k.Press(session.EvConsentAll))
	v := r.await(session.StateTicket, nil) // linked already: no offer to link
	calls := r.w.Revisit.Calls()
	want := session.TicketRequest{Ref: "visit-1", Method: session.MethodFace}
	if len(calls.Tickets) != 1 || calls.Tickets[0] != want || len(calls.Links) != 0 || !v.Revisit.Linked {
		t.Fatalf("tickets %+v links %v view %+v", calls.Tickets, calls.Links, v.Revisit)
	}
}

// firstVisitByFace takes an unknown card through the first-visit path to the
// offer to link.
func firstVisitByFace(r *rig) {
	r.w.Scene.Show(7, session.GuidanceNone)
	r.place(revisitHolder())
	r.await(session.StateMethod, nil)
	r.must(r.k.Press(session.EvChooseFace))
	r.await(session.StateConsent, nil)
	r.must(r.k.Press(session.EvConsentAll))
	r.await(session.StateLinkOffer, nil)
}

func TestRevisitUnknownCardIsLinkedAfterFirstVisit(t *testing.T) {
	r := newRevisitRig(t, session.VisitRevisit, revisit.RouteUnknown, nil)
	firstVisitByFace(r)
	r.must(r.k.Press(session.EvLinkYes))
	v := r.await(session.StateTicket, nil)
	calls := r.w.Revisit.Calls()
	if !slices.Equal(calls.Links, []string{"t1"}) || !r.w.Revisit.Linked(revisitCert) {
		t.Fatalf("links %v: want the eligibility answer's ticket", calls.Links)
	}
	want := session.TicketRequest{Ref: "t1", Method: session.MethodFace}
	if len(calls.Tickets) != 1 || calls.Tickets[0] != want || !v.Revisit.Linked || v.Revisit.LinkErr != "" {
		t.Fatalf("tickets %+v view %+v", calls.Tickets, v.Revisit)
	}
	r.must(r.k.CardRemoved())
	r.await(session.StateIdle, nil)
	if got := r.w.Revisit.Calls().Forgotten; !slices.Contains(got, "t1") {
		t.Fatalf("forgotten %v", got)
	}

	// The same card again: straight to the next number.
	r.place(revisitHolder())
	v = r.await(session.StateTicket, nil)
	if v.Revisit.Number != 2 || v.Result.Method != session.MethodLocal {
		t.Fatalf("second visit %+v %v", v.Revisit, v.Result.Method)
	}
}

func TestRevisitDecliningTheLinkStillGetsATicket(t *testing.T) {
	r := newRevisitRig(t, session.VisitRevisit, revisit.RouteUnknown, nil)
	firstVisitByFace(r)
	r.must(r.k.Press(session.EvLinkNo))
	v := r.await(session.StateTicket, nil)
	calls := r.w.Revisit.Calls()
	if len(calls.Links) != 0 || r.w.Revisit.Linked(revisitCert) || v.Revisit.Linked || len(calls.Tickets) != 1 {
		t.Fatalf("declined, yet links %v tickets %+v view %+v", calls.Links, calls.Tickets, v.Revisit)
	}
	r.must(r.k.Press(session.EvUnlinkAsk)) // nothing to unlink
	if v := r.settle(); v.State != session.StateTicket {
		t.Fatalf("unlink offered for an unlinked card: %s", v.State)
	}
}

func TestRevisitLinkFailureStillGetsATicket(t *testing.T) {
	r := newRevisitRig(t, session.VisitRevisit, revisit.RouteUnknown, nil)
	firstVisitByFace(r)
	r.w.Revisit.FailLink = true
	r.must(r.k.Press(session.EvLinkYes))
	v := r.await(session.StateTicket, nil)
	if v.Revisit.Number != 1 || v.Revisit.Linked || v.Revisit.LinkErr != session.ErrCodeLinkFailed {
		t.Fatalf("view %+v", v.Revisit)
	}
}

// Staff 目視 alone never links a card; the visit still gets its ticket.
func TestRevisitStaffCheckIsNotOfferedTheLink(t *testing.T) {
	r := newRevisitRig(t, session.VisitRevisit, revisit.RouteUnknown, nil)
	r.place(revisitHolder())
	r.await(session.StateMethod, nil)
	r.must(r.k.Press(session.EvRequestStaff))
	r.await(session.StateStaffCheck, nil)
	r.must(r.k.Staff(session.EvStaffApprove))
	r.await(session.StateConsent, nil)
	r.must(r.k.Press(session.EvConsentAll))
	r.await(session.StateTicket, nil)
	calls := r.w.Revisit.Calls()
	if len(calls.Links) != 0 || len(calls.Tickets) != 1 || calls.Tickets[0].Method != session.MethodStaff {
		t.Fatalf("links %v tickets %+v", calls.Links, calls.Tickets)
	}
}

func TestRevisitReferrals(t *testing.T) {
	for _, c := range []struct {
		route revisit.Route
		msg   session.MsgKey
	}{
		{revisit.RouteFirstVisit, session.MsgReferredFirstVisit},
		{revisit.RouteDesk, session.MsgReferredDesk},
	} {
		r := newRevisitRig(t, session.VisitRevisit, c.route, nil)
		r.place(revisitHolder())
		v := r.await(session.StateReferred, nil)
		if v.Message != c.msg || v.Revisit.Number != 0 || v.Revisit.Route != c.route {
			t.Errorf("%v: message %q view %+v", c.route, v.Message, v.Revisit)
		}
		r.must(r.k.Press(session.EvChooseFace))
		if v := r.settle(); v.State != session.StateReferred || len(r.w.Revisit.Calls().Tickets) != 0 {
			t.Errorf("%v: a referral went on to %s", c.route, v.State)
		}
		r.must(r.k.CardRemoved())
		r.await(session.StateIdle, nil)
		if got := r.w.Revisit.Calls().Forgotten; !slices.Equal(got, []string{"visit-1"}) {
			t.Errorf("%v: forgotten %v", c.route, got)
		}
	}
}

func TestRevisitRefusals(t *testing.T) {
	for _, c := range []struct {
		name  string
		setup func(*standin.Revisit)
		state session.State
		code  session.ErrorCode
	}{
		{"revoked", func(rv *standin.Revisit) { rv.Revoke(revisitCert) }, session.StateRejected, session.ErrCodeCertRevoked},
		{"locked", func(rv *standin.Revisit) { rv.Locked = true }, session.StateError, session.ErrCodeRevisitLocked},
	} {
		r := newRevisitRig(t, session.VisitRevisit, revisit.RouteTicket, func(_ *session.Settings, w *standin.World) { c.setup(w.Revisit) })
		r.place(revisitHolder())
		v := r.await(c.state, nil)
		if v.Error != c.code {
			t.Errorf("%s: error %q, want %q", c.name, v.Error, c.code)
		}
		r.must(r.k.Press(session.EvChooseFace))
		if v := r.settle(); v.State != c.state || len(r.w.Revisit.Calls().Tickets) != 0 {
			t.Errorf("%s: went on to %s", c.name, v.State)
		}
	}
}

// A lookup that fails for another reason falls back to the first visit,
// without the offer to link; the ticket then fails too: the desk.
func TestRevisitLookupFailureFallsBackToFirstVisit(t *testing.T) {
	r := newRevisitRig(t, session.VisitRevisit, revisit.RouteTicket, func(_ *session.Settings, w *standin.World) {
		w.Revisit.Down = true
	})
	r.w.Scene.Show(7, session.GuidanceNone)
	r.place(revisitHolder())
	r.await(session.StateMethod, nil)
	r.must(r.k.Press(session.EvChooseFace))
	r.await(session.StateConsent, nil)
	r.must(r.k.Press(session.EvConsentAll))
	v := r.await(session.StateReferred, nil)
	if v.Error != session.ErrCodeTicketUnavailable || v.Message != session.MsgReferredNoTicket || len(r.w.Revisit.Calls().Links) != 0 {
		t.Fatalf("view %q %q", v.Error, v.Message)
	}
}

func TestRevisitPrinterFaultShowsTheNumber(t *testing.T) {
	r := newRevisitRig(t, session.VisitRevisit, revisit.RouteTicket, func(_ *session.Settings, w *standin.World) {
		w.Revisit.PrintErr = session.ErrCodePrinterPaperOut
	})
	r.place(revisitHolder())
	v := r.await(session.StateTicket, nil)
	if v.Revisit.Number != 1 || v.Revisit.Printed || v.Revisit.PrintErr != session.ErrCodePrinterPaperOut ||
		v.Message != session.MsgTicketNotPrinted {
		t.Fatalf("view %q %+v", v.Message, v.Revisit)
	}
}

func TestRevisitDepartmentDoubleTapIssuesOneTicket(t *testing.T) {
	r := newRevisitRig(t, session.VisitRevisit, revisit.RouteTicket, func(s *session.Settings, w *standin.World) {
		s.Departments = []string{"内科", "外科"}
		w.Revisit.IssueDelay = 50 * time.Millisecond
	})
	r.place(revisitHolder())
	v := r.await(session.StateDepartment, nil)
	if !slices.Equal(v.Revisit.Departments, []string{"内科", "外科"}) {
		t.Fatalf("departments %v", v.Revisit.Departments)
	}
	r.must(r.k.Touch(session.Event{Kind: session.EvChooseDepartment, Department: 5})) // no such department
	if v := r.settle(); v.State != session.StateDepartment {
		t.Fatalf("an unknown department went on to %s", v.State)
	}
	for range 3 {
		r.must(r.k.Touch(session.Event{Kind: session.EvChooseDepartment, Department: 1}))
	}
	r.must(r.k.Touch(session.Event{Kind: session.EvChooseDepartment, Department: 0}))
	v = r.await(session.StateTicket, nil)
	calls := r.w.Revisit.Calls()
	if len(calls.Tickets) != 1 || calls.Tickets[0].Department != "外科" || v.Revisit.Department != "外科" || v.Revisit.Number != 1 {
		t.Fatalf("tickets %+v view %+v", calls.Tickets, v.Revisit)
	}
}

func TestRevisitCardPulledMidWayEndsTheSession(t *testing.T) {
	for _, c := range []struct {
		name   string
		during session.State
		slow   func(*standin.Revisit)
		forget []string
	}{
		{"recognising", session.StateRecognising, func(rv *standin.Revisit) { rv.Delay = 5 * time.Second }, nil},
		{"ticketing", session.StateTicketing, func(rv *standin.Revisit) { rv.IssueDelay = 5 * time.Second }, []string{"visit-1"}},
	} {
		base := runtime.NumGoroutine()
		r := newRevisitRig(t, session.VisitRevisit, revisit.RouteTicket, func(_ *session.Settings, w *standin.World) { c.slow(w.Revisit) })
		r.place(revisitHolder())
		r.await(c.during, nil)
		r.must(r.k.CardRemoved())
		r.await(session.StateIdle, nil)
		calls := r.w.Revisit.Calls()
		if len(calls.Tickets) != 0 || !slices.Equal(calls.Forgotten, c.forget) {
			t.Errorf("%s: tickets %+v forgotten %v, want %v", c.name, calls.Tickets, calls.Forgotten, c.forget)
		}
		r.stop()
		goroutinesSettle(t, base)
	}
}

func TestVisitModeBoth(t *testing.T) {
	r := newRevisitRig(t, session.VisitBoth, revisit.RouteTicket, nil)
	r.place(revisitHolder())
	r.await(session.StateVisitKind, nil)
	if n := r.w.Revisit.Calls().Recognitions; n != 0 {
		t.Fatalf("%d recognitions before the choice", n)
	}
	r.must(r.k.Press(session.EvChooseRevisit))
	v := r.await(session.StateTicket, nil)
	if v.Revisit.Mode != session.VisitBoth || v.Revisit.Number != 1 {
		t.Fatalf("view %+v", v.Revisit)
	}
	r.must(r.k.CardRemoved())
	r.await(session.StateIdle, nil)

	// 初診: the first-visit path, then the offer to link.
	r.w.Scene.Show(7, session.GuidanceNone)
	r.place(revisitHolder())
	r.await(session.StateVisitKind, nil)
	r.must(r.k.Press(session.EvChooseFirstVisit))
	r.await(session.StateMethod, nil)
	r.must(r.k.Press(session.EvChooseFace))
	r.await(session.StateConsent, nil)
	r.must(r.k.Press(session.EvConsentAll))
	r.await(session.StateLinkOffer, nil)
	if n := r.w.Revisit.Calls().Recognitions; n != 1 {
		t.Fatalf("%d recognitions: 初診 does not look the card up", n)
	}
}

// First-visit mode (the default) never asks the re-visit port.
func TestFirstVisitModeIgnoresRevisit(t *testing.T) {
	r := newRevisitRig(t, session.VisitFirst, revisit.RouteTicket, nil)
	r.w.Scene.Show(7, session.GuidanceNone)
	r.place(revisitHolder())
	v := r.await(session.StateMethod, nil)
	if !reflect.DeepEqual(v.Revisit, session.RevisitView{}) {
		t.Fatalf("re-visit view in first-visit mode: %+v", v.Revisit)
	}
	r.must(r.k.Press(session.EvChooseFace))
	r.await(session.StateConsent, nil)
	r.must(r.k.Press(session.EvConsentAll))
	r.await(session.StateDone, nil)
	if calls := r.w.Revisit.Calls(); calls.Recognitions != 0 || len(calls.Tickets) != 0 || len(calls.Links) != 0 {
		t.Fatalf("the re-visit port was asked: %+v", calls)
	}
}

func TestRevisitUnlinkAtThePatientsRequest(t *testing.T) {
	r := newRevisitRig(t, session.VisitRevisit, revisit.RouteTicket, nil)
	r.place(revisitHolder())
	r.await(session.StateTicket, nil)
	r.must(r.k.Press(session.EvUnlinkAsk))
	r.await(session.StateUnlinkConfirm, nil)
	r.must(r.k.Press(session.EvBack))
	r.await(session.StateTicket, nil)
	if !r.w.Revisit.Linked(revisitCert) {
		t.Fatal("unlinked without the confirmation")
	}
	r.must(r.k.Press(session.EvUnlinkAsk))
	r.await(session.StateUnlinkConfirm, nil)
	r.must(r.k.Press(session.EvUnlinkYes))
	v := r.await(session.StateUnlinked, nil)
	if r.w.Revisit.Linked(revisitCert) || v.Revisit.Linked || r.w.Revisit.Calls().Unlinks != 1 {
		t.Fatalf("still linked: %+v", v.Revisit)
	}
	r.must(r.k.CardRemoved())
	r.await(session.StateIdle, nil)
	r.place(revisitHolder())
	r.await(session.StateMethod, nil) // unknown now: the first-visit path
}

func TestRevisitNeedsItsPort(t *testing.T) {
	w := standin.NewWorld(standin.Fast)
	d := w.Devices()
	d.Revisit = nil
	set := testSettings()
	set.Visits = session.VisitRevisit
	if _, err := session.New(session.Options{Devices: d, Settings: set}); !errors.Is(err, session.ErrConfig) {
		t.Fatalf("revisit mode without the port: %v", err)
	}
	set.Visits = session.VisitFirst
	set.Departments = []string{"内科", ""}
	if _, err := session.New(session.Options{Devices: d, Settings: set}); !errors.Is(err, session.ErrConfig) {
		t.Fatalf("a department without a name: %v", err)
	}
}

// The audit log times the recognition, the ticket and the whole visit.
func TestRevisitStagesAreLogged(t *testing.T) {
	dir := t.TempDir()
	log, err := audit.Open(audit.Options{Dir: dir, MaxBytes: 1 << 20, Keep: 2})
	if err != nil {
		t.Fatal(err)
	}
	r := newRigLog(t, func(s *session.Settings, w *standin.World) {
		s.Visits = session.VisitRevisit
		w.Revisit.Know(revisitCert, revisit.RouteTicket, session.ValidityValid)
	}, log)
	r.place(revisitHolder())
	r.await(session.StateTicket, nil)
	r.must(r.k.CardRemoved())
	r.await(session.StateIdle, nil)
	r.stop()
	if err := log.Close(); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	var all strings.Builder
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all.Write(b)
	}
	for _, want := range []string{`"stage.recognise"`, `"stage.issue"`, `"stage.placement_to_ticket"`, `"recognised"`, `"issued"`, `"completed"`} {
		if !strings.Contains(all.String(), want) {
			t.Errorf("the log lacks %s", want)
		}
	}
}

// slowForRevisit sets up the re-visit states for TestCardPulledInEveryState:
// the mode, the card's link and a slow worker behind a transient state.
func slowForRevisit(st session.State, s *session.Settings, w *standin.World) {
	cert := standin.Certificate(holder().CertSerial)
	switch st {
	case session.StateVisitKind:
		s.Visits = session.VisitBoth
	case session.StateRecognising, session.StateLinking, session.StateUnlinking:
		s.Visits = session.VisitRevisit
		w.Revisit.Delay = time.Second
	case session.StateTicketing:
		s.Visits = session.VisitRevisit
		w.Revisit.IssueDelay = time.Second
	case session.StateDepartment:
		s.Visits = session.VisitRevisit
		s.Departments = []string{"内科"}
	case session.StateTicket, session.StateLinkOffer, session.StateUnlinkConfirm, session.StateUnlinked:
		s.Visits = session.VisitRevisit
	case session.StateReferred:
		s.Visits = session.VisitRevisit
		w.Revisit.Know(cert, revisit.RouteDesk, session.ValidityValid)
	}
	switch st {
	case session.StateDepartment, session.StateTicketing, session.StateTicket,
		session.StateUnlinkConfirm, session.StateUnlinking, session.StateUnlinked:
		w.Revisit.Know(cert, revisit.RouteTicket, session.ValidityValid)
	}
}

// driveToRevisit brings the rig's session into a re-visit state st; false
// for the other states.
func driveToRevisit(r *rig, st session.State) bool {
	press := func(k session.EventKind) { r.must(r.k.Press(k)) }
	switch st {
	case session.StateVisitKind, session.StateRecognising, session.StateDepartment,
		session.StateTicketing, session.StateTicket, session.StateReferred:
	case session.StateLinkOffer, session.StateLinking:
		r.w.Scene.Show(7, session.GuidanceNone)
		r.await(session.StateMethod, nil)
		press(session.EvChooseFace)
		r.await(session.StateConsent, nil)
		press(session.EvConsentAll)
		if st == session.StateLinking {
			r.await(session.StateLinkOffer, nil)
			press(session.EvLinkYes)
		}
	case session.StateUnlinkConfirm, session.StateUnlinking, session.StateUnlinked:
		r.await(session.StateTicket, nil)
		press(session.EvUnlinkAsk)
		if st != session.StateUnlinkConfirm {
			r.await(session.StateUnlinkConfirm, nil)
			press(session.EvUnlinkYes)
		}
	default:
		return false
	}
	r.await(st, nil)
	return true
}
