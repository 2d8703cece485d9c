package cardface

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"
	"math/rand/v2"
	"time"

	xdraw "golang.org/x/image/draw"
	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"github.com/uketsuke/uketsuke/app/wareki"
	"github.com/uketsuke/uketsuke/sim/profile"
)

// PxPerMM is the resolution of a flat card: 12 px/mm, 1027x648 px, finer than
// any camera frame the card is then placed into.
const PxPerMM = 12.0

var (
	ink       = color.RGBA{25, 25, 30, 255}
	labelInk  = color.RGBA{90, 80, 85, 255}
	cardPaper = color.RGBA{252, 246, 243, 255}
)

// cardText is what the front prints, already formatted.
type cardText struct {
	name, address, birth, sex, expiry, serial, code string
	furigana, romaji, certDate                      string
}

// formatCard writes the holder's fields as design d prints them. It draws
// only the serial from rng, so the stream stays as it was before designs.
func formatCard(p *profile.Profile, d Design, rng *rand.Rand) (cardText, error) {
	birth, err := p.BirthDate()
	if err != nil {
		return cardText{}, fmt.Errorf("%w: birth", profile.ErrInvalid)
	}
	exp, err := p.ExpiryDate()
	if err != nil {
		return cardText{}, fmt.Errorf("%w: expiry", profile.ErrInvalid)
	}
	t := cardText{
		name: p.Name, address: p.Address, sex: sexText(p.Sex),
		expiry: gregorian(exp) + "まで有効",
		serial: randomSerial(rng), code: p.SecurityCode,
		// The signature certificate runs five years, so its date shares the
		// birthday: a look-alike a scanner must not take for either field.
		certDate: gregorian(exp.AddDate(-5, 0, 0)),
	}
	switch {
	case p.Foreign || d == DesignNext:
		t.birth = gregorian(birth) + "生"
	default:
		d, err := wareki.FromTime(birth)
		if err != nil {
			return cardText{}, err
		}
		t.birth = d.String() + "生"
	}
	if d == DesignNext {
		t.sex = ""
		t.furigana, t.romaji = readingOf(p)
	}
	return t, nil
}

func gregorian(t time.Time) string {
	return fmt.Sprintf("%d年%s月%s日", t.Year(), pad2(int(t.Month())), pad2(t.Day()))
}

func pad2(n int) string {
	if n < 10 {
		return fmt.Sprintf(" %d", n)
	}
	return fmt.Sprint(n)
}

func sexText(code string) string {
	switch code {
	case "1":
		return "性別 男"
	case "2":
		return "性別 女"
	default:
		return "性別"
	}
}

func randomSerial(rng *rand.Rand) string {
	const alnum = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"
	b := make([]byte, 16)
	for i := range b {
		b[i] = alnum[rng.IntN(len(alnum))]
	}
	return string(b)
}

// drawFlatCard paints the upright card front at PxPerMM.
func drawFlatCard(t cardText, l Layout, photo image.Image, f *opentype.Font, rng *rand.Rand) *image.RGBA {
	w := int(math.Round(CardWidthMM * PxPerMM))
	h := int(math.Round(CardHeightMM * PxPerMM))
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	paintPaper(img, rng)
	p := &printer{img: img, font: f}
	p.card(t, l)
	drawPhoto(img, l.Photo, photo, rng)
	return img
}

// measureCard is every element's ink box (mm) when l prints t in font f.
func measureCard(t cardText, l Layout, f *opentype.Font) []element {
	p := &printer{font: f}
	p.card(t, l)
	return append(p.marks, element{"photo", l.Photo})
}

// card prints every element of l, in the order the fixed card always has.
func (p *printer) card(t cardText, l Layout) {
	p.line("name label", "氏名", l.NameLabel, labelInk)
	p.line("furigana", t.furigana, l.Furigana, ink)
	p.line("name", t.name, l.Name, ink)
	p.line("romaji", t.romaji, l.Romaji, ink)
	p.line("address label", "住所", l.AddressLabel, labelInk)
	if l.Address.on() {
		p.wrapped(t.address, l.Address, l.AddressLineGap, l.AddressLines)
	}
	p.line("birth", t.birth, l.Birth, ink)
	p.line("sex", t.sex, l.Sex, ink)
	p.line("expiry", t.expiry, l.Expiry, ink)
	if l.ExpiryFrame > 0 && l.Expiry.on() {
		p.frame("expiry frame", l.ExpiryFrameRect(), l.ExpiryFrame)
	}
	p.line("certificate label", certText, l.CertLabel, labelInk)
	for i, b := range l.CertBoxes {
		if !b.empty() {
			p.box(fmt.Sprintf("certificate box %d", i+1), b.X0, b.Y0, b.X1, b.Y1)
		}
	}
	p.line("certificate date", t.certDate, l.CertDate, ink)
	p.line("title", titleText, l.Title, color.RGBA{170, 60, 80, 255})
	p.line("organ", organText, l.Organ, labelInk)
	p.line("nation", nationText, l.Nation, ink)
	p.line("code label", codeLabelTxt, l.CodeLabel, labelInk)
	p.line("serial", t.serial, l.Serial, labelInk)
	p.line("code", t.code, l.Code, ink)
}

// paintPaper fills the card with its pale tint and a faint guilloche-like
// pattern in the areas that carry no field, as a real card does.
func paintPaper(img *image.RGBA, rng *rand.Rand) {
	draw.Draw(img, img.Bounds(), image.NewUniform(cardPaper), image.Point{}, draw.Src)
	phase := rng.Float64() * 6
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			wave := math.Sin(float64(x)/37+phase) * math.Cos(float64(y)/23-phase)
			if wave > 0.93 {
				i := img.PixOffset(x, y)
				img.Pix[i+0] -= 10
				img.Pix[i+1] -= 16
				img.Pix[i+2] -= 8
			}
		}
	}
}

type printer struct {
	img  *image.RGBA // nil: measure only
	font *opentype.Font
	// marks records each element's ink box in mm as it is printed.
	marks []element
}

func mm(v float64) int { return int(math.Round(v * PxPerMM)) }

// line prints s at t (nothing when t.Size is 0), set smaller when it would
// pass t.MaxX.
func (p *printer) line(name, s string, t Text, c color.Color) {
	if !t.on() || s == "" {
		return
	}
	size := t.Size
	if t.MaxX > t.X {
		face := newFace(p.font, size*PxPerMM)
		adv := font.MeasureString(face, s)
		face.Close()
		if limit := fixed.I(mm(t.MaxX) - mm(t.X)); adv > limit {
			size *= float64(limit) / float64(adv) * 0.995
		}
	}
	p.text(name, s, t.X, t.Y, size, c)
}

func (p *printer) text(name, s string, xmm, ymm, sizeMM float64, c color.Color) {
	face := newFace(p.font, sizeMM*PxPerMM)
	defer face.Close()
	dot := fixed.P(mm(xmm), mm(ymm))
	b, _ := font.BoundString(face, s)
	p.marks = append(p.marks, element{name, RectMM{
		float64(dot.X+b.Min.X) / 64 / PxPerMM, float64(dot.Y+b.Min.Y) / 64 / PxPerMM,
		float64(dot.X+b.Max.X) / 64 / PxPerMM, float64(dot.Y+b.Max.Y) / 64 / PxPerMM}})
	if p.img == nil {
		return
	}
	d := font.Drawer{Dst: p.img, Src: image.NewUniform(c), Face: face, Dot: dot}
	d.DrawString(s)
}

// wrapped prints s from start, breaking before start.MaxX, in at most
// maxLines lines.
func (p *printer) wrapped(s string, start Text, gap float64, maxLines int) {
	face := newFace(p.font, start.Size*PxPerMM)
	defer face.Close()
	limit := fixed.I(mm(start.MaxX - start.X))
	line, y := []rune{}, start.Y
	flush := func() {
		p.text("address", string(line), start.X, y, start.Size, ink)
		line, y = line[:0], y+gap
		maxLines--
	}
	for _, r := range s {
		if font.MeasureString(face, string(append(line, r))) > limit && len(line) > 0 {
			flush()
			if maxLines == 0 {
				return
			}
		}
		line = append(line, r)
	}
	if len(line) > 0 {
		flush()
	}
}

// box draws a printed form box with 2 px (1/6 mm) lines.
func (p *printer) box(name string, x0, y0, x1, y1 float64) {
	p.marks = append(p.marks, element{name, RectMM{x0, y0, x1, y1}})
	if p.img == nil {
		return
	}
	r := image.Rect(mm(x0), mm(y0), mm(x1), mm(y1))
	c := image.NewUniform(labelInk)
	for _, e := range []image.Rectangle{
		{r.Min, image.Pt(r.Max.X, r.Min.Y+2)}, {image.Pt(r.Min.X, r.Max.Y-2), r.Max},
		{r.Min, image.Pt(r.Min.X+2, r.Max.Y)}, {image.Pt(r.Max.X-2, r.Min.Y), r.Max},
	} {
		draw.Draw(p.img, e, c, image.Point{}, draw.Over)
	}
}

// frame draws a box of the given line width in mm, in ink.
func (p *printer) frame(name string, b RectMM, widthMM float64) {
	p.marks = append(p.marks, element{name, b})
	if p.img == nil {
		return
	}
	r := image.Rect(mm(b.X0), mm(b.Y0), mm(b.X1), mm(b.Y1))
	w := max(1, mm(widthMM))
	c := image.NewUniform(ink)
	for _, e := range []image.Rectangle{
		{r.Min, image.Pt(r.Max.X, r.Min.Y+w)}, {image.Pt(r.Min.X, r.Max.Y-w), r.Max},
		{r.Min, image.Pt(r.Min.X+w, r.Max.Y)}, {image.Pt(r.Max.X-w, r.Min.Y), r.Max},
	} {
		draw.Draw(p.img, e, c, image.Point{}, draw.Over)
	}
}

// drawPhoto scales the holder's photo into r, or draws a synthetic portrait
// when none is given.
func drawPhoto(img *image.RGBA, r RectMM, photo image.Image, rng *rand.Rand) {
	dst := image.Rect(mm(r.X0), mm(r.Y0), mm(r.X1), mm(r.Y1))
	if photo == nil {
		photo = syntheticPortrait(dst.Dx(), dst.Dy(), rng)
	}
	xdraw.ApproxBiLinear.Scale(img, dst, photo, photo.Bounds(), draw.Src, nil)
}

// syntheticPortrait is a plain ID-photo stand-in: pale backdrop, dark
// shoulders, a skin-toned head and dark hair.
func syntheticPortrait(w, h int, rng *rand.Rand) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	bg := color.RGBA{uint8(170 + rng.IntN(50)), uint8(190 + rng.IntN(40)), uint8(205 + rng.IntN(40)), 255}
	skin := color.RGBA{uint8(200 + rng.IntN(40)), uint8(160 + rng.IntN(40)), uint8(130 + rng.IntN(40)), 255}
	hair := color.RGBA{uint8(20 + rng.IntN(60)), uint8(15 + rng.IntN(40)), uint8(10 + rng.IntN(30)), 255}
	cloth := color.RGBA{uint8(rng.IntN(90)), uint8(rng.IntN(90)), uint8(rng.IntN(110)), 255}
	cx, cy := float64(w)/2+rng.NormFloat64()*float64(w)*0.02, float64(h)*0.42
	rx, ry := float64(w)*0.26, float64(h)*0.25
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			dx, dy := (float64(x)-cx)/rx, (float64(y)-cy)/ry
			c := bg
			switch {
			case float64(y) > float64(h)*0.72 && math.Abs(float64(x)-cx) < float64(w)*0.48-(float64(h)-float64(y))*0.4:
				c = cloth
			case dx*dx+dy*dy < 1:
				c = skin
				if dy < -0.45 {
					c = hair
				}
			case dx*dx+(dy+0.15)*(dy+0.15) < 1.25 && dy < 0.2:
				c = hair
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}
