package standin

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/uketsuke/uketsuke/app/revisit"
	"github.com/uketsuke/uketsuke/app/session"
)

// Revisit stands in for re-visit reception (session.Revisit): a table of
// known cards by their certificate's bytes, revoked certificates, a day's
// counter in memory and a printer that can be switched to a fault. It
// records what the session asked, for tests.
type Revisit struct {
	mu         sync.Mutex
	Delay      time.Duration     // every call takes this long (or until its context ends)
	IssueDelay time.Duration     // Issue takes this much longer
	Locked     bool              // the theft lock holds: Recognise fails with ErrRevisitLocked
	Down       bool              // the table and the counter are unreachable
	NoPrinter  bool              // no printer configured: nothing is printed, no fault
	FailLink   bool              // Link fails (the rest works)
	PrintErr   session.ErrorCode // the printer's fault (printer.*); none: prints

	cards   map[string]knownCard // by certificate
	revoked map[string]bool
	refs    map[string]string // Recognition.Ref → certificate
	last    int               // the day's last number

	recognitions int
	links        []string // the eligibility tickets Link was given
	unlinks      int
	tickets      []session.TicketRequest
	forgotten    []string
}

type knownCard struct {
	route    revisit.Route
	validity session.Validity
}

// ErrRevisitDown is the stand-in's outage.
var ErrRevisitDown = errors.New("fake revisit: table unreachable")

// Know links the card with this certificate; Recognise answers it with
// route and validity (ValidityUnknown: 有効).
func (r *Revisit) Know(cert []byte, route revisit.Route, v session.Validity) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if v == session.ValidityUnknown {
		v = session.ValidityValid
	}
	r.known()[string(cert)] = knownCard{route: route, validity: v}
}

// Revoke makes the certificate revoked.
func (r *Revisit) Revoke(cert []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.revoked == nil {
		r.revoked = map[string]bool{}
	}
	r.revoked[string(cert)] = true
}

// Linked reports whether the card with this certificate is linked.
func (r *Revisit) Linked(cert []byte) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.known()[string(cert)]
	return ok
}

// RevisitCalls is what the session asked of the stand-in so far.
type RevisitCalls struct {
	Recognitions, Unlinks int
	Tickets               []session.TicketRequest
	Links, Forgotten      []string
}

// Calls returns a copy of what was asked so far.
func (r *Revisit) Calls() RevisitCalls {
	r.mu.Lock()
	defer r.mu.Unlock()
	return RevisitCalls{Recognitions: r.recognitions, Unlinks: r.unlinks,
		Tickets: append([]session.TicketRequest(nil), r.tickets...),
		Links:   append([]string(nil), r.links...), Forgotten: append([]string(nil), r.forgotten...)}
}

func (r *Revisit) known() map[string]knownCard {
	if r.cards == nil {
		r.cards = map[string]knownCard{}
	}
	return r.cards
}

func (r *Revisit) Recognise(ctx context.Context, card session.Card) (session.Recognition, error) {
	if err := r.wait(ctx); err != nil {
		return session.Recognition{}, err
	}
	cert, err := card.AuthCertificate(ctx)
	if err != nil {
		return session.Recognition{}, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.recognitions++
	switch {
	case r.Locked:
		return session.Recognition{}, session.ErrRevisitLocked
	case r.revoked[string(cert)]:
		return session.Recognition{}, session.ErrCertRevoked
	case r.Down:
		return session.Recognition{}, ErrRevisitDown
	}
	k, ok := r.known()[string(cert)]
	if !ok {
		return session.Recognition{Route: revisit.RouteUnknown}, nil
	}
	if r.refs == nil {
		r.refs = map[string]string{}
	}
	ref := fmt.Sprintf("visit-%d", r.recognitions)
	r.refs[ref] = string(cert)
	return session.Recognition{Route: k.route, Validity: k.validity, Ref: ref}, nil
}

func (r *Revisit) Link(ctx context.Context, card session.Card, ticket string) error {
	if err := r.wait(ctx); err != nil {
		return err
	}
	cert, err := card.AuthCertificate(ctx)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.Down || r.FailLink {
		return ErrRevisitDown
	}
	if ticket == "" {
		return errors.New("fake revisit: link without an eligibility answer")
	}
	r.links = append(r.links, ticket)
	r.known()[string(cert)] = knownCard{route: revisit.RouteTicket, validity: session.ValidityValid}
	return nil
}

func (r *Revisit) Unlink(ctx context.Context, card session.Card) error {
	if err := r.wait(ctx); err != nil {
		return err
	}
	cert, err := card.AuthCertificate(ctx)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.Down {
		return ErrRevisitDown
	}
	r.unlinks++
	delete(r.known(), string(cert))
	return nil
}

// Issue draws the next number; a printer fault still issues it.
func (r *Revisit) Issue(ctx context.Context, req session.TicketRequest) (session.Receipt, error) {
	if err := r.wait(ctx); err != nil {
		return session.Receipt{}, err
	}
	r.mu.Lock()
	extra := r.IssueDelay
	r.mu.Unlock()
	if err := sleep(ctx, extra); err != nil {
		return session.Receipt{}, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.Down {
		return session.Receipt{}, ErrRevisitDown
	}
	if req.Ref == "" {
		return session.Receipt{}, errors.New("fake revisit: a ticket without a reference")
	}
	r.last++
	r.tickets = append(r.tickets, req)
	rc := session.Receipt{Number: r.last}
	switch {
	case r.NoPrinter:
	case r.PrintErr != session.ErrCodeNone:
		rc.PrintErr = r.PrintErr
	default:
		rc.Printed = true
	}
	return rc, nil
}

func (r *Revisit) Forget(ref string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.refs, ref)
	r.forgotten = append(r.forgotten, ref)
}

func (r *Revisit) wait(ctx context.Context) error {
	r.mu.Lock()
	delay := r.Delay
	r.mu.Unlock()
	return sleep(ctx, delay)
}
