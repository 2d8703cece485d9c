// Package camera defines how the domain receives images from a camera: the
// face camera (live frames) and the card-face camera (a still of the card on
// its tray). Devices in hardware/ and stand-ins in sim/ implement Source.
package camera

import (
	"context"
	"errors"
	"image"
	"time"

	"github.com/uketsuke/uketsuke/app/secret"
)

// Frame is one captured image whose pixels live in locked memory.
// Release wipes them; the Image must not be used afterwards.
type Frame struct {
	Image *image.RGBA
	At    time.Time
	buf   *secret.Buffer
}

// NewFrame allocates a w×h RGBA frame backed by locked memory.
func NewFrame(w, h int, at time.Time) *Frame {
	buf := secret.New(w * h * 4)
	img := &image.RGBA{Pix: buf.Bytes(), Stride: w * 4, Rect: image.Rect(0, 0, w, h)}
	return &Frame{Image: img, At: at, buf: buf}
}

// FrameFrom copies src into a new locked frame.
func FrameFrom(src image.Image, at time.Time) *Frame {
	b := src.Bounds()
	f := NewFrame(b.Dx(), b.Dy(), at)
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			f.Image.Set(x, y, src.At(b.Min.X+x, b.Min.Y+y))
		}
	}
	return f
}

// Release overwrites the pixels. Safe on nil and more than once.
func (f *Frame) Release() {
	if f == nil {
		return
	}
	f.buf.Destroy()
	f.Image = nil
}

// Source yields frames until Close. Next blocks until a frame is ready or ctx
// ends; the caller owns and must Release every frame it receives.
type Source interface {
	Next(ctx context.Context) (*Frame, error)
	Close() error
}

// ErrClosed is returned by Next after Close.
var ErrClosed = errors.New("camera: source closed")

// ErrNoDevice means the configured camera is absent or not allowed.
var ErrNoDevice = errors.New("camera: no such device")
