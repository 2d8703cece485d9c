package ui

import (
	"context"
	"image"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/app/camera"
)

// gradientCam yields 64×48 frames whose red channel is the column.
type gradientCam struct{ closed bool }

func (c *gradientCam) Next(context.Context) (*camera.Frame, error) {
	f, err := camera.NewFrame(64, 48, time.Now())
	if err != nil {
		return nil, err
	}
	for y := 0; y < 48; y++ {
		for x := 0; x < 64; x++ {
			i := f.Image.PixOffset(x, y)
			f.Image.Pix[i], f.Image.Pix[i+3] = byte(x), 0xFF
		}
	}
	return f, nil
}

func (c *gradientCam) Close() error { c.closed = true; return nil }

func TestPreviewTapPassesFramesAndKeepsAMirroredCopy(t *testing.T) {
	cam := &gradientCam{}
	tap := NewPreviewTap(cam, 32)
	if tap.Latest() != nil {
		t.Fatal("a preview before the first frame")
	}
	f, err := tap.Next(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if f.Image.Bounds().Dx() != 64 || f.Image.Pix[4] != 1 {
		t.Fatal("the session's frame was changed")
	}
	f.Release()
	img, ok := tap.Latest().(*image.RGBA)
	if !ok || img.Bounds() != image.Rect(0, 0, 32, 24) {
		t.Fatalf("preview %v, want 32×24", tap.Latest().Bounds())
	}
	if left, right := img.Pix[img.PixOffset(0, 0)], img.Pix[img.PixOffset(31, 0)]; left <= right {
		t.Errorf("not mirrored: left %d, right %d", left, right)
	}
	if err := tap.Close(); err != nil || !cam.closed {
		t.Fatalf("close: %v, camera closed %v", err, cam.closed)
	}
	if tap.Latest() != nil {
		t.Error("the preview survived Close")
	}
}
