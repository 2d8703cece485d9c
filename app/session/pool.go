package session

import "context"

// Pool bounds how many CPU-heavy tasks (OCR, decoding, embedding) run at
// once, so the two pipeline branches share the machine's cores instead of
// oversubscribing them. Tasks run on the caller's goroutine: the pool owns no
// goroutine that could outlive a session.
type Pool struct{ slots chan struct{} }

// NewPool makes a pool of n slots (at least 1).
func NewPool(n int) *Pool { return &Pool{slots: make(chan struct{}, max(n, 1))} }

// Do runs fn once a slot is free, or returns ctx's error without running it.
func (p *Pool) Do(ctx context.Context, fn func()) error {
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-p.slots }()
	if err := ctx.Err(); err != nil {
		return err
	}
	fn()
	return nil
}
