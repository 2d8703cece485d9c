package cardface

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"
	"math/rand/v2"

	xdraw "golang.org/x/image/draw"
	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"github.com/uketsuke/uketsuke/app/cardscan"
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
}

func formatCard(p *profile.Profile, rng *rand.Rand) (cardText, error) {
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
		expiry: fmt.Sprintf("%d年%s月%s日まで有効", exp.Year(), pad2(int(exp.Month())), pad2(exp.Day())),
		serial: randomSerial(rng), code: p.SecurityCode,
	}
	if p.Foreign {
		t.birth = fmt.Sprintf("%d年%s月%s日生", birth.Year(), pad2(int(birth.Month())), pad2(birth.Day()))
	} else {
		d, err := wareki.FromTime(birth)
		if err != nil {
			return cardText{}, err
		}
		t.birth = d.String() + "生"
	}
	return t, nil
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
func drawFlatCard(t cardText, photo image.Image, f *opentype.Font, rng *rand.Rand) *image.RGBA {
	w := int(math.Round(cardscan.CardWidthMM * PxPerMM))
	h := int(math.Round(cardscan.CardHeightMM * PxPerMM))
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	paintPaper(img, rng)

	p := &printer{img: img, font: f}
	p.text("氏名", 3, cardscan.NameBaseline.Y, 2.0, labelInk)
	p.text(t.name, cardscan.NameBaseline.X, cardscan.NameBaseline.Y, 4.2, ink)
	p.text("住所", 3, cardscan.AddressBaseline.Y, 2.0, labelInk)
	p.wrapped(t.address, cardscan.AddressBaseline, cardscan.AddressMaxX, cardscan.AddressLineGap, 3.0, 2)
	p.text(t.birth, cardscan.BirthBaseline.X, cardscan.BirthBaseline.Y, cardscan.TextSizeMM, ink)
	p.text(t.sex, cardscan.SexBaseline.X, cardscan.SexBaseline.Y, 2.8, ink)
	p.text(t.expiry, cardscan.ExpiryBaseline.X, cardscan.ExpiryBaseline.Y, cardscan.TextSizeMM, ink)
	p.text("電子証明書の有効期限の記載欄", 3, 39.2, 1.6, labelInk)
	p.box(3, 40.2, 22, 44.2)
	p.box(23, 40.2, 42, 44.2)
	p.text("個人番号カード", 3, 50.5, 3.4, color.RGBA{170, 60, 80, 255})
	p.text("臓器提供意思", 32, 50.5, 1.8, labelInk)
	p.text("セキュリティコード", 70.8, 38.4, 1.5, labelInk)
	p.text(t.serial, cardscan.SerialBaseline.X, cardscan.SerialBaseline.Y, 1.9, labelInk)
	p.text(t.code, cardscan.CodeBaseline.X, cardscan.CodeBaseline.Y, cardscan.TextSizeMM, ink)
	drawPhoto(img, photo, rng)
	return img
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
	img  *image.RGBA
	font *opentype.Font
}

func mm(v float64) int { return int(math.Round(v * PxPerMM)) }

func (p *printer) text(s string, xmm, ymm, sizeMM float64, c color.Color) {
	face := newFace(p.font, sizeMM*PxPerMM)
	defer face.Close()
	d := font.Drawer{Dst: p.img, Src: image.NewUniform(c), Face: face,
		Dot: fixed.P(mm(xmm), mm(ymm))}
	d.DrawString(s)
}

// wrapped prints s from start, breaking before maxX, in at most maxLines lines.
func (p *printer) wrapped(s string, start cardscan.Point, maxX, gap, sizeMM float64, maxLines int) {
	face := newFace(p.font, sizeMM*PxPerMM)
	defer face.Close()
	limit := fixed.I(mm(maxX - start.X))
	line, y := []rune{}, start.Y
	flush := func() {
		p.text(string(line), start.X, y, sizeMM, ink)
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

func (p *printer) box(x0, y0, x1, y1 float64) {
	r := image.Rect(mm(x0), mm(y0), mm(x1), mm(y1))
	c := image.NewUniform(labelInk)
	for _, e := range []image.Rectangle{
		{r.Min, image.Pt(r.Max.X, r.Min.Y+2)}, {image.Pt(r.Min.X, r.Max.Y-2), r.Max},
		{r.Min, image.Pt(r.Min.X+2, r.Max.Y)}, {image.Pt(r.Max.X-2, r.Min.Y), r.Max},
	} {
		draw.Draw(p.img, e, c, image.Point{}, draw.Over)
	}
}

// drawPhoto scales the holder's photo into PhotoRect, or draws a synthetic
// portrait when none is given.
func drawPhoto(img *image.RGBA, photo image.Image, rng *rand.Rand) {
	r := cardscan.PhotoRect
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
