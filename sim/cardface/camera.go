package cardface

import (
	"context"
	"image"
	"sync"
	"time"

	"github.com/uketsuke/uketsuke/app/camera"
	"github.com/uketsuke/uketsuke/sim/profile"
)

// Camera is a simulated card-face camera: every Next renders the holder's
// card anew under the options' mix, with the seed advancing so that
// successive frames differ as a real camera's would.
type Camera struct {
	mu     sync.Mutex
	holder *profile.Profile
	photo  image.Image
	opts   Options
	closed bool
}

// NewCamera returns a card-face camera showing p's card (photo may be nil).
func NewCamera(p *profile.Profile, photo image.Image, opts Options) (*Camera, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return &Camera{holder: p, photo: photo, opts: opts}, nil
}

// Next renders the next frame into locked memory.
func (c *Camera) Next(ctx context.Context) (*camera.Frame, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil, camera.ErrClosed
	}
	opts := c.opts
	c.opts.Seed++
	c.mu.Unlock()
	img, _, err := Render(c.holder, c.photo, opts)
	if err != nil {
		return nil, err
	}
	return camera.FrameFrom(img, time.Now())
}

// Close ends the stream.
func (c *Camera) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	return nil
}

var _ camera.Source = (*Camera)(nil)
