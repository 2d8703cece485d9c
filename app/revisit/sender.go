package revisit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"
)

// SenderConfig shapes a Sender.
type SenderConfig struct {
	Queue  VisitQueue
	Poster VisitPoster
	// MinBackoff is the pause after the first failed pass (default 1 s),
	// doubled per failed pass up to MaxBackoff (default 5 min).
	MinBackoff, MaxBackoff time.Duration
	// Poll is how often an idle sender looks at the queue when nothing
	// woke it (default 1 min): records queued by another process.
	Poll time.Duration
	Log  *slog.Logger     // nil: discard
	Now  func() time.Time // nil: time.Now
}

// Sender moves visit records from the durable queue to the visit-history
// service. Records are delivered exactly once as the service sees them:
// each is queued before it is sent, sent with its id until a 2xx answer,
// and deleted only then; the service keeps each id once, so the resend of a
// record whose answer was lost changes nothing there.
type Sender struct {
	cfg  SenderConfig
	wake chan struct{}
}

// batchSize is how many records one look at the queue takes.
const batchSize = 32

// NewSender checks cfg.
func NewSender(cfg SenderConfig) (*Sender, error) {
	if cfg.Queue == nil || cfg.Poster == nil {
		return nil, errors.New("revisit: a sender needs a queue and a poster")
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = time.Second
	}
	if cfg.MaxBackoff < cfg.MinBackoff {
		cfg.MaxBackoff = max(5*time.Minute, cfg.MinBackoff)
	}
	if cfg.Poll <= 0 {
		cfg.Poll = time.Minute
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Sender{cfg: cfg, wake: make(chan struct{}, 1)}, nil
}

// Record queues a visit durably and wakes the sender. When it returns nil,
// the record will reach the service however long the service is away and
// whether or not the kiosk restarts meanwhile.
func (s *Sender) Record(ctx context.Context, r VisitRecord) error {
	if err := s.cfg.Queue.Enqueue(ctx, r, s.cfg.Now()); err != nil {
		return err
	}
	s.Wake()
	return nil
}

// Wake makes a waiting Run look at the queue now.
func (s *Sender) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// FlushResult is what one pass over the queue did.
type FlushResult struct {
	Sent int
	Dead []DeadVisit // refused records set aside in this pass
}

// Flush sends queued records, oldest first, until the queue is empty or a
// record could not be delivered (then it returns an error wrapping
// ErrUndelivered; the record stays queued). A record the service refuses
// is set aside as a dead letter and the pass goes on.
func (s *Sender) Flush(ctx context.Context) (FlushResult, error) {
	var res FlushResult
	// handled guards against a queue that lists a record again after it
	// was marked: the pass ends instead of posting it for ever.
	handled := map[VisitID]bool{}
	for {
		batch, err := s.cfg.Queue.Pending(ctx, batchSize)
		if err != nil || len(batch) == 0 {
			return res, err
		}
		for _, q := range batch {
			if handled[q.ID] {
				return res, fmt.Errorf("%w: record %s", errQueueStuck, q.ID)
			}
			handled[q.ID] = true
			if err := s.sendOne(ctx, q, &res); err != nil {
				return res, err
			}
		}
	}
}

// errQueueStuck means the queue listed a record again that this pass had
// already delivered or set aside.
var errQueueStuck = errors.New("revisit: the visit queue keeps a record it was told to drop")

func (s *Sender) sendOne(ctx context.Context, q QueuedVisit, res *FlushResult) error {
	err := s.cfg.Poster.PostVisit(ctx, q.Payload)
	var refused *RefusedError
	switch {
	case err == nil:
		if err := s.cfg.Queue.Sent(ctx, q.ID); err != nil {
			return err
		}
		res.Sent++
		return nil
	case errors.As(err, &refused):
		now := s.cfg.Now()
		if err := s.cfg.Queue.DeadLetter(ctx, q.ID, refused.Error(), now); err != nil {
			return err
		}
		s.cfg.Log.Warn("visit record set aside", "id", q.ID.String(), "status", refused.Status)
		res.Dead = append(res.Dead, DeadVisit{ID: q.ID, Payload: q.Payload, Queued: q.Queued, Set: now,
			Attempts: q.Attempts + 1, Reason: refused.Error(), Err: refused})
		return nil
	}
	if ctx.Err() == nil {
		if ferr := s.cfg.Queue.Failed(ctx, q.ID); ferr != nil {
			return errors.Join(err, ferr)
		}
	}
	if !errors.Is(err, ErrUndelivered) {
		err = errors.Join(ErrUndelivered, err)
	}
	return err
}

// Run flushes the queue whenever woken, every Poll, and after a failed
// pass with a growing pause (with jitter, so kiosks coming back together
// do not all retry at once), until ctx ends.
func (s *Sender) Run(ctx context.Context) error {
	backoff := time.Duration(0)
	for {
		_, err := s.Flush(ctx)
		wait := s.cfg.Poll
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case err != nil:
			backoff = min(max(2*backoff, s.cfg.MinBackoff), s.cfg.MaxBackoff)
			wait = backoff/2 + rand.N(backoff/2+1)
			s.cfg.Log.Warn("visit records waiting", "retry_in", wait.Round(time.Millisecond), "err", err)
		default:
			backoff = 0
		}
		if err := s.pause(ctx, wait, err == nil); err != nil {
			return err
		}
	}
}

// pause waits; a wake cuts an idle wait short but not a backoff, so a
// burst of visits does not hammer a service that is down.
func (s *Sender) pause(ctx context.Context, d time.Duration, wakeable bool) error {
	t := time.NewTimer(d)
	defer t.Stop()
	var wake <-chan struct{}
	if wakeable {
		wake = s.wake
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
	case <-wake:
	}
	return nil
}
