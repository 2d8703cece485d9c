package ui

import (
	"context"
	"image"
	"sync"

	"github.com/uketsuke/uketsuke/app/camera"
	"github.com/uketsuke/uketsuke/app/secret"
)

// PreviewTap sits between the face camera and the session: every frame goes
// on to the session unchanged, and a small mirrored copy of the latest one
// is kept, in locked memory, for the face screen's live preview.
type PreviewTap struct {
	src   camera.Source
	width int

	mu      sync.Mutex
	buf     *secret.Buffer
	display *image.RGBA
}

var (
	_ camera.Source = (*PreviewTap)(nil)
	_ Preview       = (*PreviewTap)(nil)
)

// NewPreviewTap wraps src; the preview is width pixels wide.
func NewPreviewTap(src camera.Source, width int) *PreviewTap {
	return &PreviewTap{src: src, width: max(width, 16)}
}

// Next passes the camera's next frame through, keeping a preview copy.
func (p *PreviewTap) Next(ctx context.Context) (*camera.Frame, error) {
	f, err := p.src.Next(ctx)
	if err == nil && f != nil && f.Image != nil {
		p.keep(f.Image)
	}
	return f, err
}

// keep copies img scaled to the preview width (nearest neighbour) and
// mirrored, as people expect to see themselves.
func (p *PreviewTap) keep(img *image.RGBA) {
	b := img.Bounds()
	if b.Dx() == 0 || b.Dy() == 0 {
		return
	}
	w := min(p.width, b.Dx())
	h := max(1, b.Dy()*w/b.Dx())
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.display == nil || p.display.Rect.Dx() != w || p.display.Rect.Dy() != h {
		p.buf.Destroy()
		p.display = nil
		buf, err := secret.New(w * h * 4)
		if err != nil {
			return // no locked memory: no preview rather than one on the heap
		}
		p.buf = buf
		p.display = &image.RGBA{Pix: p.buf.Bytes(), Stride: w * 4, Rect: image.Rect(0, 0, w, h)}
	}
	for y := 0; y < h; y++ {
		sy := b.Min.Y + y*b.Dy()/h
		for x := 0; x < w; x++ {
			sx := b.Min.X + (w-1-x)*b.Dx()/w
			si, di := img.PixOffset(sx, sy), p.display.PixOffset(x, y)
			copy(p.display.Pix[di:di+4], img.Pix[si:si+4])
		}
	}
}

// Latest is the preview picture, or nil before the first frame. It is
// updated in place; it stays valid until Close.
func (p *PreviewTap) Latest() image.Image {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.display == nil {
		return nil
	}
	return p.display
}

// Close closes the camera and wipes the preview.
func (p *PreviewTap) Close() error {
	err := p.src.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.buf.Destroy()
	p.buf, p.display = nil, nil
	return err
}
