package console

import (
	"fmt"
	"sync"
	"time"

	"github.com/uketsuke/uketsuke/app/session"
)

// Check is a visual check (目視) waiting for staff: the session's number
// and since when the console has seen it waiting. Nothing about the patient.
type Check struct {
	Session uint64    `json:"session"`
	Since   time.Time `json:"since"`
}

// Waiting says whether the view is a session waiting for a visual check:
// the kiosk is in the check (the patient called staff where the session
// moves to it at once, or staff started one), or the patient called staff
// in a state from which staff may start one (the same states as the
// kiosk's own staff menu offers the decision in).
func Waiting(v session.View) bool {
	if v.Session == 0 {
		return false
	}
	return v.State == session.StateStaffCheck || v.StaffAsked && staffStartStates[v.State]
}

// staffStartStates are the states with a row for EvStaffStart (app/session's table).
var staffStartStates = map[session.State]bool{session.StateMethod: true, session.StateFace: true,
	session.StateFaceFailed: true, session.StatePIN: true}

// Checks remembers when the waiting check was first seen.
type Checks struct {
	mu      sync.Mutex
	session uint64
	since   time.Time
}

// Pending lists the waiting check, if any (the kiosk has one reader, so
// at most one).
func (c *Checks) Pending(v session.View, now time.Time) []Check {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !Waiting(v) {
		c.session = 0
		return []Check{}
	}
	if c.session != v.Session {
		c.session, c.since = v.Session, now
	}
	return []Check{{Session: v.Session, Since: c.since}}
}

// Decide sends staff's verdict on session d.Session's visual check. It
// refuses with ErrStale when that session is no longer waiting, and the
// kiosk itself drops the events if the session ends in between.
func Decide(k Kiosk, d Decision, approve bool) error {
	v := k.View()
	if !Waiting(v) || v.Session != d.Session {
		return fmt.Errorf("%w: session %d", ErrStale, d.Session)
	}
	verdict := session.EvStaffReject
	if approve {
		verdict = session.EvStaffApprove
	}
	for _, ev := range []session.EventKind{session.EvStaffStart, verdict} {
		if err := k.StaffIn(d.Session, ev); err != nil {
			return err
		}
	}
	return nil
}
