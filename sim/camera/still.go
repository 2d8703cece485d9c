package camera

import (
	"context"
	"image"
	"sync"
	"time"

	appcam "github.com/uketsuke/uketsuke/app/camera"
)

// StillSource is the card-face camera's stand-in: every frame is a copy of
// one image (a rendered card front from sim/cardface), which Set replaces
// when another card is put on the tray.
type StillSource struct {
	mu   sync.Mutex
	img  image.Image
	pace *pacer
}

var _ appcam.Source = (*StillSource)(nil)

// NewStillSource yields copies of img at fps (0 = on every call).
func NewStillSource(img image.Image, fps float64) *StillSource {
	return &StillSource{img: img, pace: newPacer(fps)}
}

// Set replaces the image that later frames show.
func (s *StillSource) Set(img image.Image) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.img = img
}

// Next returns a locked copy of the current image.
func (s *StillSource) Next(ctx context.Context) (*appcam.Frame, error) {
	if err := s.pace.wait(ctx); err != nil {
		return nil, err
	}
	s.mu.Lock()
	img := s.img
	s.mu.Unlock()
	if img == nil {
		return nil, ErrNoImages
	}
	return frameOf(img, image.Point{}, time.Now())
}

// Close ends the source; Next then returns camera.ErrClosed.
func (s *StillSource) Close() error {
	s.pace.close()
	return nil
}
