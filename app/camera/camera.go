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

// NewFrame allocates a w×h RGBA frame backed by locked memory, or fails
// with secret.ErrLockLimit.
func NewFrame(w, h int, at time.Time) (*Frame, error) {
	buf, err := secret.New(w * h * 4)
	if err != nil {
		return nil, err
	}
	img := &image.RGBA{Pix: buf.Bytes(), Stride: w * 4, Rect: image.Rect(0, 0, w, h)}
	return &Frame{Image: img, At: at, buf: buf}, nil
}

// FrameFrom copies src into a new locked frame. The pixels go from array to
// array: image.Image's At boxes every pixel in its own heap object, and the
// garbage collector neither wipes nor promptly reuses those, so a copy
// through At would leave the photo scattered over the heap.
func FrameFrom(src image.Image, at time.Time) (*Frame, error) {
	b := src.Bounds()
	f, err := NewFrame(b.Dx(), b.Dy(), at)
	if err != nil {
		return nil, err
	}
	copyPixels(f.Image, src)
	return f, nil
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
