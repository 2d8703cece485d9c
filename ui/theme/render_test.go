package theme

import (
	"image"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
)

// renderText draws text as a canvas.Text in the current theme in a fresh
// headless window (software painter) and returns the pixels.
func renderText(text string) image.Image {
	txt := canvas.NewText(text, color.Black)
	txt.TextSize = 26
	w := test.NewWindow(txt)
	defer w.Close()
	w.SetPadded(false)
	w.Resize(fyne.NewSize(1200, 60))
	return w.Canvas().Capture()
}

// ink counts dark pixels: the text drawn, on a light background.
func ink(img image.Image) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r+g+bl < 3*0x8000 {
				n++
			}
		}
	}
	return n
}

func sameImage(a, b image.Image) bool {
	if a.Bounds() != b.Bounds() {
		return false
	}
	bd := a.Bounds()
	for y := bd.Min.Y; y < bd.Max.Y; y++ {
		for x := bd.Min.X; x < bd.Max.X; x++ {
			if a.At(x, y) != b.At(x, y) {
				return false
			}
		}
	}
	return true
}

// mask is a bitmap of dark pixels.
type mask struct {
	w, h int
	dark []bool
}

func darkMask(img image.Image) mask {
	b := img.Bounds()
	m := mask{b.Dx(), b.Dy(), make([]bool, b.Dx()*b.Dy())}
	for y := 0; y < m.h; y++ {
		for x := 0; x < m.w; x++ {
			r, g, bl, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
			m.dark[y*m.w+x] = r+g+bl < 3*0x8000
		}
	}
	return m
}

// crop returns the smallest mask holding every dark pixel of m.
func (m mask) crop() mask {
	x0, y0, x1, y1 := m.w, m.h, -1, -1
	for y := 0; y < m.h; y++ {
		for x := 0; x < m.w; x++ {
			if m.dark[y*m.w+x] {
				x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x), max(y1, y)
			}
		}
	}
	if x1 < 0 {
		return mask{}
	}
	out := mask{x1 - x0 + 1, y1 - y0 + 1, nil}
	for y := y0; y <= y1; y++ {
		out.dark = append(out.dark, m.dark[y*m.w+x0:y*m.w+x1+1]...)
	}
	return out
}

// contains reports whether t appears in m: every dark pixel of t dark, and
// every light pixel of t's inner part light. Fyne draws a missing glyph as
// U+FFFD at a whole-pixel position, so the replacement character's bitmap
// shows up wherever text turned into tofu; only its inner part must match
// exactly because adjacent replacement characters touch at the edges.
func (m mask) contains(t mask) bool {
	for oy := 0; oy+t.h <= m.h; oy++ {
		for ox := 0; ox+t.w <= m.w; ox++ {
			if m.matchAt(t, ox, oy) {
				return true
			}
		}
	}
	return false
}

func (m mask) matchAt(t mask, ox, oy int) bool {
	for y := 0; y < t.h; y++ {
		row := m.dark[(oy+y)*m.w+ox:]
		inY := y >= t.h/5 && y < t.h*4/5
		for x := 0; x < t.w; x++ {
			want := t.dark[y*t.w+x]
			inner := inY && x >= t.w/5 && x < t.w*4/5
			if (want || inner) && row[x] != want {
				return false
			}
		}
	}
	return true
}
