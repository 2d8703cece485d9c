package camera

import (
	"context"
	"errors"
	"image"
	"testing"

	"github.com/blackjack/webcam"

	appcam "github.com/uketsuke/uketsuke/app/camera"
)

// fakeDevice stands in for the driver's queue of mmap'ed buffers.
type fakeDevice struct {
	waits    []error  // results of successive WaitForFrame calls
	frames   [][]byte // buffers handed out by GetFrame, in order
	released []uint32
	closed   bool
}

func (d *fakeDevice) WaitForFrame(uint32) error {
	if len(d.waits) == 0 {
		return nil
	}
	err := d.waits[0]
	d.waits = d.waits[1:]
	return err
}

func (d *fakeDevice) GetFrame() ([]byte, uint32, error) {
	if len(d.frames) == 0 {
		return nil, 0, errors.New("no buffer")
	}
	idx := uint32(len(d.released))
	f := d.frames[0]
	d.frames = d.frames[1:]
	return f, idx, nil
}

func (d *fakeDevice) ReleaseFrame(i uint32) error { d.released = append(d.released, i); return nil }
func (d *fakeDevice) Close() error                { d.closed = true; return nil }

func yuyvGrey(w, h int, y byte) []byte {
	b := make([]byte, w*h*2)
	for i := 0; i < len(b); i += 2 {
		b[i], b[i+1] = y, 128
	}
	return b
}

func TestNextConvertsWipesAndRequeues(t *testing.T) {
	buf := yuyvGrey(4, 2, 235)
	dev := &fakeDevice{waits: []error{&webcam.Timeout{}, nil}, frames: [][]byte{buf}}
	s := &Source{cam: dev, id: c920, width: 4, height: 2, convert: YUYVToRGBA}
	f, err := s.Next(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer f.Release()
	if f.Image.Rect != image.Rect(0, 0, 4, 2) || f.Image.Pix[0] != 255 {
		t.Fatalf("frame %v first pixel %v, want white 4x2", f.Image.Rect, f.Image.Pix[:4])
	}
	for _, b := range buf {
		if b != 0 {
			t.Fatal("driver buffer not wiped before it went back to the device")
		}
	}
	if len(dev.released) != 1 {
		t.Fatalf("buffer released %d times, want 1", len(dev.released))
	}
}

func TestNextReportsBadFramesAndStillRequeues(t *testing.T) {
	dev := &fakeDevice{frames: [][]byte{make([]byte, 3)}}
	s := &Source{cam: dev, id: c920, width: 4, height: 2, convert: YUYVToRGBA}
	if _, err := s.Next(context.Background()); !errors.Is(err, ErrBadFrame) {
		t.Fatalf("short frame: %v, want ErrBadFrame", err)
	}
	if len(dev.released) != 1 {
		t.Fatal("bad frame's buffer not given back to the device")
	}
}

func TestNextAfterCloseAndOnCancel(t *testing.T) {
	dev := &fakeDevice{waits: []error{&webcam.Timeout{}, &webcam.Timeout{}, &webcam.Timeout{}}}
	s := &Source{cam: dev, id: c920, width: 4, height: 2, convert: YUYVToRGBA}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Next(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
	if err := s.Close(); err != nil || !dev.closed {
		t.Fatalf("Close: %v, device closed %v", err, dev.closed)
	}
	if _, err := s.Next(context.Background()); !errors.Is(err, appcam.ErrClosed) {
		t.Fatalf("after Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}
