package console

import (
	"context"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/uketsuke/uketsuke/app/revisit"
)

// Re-visit reception from the console: staff unlink a patient who asked at
// the desk (they cannot present the card here, so by 診察券番号 or insured
// number), and see, retry or discard the visit records the visit-history
// service refused. Both are the administrator's (operator.FuncUnlinkPatient,
// operator.FuncDeadLetters): unlinking erases the row and its imported
// patient number for good, on the word of a person at the desk whose
// identity staff must check, and a dead letter is usually a
// misconfiguration an administrator fixes before retrying.

// Unlinker erases re-visit links (*revisit.Book).
type Unlinker interface {
	UnlinkPatient(ctx context.Context, n revisit.PatientNumber) error
	UnlinkInsured(ctx context.Context, n revisit.InsuredNumber) error
}

// DeadLetters is the kiosk's outbox as staff handle it (the store).
type DeadLetters interface {
	DeadLetters(ctx context.Context) ([]revisit.DeadVisit, error)
	RetryDead(ctx context.Context, id revisit.VisitID) error
	DiscardDead(ctx context.Context, id revisit.VisitID) error
}

// Actions recorded for re-visit requests.
const (
	ActionUnlink      = "unlink"
	ActionRetryDead   = "retry_dead_letter"
	ActionDiscardDead = "discard_dead_letter"
)

// ErrNotFound is a request for something that is not there (no such
// link, no such dead letter).
var ErrNotFound = errors.New("console: not found")

// UnlinkRequest names the patient by exactly one of the two numbers.
type UnlinkRequest struct {
	PatientNumber string         `json:"patient_number,omitempty"`
	Insured       *InsuredFields `json:"insured,omitempty"`
}

// InsuredFields is an insured number as the form sends it.
type InsuredFields struct {
	Insurer string `json:"insurer"`
	Symbol  string `json:"symbol"`
	Number  string `json:"number"`
	Branch  string `json:"branch"`
}

// DecodeUnlink reads {"patient_number": "…"} or {"insured": {…}}.
func DecodeUnlink(body []byte) (UnlinkRequest, error) {
	var u UnlinkRequest
	if err := decodeStrict(body, &u); err != nil {
		return UnlinkRequest{}, err
	}
	if (u.PatientNumber == "") == (u.Insured == nil) {
		return UnlinkRequest{}, badRequest("", "name the patient by patient_number or by insured, one of them")
	}
	return u, nil
}

// Unlink erases what the request names. Its errors name a field, never
// the number; ErrNotFound when no row has it.
func Unlink(ctx context.Context, u Unlinker, req UnlinkRequest) error {
	var err error
	if req.Insured != nil {
		i := req.Insured
		err = u.UnlinkInsured(ctx, revisit.InsuredNumber{Insurer: strings.TrimSpace(i.Insurer),
			Symbol: strings.TrimSpace(i.Symbol), Number: strings.TrimSpace(i.Number), Branch: strings.TrimSpace(i.Branch)})
	} else {
		err = u.UnlinkPatient(ctx, revisit.PatientNumber(strings.TrimSpace(req.PatientNumber)))
	}
	var inv *revisit.InvalidError
	switch {
	case errors.As(err, &inv):
		return badRequest(unlinkFields[inv.Field], "%s", inv.Reason)
	case errors.Is(err, revisit.ErrNotLinked):
		return ErrNotFound
	}
	return err
}

// unlinkFields are the request's names of the fields revisit validates.
var unlinkFields = map[string]string{"patient number": "patient_number", "insurer number": "insured.insurer",
	"insured symbol": "insured.symbol", "insured number": "insured.number", "branch number": "insured.branch"}

// DeadLetter is a refused visit record as the console shows it: no
// converted code, no payload.
type DeadLetter struct {
	ID       string    `json:"id"`
	Queued   time.Time `json:"queued"`
	SetAside time.Time `json:"set_aside"`
	Attempts int       `json:"attempts"`
	Status   int       `json:"status,omitempty"` // the service's HTTP status, when the reason has it
	Reason   string    `json:"reason"`
}

// DeadLettersOf lists the dead letters for the page, oldest first.
func DeadLettersOf(dead []revisit.DeadVisit) []DeadLetter {
	out := make([]DeadLetter, 0, len(dead))
	for _, d := range dead {
		out = append(out, DeadLetter{ID: hex.EncodeToString(d.ID[:]), Queued: d.Queued.UTC(), SetAside: d.Set.UTC(),
			Attempts: d.Attempts, Status: statusOf(d.Reason), Reason: d.Reason})
	}
	return out
}

// statusOf finds "(HTTP nnn)" in a refusal's text (RefusedError.Error).
func statusOf(reason string) int {
	_, rest, ok := strings.Cut(reason, "(HTTP ")
	if !ok || len(rest) < 3 {
		return 0
	}
	n, err := strconv.Atoi(rest[:3])
	if err != nil {
		return 0
	}
	return n
}

// DeadLetterRequest names a dead letter by its id.
type DeadLetterRequest struct {
	ID string `json:"id"`
}

// DecodeDeadLetter reads {"id": "32 hex digits"}.
func DecodeDeadLetter(body []byte) (revisit.VisitID, error) {
	var r DeadLetterRequest
	var id revisit.VisitID
	if err := decodeStrict(body, &r); err != nil {
		return id, err
	}
	b, err := hex.DecodeString(r.ID)
	if err != nil || len(b) != len(id) || strings.ToLower(r.ID) != r.ID {
		return id, badRequest("id", "a dead letter's id: %d lower-case hex digits", 2*len(id))
	}
	copy(id[:], b)
	return id, nil
}

// Waker is a sender that can be told to look at its queue now
// (*revisit.Sender): a DeadLetters that is one too has a retried record
// sent at once rather than at the sender's next look.
type Waker interface{ Wake() }

// RetryOrDiscard puts a dead letter back in the queue, or deletes it.
func RetryOrDiscard(ctx context.Context, q DeadLetters, id revisit.VisitID, retry bool) error {
	var err error
	if retry {
		err = q.RetryDead(ctx, id)
		if w, ok := q.(Waker); ok && err == nil {
			w.Wake()
		}
	} else {
		err = q.DiscardDead(ctx, id)
	}
	if errors.Is(err, revisit.ErrNoDeadLetter) {
		return ErrNotFound
	}
	return err
}
