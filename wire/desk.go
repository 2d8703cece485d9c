package wire

import (
	"context"
	"errors"
	"sync"

	"github.com/uketsuke/uketsuke/app/apdu"
	"github.com/uketsuke/uketsuke/app/cardroute"
	"github.com/uketsuke/uketsuke/app/mynacard"
	"github.com/uketsuke/uketsuke/app/operator"
	"github.com/uketsuke/uketsuke/app/secret"
	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/hardware/pkcs11"
	"github.com/uketsuke/uketsuke/sim/scenario"
)

// StaffDesk is operator login as the kiosk's staff pages use it: the cards
// the reader finds, routed to the login that waits for one or to the
// patient's session (cardroute.Router), the authenticator, and the HPKI
// module's own reader. It satisfies the UI's port (ui.OperatorDesk);
// kiosk.go connects the two. Its methods may run from any goroutine.
type StaffDesk struct {
	auth  *operator.Authenticator
	hpki  *pkcs11.Module
	route cardroute.Router

	mu     sync.Mutex
	card   operator.Credential // the operator's card on the kiosk's reader
	listen func(present bool)  // the login page waiting for or holding a card
}

func newStaffDesk(a *operator.Authenticator, m *pkcs11.Module) *StaffDesk {
	return &StaffDesk{auth: a, hpki: m}
}

// HPKI says whether an HPKI card can log in (a PKCS#11 module is configured).
func (d *StaffDesk) HPKI() bool { return d.hpki != nil }

// HPKIPINLength is the PIN lengths the HPKI card's module accepts; 0, 0
// without a module, a card or an answer.
func (d *StaffDesk) HPKIPINLength() (lo, hi int) {
	if d.hpki == nil {
		return 0, 0
	}
	c, err := d.hpki.Card()
	if err != nil {
		return 0, 0
	}
	if lo, hi, err = c.PINLength(); err != nil {
		return 0, 0
	}
	return lo, hi
}

// AwaitCard routes the next card placed on the kiosk's reader to the login
// and reports its arrival and removal to listen (on the reader's
// goroutine). It says false, and waits for nothing, while a patient's card
// is on the reader; an operator's card already there is reported at once.
func (d *StaffDesk) AwaitCard(listen func(present bool)) bool {
	d.mu.Lock()
	d.listen = listen
	d.mu.Unlock()
	switch d.route.Await() {
	case cardroute.Patient:
		d.StopAwaiting()
		return false
	case cardroute.Operator:
		listen(true)
	}
	return true
}

// StopAwaiting: the login pages closed. A card placed later is a
// patient's; the operator's card still on the reader stays theirs until
// it is removed.
func (d *StaffDesk) StopAwaiting() {
	d.route.Cancel()
	d.mu.Lock()
	d.listen = nil
	d.mu.Unlock()
}

// Login presents the PIN once to the operator's card: the one on the
// kiosk's reader (operator.SchemeJPKI) or the HPKI module's
// (operator.SchemeHPKI). The caller destroys pin.
func (d *StaffDesk) Login(ctx context.Context, scheme operator.Scheme, pin *secret.Buffer) (operator.Session, error) {
	var cred operator.Credential
	if scheme == operator.SchemeHPKI {
		if d.hpki == nil {
			return operator.Session{}, ErrNoHPKI
		}
		c, err := d.hpki.Card()
		if err != nil {
			return operator.Session{}, err
		}
		cred = c
	} else {
		d.mu.Lock()
		cred = d.card
		d.mu.Unlock()
		if cred == nil {
			return operator.Session{}, ErrNoOperatorCard
		}
	}
	return d.auth.Login(ctx, cred, pin)
}

// Use checks the logged-in operator may use f now (and records the use).
func (d *StaffDesk) Use(f operator.Function) (operator.Session, error) { return d.auth.Use(f) }

// Logout ends the operator session: the staff pages closed.
func (d *StaffDesk) Logout() { d.auth.Logout() }

// Errors of a login the desk cannot start.
var (
	ErrNoOperatorCard = errors.New("wire: no staff card on the reader")
	ErrNoHPKI         = errors.New("wire: no HPKI module is configured")
)

// placed hands a card the reader found to the login waiting for it, or to
// the patient's session (patient makes the session's adapter). A nil desk
// (no operators registered) hands every card to the session.
func (d *StaffDesk) placed(k *session.Kiosk, t apdu.Transport, patient func() session.Card) error {
	if d == nil || d.route.Placed() != cardroute.Operator {
		return k.CardPlaced(patient())
	}
	d.mu.Lock()
	d.card = operator.MyNumberCard{Card: mynacard.Open(t)}
	listen := d.listen
	d.mu.Unlock()
	if listen != nil {
		listen(true)
	}
	return nil
}

// removed tells whoever held the card that it left: the removal of the
// operator's card ends their session.
func (d *StaffDesk) removed(k *session.Kiosk) error {
	if d == nil {
		return k.CardRemoved()
	}
	switch d.route.Removed() {
	case cardroute.Operator:
		d.mu.Lock()
		d.card = nil
		listen := d.listen
		d.mu.Unlock()
		d.auth.CardRemoved()
		if listen != nil {
			listen(false)
		}
		return nil
	case cardroute.Patient:
		return k.CardRemoved()
	}
	return nil
}

// PlaceCard is the simulated world's hand placing a card on the reader
// (the demo's operator window): through the desk like a card the reader
// found, so a staff card reaches a waiting login.
func (w *World) PlaceCard(k *session.Kiosk, c scenario.Card) error {
	if l, ok := c.(interface{ Transport() apdu.Transport }); ok {
		return w.Desk.placed(k, l.Transport(), func() session.Card { return c })
	}
	return k.CardPlaced(c)
}

// CardPulled is the simulated world's hand taking the card away.
func (w *World) CardPulled(k *session.Kiosk) error { return w.Desk.removed(k) }
