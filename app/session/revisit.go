package session

import (
	"context"
	"errors"

	"github.com/uketsuke/uketsuke/app/revisit"
)

// Re-visit reception (docs/revisit.md): the card as the patient's 診察券.
// The session sees only a route, a validity and a reception number; what
// names the patient (the link, the insured number, the eligibility answer)
// stays in the Revisit adapter behind an opaque reference.

// VisitMode is the reception a kiosk offers.
type VisitMode uint8

// The visit modes (config: revisit.mode).
const (
	VisitFirst   VisitMode = iota // every visit is a first visit (today's flow)
	VisitRevisit                  // a known card goes from placement to the ticket
	VisitBoth                     // the patient chooses 初診 or 再診
)

var visitModeNames = [...]string{VisitFirst: "first-visit", VisitRevisit: "revisit", VisitBoth: "both"}

func (m VisitMode) String() string {
	if int(m) < len(visitModeNames) {
		return visitModeNames[m]
	}
	return "visit_mode(?)"
}

// ParseVisitMode turns a configuration's mode back into the mode.
func ParseVisitMode(name string) (VisitMode, bool) {
	for m, n := range visitModeNames {
		if n == name {
			return VisitMode(m), true
		}
	}
	return 0, false
}

// Recognition is Revisit.Recognise's answer.
type Recognition struct {
	Route    revisit.Route // where the card's holder is sent (RouteUnknown: no link)
	Validity Validity      // the check by insured number (RouteTicket, RouteDesk); unknown otherwise
	// Ref names what the adapter keeps for this card (the link, the
	// answer) until Forget; opaque to the session, never shown or logged.
	Ref string
}

// TicketRequest asks for a reception ticket.
type TicketRequest struct {
	Ref        string // Recognition.Ref, or the first visit's eligibility Result.Ticket
	Method     Method // how the patient was identified (MethodLocal for a re-visit)
	Department string // 診療科 from the configuration's list; "" where none is configured
}

// Receipt is an issued reception number. A number is issued only once per
// request; a print that failed still issued it (the screen shows it) and
// says why in PrintErr.
type Receipt struct {
	Number   int
	Printed  bool
	PrintErr ErrorCode // ErrCodeNone when printed or when no printer is configured
}

// Revisit is re-visit reception's port (the adapter: app/session's
// RevisitAdapter over app/revisit, app/eligibility and a printer).
type Revisit interface {
	// Recognise reads the card's user-authentication certificate without
	// a PIN (ローカル認証), checks its status (ErrCertRevoked), converts its
	// serial and looks the code up; for a linked card it asks the
	// eligibility system by insured number and applies the re-visit rules.
	// ErrRevisitLocked while the theft lock holds.
	Recognise(ctx context.Context, card Card) (Recognition, error)
	// Link links the card to the patient the session's eligibility answer
	// names (ticket: Result.Ticket), after a first visit by face or PIN
	// and the patient's consent to linking; a renewed card's row is
	// relinked and the old code kept as history.
	Link(ctx context.Context, card Card, ticket string) error
	// Unlink removes the card's link and its history, at the patient's request.
	Unlink(ctx context.Context, card Card) error
	// Issue issues the day's reception number and prints the ticket; the
	// visit record is queued for the visit-history service.
	Issue(ctx context.Context, req TicketRequest) (Receipt, error)
	// Forget drops what was kept under ref.
	Forget(ref string)
}

// Re-visit errors.
var (
	ErrCertRevoked   = errors.New("session: the card's certificate is revoked or expired")
	ErrRevisitLocked = errors.New("session: re-visit reception is locked (theft lock)")
)
