package camera

import (
	"context"
	"errors"
	"fmt"
	"image"
	"sync"
	"time"

	"github.com/blackjack/webcam"

	appcam "github.com/uketsuke/uketsuke/app/camera"
)

// Pixel formats the source converts (V4L2 fourcc codes).
const (
	FormatYUYV webcam.PixelFormat = 'Y' | 'U'<<8 | 'Y'<<16 | 'V'<<24
	FormatMJPG webcam.PixelFormat = 'M' | 'J'<<8 | 'P'<<16 | 'G'<<24
)

// Config says which device to open and how.
type Config struct {
	Path          string    // device node, e.g. /dev/video0
	Width, Height int       // requested frame size; 0 means 640x480
	FPS           float32   // 0 keeps the device's default rate
	Allow         AllowList // the device must match one rule
}

// kernelBuffers keeps few frames in the driver's queue: each is a copy of
// the patient's face outside locked memory until it is wiped.
const kernelBuffers = 3

// pollInterval bounds how long Next and Close wait on each other.
const pollInterval = 100 // ms

// device is the part of *webcam.Webcam a streaming Source uses.
type device interface {
	WaitForFrame(timeoutMS uint32) error
	GetFrame() ([]byte, uint32, error)
	ReleaseFrame(index uint32) error
	Close() error
}

// Source is an open, streaming V4L2 camera.
type Source struct {
	mu      sync.Mutex
	cam     device
	id      Identity
	format  webcam.PixelFormat
	width   int
	height  int
	convert func(*image.RGBA, []byte) error
}

var _ appcam.Source = (*Source)(nil)

// Open checks the device against cfg.Allow, negotiates YUYV (or MJPEG) at the
// requested size, and starts streaming. A missing or refused device gives an
// error wrapping app/camera.ErrNoDevice.
func Open(cfg Config) (*Source, error) {
	if cfg.Width == 0 && cfg.Height == 0 {
		cfg.Width, cfg.Height = 640, 480
	}
	id, err := Query(cfg.Path)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", appcam.ErrNoDevice, err)
	}
	if err := cfg.Allow.Check(id); err != nil {
		return nil, err
	}
	cam, err := webcam.Open(cfg.Path)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", appcam.ErrNoDevice, id, err)
	}
	if err := sameDevice(cam, id); err != nil {
		cam.Close()
		return nil, err
	}
	s, err := start(cam, id, cfg)
	if err != nil {
		cam.Close()
		return nil, err
	}
	return s, nil
}

// sameDevice re-reads the identity through the opened handle, so a device
// swapped between the allow-list check and the open is refused too.
func sameDevice(cam *webcam.Webcam, id Identity) error {
	card, err1 := cam.GetName()
	bus, err2 := cam.GetBusInfo()
	if err := errors.Join(err1, err2); err != nil {
		return fmt.Errorf("%w: %s: %v", appcam.ErrNoDevice, id, err)
	}
	if card != id.Card || bus != id.BusInfo {
		return fmt.Errorf("%w: %s changed to card %q, bus %q while opening", appcam.ErrNoDevice, id, card, bus)
	}
	return nil
}

func start(cam *webcam.Webcam, id Identity, cfg Config) (*Source, error) {
	want, err := chooseFormat(cam.GetSupportedFormats())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", id, err)
	}
	got, w, h, err := cam.SetImageFormat(want, uint32(cfg.Width), uint32(cfg.Height))
	if err != nil {
		return nil, fmt.Errorf("camera: %s: set format: %w", id, err)
	}
	convert, err := converterFor(got)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", id, err)
	}
	if err := cam.SetBufferCount(kernelBuffers); err != nil {
		return nil, fmt.Errorf("camera: %s: buffers: %w", id, err)
	}
	if cfg.FPS > 0 {
		if err := cam.SetFramerate(cfg.FPS); err != nil {
			return nil, fmt.Errorf("camera: %s: frame rate %.1f: %w", id, cfg.FPS, err)
		}
	}
	if err := cam.StartStreaming(); err != nil {
		return nil, fmt.Errorf("camera: %s: %w", id, err)
	}
	return &Source{cam: cam, id: id, format: got, width: int(w), height: int(h), convert: convert}, nil
}

// ErrNoFormat means the device offers neither YUYV nor MJPEG.
var ErrNoFormat = errors.New("camera: device offers neither YUYV nor MJPEG")

// chooseFormat prefers YUYV (no decoding, no compression artefacts on the
// face) and falls back to MJPEG.
func chooseFormat(supported map[webcam.PixelFormat]string) (webcam.PixelFormat, error) {
	for _, f := range []webcam.PixelFormat{FormatYUYV, FormatMJPG} {
		if _, ok := supported[f]; ok {
			return f, nil
		}
	}
	return 0, ErrNoFormat
}

func converterFor(f webcam.PixelFormat) (func(*image.RGBA, []byte) error, error) {
	switch f {
	case FormatYUYV:
		return YUYVToRGBA, nil
	case FormatMJPG:
		return MJPEGToRGBA, nil
	}
	return nil, fmt.Errorf("%w (driver chose fourcc %#x)", ErrNoFormat, uint32(f))
}

// Identity names the open device, for the operation log.
func (s *Source) Identity() Identity { return s.id }

// Size is the negotiated frame size.
func (s *Source) Size() (w, h int) { return s.width, s.height }

// Next waits for the next frame and converts it into locked memory; the
// driver's buffer is wiped before it is handed back to the device.
func (s *Source) Next(ctx context.Context) (*appcam.Frame, error) {
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		f, err := s.poll()
		if f != nil || err != nil {
			return f, err
		}
	}
}

// poll waits one interval; nil, nil means no frame yet.
func (s *Source) poll() (*appcam.Frame, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cam == nil {
		return nil, appcam.ErrClosed
	}
	err := s.cam.WaitForFrame(pollInterval)
	var timeout *webcam.Timeout
	if errors.As(err, &timeout) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("camera: %s: wait: %w", s.id.Path, err)
	}
	buf, index, err := s.cam.GetFrame()
	if err != nil {
		return nil, fmt.Errorf("camera: %s: dequeue: %w", s.id.Path, err)
	}
	defer s.cam.ReleaseFrame(index)
	defer clear(buf)
	if len(buf) == 0 {
		return nil, nil
	}
	frame, err := appcam.NewFrame(s.width, s.height, time.Now())
	if err != nil {
		return nil, err
	}
	if err := s.convert(frame.Image, buf); err != nil {
		frame.Release()
		return nil, err
	}
	return frame, nil
}

// Close stops streaming and closes the device; Next then returns ErrClosed.
func (s *Source) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cam == nil {
		return nil
	}
	err := s.cam.Close()
	s.cam = nil
	return err
}
