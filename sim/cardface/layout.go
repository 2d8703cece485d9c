package cardface

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
)

// The card's size in millimetres (ISO/IEC 7810 ID-1). The renderer keeps its
// own copy rather than the scanner's, so that a wrong scanner layout shows up
// in a benchmark instead of being drawn to match.
const (
	CardWidthMM  = 85.6
	CardHeightMM = 53.98
)

// MarginMM is the clear edge every layout keeps around its print.
const MarginMM = 2.0

// RectMM is a box on the upright card, in millimetres from its top-left corner.
type RectMM struct{ X0, Y0, X1, Y1 float64 }

func (r RectMM) empty() bool { return r.X1 <= r.X0 || r.Y1 <= r.Y0 }

func (r RectMM) overlaps(o RectMM, gap float64) bool {
	return r.X0 < o.X1+gap && o.X0 < r.X1+gap && r.Y0 < o.Y1+gap && o.Y0 < r.Y1+gap
}

// Text places one printed line, horizontally: its baseline starts at (X, Y)
// mm and its em size is Size mm. Size 0 leaves the line out. MaxX, when
// beyond X, is where the line must end: a longer text is set smaller to fit,
// as cards do with long names (for Address it is where lines wrap instead).
type Text struct{ X, Y, Size, MaxX float64 }

func (t Text) on() bool { return t.Size > 0 }

// Design is which generation of card is drawn: what the front prints and how
// it writes dates.
type Design string

// The card designs.
const (
	// DesignCurrent is today's card: era birth dates for nationals, 性別,
	// 臓器提供意思 and the 電子証明書の有効期限の記載欄 boxes.
	DesignCurrent Design = "current"
	// DesignNext is a stand-in for the next card announced for 2026 (its
	// exact layout is not public): Gregorian birth dates for everyone, no
	// 性別, a katakana reading above the name and a romaji name line,
	// 「日本国 JAPAN」, no organ or certificate boxes on the front, larger type.
	DesignNext Design = "next"
)

// LayoutMode says where a card's layout came from.
type LayoutMode string

// The layout modes.
const (
	// LayoutFixed is one layout per design: FixedLayout or NextLayout.
	LayoutFixed LayoutMode = "fixed"
	// LayoutRandom draws a layout from the seed with RandomLayout.
	LayoutRandom LayoutMode = "random"
	// LayoutCustom appears in Truth when Options.Custom gave the layout.
	LayoutCustom LayoutMode = "custom"
)

// Layout is where every printed element of a card front goes. Positions are
// mm from the upright card's top-left corner; a Text with Size 0 is not
// printed. Start from FixedLayout or NextLayout and move fields, or use the
// helper methods, then Check the result.
type Layout struct {
	// Design chooses the printed contents (date style, sex, readings).
	Design Design
	// Photo is where the portrait is drawn; it stays on the right (x ≈ 54–83).
	Photo RectMM

	NameLabel Text // 「氏名」
	Furigana  Text // the name's katakana reading, above it (next design)
	Name      Text
	Romaji    Text // the name in Latin capitals (next design)

	AddressLabel   Text // 「住所」
	Address        Text // first line; wraps at MaxX (must be set)
	AddressLineGap float64
	AddressLines   int // lines printed; the rest of a long address is cut

	// Birth is 「昭和55年 2月17日生」 (current design, nationals) or
	// 「1980年 2月17日生」; at Name.Y and right of it when beside the name.
	Birth Text
	// Sex is 「性別 女」: on Birth's baseline when beside it, else its own line.
	Sex    Text
	Expiry Text // 「2035年 2月17日まで有効」
	// ExpiryFrame is the line width (mm) of a box drawn ExpiryFramePad
	// around the expiry line's widest possible text; 0 prints it plain.
	ExpiryFrame, ExpiryFramePad float64

	CertLabel Text      // 「電子証明書の有効期限の記載欄」
	CertBoxes [2]RectMM // the two boxes under it; empty rects are not drawn
	// CertDate writes a date such as 「2031年 3月 4日」 into the first box: a
	// second date on the card that is neither the birth date nor the expiry.
	CertDate Text

	Title  Text // 「個人番号カード」
	Organ  Text // 「臓器提供意思」 (current design)
	Nation Text // 「日本国 JAPAN」 (next design)

	CodeLabel Text // 「セキュリティコード」
	Serial    Text // 16 small characters
	Code      Text // the 4-digit security code
}

// FixedLayout is today's card exactly as the renderer has always drawn it
// (the numbers the scanner was written against), so fixed-layout figures
// stay comparable.
func FixedLayout() Layout {
	return Layout{
		Design:         DesignCurrent,
		Photo:          RectMM{58.5, 5.0, 81.5, 34.0},
		NameLabel:      Text{X: 3, Y: 8, Size: 2.0},
		Name:           Text{X: 10, Y: 8, Size: 4.2},
		AddressLabel:   Text{X: 3, Y: 14, Size: 2.0},
		Address:        Text{X: 10, Y: 14, Size: 3.0, MaxX: 55},
		AddressLineGap: 4.6,
		AddressLines:   2,
		Birth:          Text{X: 10, Y: 26.4, Size: 3.2},
		Sex:            Text{X: 48.5, Y: 26.4, Size: 2.8},
		Expiry:         Text{X: 3.5, Y: 34.2, Size: 3.2},
		CertLabel:      Text{X: 3, Y: 39.2, Size: 1.6},
		CertBoxes:      [2]RectMM{{3, 40.2, 22, 44.2}, {23, 40.2, 42, 44.2}},
		Title:          Text{X: 3, Y: 50.5, Size: 3.4},
		Organ:          Text{X: 32, Y: 50.5, Size: 1.8},
		CodeLabel:      Text{X: 70.8, Y: 38.4, Size: 1.5},
		Serial:         Text{X: 47.5, Y: 42.4, Size: 1.9},
		Code:           Text{X: 72.5, Y: 42.4, Size: 3.2},
	}
}

// NextLayout is one plausible front of the next card: the same photo place,
// reading and romaji lines round the name, larger type, no sex, organ or
// certificate boxes.
func NextLayout() Layout {
	return Layout{
		Design:         DesignNext,
		Photo:          RectMM{58.5, 5.0, 81.5, 34.0},
		Furigana:       Text{X: 11, Y: 5.4, Size: 2.2, MaxX: 56},
		NameLabel:      Text{X: 3, Y: 10.6, Size: 2.2},
		Name:           Text{X: 11, Y: 10.6, Size: 4.8, MaxX: 56},
		Romaji:         Text{X: 11, Y: 14.6, Size: 2.6, MaxX: 56},
		AddressLabel:   Text{X: 3, Y: 20, Size: 2.2},
		Address:        Text{X: 11, Y: 20, Size: 3.2, MaxX: 56},
		AddressLineGap: 4.4,
		AddressLines:   2,
		Birth:          Text{X: 11, Y: 30.4, Size: 3.8},
		Expiry:         Text{X: 3, Y: 37, Size: 3.8},
		Title:          Text{X: 3, Y: 50.5, Size: 3.4},
		Nation:         Text{X: 29, Y: 50.5, Size: 2.4},
		CodeLabel:      Text{X: 69.5, Y: 38.6, Size: 1.5},
		Serial:         Text{X: 50, Y: 43.2, Size: 2.0, MaxX: 69.3},
		Code:           Text{X: 71.5, Y: 43.2, Size: 3.8},
	}
}

// BaseLayout is FixedLayout or NextLayout, by design.
func BaseLayout(d Design) Layout {
	if d == DesignNext {
		return NextLayout()
	}
	return FixedLayout()
}

// The widest text each field can hold, for layout checks and frames: a
// two-digit era year is wider than 元, and 12月31日 than 2月 1日.
var (
	birthWorst    = map[Design][]string{DesignCurrent: {"昭和64年12月31日生", "2025年12月31日生"}, DesignNext: {"2025年12月31日生"}}
	nameWorst     = []string{"佐々木　由美子", "NGUYEN VAN AN"}
	furiganaWorst = []string{"コジンバンゴウ　ハナコ"}
	romajiWorst   = []string{"KOJINBANGOU HANAKO"}
	expiryWorst   = "2035年12月31日まで有効"
	certWorst     = "2031年12月31日"
	codeWorst     = "0000"
	serialWorst   = "WWWWWWWWWWWWWWWW"
	sexWorst      = "性別 女"
	nationText    = "日本国 JAPAN"
	titleText     = "個人番号カード"
	organText     = "臓器提供意思"
	certText      = "電子証明書の有効期限の記載欄"
	codeLabelTxt  = "セキュリティコード"
)

// emWidth bounds a string's advance in ems over the card fonts: kanji and
// kana 1 em, digits at most 0.64, Latin capitals 0.8 on average (single
// wide ones such as W reach 1.05, so Latin lines that matter carry a MaxX).
func emWidth(s string) float64 {
	w := 0.0
	for _, r := range s {
		switch {
		case r == ' ':
			w += 0.5
		case r >= '0' && r <= '9':
			w += 0.64
		case r < 0x80:
			w += 0.8
		default:
			w += 1
		}
	}
	return w
}

func hasLatin(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return r >= 'A' && r <= 'z' }) >= 0
}

// Ink above and below the baseline, in ems, over the card fonts: glyphs reach
// 0.86 em up, kanji 0.12 em down and Latin descenders (J, Q) 0.22 em.
const (
	inkAbove      = 0.88
	inkBelow      = 0.13
	inkBelowLatin = 0.23
)

func below(s string) float64 {
	if hasLatin(s) {
		return inkBelowLatin
	}
	return inkBelow
}

// box estimates where any of strs printed at t can put ink.
func (t Text) box(strs ...string) RectMM {
	w, dn := 0.0, inkBelow
	for _, s := range strs {
		w = max(w, emWidth(s)*t.Size)
		dn = max(dn, below(s))
	}
	if t.MaxX > t.X {
		w = min(w, t.MaxX-t.X)
	}
	return RectMM{t.X - 0.05*t.Size, t.Y - inkAbove*t.Size, t.X + w, t.Y + dn*t.Size}
}

// ExpiryFrameRect is the box drawn round the expiry when ExpiryFrame > 0.
func (l Layout) ExpiryFrameRect() RectMM {
	b := l.Expiry.box(expiryWorst)
	p := l.ExpiryFramePad
	return RectMM{b.X0 - p, b.Y0 - p, b.X1 + p, b.Y1 + p}
}

// element is one printed thing with the estimated box it can cover.
type element struct {
	name string
	box  RectMM
}

// elements lists what l prints with the widest content each can hold.
func (l Layout) elements() []element {
	var out []element
	add := func(name string, t Text, strs ...string) {
		if t.on() {
			out = append(out, element{name, t.box(strs...)})
		}
	}
	out = append(out, element{"photo", l.Photo})
	add("name label", l.NameLabel, "氏名")
	add("furigana", l.Furigana, furiganaWorst...)
	add("name", l.Name, nameWorst...)
	add("romaji", l.Romaji, romajiWorst...)
	add("address label", l.AddressLabel, "住所")
	if l.Address.on() {
		b := l.Address.box("住")
		b.X1 = max(l.Address.MaxX, b.X1)
		b.Y1 += float64(max(l.AddressLines, 1)-1) * l.AddressLineGap
		out = append(out, element{"address", b})
	}
	birth := birthWorst[l.Design]
	if birth == nil {
		birth = birthWorst[DesignCurrent]
	}
	add("birth", l.Birth, birth...)
	add("sex", l.Sex, sexWorst)
	if l.ExpiryFrame > 0 && l.Expiry.on() {
		out = append(out, element{"expiry frame", l.ExpiryFrameRect()})
	} else {
		add("expiry", l.Expiry, expiryWorst)
	}
	add("certificate label", l.CertLabel, certText)
	for i, b := range l.CertBoxes {
		if !b.empty() {
			out = append(out, element{fmt.Sprintf("certificate box %d", i+1), b})
		}
	}
	add("title", l.Title, titleText)
	add("organ", l.Organ, organText)
	add("nation", l.Nation, nationText)
	add("code label", l.CodeLabel, codeLabelTxt)
	add("serial", l.Serial, serialWorst)
	add("code", l.Code, codeWorst)
	return out
}

// ErrLayout is a layout whose elements overlap or leave the card.
var ErrLayout = errors.New("cardface: layout does not fit")

// clearance is the least space RandomLayout leaves between two elements' ink.
const clearance = 0.4

// Check estimates every element's ink box with the widest content it can
// hold and fails when two touch or one comes within 1 mm of the card's edge
// (the fixed card's code label reaches 84.3 mm and its sex line ends 0.2 mm
// from the photo; RandomLayout keeps 2 mm and 0.4 mm). The certificate date
// must sit inside the first certificate box.
func (l Layout) Check() error { return l.check(1, 0.1) }

func (l Layout) check(margin, clearance float64) error {
	card := RectMM{margin, margin, CardWidthMM - margin, CardHeightMM - margin}
	els := l.elements()
	for i, a := range els {
		if a.box.X0 < card.X0 || a.box.Y0 < card.Y0 || a.box.X1 > card.X1 || a.box.Y1 > card.Y1 {
			return fmt.Errorf("%w: %s %.1f,%.1f–%.1f,%.1f leaves the margin", ErrLayout, a.name, a.box.X0, a.box.Y0, a.box.X1, a.box.Y1)
		}
		for _, b := range els[i+1:] {
			if a.box.overlaps(b.box, clearance) {
				return fmt.Errorf("%w: %s overlaps %s", ErrLayout, a.name, b.name)
			}
		}
	}
	if l.CertDate.on() {
		d, b := l.CertDate.box(certWorst), l.CertBoxes[0]
		if b.empty() || d.X0 < b.X0+0.3 || d.X1 > b.X1-0.3 || d.Y0 < b.Y0+0.3 || d.Y1 > b.Y1-0.3 {
			return fmt.Errorf("%w: certificate date outside its box", ErrLayout)
		}
	}
	if l.Photo.X0 < 50 || l.Photo.X1 > CardWidthMM-MarginMM {
		return fmt.Errorf("%w: photo not on the right", ErrLayout)
	}
	return nil
}

// BirthBesideName moves the birth date to the top right, ending left of the
// photo. On the current design it stands on the name's baseline and the name
// gets set smaller if it would run into it; sex that stood beside the birth
// date keeps the old birth line to itself. The next design's large type
// leaves no room beside the name, so there the date (at most 3.6 mm) takes
// a line of its own above the name and the lines between move down into the
// birth date's old place.
func (l Layout) BirthBesideName() Layout {
	if l.Design == DesignNext {
		size := min(l.Birth.Size, 3.6)
		w := Text{Size: size}.box(birthWorst[DesignNext]...).X1
		top := l.Name.box(nameWorst...).Y0
		if l.Furigana.on() {
			top = l.Furigana.box(furiganaWorst...).Y0
		}
		dy := (inkAbove+inkBelow)*size + 0.8
		for _, t := range []*Text{&l.Furigana, &l.NameLabel, &l.Name, &l.Romaji, &l.AddressLabel, &l.Address} {
			if t.on() && t.Y < l.Birth.Y {
				t.Y += dy
			}
		}
		l.Birth = Text{X: l.Photo.X0 - 1.5 - w, Y: top + 0.1 + inkAbove*size, Size: size}
		return l
	}
	w := l.Birth.box(birthWorst[DesignCurrent]...).X1 - l.Birth.X
	if l.Sex.on() && l.Sex.Y == l.Birth.Y {
		l.Sex.X = l.Birth.X
	}
	l.Birth.X = l.Photo.X0 - 1.5 - w
	l.Birth.Y = l.Name.Y
	for _, t := range []*Text{&l.Name, &l.Furigana, &l.Romaji} {
		t.MaxX = l.Birth.X - 2
	}
	return l
}

// SexOwnLine prints sex on a line of its own under the birth date, moving
// the expiry (and its frame) down if it is in the way.
func (l Layout) SexOwnLine() Layout {
	if !l.Sex.on() {
		l.Sex.Size = 2.8
	}
	under := l.Birth
	if under.Y <= l.Name.Y { // the birth date is up beside the name
		under = l.Address
		under.Y += float64(max(l.AddressLines, 1)-1) * l.AddressLineGap
	}
	l.Sex.X = under.X
	l.Sex.Y = under.Y + inkBelow*under.Size + 1.2 + inkAbove*l.Sex.Size
	bottom := l.Sex.Y + inkBelow*l.Sex.Size + clearance + 0.2
	top := l.Expiry.box(expiryWorst).Y0
	if l.ExpiryFrame > 0 {
		top = l.ExpiryFrameRect().Y0
	}
	if top < bottom && l.Expiry.Y > l.Sex.Y {
		l.Expiry.Y += bottom - top
	}
	return l
}

// WithoutSex prints no sex line (as the next design does).
func (l Layout) WithoutSex() Layout {
	l.Sex = Text{}
	return l
}

// WithCertDate writes a date into the first certificate box, as large as
// the box allows up to 2.6 mm. A layout without the boxes (the next design)
// is returned as it is.
func (l Layout) WithCertDate() Layout {
	if l.CertBoxes[0].empty() {
		return l
	}
	b := l.CertBoxes[0]
	size := min(2.6, (b.X1-b.X0-1.2)/emWidth(certWorst), (b.Y1-b.Y0-1.0)/(inkAbove+inkBelow))
	l.CertDate = Text{X: b.X0 + 0.6, Size: size}
	l.CertDate.Y = (b.Y0+b.Y1)/2 + (inkAbove-inkBelow)/2*size
	return l
}

// CodeUnderSerial moves the security code onto a line under the serial,
// with its label beside it on the left.
func (l Layout) CodeUnderSerial() Layout {
	if !l.CodeLabel.on() {
		l.CodeLabel.Size = 1.5
	}
	l.CodeLabel.X = l.Serial.X
	l.CodeLabel.Y = l.Serial.Y + inkBelowLatin*l.Serial.Size + 1.0 + inkAbove*l.Code.Size
	l.Code.Y = l.CodeLabel.Y
	l.Code.X = l.CodeLabel.box(codeLabelTxt).X1 + 1.2
	return l
}

// RandomLayout draws a plausible layout of design d from rng: the text rows
// on the left in a shuffled order at varied heights, the birth date on its
// own row or at the top right beside the name, sex beside the birth date or
// on its own row (current design), the expiry framed or plain, read fields
// 2.8–4.2 mm (next design 3.4–4.6 mm), the serial and security code on one
// row or the code under the serial, sometimes a date in the certificate box,
// and jitter everywhere. The photo stays on the right. Every layout passes
// Check with 2 mm to spare at the edges; the same rng state gives the same
// layout.
func RandomLayout(d Design, rng *rand.Rand) Layout {
	if d != DesignNext {
		d = DesignCurrent
	}
	for range 1000 {
		if l, ok := randomCandidate(d, rng); ok && l.check(MarginMM, clearance) == nil {
			return l
		}
	}
	return BaseLayout(d)
}

// row is one line group of the left text block: its height and how to put
// it at a given top.
type row struct {
	height float64
	place  func(l *Layout, top float64)
	first  bool // stays at the top whatever the shuffle
}

func randomCandidate(d Design, rng *rand.Rand) (Layout, bool) {
	u := func(a, b float64) float64 { return a + (b-a)*rng.Float64() }
	next := d == DesignNext
	l := Layout{Design: d, AddressLines: 2}
	readLo, readHi := 2.8, 4.2
	if next {
		readLo, readHi = 3.4, 4.6
	}
	read := func() float64 { return u(readLo, readHi) }

	pw := u(21, 24.5)
	x1 := u(80.5, 83.4)
	l.Photo = RectMM{X0: x1 - pw, Y0: u(3, 7), X1: x1}
	l.Photo.Y1 = l.Photo.Y0 + pw*u(1.2, 1.3)
	right := l.Photo.X0 - u(1.2, 2.8) // where the left block ends
	labelX := u(2.3, 4)
	labelSize := u(1.8, 2.2)
	if next {
		labelSize = u(2.0, 2.6)
	}
	valueX := labelX + 2*labelSize + u(1.2, 3.5)
	pickX := func() float64 {
		if rng.IntN(2) == 0 {
			return valueX + u(-1, 1.5)
		}
		return labelX + u(0, 1.5)
	}

	// The bottom band: title, then organ or nation, and the certificate boxes.
	l.Title = Text{X: labelX + u(-0.3, 0.5), Size: u(3.0, 3.8)}
	l.Title.Y = u(48.8, CardHeightMM-MarginMM-inkBelow*l.Title.Size-0.1)
	titleEnd := l.Title.box(titleText).X1
	bandTop := l.Title.box(titleText).Y0
	if next {
		l.Nation.Size = u(2.2, 3.0)
		if rng.IntN(2) == 0 { // beside the title
			l.Nation.X, l.Nation.Y = titleEnd+u(2, 8), l.Title.Y+u(-0.6, 0)
		} else { // a line above it
			l.Nation.X = l.Title.X + u(-0.3, 1.5)
			l.Nation.Y = bandTop - u(0.8, 2) - inkBelowLatin*l.Nation.Size
			bandTop = l.Nation.box(nationText).Y0
		}
	} else {
		l.Organ = Text{X: titleEnd + u(2, 9), Y: l.Title.Y + u(-0.6, 0), Size: u(1.6, 2.1)}
		bh, bw := u(3.6, 4.8), u(18.5, 22)
		y1 := bandTop - u(1.0, 2.5)
		x0 := labelX + u(-0.3, 0.5)
		l.CertBoxes[0] = RectMM{x0, y1 - bh, x0 + bw, y1}
		gap := u(0.8, 2)
		l.CertBoxes[1] = RectMM{x0 + bw + gap, y1 - bh, x0 + 2*bw + gap, y1}
		l.CertLabel = Text{X: x0 + u(0, 0.6), Size: u(1.5, 1.8)}
		l.CertLabel.Y = y1 - bh - u(0.5, 1.0) - inkBelow*l.CertLabel.Size
		bandTop = l.CertLabel.box(certText).Y0
		if rng.IntN(10) < 4 { // about 30 % once layouts that do not fit are dropped
			l = l.WithCertDate()
			l.CertDate.X += u(0, 0.4)
		}
	}

	// The serial and security code under the photo.
	l.Serial.Size = u(1.7, 2.2)
	l.Code.Size = read()
	l.CodeLabel.Size = u(1.4, 1.8)
	serialW := emWidth(serialWorst) * l.Serial.Size
	labelW := emWidth(codeLabelTxt) * l.CodeLabel.Size
	labelH := (inkAbove + inkBelow) * l.CodeLabel.Size
	if rng.IntN(2) == 0 { // one row, code right of the serial, label above the code
		codeEnd := u(79.5, CardWidthMM-MarginMM-0.1)
		l.Code.X = codeEnd - emWidth(codeWorst)*l.Code.Size
		l.Code.Y = l.Photo.Y1 + u(0.8, 2.5) + labelH + u(0.4, 1) + inkAbove*l.Code.Size
		l.CodeLabel.X = min(l.Code.X+u(-2, 0.5), CardWidthMM-MarginMM-labelW)
		l.CodeLabel.Y = l.Code.Y - inkAbove*l.Code.Size - u(0.4, 1) - inkBelow*l.CodeLabel.Size
		l.Serial.MaxX = l.Code.X - u(2.5, 6)
		l.Serial.X = l.Serial.MaxX - serialW*u(0.8, 1)
		l.Serial.Y = l.Code.Y + u(-0.3, 0.3)
	} else { // the code under the serial
		l.Serial.X = l.Photo.X0 + u(-6, 2)
		l.Serial.MaxX = min(l.Serial.X+serialW, CardWidthMM-MarginMM)
		l.Serial.Y = l.Photo.Y1 + u(0.8, 2.5) + inkAbove*l.Serial.Size
		under := l.Serial.Y + inkBelowLatin*l.Serial.Size
		if rng.IntN(2) == 0 { // label beside the code
			l.CodeLabel.X = l.Serial.X + u(-1, 1)
			l.Code.X = l.CodeLabel.X + labelW + u(1, 3)
			l.Code.Y = under + u(0.8, 2) + inkAbove*l.Code.Size
			l.CodeLabel.Y = l.Code.Y
		} else { // label above the code
			l.CodeLabel.X = l.Serial.X + u(-1, 3)
			l.CodeLabel.Y = under + u(0.6, 1.2) + inkAbove*l.CodeLabel.Size
			l.Code.X = l.CodeLabel.X + u(-0.5, 4)
			l.Code.Y = l.CodeLabel.Y + inkBelow*l.CodeLabel.Size + u(0.5, 1) + inkAbove*l.Code.Size
		}
	}

	// The left block's rows.
	birthSize := read()
	birthStrs := birthWorst[d]
	birthW := func(size float64) float64 { return Text{Size: size}.box(birthStrs...).X1 }
	besideName := rng.IntN(10) < 3
	// The next design's large type leaves no room beside the name: its date
	// goes to the top right on a line of its own.
	topRight := next && besideName
	besideName = besideName && !next
	nameSize := u(3.6, 4.6)
	if next {
		nameSize = u(4.4, 5.6)
	}
	if besideName { // smaller type, so that the name keeps some room
		birthSize = u(readLo, readLo+0.5)
		nameSize -= 0.6
	}
	var rows []row
	nameRow := row{place: func(l *Layout, top float64) {}}
	{
		ns := nameSize
		fs, rs := u(2.0, 2.6), u(2.2, 3.0)
		gapF, gapR := u(0.5, 1.2), u(0.5, 1.2)
		birthDY := u(-0.4, 0.4)
		// The name's bottom allows for Latin descenders: foreign residents'
		// names are in Latin letters.
		h := (inkAbove + inkBelowLatin) * ns
		if next {
			h += (inkAbove+inkBelow)*fs + gapF + gapR + (inkAbove+inkBelowLatin)*rs
		}
		var birthX float64
		maxX := right
		if besideName {
			birthX = right - u(0, 1) - birthW(birthSize)
			h = max(h, (inkAbove+inkBelow)*birthSize+0.8)
			maxX = birthX - u(1.5, 3)
			// Long names get set smaller, but a four-character one should
			// still fit.
			if maxX-valueX < 3.6*ns {
				return l, false
			}
		}
		nameRow.height = h
		nameRow.place = func(l *Layout, top float64) {
			y := top
			if next {
				l.Furigana = Text{X: valueX + u(-0.5, 1), Y: y + inkAbove*fs, Size: fs, MaxX: maxX}
				y = l.Furigana.Y + inkBelow*fs + gapF
			}
			l.Name = Text{X: valueX, Y: y + inkAbove*ns, Size: ns, MaxX: maxX}
			l.NameLabel = Text{X: labelX, Y: l.Name.Y, Size: labelSize}
			if next {
				l.Romaji = Text{X: valueX + u(-0.5, 1), Y: l.Name.Y + inkBelowLatin*ns + gapR + inkAbove*rs, Size: rs, MaxX: maxX}
			}
			if besideName {
				l.Birth = Text{X: birthX, Y: l.Name.Y + birthDY, Size: birthSize}
			}
		}
	}
	rows = append(rows, nameRow)
	{
		as := u(2.7, 3.4)
		if next {
			as = u(3.0, 3.8)
		}
		gap := as * u(1.3, 1.6)
		rows = append(rows, row{height: gap + (inkAbove+inkBelow)*as, place: func(l *Layout, top float64) {
			l.Address = Text{X: valueX, Y: top + inkAbove*as, Size: as, MaxX: right}
			l.AddressLineGap = gap
			l.AddressLabel = Text{X: labelX, Y: l.Address.Y, Size: labelSize}
		}})
	}
	sexSize := u(2.4, 3.2)
	sexOwn := !next && (besideName || rng.IntN(2) == 0)
	if !besideName {
		bx := pickX()
		if topRight {
			bx = right - u(0, 1.5) - birthW(birthSize)
		}
		sexX := bx + birthW(birthSize) + u(2, 6)
		if !next && !sexOwn && sexX+(Text{Size: sexSize}).box(sexWorst).X1 > right {
			sexOwn = true
		}
		rows = append(rows, row{height: (inkAbove + inkBelow) * max(birthSize, sexSize), first: topRight, place: func(l *Layout, top float64) {
			l.Birth = Text{X: bx, Y: top + inkAbove*max(birthSize, sexSize), Size: birthSize}
			if !next && !sexOwn {
				l.Sex = Text{X: sexX, Y: l.Birth.Y + u(-0.3, 0.3), Size: sexSize}
			}
		}})
	}
	if sexOwn {
		sx := pickX()
		rows = append(rows, row{height: (inkAbove + inkBelow) * sexSize, place: func(l *Layout, top float64) {
			l.Sex = Text{X: sx, Y: top + inkAbove*sexSize, Size: sexSize}
		}})
	}
	{
		ex := pickX()
		es := read()
		framed := rng.IntN(2) == 0
		frame, pad := 0.0, 0.0
		if framed {
			frame, pad = u(0.15, 0.3), u(0.6, 1.2)
		}
		// A long expiry line is set smaller rather than run into the photo.
		es = min(es, (right-ex-2*pad)/emWidth(expiryWorst))
		if es < readLo-0.3 {
			return l, false
		}
		rows = append(rows, row{height: (inkAbove+inkBelow)*es + 2*pad, place: func(l *Layout, top float64) {
			l.Expiry = Text{X: ex + pad, Y: top + pad + inkAbove*es, Size: es}
			l.ExpiryFrame, l.ExpiryFramePad = frame, pad
		}})
	}

	// Shuffle the rows, the name mostly first, and spread them over the
	// height between the top margin and the bottom band.
	if rng.IntN(4) == 0 {
		rng.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
	} else {
		rest := rows[1:]
		rng.Shuffle(len(rest), func(i, j int) { rest[i], rest[j] = rest[j], rest[i] })
	}
	for i, r := range rows {
		if r.first {
			copy(rows[1:i+1], rows[:i])
			rows[0] = r
		}
	}
	top := u(MarginMM+0.3, 4.5)
	bottom := bandTop - u(0.8, 2)
	total := 0.0
	for _, r := range rows {
		total += r.height
	}
	const minGap = 0.9
	slack := bottom - top - total - minGap*float64(len(rows)-1)
	if slack < 0 {
		return l, false
	}
	weights := make([]float64, len(rows)) // the last is the space under the block
	sum := 0.0
	for i := range weights {
		weights[i] = rng.Float64()
		sum += weights[i]
	}
	y := top
	for i, r := range rows {
		r.place(&l, y)
		y += r.height + minGap + slack*weights[i]/sum
	}
	return l, true
}
