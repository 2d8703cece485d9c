package printertest

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"os"
	"sync"

	"github.com/skip2/go-qrcode"
	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"github.com/uketsuke/uketsuke/hardware/printer"
)

// The geometry of an 80 mm roll at 203 dpi, with the printer's font A
// (12x24 dots) and Kanji font (24x24 dots) and the default line spacing.
const (
	PaperDots   = 576
	halfCell    = 12
	fullCell    = 24
	cellHeight  = 24
	lineSpacing = 30
	margin      = 24
	// MaxDots bounds a rendered receipt (about 2.5 m of paper): a ticket is
	// a few hundred dots, and a hostile stream must not exhaust memory.
	MaxDots = 20000
)

// ErrNoFont means none of the Japanese fonts the project installs from
// Debian (mk/printer.mk) is on this machine.
var ErrNoFont = errors.New("printertest: no Japanese font installed (fonts-ipaexfont-gothic, fonts-noto-cjk)")

// ErrCannotRender means a receipt holds something this renderer does not
// draw, such as a QR model other than 2.
var ErrCannotRender = errors.New("printertest: cannot render")

// fontFiles are tried in order; the index picks a face in a collection.
var fontFiles = []struct {
	path  string
	index int
}{
	{"/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf", -1},
	{"/usr/share/fonts/truetype/bizud-gothic/BIZUDGothic-Regular.ttf", -1},
	{"/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 0}, // Noto Sans CJK JP
}

var (
	fontOnce   sync.Once
	parsedFont *opentype.Font
	fontErr    error
)

func loadFont() (*opentype.Font, error) {
	fontOnce.Do(func() {
		fontErr = ErrNoFont
		for _, ff := range fontFiles {
			data, err := os.ReadFile(ff.path)
			if err != nil {
				continue
			}
			if ff.index < 0 {
				parsedFont, err = opentype.Parse(data)
			} else {
				var c *opentype.Collection
				if c, err = opentype.ParseCollection(data); err == nil {
					parsedFont, err = c.Font(ff.index)
				}
			}
			if err == nil {
				fontErr = nil
				return
			}
		}
	})
	return parsedFont, fontErr
}

// Render draws a receipt as the printer would print it on an 80 mm roll:
// text in a Japanese font scaled by the character size, each line wrapped
// and justified, and QR codes made from their stored data.
func Render(r Receipt) (*image.Gray, error) {
	f, err := loadFont()
	if err != nil {
		return nil, err
	}
	p := &page{font: f, faces: map[int]font.Face{}, img: image.NewGray(image.Rect(0, 0, PaperDots, 0)), y: margin}
	for _, b := range r.Blocks {
		if err := p.block(b); err != nil {
			return nil, err
		}
		if p.y > MaxDots {
			return nil, fmt.Errorf("%w: receipt longer than %d dots", ErrCannotRender, MaxDots)
		}
	}
	p.grow(p.y + margin)
	return p.img.SubImage(image.Rect(0, 0, PaperDots, p.y+margin)).(*image.Gray), nil
}

// grow makes the paper at least bottom dots long, white below what is printed.
func (p *page) grow(bottom int) {
	if bottom <= p.img.Rect.Dy() || bottom > MaxDots+lineSpacing*8*2 {
		return // what lies past the limit is not drawn, and Render refuses it
	}
	bigger := image.NewGray(image.Rect(0, 0, PaperDots, min(max(bottom, 2*p.img.Rect.Dy()), MaxDots+lineSpacing*8*2)))
	draw.Draw(bigger, bigger.Bounds(), image.White, image.Point{}, draw.Src)
	draw.Draw(bigger, p.img.Bounds(), p.img, image.Point{}, draw.Src)
	p.img = bigger
}

type page struct {
	font  *opentype.Font
	faces map[int]font.Face // by pixel size
	img   *image.Gray
	y     int
}

func (p *page) block(b Block) error {
	switch {
	case b.QR != nil:
		return p.qr(b.Align, *b.QR)
	case b.Feed > 0:
		p.y += b.Feed * lineSpacing
	case len(b.Runs) == 0:
		p.y += lineSpacing
	default:
		return p.text(b)
	}
	return nil
}

// cell is one character with its printed size.
type cell struct {
	r             rune
	base          int // 12 or 24 dots at normal width
	width, height int
}

func (c cell) dots() int { return c.base * c.width }

func (p *page) text(b Block) error {
	var line []cell
	used := 0
	for _, run := range b.Runs {
		for _, r := range run.Text {
			c := cell{r: r, base: cellBase(r), width: run.Width, height: run.Height}
			if used+c.dots() > PaperDots && len(line) > 0 {
				if err := p.textLine(b.Align, line, used); err != nil {
					return err
				}
				line, used = nil, 0
			}
			line = append(line, c)
			used += c.dots()
		}
	}
	return p.textLine(b.Align, line, used)
}

// cellBase: characters sent as one byte print in font A's half cell.
func cellBase(r rune) int {
	if r < 0x80 || (r >= 0xff61 && r <= 0xff9f) {
		return halfCell
	}
	return fullCell
}

func (p *page) textLine(a Align, line []cell, used int) error {
	tallest := 1
	for _, c := range line {
		tallest = max(tallest, c.height)
	}
	p.grow(p.y + tallest*cellHeight)
	x := alignX(a, used)
	top := p.y + (tallest-1)*cellHeight
	for _, c := range line {
		if err := p.glyph(c, x, top-(c.height-1)*cellHeight); err != nil {
			return err
		}
		x += c.dots()
	}
	p.y += tallest*cellHeight + (lineSpacing - cellHeight)
	return nil
}

func alignX(a Align, used int) int {
	switch a {
	case printer.AlignCenter:
		return (PaperDots - used) / 2
	case printer.AlignRight:
		return PaperDots - used
	}
	return 0
}

// glyph draws c at its height, then stretches it to its width, as the
// printer enlarges its bitmap font.
func (p *page) glyph(c cell, x, y int) error {
	face, err := p.face(cellHeight * c.height)
	if err != nil {
		return err
	}
	w, h := c.base*c.height, cellHeight*c.height
	tmp := image.NewGray(image.Rect(0, 0, w, h))
	draw.Draw(tmp, tmp.Bounds(), image.White, image.Point{}, draw.Src)
	m := face.Metrics()
	adv := font.MeasureString(face, string(c.r))
	dot := fixed.Point26_6{
		X: (fixed.I(w) - adv) / 2,
		Y: (fixed.I(h)-m.Ascent-m.Descent)/2 + m.Ascent,
	}
	d := font.Drawer{Dst: tmp, Src: image.Black, Face: face, Dot: dot}
	d.DrawString(string(c.r))
	for dy := 0; dy < h; dy++ {
		for dx := 0; dx < c.dots(); dx++ {
			v := tmp.GrayAt(dx*c.height/c.width, dy)
			p.img.SetGray(x+dx, y+dy, thermal(v))
		}
	}
	return nil
}

// thermal: a thermal head prints a dot or not.
func thermal(v color.Gray) color.Gray {
	if v.Y < 128 {
		return color.Gray{}
	}
	return color.Gray{Y: 255}
}

func (p *page) face(px int) (font.Face, error) {
	if f, ok := p.faces[px]; ok {
		return f, nil
	}
	f, err := opentype.NewFace(p.font, &opentype.FaceOptions{Size: float64(px), DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		return nil, err
	}
	p.faces[px] = f
	return f, nil
}

var qrLevels = map[printer.QRLevel]qrcode.RecoveryLevel{
	printer.QRLevelL: qrcode.Low, printer.QRLevelM: qrcode.Medium,
	printer.QRLevelQ: qrcode.High, printer.QRLevelH: qrcode.Highest,
}

// qr draws the symbol the printer would make from the stored data: the
// smallest version that holds it, at the chosen level and module size.
func (p *page) qr(a Align, q QR) error {
	level, ok := qrLevels[q.Level]
	if q.Model != printer.QRModel2 || !ok {
		return fmt.Errorf("%w: QR model %d level %d", ErrCannotRender, q.Model, q.Level)
	}
	code, err := qrcode.New(q.Data, level)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrCannotRender, err)
	}
	code.DisableBorder = true
	bits := code.Bitmap()
	size := len(bits) * q.ModuleDots
	if size > PaperDots {
		return fmt.Errorf("%w: QR code of %d dots is wider than the paper", ErrCannotRender, size)
	}
	p.grow(p.y + size)
	x0 := alignX(a, size)
	for row, line := range bits {
		for col, dark := range line {
			if dark {
				r := image.Rect(x0+col*q.ModuleDots, p.y+row*q.ModuleDots, x0+(col+1)*q.ModuleDots, p.y+(row+1)*q.ModuleDots)
				draw.Draw(p.img, r, image.Black, image.Point{}, draw.Src)
			}
		}
	}
	p.y += size
	return nil
}
