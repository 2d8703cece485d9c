package revisit

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unicode"
)

// QueuedVisit is a record waiting in the outbox: its JSON form, stored once
// and sent as the same bytes on every try.
type QueuedVisit struct {
	ID       VisitID
	Payload  []byte
	Queued   time.Time
	Attempts int // failed tries so far
}

// DeadVisit is a record the service refused as malformed, set aside: it is
// kept for staff to look at, and never sent again by itself.
type DeadVisit struct {
	ID       VisitID
	Payload  []byte
	Queued   time.Time
	Set      time.Time // when it was set aside
	Attempts int
	Reason   string // the service's answer (status and message), no personal data
	// Err is the refusal itself, in the pass that set the record aside
	// (Sender.Flush); a record read back from the queue has only Reason.
	Err *RefusedError
}

// VisitQueue is the kiosk's durable outbox of visit records (store/ fills
// it). A record is written to it before anything is sent, and leaves it
// only after the service acknowledged it, or as a dead letter.
type VisitQueue interface {
	// Enqueue stores the record durably before it returns. The same id
	// twice is one record (a retried Enqueue changes nothing).
	Enqueue(ctx context.Context, r VisitRecord, at time.Time) error
	// Pending lists up to limit records waiting to be sent, oldest first;
	// dead letters are not among them.
	Pending(ctx context.Context, limit int) ([]QueuedVisit, error)
	// Sent deletes a record the service acknowledged (2xx).
	Sent(ctx context.Context, id VisitID) error
	// Failed counts a failed try of a record that stays queued.
	Failed(ctx context.Context, id VisitID) error
	// DeadLetter sets a refused record aside with the reason.
	DeadLetter(ctx context.Context, id VisitID, reason string, at time.Time) error
	// DeadLetters lists the records set aside, oldest first.
	DeadLetters(ctx context.Context) ([]DeadVisit, error)
}

// DeadLetterQueue is what staff do with dead letters (store/ fills it; the
// console uses it): look, put one back in the queue once the cause is
// fixed, or throw it away.
type DeadLetterQueue interface {
	DeadLetters(ctx context.Context) ([]DeadVisit, error)
	// RetryDead puts the dead letter back among the pending records, with
	// its attempts and reason cleared; ErrNoDeadLetter when id is none.
	RetryDead(ctx context.Context, id VisitID) error
	// DiscardDead deletes the dead letter; ErrNoDeadLetter when id is none.
	DiscardDead(ctx context.Context, id VisitID) error
}

// ErrNoDeadLetter means no record with that id is set aside.
var ErrNoDeadLetter = errors.New("revisit: no dead letter with that id")

// VisitPoster delivers one record's JSON form to the visit-history service
// (VisitClient over HTTPS). It returns nil once the service has the record
// (new or already known), a *RefusedError when the service refused the
// record itself, and any other error when the record should be tried again.
type VisitPoster interface {
	PostVisit(ctx context.Context, payload []byte) error
}

// ErrRefused is matched by every RefusedError (errors.Is).
var ErrRefused = errors.New("revisit: visit-history service refused the record")

// RefusedError is the service's refusal of one record as malformed or
// conflicting: sending it again would be refused again.
type RefusedError struct {
	Status int    // HTTP status
	Reason string // the service's message, cleaned of control characters and cut short
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("revisit: visit-history service refused the record (HTTP %d): %s", e.Status, e.Reason)
}

// Is makes errors.Is(err, ErrRefused) true.
func (e *RefusedError) Is(target error) bool { return target == ErrRefused }

// ErrUndelivered wraps a failure to deliver a record that stays queued: the
// service is down, unreachable, overloaded, or refuses the kiosk itself
// (its certificate, the address): none of that is the record's fault.
var ErrUndelivered = errors.New("revisit: visit record not delivered yet")

// maxReasonLen bounds a dead letter's reason.
const maxReasonLen = 200

// cleanReason keeps a service message printable and short before it is
// stored or logged.
func cleanReason(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if len(out) == maxReasonLen {
			break
		}
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			r = ' '
		}
		out = append(out, r)
	}
	return string(out)
}
