// Package camera holds stand-in cameras implementing app/camera.Source for
// simulation and tests: image files played back at a frame rate, a
// synthetic live face with small head motion and sensor noise, and a still
// image for the card-face camera. Every frame lives in locked memory
// (camera.Frame), as the real camera's do.
package camera

import (
	"context"
	"sync"
	"time"

	appcam "github.com/uketsuke/uketsuke/app/camera"
)

// pacer releases one frame per interval and unblocks at once on Close.
type pacer struct {
	mu       sync.Mutex // serialises waiters: one frame per interval in all
	interval time.Duration
	next     time.Time
	once     sync.Once
	done     chan struct{}
}

func newPacer(fps float64) *pacer {
	p := &pacer{done: make(chan struct{})}
	if fps > 0 {
		p.interval = time.Duration(float64(time.Second) / fps)
	}
	return p
}

// wait blocks until the next frame is due. A consumer that falls behind
// gets the next frame at once and the schedule restarts from now, as a
// camera drops frames rather than queueing them.
func (p *pacer) wait(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.check(ctx); err != nil {
		return err
	}
	now := time.Now()
	if p.next.After(now) {
		t := time.NewTimer(p.next.Sub(now))
		defer t.Stop()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-p.done:
			return appcam.ErrClosed
		case <-t.C:
		}
		now = p.next
	}
	p.next = now.Add(p.interval)
	return nil
}

func (p *pacer) check(ctx context.Context) error {
	select {
	case <-p.done:
		return appcam.ErrClosed
	default:
	}
	return ctx.Err()
}

func (p *pacer) close() { p.once.Do(func() { close(p.done) }) }
