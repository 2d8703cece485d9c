package console

import (
	"fmt"
	"sync"
	"time"

	"github.com/uketsuke/uketsuke/app/session"
)

// Call is a patient's help call (the kiosk's help button) waiting for
// staff: the session's number, since when the console has seen it and the
// screen the patient is on. Nothing about the patient.
type Call struct {
	Session uint64    `json:"session"`
	Since   time.Time `json:"since"`
	State   string    `json:"state"`
}

// Calls remembers when the waiting call was first seen.
type Calls struct {
	mu      sync.Mutex
	session uint64
	since   time.Time
}

// Pending lists the waiting help call, if any (one reader, one patient).
func (c *Calls) Pending(v session.View, now time.Time) []Call {
	c.mu.Lock()
	defer c.mu.Unlock()
	if v.Session == 0 || !v.HelpCalled {
		c.session = 0
		return []Call{}
	}
	if c.session != v.Session {
		c.session, c.since = v.Session, now
	}
	return []Call{{Session: v.Session, Since: c.since, State: v.State.String()}}
}

// Answer acknowledges session d.Session's help call: staff are on their
// way, and the kiosk stops saying it called them. It refuses with ErrStale
// when that session has no call waiting.
func Answer(k Kiosk, d Decision) error {
	v := k.View()
	if !v.HelpCalled || v.Session != d.Session {
		return fmt.Errorf("%w: session %d has no help call", ErrStale, d.Session)
	}
	return k.StaffIn(d.Session, session.EvHelpAnswered)
}
