package cardface

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"github.com/uketsuke/uketsuke/sim/profile"
)

// legacyFlatCard is the renderer's drawing of the card front as it was
// before layouts existed, written out with its own numbers: the fixed layout
// must reproduce it pixel for pixel so earlier figures stay comparable.
func legacyFlatCard(t cardText, f *opentype.Font, rng *rand.Rand) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, 1027, 648))
	paintPaper(img, rng)
	text := func(s string, x, y, size float64, c color.Color) {
		face := newFace(f, size*PxPerMM)
		defer face.Close()
		d := font.Drawer{Dst: img, Src: image.NewUniform(c), Face: face, Dot: fixed.P(mm(x), mm(y))}
		d.DrawString(s)
	}
	box := func(x0, y0, x1, y1 float64) {
		r := image.Rect(mm(x0), mm(y0), mm(x1), mm(y1))
		for _, e := range []image.Rectangle{
			{r.Min, image.Pt(r.Max.X, r.Min.Y+2)}, {image.Pt(r.Min.X, r.Max.Y-2), r.Max},
			{r.Min, image.Pt(r.Min.X+2, r.Max.Y)}, {image.Pt(r.Max.X-2, r.Min.Y), r.Max},
		} {
			draw.Draw(img, e, image.NewUniform(labelInk), image.Point{}, draw.Over)
		}
	}
	text("氏名", 3, 8, 2.0, labelInk)
	text(t.name, 10, 8, 4.2, ink)
	text("住所", 3, 14, 2.0, labelInk)
	face := newFace(f, 3.0*PxPerMM)
	line, y, lines := []rune{}, 14.0, 2
	for _, r := range t.address {
		if font.MeasureString(face, string(append(line, r))) > fixed.I(mm(55-10)) && len(line) > 0 {
			text(string(line), 10, y, 3.0, ink)
			line, y, lines = line[:0], y+4.6, lines-1
			if lines == 0 {
				break
			}
		}
		line = append(line, r)
	}
	if lines > 0 && len(line) > 0 {
		text(string(line), 10, y, 3.0, ink)
	}
	face.Close()
	text(t.birth, 10, 26.4, 3.2, ink)
	text(t.sex, 48.5, 26.4, 2.8, ink)
	text(t.expiry, 3.5, 34.2, 3.2, ink)
	text("電子証明書の有効期限の記載欄", 3, 39.2, 1.6, labelInk)
	box(3, 40.2, 22, 44.2)
	box(23, 40.2, 42, 44.2)
	text("個人番号カード", 3, 50.5, 3.4, color.RGBA{170, 60, 80, 255})
	text("臓器提供意思", 32, 50.5, 1.8, labelInk)
	text("セキュリティコード", 70.8, 38.4, 1.5, labelInk)
	text(t.serial, 47.5, 42.4, 1.9, labelInk)
	text(t.code, 72.5, 42.4, 3.2, ink)
	drawPhoto(img, RectMM{58.5, 5.0, 81.5, 34.0}, nil, rng)
	return img
}

func TestFixedLayoutIsTheLegacyCard(t *testing.T) {
	fonts, err := loadFonts()
	if err != nil {
		t.Skip(err)
	}
	for seed := int64(0); seed < 6; seed++ {
		p := RandomHolder(seed)
		if seed == 0 {
			p = profile.Default()
			p.Address = "京都府京都市上京区下立売通新町西入薮ノ内町一丁目二番三号四五六七八九十" // wraps past two lines
		}
		f := fonts[int(seed)%len(fonts)]
		draw := func(ref bool) []byte {
			rng := rand.New(rand.NewPCG(uint64(seed), 1))
			txt, err := formatCard(p, DesignCurrent, rng)
			if err != nil {
				t.Fatal(err)
			}
			if ref {
				return legacyFlatCard(txt, f, rng).Pix
			}
			return drawFlatCard(txt, FixedLayout(), nil, f, rng).Pix
		}
		if !bytes.Equal(draw(true), draw(false)) {
			t.Errorf("seed %d: the fixed layout no longer draws the legacy card", seed)
		}
	}
	if got := fieldCentres(FixedLayout()); math.Abs(got[1].X-27.1*PxPerMM) > 1e-9 || math.Abs(got[2].Y-41.3*PxPerMM) > 1e-9 {
		t.Errorf("fixed glare targets moved: %v", got)
	}
}

func TestRandomLayoutsAreDeterministicPerSeed(t *testing.T) {
	for _, d := range []Design{DesignCurrent, DesignNext} {
		opts := Options{Seed: 5, Mix: Normal, Font: -1, Width: 400, Height: 300, Layout: LayoutRandom, Design: d}
		a, ta, err := Render(RandomHolder(5), nil, opts)
		if err != nil {
			t.Fatal(err)
		}
		b, tb, _ := Render(RandomHolder(5), nil, opts)
		if !bytes.Equal(a.(*image.RGBA).Pix, b.(*image.RGBA).Pix) || ta != tb {
			t.Errorf("%s: same seed, different frames", d)
		}
		if ta.Design != d || ta.Layout != LayoutRandom {
			t.Errorf("%s: truth says %s/%s", d, ta.Design, ta.Layout)
		}
		if LayoutFor(opts) == LayoutFor(Options{Seed: 6, Layout: LayoutRandom, Design: d}) {
			t.Errorf("%s: seeds 5 and 6 share a layout", d)
		}
		if LayoutFor(opts) == BaseLayout(d) {
			t.Errorf("%s: random layout is the base layout", d)
		}
	}
	if LayoutFor(Options{Seed: 5}) != FixedLayout() {
		t.Error("the zero options do not draw the fixed layout")
	}
}

// checkInk fails when two measured ink boxes overlap or one comes nearer
// than margin to the card's edge.
func checkInk(marks []element, margin float64) error {
	card := RectMM{margin, margin, CardWidthMM - margin, CardHeightMM - margin}
	inside := map[[2]string]bool{{"expiry", "expiry frame"}: true, {"certificate box 1", "certificate date"}: true}
	for i, a := range marks {
		b := a.box
		if b.X0 < card.X0 || b.Y0 < card.Y0 || b.X1 > card.X1 || b.Y1 > card.Y1 {
			return fmt.Errorf("%s at %.2f,%.2f–%.2f,%.2f leaves the margin", a.name, b.X0, b.Y0, b.X1, b.Y1)
		}
		for _, o := range marks[i+1:] {
			if a.name == o.name || inside[[2]string{a.name, o.name}] || inside[[2]string{o.name, a.name}] {
				continue
			}
			if b.overlaps(o.box, 0.1) {
				return fmt.Errorf("%s %.2f,%.2f–%.2f,%.2f overlaps %s %.2f,%.2f–%.2f,%.2f", a.name, b.X0, b.Y0, b.X1, b.Y1,
					o.name, o.box.X0, o.box.Y0, o.box.X1, o.box.Y1)
			}
		}
	}
	return nil
}

// The ink of every element, measured with each installed font and a holder's
// real text, stays apart from the others and inside the margin.
func TestRandomLayoutsFitTheCard(t *testing.T) {
	fonts, err := loadFonts()
	if err != nil {
		t.Skip(err)
	}
	for _, d := range []Design{DesignCurrent, DesignNext} {
		seen := map[string]int{}
		for seed := int64(0); seed < 300; seed++ {
			l := RandomLayout(d, rand.New(rand.NewPCG(uint64(seed), 7)))
			if err := l.Check(); err != nil {
				t.Fatalf("%s seed %d: %v", d, seed, err)
			}
			if l.Photo.X0 < 52 || l.Photo.X1 > 83.6 || l.Photo.Y1-l.Photo.Y0 < 25 {
				t.Fatalf("%s seed %d: photo %v", d, seed, l.Photo)
			}
			lo, hi := 2.8, 4.2
			if d == DesignNext {
				lo, hi = 3.4, 4.6
			}
			for _, s := range []float64{l.Birth.Size, l.Code.Size} {
				if s < lo || s > hi {
					t.Fatalf("%s seed %d: read field size %.2f", d, seed, s)
				}
			}
			if l.Expiry.Size < lo-0.3 || l.Expiry.Size > hi {
				t.Fatalf("%s seed %d: expiry size %.2f", d, seed, l.Expiry.Size)
			}
			countFeatures(l, seen)
			for i, p := range []*profile.Profile{RandomHolder(seed), longHolder(seed)} {
				txt, err := formatCard(p, d, rand.New(rand.NewPCG(uint64(seed), 1)))
				if err != nil {
					t.Fatal(err)
				}
				f := fonts[(int(seed)*2+i)%len(fonts)]
				if err := checkInk(measureCard(txt, l, f), MarginMM); err != nil {
					t.Fatalf("%s seed %d font %d holder %d: %v", d, seed, (int(seed)*2+i)%len(fonts), i, err)
				}
			}
		}
		// Every variation shows up in a few hundred layouts.
		want := []string{"birth beside name", "birth own row", "expiry framed", "expiry plain", "code under serial", "code beside serial"}
		if d == DesignCurrent {
			want = append(want, "sex beside birth", "sex own row", "certificate date")
		}
		for _, w := range want {
			if seen[w] < 15 {
				t.Errorf("%s: %q in only %d of 300 layouts", d, w, seen[w])
			}
		}
	}
}

func countFeatures(l Layout, seen map[string]int) {
	mark := func(cond bool, yes, no string) {
		if cond {
			seen[yes]++
		} else if no != "" {
			seen[no]++
		}
	}
	mark(math.Abs(l.Birth.Y-l.Name.Y) < 1 || l.Birth.Y < l.Name.Y && l.Birth.X > 20, "birth beside name", "birth own row")
	mark(l.ExpiryFrame > 0, "expiry framed", "expiry plain")
	mark(l.Code.Y > l.Serial.Y+1, "code under serial", "code beside serial")
	if l.Sex.on() {
		mark(math.Abs(l.Sex.Y-l.Birth.Y) < 1, "sex beside birth", "sex own row")
	}
	mark(l.CertDate.on(), "certificate date", "")
}

// longHolder has the longest name and address the generator knows, and a
// two-digit era year.
func longHolder(seed int64) *profile.Profile {
	p := RandomHolder(seed)
	p.Foreign = seed%3 == 0
	p.Name, p.Kana = "佐々木　由美子", "ササキ　ユミコ"
	if p.Foreign {
		p.Name, p.Kana = "NGUYEN VAN AN", ""
	}
	p.Address = "京都府京都市上京区下立売通新町西入薮ノ内町九丁目30番20号"
	p.Birth, p.Expiry = "1989-01-07", "2035-12-31"
	return p
}

func TestNextDesignPrintsGregorianAndNoSex(t *testing.T) {
	p := profile.Default()
	txt, err := formatCard(p, DesignNext, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	if txt.birth != "1980年 2月17日生" || txt.sex != "" || txt.expiry != "2035年 2月17日まで有効" {
		t.Errorf("next design prints %q %q %q", txt.birth, txt.sex, txt.expiry)
	}
	if txt.furigana != "コジンバンゴウ　ハナコ" || txt.romaji != "KOJIMBANGO HANAKO" {
		t.Errorf("readings %q %q", txt.furigana, txt.romaji)
	}
	cur, _ := formatCard(p, DesignCurrent, rand.New(rand.NewPCG(1, 1)))
	if cur.birth != "昭和55年 2月17日生" || cur.sex != "性別 女" || cur.certDate != "2030年 2月17日" {
		t.Errorf("current design prints %q %q %q", cur.birth, cur.sex, cur.certDate)
	}
	fonts, err := loadFonts()
	if err != nil {
		t.Skip(err)
	}
	for seed := uint64(0); seed < 100; seed++ {
		l := RandomLayout(DesignNext, rand.New(rand.NewPCG(seed, 3)))
		if seed == 0 {
			l = NextLayout()
		}
		if l.Sex.on() || l.Organ.on() || l.CertLabel.on() || l.CertDate.on() || !l.CertBoxes[0].empty() {
			t.Fatalf("seed %d: next layout prints current-design items: %+v", seed, l)
		}
		if !l.Furigana.on() || !l.Romaji.on() || !l.Nation.on() || !(l.Furigana.Y < l.Name.Y) {
			t.Fatalf("seed %d: next layout lacks its readings or nation: %+v", seed, l)
		}
		names := ""
		for _, m := range measureCard(txt, l, fonts[int(seed)%len(fonts)]) {
			names += m.name + ","
		}
		if strings.Contains(names, "sex") || strings.Contains(names, "organ") || strings.Contains(names, "certificate") {
			t.Fatalf("seed %d: next card prints %s", seed, names)
		}
	}
}

func TestLayoutHelpersMakeTheSpecialCards(t *testing.T) {
	fonts, err := loadFonts()
	if err != nil {
		t.Skip(err)
	}
	for _, base := range []Layout{FixedLayout(), NextLayout()} {
		cases := map[string]Layout{
			"birth beside name": base.BirthBesideName(),
			"sex own line":      base.SexOwnLine(),
			"without sex":       base.WithoutSex(),
			"cert date":         base.WithCertDate(),
			"code under serial": base.CodeUnderSerial(),
			"all":               base.BirthBesideName().SexOwnLine().WithCertDate().CodeUnderSerial(),
		}
		for name, l := range cases {
			if err := l.Check(); err != nil {
				t.Errorf("%s %s: %v", base.Design, name, err)
				continue
			}
			for i, f := range fonts {
				txt, _ := formatCard(longHolder(int64(i)), l.Design, rand.New(rand.NewPCG(1, 1)))
				if err := checkInk(measureCard(txt, l, f), 1); err != nil {
					t.Errorf("%s %s font %d: %v", base.Design, name, i, err)
				}
			}
		}
		if l := base.BirthBesideName(); !(l.Birth.Y <= l.Name.Y && l.Birth.X > l.Name.X+10) {
			t.Errorf("%s: birth not at the top right: %+v", base.Design, l.Birth)
		}
		if l := base.CodeUnderSerial(); !(l.Code.Y > l.Serial.Y+2) {
			t.Errorf("%s: code not under the serial", base.Design)
		}
		if l := base.SexOwnLine(); l.Sex.Y == l.Birth.Y || !l.Sex.on() {
			t.Errorf("%s: sex not on its own line", base.Design)
		}
		if base.WithCertDate().CertDate.on() != (base.Design == DesignCurrent) || base.WithoutSex().Sex.on() {
			t.Errorf("%s: cert date or sex helper", base.Design)
		}
	}
	// A custom layout is what Render draws, and its design decides the truth.
	next := FixedLayout().CodeUnderSerial()
	next.Design = DesignNext
	_, tr, err := Render(profile.Default(), nil, Options{Mix: Clean, Custom: &next, Width: 320, Height: 240})
	if err != nil || tr.Layout != LayoutCustom || tr.Design != DesignNext || tr.BirthYYMMDD != "800217" {
		t.Errorf("custom: %v %+v", err, tr)
	}
}

func TestKanaToRomaji(t *testing.T) {
	for kana, want := range map[string]string{
		"サトウ": "SATO", "イノウエ": "INOUE", "ユウマ": "YUMA", "ショウタ": "SHOTA", "コジンバンゴウ": "KOJIMBANGO",
		"ハットリ": "HATTORI", "マッチャ": "MATCHA", "オオノ": "ONO", "ジュンイチ": "JUNICHI", "ケンタ": "KENTA",
	} {
		if got := kanaToRomaji(kana); got != want {
			t.Errorf("%s: %s, want %s", kana, got, want)
		}
	}
	p := profile.Default()
	p.Kana = ""
	p.Name = "山田　太郎"
	if k, r := readingOf(p); k != "ヤマダ　タロウ" || r != "YAMADA TARO" {
		t.Errorf("reading of %s: %s %s", p.Name, k, r)
	}
}
