package cardscan

import (
	"context"
	"image"
	"image/color"
	"image/draw"
	"slices"
	"testing"
)

func TestClassify(t *testing.T) {
	cases := []struct {
		text   string
		kind   lineKind
		design Design
	}{
		// An era name marks a birth date, and only today's card prints one.
		{"昭和55年 2月17日生", kindBirth, DesignCurrent},
		{"平成元年 1月 8日生", kindBirth, DesignCurrent},
		{"令和 2年 2月29日", kindBirth, DesignCurrent}, // 生 garbled: the era is enough
		{"昭和55年", kindBirth, DesignCurrent},       // half a line still says birth
		// A Gregorian date is a birth date by its 生 alone.
		{"1985年 3月 4日生", kindBirth, DesignUnknown},
		{"１９８５年 ３月 ４日生", kindBirth, DesignUnknown}, // full-width digits fold
		// まで or 有効 make the expiry; either half is enough.
		{"2035年 2月17日まで有効", kindExpiry, DesignUnknown},
		{"2035年 2月17日まで", kindExpiry, DesignUnknown},
		{"2035年 2月17日有効", kindExpiry, DesignUnknown},
		{"２０３５年１２月３１日まで有効", kindExpiry, DesignUnknown},
		// A date with neither: the certificate box's date, or a line whose
		// end was garbled. Month or day is enough with the year.
		{"2031年 3月 4日", kindDate, DesignUnknown},
		{"2031年 3月", kindDate, DesignUnknown},
		{"2031年 4日", kindDate, DesignUnknown},
		// Exactly four digits are the code, spaces and full width folded.
		{"2285", kindCode, DesignUnknown},
		{"22 85", kindCode, DesignUnknown},
		{"２２８５", kindCode, DesignUnknown},
		{"0000", kindCode, DesignUnknown},
		// Digits otherwise.
		{"123", kindDigits, DesignUnknown},
		{"12345", kindDigits, DesignUnknown},
		{"1", kindDigits, DesignUnknown},
		// Words.
		{"山田　花子", kindOther, DesignUnknown},
		{"SMITH JOHN", kindOther, DesignUnknown},
		{"東京都千代田区霞が関二丁目1番2号", kindOther, DesignUnknown},
		{"昭和17年 9月", kindDate, DesignCurrent}, // cut short: left for the halves joined
		{"年月日", kindOther, DesignUnknown},     // no digits: no date
		{"2031年", kindOther, DesignUnknown},   // a year alone is no date
		{"12月31日", kindOther, DesignUnknown},
		{"228a", kindOther, DesignUnknown},
		{"", kindOther, DesignUnknown},
		{"   ", kindOther, DesignUnknown},
		// The designs' own marks.
		{"性別 女", kindOther, DesignCurrent},
		{"性別男", kindOther, DesignCurrent},
		{"臓器提供意思", kindOther, DesignCurrent},
		{"日本国 JAPAN", kindOther, DesignNext},
		{"日本国", kindOther, DesignNext},
		{"JAPAN", kindOther, DesignNext},
	}
	for _, c := range cases {
		t.Run(c.text, func(t *testing.T) {
			in := []byte(c.text)
			kind, design := classify(in)
			if kind != c.kind || design != c.design {
				t.Errorf("classify(%q) = %v, %q; want %v, %q", c.text, kind, design, c.kind, c.design)
			}
			if string(in) != c.text {
				t.Errorf("classify changed its input to %q", in)
			}
		})
	}
}

func TestStartsWithWords(t *testing.T) {
	cases := []struct {
		text string
		want bool
	}{
		{"", false},
		{" ", false},
		{"2035年 2月17日まで有効", false},
		{" 2035年 2月17日まで有効", false},
		{"\u30002035年", false}, // an ideographic space is dropped too
		{"２０３５年", false},       // a full-width digit is a digit
		{"0", false},
		{"昭和55年 2月17日生", false},
		{"平成元年 1月 8日生", false},
		{"明治44年", false},
		{"大正元年", false},
		{"令和 2年", false},
		{"山田　花子 1985年 3月 4日生", true},
		{"氏名 個人番号 花子 昭和55年", true},
		{"SMITH JOHN 1985年", true},
		{"性別 女", true},
		{"生 1985年", true},
		{"年 5月", true},
		{"和55年", true}, // half an era name is no era
	}
	for _, c := range cases {
		if got := startsWithWords([]byte(c.text)); got != c.want {
			t.Errorf("startsWithWords(%q) = %v, want %v", c.text, got, c.want)
		}
	}
}

func TestDigitsOfAndWithin(t *testing.T) {
	run := func(s string) digitRun { return digitsOf([]byte(s)) }
	// Values 0-9, never ASCII: a run must not hold 照合番号B's bytes.
	values := func(s string) string {
		b := []byte(s)
		for i := range b {
			b[i] -= '0'
		}
		return string(b)
	}
	if r := run("２０３５年 2月17日まで有効"); string(r.d[:r.n]) != values("2035217") {
		t.Errorf("digitsOf = %v, want 2035217", r.d[:r.n])
	}
	if r := run("12345678901234567890"); r.n != 16 || string(r.d[:r.n]) != values("1234567890123456") {
		t.Errorf("digitsOf keeps %d digits %v, want the first 16", r.n, r.d[:r.n])
	}
	if r := run("まで有効"); r.n != 0 {
		t.Errorf("digitsOf(words) = %q", r.d[:r.n])
	}
	cases := []struct {
		r, o string
		want bool
	}{
		{"3日", "36日", true}, // one digit more at the end
		{"2035年3月3日", "2035年3月30日", true},
		{"3", "13", true},     // ... or at the start
		{"124", "1234", true}, // ... or between
		{"3", "3", false},     // the same digits are not more
		{"33", "3", false},    // fewer
		{"21", "123", false},  // the order counts
		{"35", "3", false},
		{"9", "1234", false}, // a digit o lacks
		{"", "1", true},      // nothing is within anything longer
		{"", "", false},
		{"1234567890123456", "1234567890123456", false},
	}
	for _, c := range cases {
		if got := run(c.r).within(run(c.o)); got != c.want {
			t.Errorf("%q within %q = %v, want %v", c.r, c.o, got, c.want)
		}
	}
}

// expiryReading is what one rendition of an expiry line would keep for text.
func expiryReading(text string) reading[Expiry] {
	v, err := ParseExpiry([]byte(text))
	return reading[Expiry]{v, 0.95, "jpn", err, text != "", digitsOf([]byte(text)), digitSpans{}}
}

func TestDroppedDigitDoubt(t *testing.T) {
	const (
		won    = "2035年 3月 3日まで有効"
		longer = "2035年 3月36日まで有効" // 36日 does not exist: a parse error
		valid  = "2035年 3月13日まで有効" // 13日 does: a rival value
	)
	want := Expiry{2035, 3, 3}
	cases := []struct {
		name  string
		texts []string
		doubt bool
	}{
		{"unanimous", []string{won, won}, false},
		{"two against an invalid longer", []string{won, won, longer}, true},
		{"two against a valid longer", []string{won, valid, won}, true},
		{"three against one longer", []string{won, longer, won, won}, false},
		{"five against two longer", []string{won, longer, won, won, valid, won, won}, true},
		{"six against two longer", []string{won, longer, won, won, valid, won, won, won}, false},
		// A reading with other digits altogether is no dropped digit.
		{"other digits", []string{won, won, "2036年 4月 4日まで有効"}, false},
		{"garbled text without digits", []string{won, won, "まで有効"}, false},
		{"no text", []string{won, won, ""}, false},
		// No reading agrees with the value: nothing to doubt it by, but
		// every longer reading counts.
		{"no agreeing reading", []string{longer}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var read []reading[Expiry]
			for _, s := range c.texts {
				read = append(read, expiryReading(s))
			}
			if got := droppedDigitDoubt(read, want); got != c.doubt {
				t.Errorf("droppedDigitDoubt(%q) = %v, want %v", c.texts, got, c.doubt)
			}
		})
	}
	// A reading the engine returned no text for counts for nothing, even
	// with digits somehow attached.
	read := []reading[Expiry]{expiryReading(won), expiryReading(won), expiryReading(longer)}
	read[2].text = false
	if droppedDigitDoubt(read, want) {
		t.Error("a reading without text raised doubt")
	}
}

// blobsOf labels rects (in order, ids from 1) on a w x h ink label array.
func blobsOf(w, h int, rects ...image.Rectangle) inkBlobs {
	c := inkBlobs{label: make([]int32, w*h), w: w, h: h}
	for i, r := range rects {
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				c.label[y*w+x] = int32(i + 1)
			}
		}
		c.boxes = append(c.boxes, inkBlob{r, r.Dx() * r.Dy()})
	}
	return c
}

func TestInkSegmentsAndWordStarts(t *testing.T) {
	line := image.Rect(10, 10, 190, 30) // 20 px tall: bridges gaps under 4 px, splits from 9 px
	glyphs := []image.Rectangle{
		image.Rect(10, 10, 20, 30),
		image.Rect(22, 12, 32, 28),   // 2 px after the first: the same segment
		image.Rect(45, 10, 55, 30),   // 13 px gap: a word starts
		image.Rect(60, 11, 70, 29),   // 5 px: a new segment, but not a word
		image.Rect(100, 10, 110, 30), // 30 px: the widest gap
		image.Rect(40, 0, 150, 8),    // ink above the line is not the line's
		image.Rect(115, 24, 121, 30), // 5 px, and a third as tall: a small word
	}
	c := blobsOf(200, 40, glyphs...)
	want := []inkSegment{{10, 32, 10, 30}, {45, 55, 10, 30}, {60, 70, 11, 29}, {100, 110, 10, 30}, {115, 121, 24, 30}}
	if got := inkSegments(c, line); !slices.Equal(got, want) {
		t.Errorf("inkSegments = %v\nwant %v", got, want)
	}
	// The change of height comes first, then the widest gaps (the 5 px gap
	// is within a word).
	if got := wordStarts(c, line); !slices.Equal(got, []int{115, 100, 45}) {
		t.Errorf("wordStarts = %v, want [115 100 45]", got)
	}

	// Without the small word: the widest gap first, then the next.
	c = blobsOf(200, 40, glyphs[:6]...)
	if got := wordStarts(c, image.Rect(10, 10, 110, 30)); !slices.Equal(got, []int{100, 45}) {
		t.Errorf("wordStarts = %v, want [100 45]", got)
	}
	// Evenly spaced glyphs are one word.
	even := blobsOf(200, 40, image.Rect(10, 10, 20, 30), image.Rect(25, 10, 35, 30), image.Rect(40, 10, 50, 30))
	if segs := inkSegments(even, image.Rect(10, 10, 50, 30)); len(segs) != 3 {
		t.Errorf("inkSegments = %v, want three segments", segs)
	}
	if got := wordStarts(even, image.Rect(10, 10, 50, 30)); len(got) != 0 {
		t.Errorf("wordStarts = %v, want none", got)
	}
	// An empty line has no segments and no words.
	empty := blobsOf(200, 40)
	if segs, starts := inkSegments(empty, line), wordStarts(empty, line); len(segs) != 0 || len(starts) != 0 {
		t.Errorf("empty line: %v %v", segs, starts)
	}
	// A one-glyph line.
	one := blobsOf(200, 40, image.Rect(50, 10, 60, 30))
	if segs, starts := inkSegments(one, line), wordStarts(one, line); !slices.Equal(segs, []inkSegment{{50, 60, 10, 30}}) || len(starts) != 0 {
		t.Errorf("one glyph: %v %v", segs, starts)
	}
}

// px converts millimetres to canonical card pixels.
func px(mm float64) int { return int(mm * canonPxPerMM) }

// synthLine is a row of glyph-sized blocks standing for a text line.
type synthLine struct {
	x0, y0 float64 // mm, top-left of the first glyph
	glyphs int
	gapAt  int     // a wide gap before glyph gapAt (0: none)
	gapMM  float64 // its width
}

const (
	synthGlyphW, synthGlyphH, synthPitch = 2.0, 3.0, 2.6 // mm
	synthPaper, synthPhoto               = 235, 80
)

func drawSyntheticLine(card *image.Gray, l synthLine, c color.Gray) (image.Rectangle, []image.Rectangle) {
	var r image.Rectangle
	var glyphs []image.Rectangle
	x := l.x0
	for i := 0; i < l.glyphs; i++ {
		if i == l.gapAt && i > 0 {
			x += l.gapMM
		}
		g := image.Rect(px(x), px(l.y0), px(x+synthGlyphW), px(l.y0+synthGlyphH))
		draw.Draw(card, g, image.NewUniform(c), image.Point{}, draw.Src)
		r = r.Union(g)
		glyphs = append(glyphs, g)
		x += synthPitch
	}
	return r, glyphs
}

func TestFindPrintOnASyntheticCard(t *testing.T) {
	card := image.NewGray(image.Rect(0, 0, canonW, canonH))
	draw.Draw(card, card.Rect, image.NewUniform(color.Gray{synthPaper}), image.Point{}, draw.Src)
	photo := image.Rect(px(58.5), px(5), px(81.5), px(34))
	draw.Draw(card, photo, image.NewUniform(color.Gray{synthPhoto}), image.Point{}, draw.Src)
	black := color.Gray{0}

	name, _ := drawSyntheticLine(card, synthLine{x0: 10, y0: 5, glyphs: 5}, black)
	// A date printed close beside the name: one line (the gap is narrower
	// than the line is tall), with a word start after the wide gap.
	besideRect, besideGlyphs := drawSyntheticLine(card, synthLine{x0: 3, y0: 12, glyphs: 12, gapAt: 4, gapMM: 1.5}, black)
	birth, _ := drawSyntheticLine(card, synthLine{x0: 10, y0: 23.5, glyphs: 12}, black)
	expiry, _ := drawSyntheticLine(card, synthLine{x0: 3.5, y0: 31.5, glyphs: 14}, black)
	// A boxed line: a thin outline 1.5 mm round its glyphs.
	boxed, _ := drawSyntheticLine(card, synthLine{x0: 5, y0: 41, glyphs: 6}, black)
	frame := boxed.Inset(-px(1.5))
	stroke := px(0.25)
	var outline []image.Rectangle
	for _, s := range []image.Rectangle{
		{frame.Min, image.Pt(frame.Max.X, frame.Min.Y+stroke)},
		{image.Pt(frame.Min.X, frame.Max.Y-stroke), frame.Max},
		{frame.Min, image.Pt(frame.Min.X+stroke, frame.Max.Y)},
		{image.Pt(frame.Max.X-stroke, frame.Min.Y), frame.Max},
	} {
		draw.Draw(card, s, image.NewUniform(black), image.Point{}, draw.Src)
		outline = append(outline, s)
	}
	// A code under the photo, and a row of glyphs inside the photo (its
	// print, or a pattern on the portrait) that is no text line.
	code, _ := drawSyntheticLine(card, synthLine{x0: 72.5, y0: 39.5, glyphs: 4}, black)
	drawSyntheticLine(card, synthLine{x0: 61, y0: 20, glyphs: 6}, black)

	p := findPrint(card)

	// The photo is found to its cell grid (1 mm).
	tol := px(gridMM) + 1
	for _, d := range []int{p.photo.Min.X - photo.Min.X, p.photo.Min.Y - photo.Min.Y, p.photo.Max.X - photo.Max.X, p.photo.Max.Y - photo.Max.Y} {
		if d < -tol || d > tol {
			t.Errorf("photo %v, drawn at %v", p.photo, photo)
			break
		}
	}
	// Every drawn line is found exactly, and nothing else.
	want := []image.Rectangle{name, besideRect, birth, expiry, boxed, code}
	got := slices.Clone(p.lines)
	key := func(a, b image.Rectangle) int {
		if a.Min.Y != b.Min.Y {
			return a.Min.Y - b.Min.Y
		}
		return a.Min.X - b.Min.X
	}
	slices.SortFunc(got, key)
	slices.SortFunc(want, key)
	if !slices.Equal(got, want) {
		t.Errorf("lines\n got %v\nwant %v", got, want)
	}
	for _, l := range p.lines {
		if center(l).In(photo) {
			t.Errorf("line %v reported inside the photo", l)
		}
	}
	if len(p.splits) != len(p.lines) {
		t.Fatalf("%d split lists for %d lines", len(p.splits), len(p.lines))
	}
	for i, l := range p.lines {
		var wantSplits []int
		if l == besideRect {
			wantSplits = []int{besideGlyphs[4].Min.X}
		}
		if !slices.Equal(p.splits[i], wantSplits) {
			t.Errorf("line %v splits %v, want %v", l, p.splits[i], wantSplits)
		}
	}
	// The outline is painted in the paper's shade, the glyphs it held are not.
	for _, s := range outline {
		for y := s.Min.Y; y < s.Max.Y; y++ {
			for x := s.Min.X; x < s.Max.X; x++ {
				if v := card.GrayAt(x, y).Y; v != synthPaper {
					t.Fatalf("outline pixel %d,%d is %d after findPrint, want the paper's %d", x, y, v, synthPaper)
				}
			}
		}
	}
	for y := boxed.Min.Y; y < boxed.Max.Y; y++ {
		for x := boxed.Min.X; x < boxed.Max.X; x++ {
			if v := card.GrayAt(x, y).Y; v != 0 && v != synthPaper {
				t.Fatalf("boxed line pixel %d,%d changed to %d", x, y, v)
			}
		}
	}
	if v := card.GrayAt(boxed.Min.X, boxed.Min.Y).Y; v != 0 {
		t.Errorf("the boxed line's first glyph was erased (%d)", v)
	}
}

// A card with no photo and a single rule: the rule is erased, and no line
// or photo is made up.
func TestFindPrintRuleOnly(t *testing.T) {
	card := image.NewGray(image.Rect(0, 0, canonW, canonH))
	draw.Draw(card, card.Rect, image.NewUniform(color.Gray{synthPaper}), image.Point{}, draw.Src)
	rule := image.Rect(px(5), px(30), px(50), px(30.4))
	draw.Draw(card, rule, image.NewUniform(color.Gray{0}), image.Point{}, draw.Src)
	p := findPrint(card)
	if !p.photo.Empty() || len(p.lines) != 0 {
		t.Errorf("photo %v lines %v on a card with one rule", p.photo, p.lines)
	}
	if v := card.GrayAt(rule.Min.X+px(10), rule.Min.Y).Y; v != synthPaper {
		t.Errorf("rule pixel %d after findPrint, want the paper's %d", v, synthPaper)
	}
}

func FuzzClassify(f *testing.F) {
	for _, s := range []string{
		"昭和55年 2月17日生", "1985年 3月 4日生", "2035年 2月17日まで有効", "2031年 3月 4日",
		"2285", "123", "性別 女", "日本国 JAPAN", "山田　花子 1985年 3月 4日生", "", "\xff\xfe年",
		"２０３５年１２月３１日まで有効", "令和", "|2035年",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		in := string(text)
		kind, design := classify(text)
		words := startsWithWords(text)
		if string(text) != in {
			t.Fatalf("input changed to %q", text)
		}
		if kind < kindOther || kind > kindDigits {
			t.Fatalf("kind %d", kind)
		}
		if design != DesignUnknown && design != DesignCurrent && design != DesignNext {
			t.Fatalf("design %q", design)
		}
		norm := normalize(text)
		switch kind {
		case kindCode:
			if _, err := ParseSecurityCode(text); err != nil {
				t.Fatalf("kindCode for %q, which does not parse: %v", text, err)
			}
		case kindDigits:
			for _, c := range norm {
				if c < '0' || c > '9' {
					t.Fatalf("kindDigits for %q", text)
				}
			}
		}
		// Whatever parses as a date is classified as a date of some kind.
		_, berr := ParseBirth(text)
		_, eerr := ParseExpiry(text)
		if (berr == nil || eerr == nil) && kind != kindBirth && kind != kindExpiry && kind != kindDate {
			t.Fatalf("date %q classified %v", text, kind)
		}
		if len(norm) > 0 && norm[0] >= '0' && norm[0] <= '9' && words {
			t.Fatalf("%q starts with a digit but with words", text)
		}
		if len(norm) == 0 && words {
			t.Fatalf("%q: nothing, but words", text)
		}
	})
}

// inkedOCR answers crops holding ink from texts, in order (then nothing),
// and blank crops (the fixed box on a blank card) with nothing.
type inkedOCR struct {
	texts []string
	calls int
}

func (o *inkedOCR) Recognize(_ context.Context, req OCRRequest) (OCRResult, error) {
	if !slices.ContainsFunc(req.Image.Pix, func(p uint8) bool { return p < 128 }) {
		return OCRResult{}, nil
	}
	o.calls++
	if len(o.texts) == 0 {
		return OCRResult{}, nil
	}
	text := o.texts[0]
	o.texts = o.texts[1:]
	return OCRResult{Text: []byte(text), Confidence: 0.99}, nil
}

func TestFindCodeTriesLargerRenditionsOnlyWhenNothingReadAsDigits(t *testing.T) {
	for _, c := range []struct {
		name  string
		texts []string
		reads int    // renditions read of the candidate
		want  string // the code reading that found it, "" for none
	}{
		// Seed 218 of the random-layout bench: 「1157」 read as 「US」, then nothing.
		{"found at the third rendition", []string{"US", "", "1157"}, 3, "1157"},
		{"found at once", []string{"1157"}, 1, "1157"},
		// Digits read short go to the vote after the first two, as before.
		{"digits read short", []string{"115", ""}, 2, ""},
		{"never found", nil, 4, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			card := image.NewGray(image.Rect(0, 0, canonW, canonH))
			for i := range card.Pix {
				card.Pix[i] = 255
			}
			crop := image.NewGray(image.Rect(0, 0, 80, 34))
			crop.Pix[crop.PixOffset(40, 17)] = 0
			cand := &candidate{rect: image.Rect(740, 394, 814, 421), crop: crop, inkPx: codeInkPx}
			o := &inkedOCR{texts: c.texts}
			got, err := New(o).findCode(context.Background(), card, []*candidate{cand}, &candidate{box: &CodeRect, inkPx: codeInkPx}, func() []*candidate { return nil }, &fieldLines{})
			if o.calls != c.reads {
				t.Errorf("%d renditions read, want %d", o.calls, c.reads)
			}
			switch {
			case c.name == "never found":
				if FieldOf(err) != FieldSecurityCode || got != nil {
					t.Fatalf("found %v, %v; want the code refused", got, err)
				}
			case err != nil || got != cand:
				t.Fatalf("found %v, %v; want the candidate", got, err)
			case c.want != "":
				last := got.code[len(got.code)-1]
				if last.err != nil || string(last.value[:]) != c.want {
					t.Errorf("code %s %v, want %s", last.value[:], last.err, c.want)
				}
			}
		})
	}
}

// eng's digit whitelist read the code's label 「ィコード」 as 「43」 once; the
// code beside it read as digits in both engines' small renditions. The
// code goes to the vote, not the label.
func TestDigitsReadPrefersTheLineReadAsDigitsMoreOften(t *testing.T) {
	label := &candidate{kinds: []lineKind{kindOther, kindDigits}}
	code := &candidate{kinds: []lineKind{kindDigits, kindDigits}}
	other := &candidate{kinds: []lineKind{kindOther, kindOther}}
	if got := digitsRead([]*candidate{label, code, other}); got != code {
		t.Errorf("digitsRead chose %+v, want the line read as digits twice", got.kinds)
	}
	if got := digitsRead([]*candidate{label, other}); got != label {
		t.Errorf("digitsRead chose %v, want the only line read as digits", got)
	}
	if got := digitsRead([]*candidate{other}); got != nil {
		t.Errorf("digitsRead chose %+v, want none", got.kinds)
	}
}

// A birth line whose 生 glare garbled ends in 日 and one other kanji; an
// expiry's words, a date with nothing after it, or 生 itself do not.
func TestEndsInGarbledBirthMark(t *testing.T) {
	for text, want := range map[string]bool{
		"1977年 3月17日活": true,
		"1977年3月17日邊|": true,
		"1977年 3月17日生": false,
		"2030年 2月17日":  false,
		"2030年 2月17日有": false,
		"2030年 2月17日効": false,
		"2030年 2月17日a": false,
		"1977年 3月17活":  false,
		"":             false,
	} {
		if got := endsInGarbledBirthMark([]byte(text)); got != want {
			t.Errorf("endsInGarbledBirthMark(%q) = %v, want %v", text, got, want)
		}
	}
}

// Today's code box is no place to look when a found line runs through one
// of its sides: it then holds a piece of that line.
func TestCutsALine(t *testing.T) {
	box := image.Rect(706, 382, 846, 444)
	for _, c := range []struct {
		name  string
		lines []image.Rectangle
		want  bool
	}{
		{"a serial running in from the left", []image.Rectangle{image.Rect(568, 388, 757, 404)}, true},
		{"a line running out to the right", []image.Rectangle{image.Rect(800, 390, 900, 410)}, true},
		{"the code inside the box", []image.Rectangle{image.Rect(729, 400, 809, 430)}, false},
		{"lines elsewhere", []image.Rectangle{image.Rect(100, 100, 800, 130)}, false},
	} {
		if got := cutsALine(box, c.lines); got != c.want {
			t.Errorf("%s: cutsALine = %v, want %v", c.name, got, c.want)
		}
	}
}

// A line jpn read as words with no digit, surely, is no code whatever eng's
// digit whitelist made of it; a garbled reading with a digit, or an unsure
// one, keeps it in the running.
func TestSurelyWords(t *testing.T) {
	for _, c := range []struct {
		name string
		read reading[[4]byte]
		want bool
	}{
		{"furigana at 0.99", reading[[4]byte]{conf: 0.99, lang: "jpn", text: true}, true},
		{"eng's whitelist", reading[[4]byte]{conf: 0.99, lang: "eng", text: true}, false},
		{"a digit in it", reading[[4]byte]{conf: 0.99, lang: "jpn", text: true, digits: digitsOf([]byte("iaが7"))}, false},
		{"unsure", reading[[4]byte]{conf: 0.84, lang: "jpn", text: true}, false},
		{"nothing read", reading[[4]byte]{conf: 0.99, lang: "jpn"}, false},
	} {
		cand := &candidate{code: []reading[[4]byte]{c.read}}
		if got := cand.surelyWords(); got != c.want {
			t.Errorf("%s: surelyWords = %v, want %v", c.name, got, c.want)
		}
	}
}

// A photo's edge the photo search missed (its pale background) joined a
// large expiry line into a band too tall for text (seed 613): the line is
// regrouped without the part taller than its glyphs.
func TestGroupLinesDropsATallEdgeFromALine(t *testing.T) {
	var blobs []inkBlob
	for x := 44; x < 540; x += 42 {
		blobs = append(blobs, inkBlob{image.Rect(x, 43, x+38, 82), 500})
	}
	edge := inkBlob{image.Rect(575, 62, 591, 120), 311}
	lines := groupLines(append(blobs, edge), image.Rect(610, 90, 760, 260))
	want := image.Rect(44, 43, 544, 82)
	if !slices.Contains(lines, want) {
		t.Errorf("lines %v, want %v among them", lines, want)
	}
	// A line of one size of type stays whole.
	if lines := groupLines(blobs, image.Rect(610, 90, 760, 260)); !slices.Equal(lines, []image.Rectangle{want}) {
		t.Errorf("lines %v, want [%v]", lines, want)
	}
}
