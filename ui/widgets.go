package ui

import (
	"image"
	"image/color"
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/uketsuke/uketsuke/ui/theme"
)

// atLeast is a layout that gives its objects at least a minimum size: the
// 15 mm touch target for buttons whatever their text.
type atLeast struct{ min fyne.Size }

func (l atLeast) MinSize(objs []fyne.CanvasObject) fyne.Size {
	s := l.min
	for _, o := range objs {
		if o.Visible() {
			s = s.Max(o.MinSize())
		}
	}
	return s
}

func (l atLeast) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

// touchSize is the smallest side of a touch target in Fyne units on the
// reference screen (scale 1).
func touchSize() float32 { return theme.TouchTarget(1) }

// sized wraps o so that it is never smaller than w×h.
func sized(o fyne.CanvasObject, w, h float32) fyne.CanvasObject {
	return container.New(atLeast{fyne.NewSize(w, h)}, o)
}

// heading is a wrapped title in the theme's heading size.
func heading(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	l.SizeName = fynetheme.SizeNameHeadingText
	l.TextStyle.Bold = true
	return l
}

// body is wrapped body text.
func body(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// notice is body text in a colour: a warning or an error the patient must see.
func notice(text string, imp widget.Importance) *widget.Label {
	l := body(text)
	l.Importance = imp
	l.TextStyle.Bold = true
	return l
}

// cardPicture draws how to place the card: a card, photo side up, being
// laid flat on the reader, with an arrow.
func cardPicture() fyne.CanvasObject { return cardDrawing(false) }

// takeCardPicture is the same drawing with the arrow pointing up: take the
// card back.
func takeCardPicture() fyne.CanvasObject { return cardDrawing(true) }

func cardDrawing(takeBack bool) fyne.CanvasObject {
	fg := fynetheme.Color(fynetheme.ColorNameForeground)
	primary := fynetheme.Color(fynetheme.ColorNamePrimary)
	reader := canvas.NewRectangle(fynetheme.Color(fynetheme.ColorNameButton))
	reader.StrokeColor, reader.StrokeWidth, reader.CornerRadius = fg, 3, 12
	slot := canvas.NewRectangle(color.Transparent)
	slot.StrokeColor, slot.StrokeWidth, slot.CornerRadius = primary, 3, 8
	card := canvas.NewRectangle(color.NRGBA{0xF6, 0xF1, 0xE1, 0xFF})
	card.StrokeColor, card.StrokeWidth, card.CornerRadius = fg, 3, 10
	photo := canvas.NewRectangle(color.NRGBA{0xC9, 0xD6, 0xE8, 0xFF})
	photo.StrokeColor, photo.StrokeWidth = fg, 2
	head := canvas.NewCircle(color.NRGBA{0x8A, 0x9B, 0xB3, 0xFF})
	var lines []fyne.CanvasObject
	for i := 0; i < 3; i++ {
		ln := canvas.NewRectangle(color.NRGBA{0x9A, 0x9A, 0x9A, 0xFF})
		lines = append(lines, ln)
	}
	shaft := canvas.NewLine(primary)
	shaft.StrokeWidth = 8
	tipL, tipR := canvas.NewLine(primary), canvas.NewLine(primary)
	tipL.StrokeWidth, tipR.StrokeWidth = 8, 8
	objs := append([]fyne.CanvasObject{reader, slot, card, photo, head, shaft, tipL, tipR}, lines...)
	return container.New(&cardLayout{up: takeBack}, objs...)
}

// cardLayout places the picture's shapes relative to its size (ID-1 card
// proportions, 85.6 × 54 mm).
type cardLayout struct{ up bool }

func (cardLayout) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.NewSize(300, 300) }

func (l cardLayout) Layout(o []fyne.CanvasObject, size fyne.Size) {
	w := min(size.Width, size.Height*1.05)
	x0 := (size.Width - w) / 2
	cw, ch := w*0.62, w*0.62*54/85.6
	// Rounded, stroked shapes cannot be drawn smaller than their corners:
	// with too little room, show nothing rather than a broken picture.
	tooSmall := size.Height < 150 || size.Width < 150
	for _, obj := range o {
		if tooSmall {
			obj.Hide()
		} else {
			obj.Show()
		}
	}
	if tooSmall {
		return
	}
	place := func(obj fyne.CanvasObject, x, y, ww, hh float32) {
		obj.Move(fyne.NewPos(x0+x, y))
		obj.Resize(fyne.NewSize(max(ww, 0), max(hh, 0)))
	}
	readerY, readerH := size.Height*0.55, size.Height*0.42
	place(o[0], w*0.08, readerY, w*0.84, readerH)                   // reader
	place(o[1], w*0.16, readerY+14, w*0.68, min(ch+10, readerH-28)) // slot outline
	cx, cy := (w-cw)/2, size.Height*0.04                            // card, above the reader
	place(o[2], cx, cy, cw, ch)                                     // card
	place(o[3], cx+cw*0.66, cy+ch*0.14, cw*0.27, ch*0.62)           // photo
	place(o[4], cx+cw*0.72, cy+ch*0.22, cw*0.15, cw*0.15)           // head
	for i, ln := range o[8:] {
		place(ln, cx+cw*0.08, cy+ch*(0.22+0.2*float32(i)), cw*0.5, 6)
	}
	ax := x0 + w/2
	top, bottom := cy+ch+8, readerY+4
	lineAt(o[5], ax, top, ax, bottom)
	tip, back := bottom, bottom-24
	if l.up {
		tip, back = top, top+24
	}
	lineAt(o[6], ax-22, back, ax, tip)
	lineAt(o[7], ax+22, back, ax, tip)
}

func lineAt(o fyne.CanvasObject, x1, y1, x2, y2 float32) {
	l := o.(*canvas.Line)
	l.Position1, l.Position2 = fyne.NewPos(x1, y1), fyne.NewPos(x2, y2)
}

// ovalGuide is a raster that dims everything outside an upright oval, where
// the patient should put their face, and rings the oval.
func ovalGuide(ring color.Color) *canvas.Raster {
	r := canvas.NewRaster(func(w, h int) image.Image {
		img := image.NewNRGBA(image.Rect(0, 0, w, h))
		cx, cy := float64(w)/2, float64(h)/2
		ry := float64(h) * 0.42
		rx := min(ry*0.75, float64(w)*0.45)
		rr, rg, rb, _ := ring.RGBA()
		ringC := color.NRGBA{uint8(rr >> 8), uint8(rg >> 8), uint8(rb >> 8), 0xFF}
		thick := math.Max(3, float64(h)/80) / ry
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				dx, dy := (float64(x)-cx)/rx, (float64(y)-cy)/ry
				d := math.Sqrt(dx*dx + dy*dy)
				switch {
				case math.Abs(d-1) < thick:
					img.SetNRGBA(x, y, ringC)
				case d > 1:
					img.SetNRGBA(x, y, color.NRGBA{0, 0, 0, 0x70})
				}
			}
		}
		return img
	})
	return r
}

// pinDots shows how many digits are typed, never which: filled and empty
// circles.
func pinDots(typed, length int) fyne.CanvasObject {
	fg := fynetheme.Color(fynetheme.ColorNameForeground)
	var objs []fyne.CanvasObject
	for i := 0; i < length; i++ {
		c := canvas.NewCircle(color.Transparent)
		c.StrokeColor, c.StrokeWidth = fg, 4
		if i < typed {
			c.FillColor = fg
		}
		objs = append(objs, sized(c, 44, 44))
	}
	return container.NewCenter(container.New(layout.NewGridLayoutWithColumns(length), objs...))
}

// progress is a spinner for work the patient waits on, or a bar when the
// fraction is known. The shell stops the spinners of the screen it replaces.
func (s *Shell) progress(fraction float64, known bool) fyne.CanvasObject {
	if known {
		p := widget.NewProgressBar()
		p.TextFormatter = func() string { return "" }
		p.SetValue(fraction)
		return p
	}
	// An activity spinner rather than Fyne's infinite bar, whose first
	// frame has a negative width that the software painter cannot draw.
	a := widget.NewActivity()
	a.Start()
	s.spinners = append(s.spinners, a)
	return container.NewCenter(sized(a, 96, 96))
}
