package console

import (
	"context"
	"errors"
	"testing"

	"github.com/uketsuke/uketsuke/app/revisit"
)

// wakingQueue is a dead-letter queue that is its sender too.
type wakingQueue struct {
	dead  map[revisit.VisitID]bool
	woken int
}

func (q *wakingQueue) DeadLetters(context.Context) ([]revisit.DeadVisit, error) { return nil, nil }

func (q *wakingQueue) RetryDead(_ context.Context, id revisit.VisitID) error {
	if !q.dead[id] {
		return revisit.ErrNoDeadLetter
	}
	delete(q.dead, id)
	return nil
}

func (q *wakingQueue) DiscardDead(ctx context.Context, id revisit.VisitID) error {
	return q.RetryDead(ctx, id)
}

func (q *wakingQueue) Wake() { q.woken++ }

func TestARetryWakesTheSender(t *testing.T) {
	ctx := context.Background()
	q := &wakingQueue{dead: map[revisit.VisitID]bool{{1}: true, {2}: true}}
	if err := RetryOrDiscard(ctx, q, revisit.VisitID{1}, true); err != nil || q.woken != 1 {
		t.Fatalf("retry: %v, woken %d", err, q.woken)
	}
	if err := RetryOrDiscard(ctx, q, revisit.VisitID{1}, true); !errors.Is(err, ErrNotFound) || q.woken != 1 {
		t.Fatalf("a retry of no dead letter: %v, woken %d", err, q.woken)
	}
	if err := RetryOrDiscard(ctx, q, revisit.VisitID{2}, false); err != nil || q.woken != 1 {
		t.Fatalf("a discard woke the sender: %v, woken %d", err, q.woken)
	}
}
