// Package cardroute decides where a card placed on the kiosk's one reader
// goes: to a patient's session, or to a staff member's operator login
// that is waiting for a card. The session state machine knows nothing of
// operators; the reader asks the Router before it hands a card on.
package cardroute

import "sync"

// Holder is whose card is on the reader.
type Holder uint8

// The holders a card can have.
const (
	None     Holder = iota // no card on the reader
	Patient                // a patient's card: it went to the session
	Operator               // a staff member's card: it went to the login
)

func (h Holder) String() string {
	switch h {
	case Patient:
		return "patient"
	case Operator:
		return "operator"
	}
	return "none"
}

// Router remembers whether a login waits for a card and whose card is on
// the reader. It is safe for concurrent use: the staff pages ask on the
// UI's goroutine, the reader tells on its own.
type Router struct {
	mu      sync.Mutex
	waiting bool
	holder  Holder
}

// Await makes the next card placed the operator's and says whose card is
// on the reader now. Only a free reader waits: with a patient's card on
// it (a visual check in progress) the login must use another way, and an
// operator's card already there is the one the login gets.
func (r *Router) Await() Holder {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.waiting = r.holder == None
	return r.holder
}

// Cancel stops waiting: a card placed later is a patient's again.
func (r *Router) Cancel() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.waiting = false
}

// Waiting says whether the next card placed goes to the login.
func (r *Router) Waiting() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.waiting
}

// Placed says whose card was just placed and remembers it until it is
// removed. A login waits for one card: the wait ends with it.
func (r *Router) Placed() Holder {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.holder = Patient
	if r.waiting {
		r.holder, r.waiting = Operator, false
	}
	return r.holder
}

// Removed says whose card just left the reader (None when no card was
// placed, as after the reader itself went away).
func (r *Router) Removed() Holder {
	r.mu.Lock()
	defer r.mu.Unlock()
	h := r.holder
	r.holder = None
	return h
}

// Holder is whose card is on the reader.
func (r *Router) Holder() Holder {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.holder
}
