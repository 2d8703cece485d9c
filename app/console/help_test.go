package console

import (
	"errors"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/app/session"
)

func TestHelpCallIsPendingUntilTheViewDropsIt(t *testing.T) {
	var c Calls
	t0 := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	v := session.View{State: session.StatePIN, Session: 5, HelpCalled: true}
	p := c.Pending(v, t0)
	if len(p) != 1 || p[0].Session != 5 || !p[0].Since.Equal(t0) || p[0].State != "pin" {
		t.Fatalf("%+v", p)
	}
	v.State = session.StateConsent
	if p := c.Pending(v, t0.Add(time.Minute)); !p[0].Since.Equal(t0) || p[0].State != "consent" {
		t.Errorf("the same call moved: %+v", p)
	}
	v.HelpCalled = false
	if p := c.Pending(v, t0); len(p) != 0 {
		t.Errorf("answered: %+v", p)
	}
	// A help call is not a visual check: the checks list stays empty.
	var checks Checks
	if p := checks.Pending(session.View{State: session.StateMethod, Session: 5, HelpCalled: true}, t0); len(p) != 0 {
		t.Errorf("help listed as a visual check: %+v", p)
	}
}

func TestAnswerReachesOnlyTheCallingSession(t *testing.T) {
	k := &kiosk{view: session.View{State: session.StateMethod, Session: 8}}
	if err := Answer(k, Decision{Session: 8}); !errors.Is(err, ErrStale) {
		t.Errorf("no call: %v", err)
	}
	k.view.HelpCalled = true
	if err := Answer(k, Decision{Session: 7}); !errors.Is(err, ErrStale) {
		t.Errorf("another session: %v", err)
	}
	if len(k.events) != 0 {
		t.Fatalf("sent %v", k.events)
	}
	if err := Answer(k, Decision{Session: 8}); err != nil {
		t.Fatal(err)
	}
	if len(k.events) != 1 || k.events[0] != session.EvHelpAnswered || k.ids[0] != 8 {
		t.Errorf("sent %v to %v", k.events, k.ids)
	}
}
