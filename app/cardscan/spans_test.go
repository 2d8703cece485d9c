package cardscan

import (
	"context"
	"errors"
	"image"
	"slices"
	"sync"
	"testing"
	"unicode/utf8"
)

// takaoLine draws 「昭和30年10月30日生」 as blocks the way the crop shows it
// in TakaoGothic: the era's kanji each in two narrow parts, digits narrow
// and shorter than the kanji, 年 月 生 solid, 日 a frame whose thin bars are
// fainter than the ink level. glyphs are each symbol's ink, in order.
func takaoLine() (*image.Gray, []image.Rectangle) {
	g := image.NewGray(image.Rect(0, 0, 304, 50))
	for i := range g.Pix {
		g.Pix[i] = 255
	}
	fill := func(x0, y0, x1, y1 int, v uint8) {
		for y := y0; y < y1; y++ {
			for x := x0; x < x1; x++ {
				g.Pix[y*g.Stride+x] = v
			}
		}
	}
	kanji := func(x0, x1 int) image.Rectangle { fill(x0, 8, x1, 42, 0); return image.Rect(x0, 8, x1, 42) }
	digit := func(x0, x1 int) image.Rectangle { fill(x0, 13, x1, 40, 0); return image.Rect(x0, 13, x1, 40) }
	// 昭 and 和 in two parts each.
	fill(4, 8, 16, 30, 0)
	fill(18, 8, 34, 42, 0)
	fill(38, 8, 52, 42, 0)
	fill(54, 20, 68, 40, 0)
	glyphs := []image.Rectangle{image.Rect(4, 8, 34, 42), image.Rect(38, 8, 68, 42),
		digit(74, 86), digit(90, 102), kanji(108, 138), digit(146, 152), digit(160, 172), kanji(178, 204),
		digit(212, 224), digit(228, 240)}
	// 日: two strokes joined by faint bars.
	fill(246, 8, 250, 42, 0)
	fill(266, 8, 270, 42, 0)
	for _, y := range []int{8, 24, 40} {
		fill(250, y, 266, y+2, 150)
	}
	glyphs = append(glyphs, image.Rect(246, 8, 270, 42), kanji(274, 298))
	return g, glyphs
}

// looseBoxes are Tesseract-like boxes for the glyphs, in a rendition of the
// same width with the white margin: 年's box reaches over the 1 after it,
// and both of 「10」's boxes sit on the 0, as measured on a real card.
func looseBoxes(glyphs []image.Rectangle) []image.Rectangle {
	boxes := make([]image.Rectangle, len(glyphs))
	for i, g := range glyphs {
		boxes[i] = g.Add(image.Pt(borderPx, borderPx))
	}
	boxes[4].Max.X = glyphs[5].Max.X + 6 + borderPx
	boxes[5] = image.Rect(158+borderPx, boxes[5].Min.Y, 168+borderPx, boxes[5].Max.Y)
	return boxes
}

const takaoMisread = "昭和30年19月30日生" // 19月 cannot be: every rendition read it

func TestSpansOfFindsDigitRunsBetweenTheKanjisInk(t *testing.T) {
	crop, glyphs := takaoLine()
	res := OCRResult{Text: []byte(takaoMisread), Boxes: looseBoxes(glyphs)}
	s := spansOf(res, crop, crop.Rect.Dx())
	want := [][2]int{{71, 105}, {142, 175}, {208, 243}}
	if !slices.Equal(s.x, want) {
		t.Errorf("spans %v, want %v", s.x, want)
	}
	if got, want := string(s.skeleton), "昭和\xff年\xff月\xff日生"; got != want {
		t.Errorf("skeleton %q, want %q", got, want)
	}
	// The rendition read was scaled: the boxes map back to the crop.
	scaled := OCRResult{Text: res.Text, Boxes: slices.Clone(res.Boxes)}
	for i, b := range scaled.Boxes {
		b = b.Sub(image.Pt(borderPx, borderPx))
		scaled.Boxes[i] = image.Rect(2*b.Min.X, b.Min.Y, 2*b.Max.X, b.Max.Y).Add(image.Pt(borderPx, borderPx))
	}
	if s := spansOf(scaled, crop, 2*crop.Rect.Dx()); !slices.Equal(s.x, want) {
		t.Errorf("spans of a rendition twice as wide %v, want %v", s.x, want)
	}
}

func TestSpansOfFindsNoneWithoutBoxesOrDigits(t *testing.T) {
	crop, glyphs := takaoLine()
	boxes := looseBoxes(glyphs)
	for name, res := range map[string]OCRResult{
		"no boxes":          {Text: []byte(takaoMisread)},
		"a box short":       {Text: []byte(takaoMisread), Boxes: boxes[1:]},
		"no digits":         {Text: []byte("昭和年月日生"), Boxes: boxes[:6]},
		"no text":           {},
		"boxes out of step": {Text: []byte(takaoMisread), Boxes: slices.Concat(boxes[6:], boxes[:6])},
	} {
		if s := spansOf(res, crop, crop.Rect.Dx()); len(s.x) != 0 || s.skeleton != nil {
			t.Errorf("%s: spans %v %q, want none", name, s.x, s.skeleton)
		}
	}
}

// spanOCR answers the spans' readings in order, by engine: jpn's next,
// then eng's. Anything else is an error: every full-line reading is seeded.
type spanOCR struct {
	mu  sync.Mutex
	jpn []string
	eng []string
}

func (s *spanOCR) Recognize(_ context.Context, req OCRRequest) (OCRResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := &s.jpn
	if req.Lang == "eng" {
		q = &s.eng
		if req.Whitelist != digits {
			return OCRResult{}, errors.New("eng read a span without the digit whitelist")
		}
	}
	if len(*q) == 0 {
		return OCRResult{}, nil
	}
	text := (*q)[0]
	*q = (*q)[1:]
	return OCRResult{Text: []byte(text), Confidence: 0.99}, nil
}

// takaoBirthLine is a birth line whose twelve renditions were all read as
// texts[i % len(texts)], with the boxes of takaoLine.
func takaoBirthLine(texts ...string) *textLine[Birth] {
	crop, glyphs := takaoLine()
	l := &textLine[Birth]{spec: birthSpec, parse: ParseBirth, crop: crop}
	for i := range birthSpec.variants {
		text := []byte(texts[i%len(texts)])
		res := OCRResult{Text: text, Confidence: 0.95}
		if utf8.RuneCount(text) == len(glyphs) {
			res.Boxes = looseBoxes(glyphs)
		}
		v, err := ParseBirth(text)
		l.read = append(l.read, reading[Birth]{v, 0.95, "jpn", err, true, digitsOf(text), spansOf(res, crop, crop.Rect.Dx())})
	}
	return l
}

func TestSpanVoteReadsTheDigitsAlone(t *testing.T) {
	ok := func(s ...string) []string { return s }
	cases := []struct {
		name     string
		texts    []string
		jpn, eng []string
		want     string // YYMMDD, "" when refused
	}{
		{"both engines read 10 alone", ok(takaoMisread),
			ok("30", "10", "30"), ok("30", "10", "30"), "301030"},
		{"a 19 read as 1 or 19 elsewhere", ok(takaoMisread, "昭和30年1月30日生"),
			ok("30", "10", "30"), ok("30", "10", "30"), "301030"},
		{"the engines disagree at every scale", ok(takaoMisread),
			ok("30", "10", "10", "10"), ok("30", "19", "19", "19"), ""},
		{"agreement at the second scale", ok(takaoMisread),
			ok("30", "9", "10", "30"), ok("30", "10", "10", "30"), "301030"},
		{"a span with a kanji in it", ok(takaoMisread),
			ok("30", "10月", "10月", "10月"), ok("30", "10", "10", "10"), ""},
		// 11 is no blind-spot slip of 19: no rendition saw it.
		{"a value no rendition saw", ok(takaoMisread),
			ok("30", "11", "30"), ok("30", "11", "30"), ""},
		// A reading with one more digit (「300年」) doubts the span value
		// until three span readings outvote it; six such readings do not.
		{"one longer reading, outvoted", append(slices.Repeat(ok(takaoMisread), 11), "昭和300年19月30日生"),
			ok("30", "10", "30"), ok("30", "10", "30"), "301030"},
		{"longer readings in every other rendition", ok(takaoMisread, "昭和300年19月30日生"),
			ok("30", "10", "30"), ok("30", "10", "30"), ""},
		// A Tesseract without boxes leaves the line refused as before.
		{"no boxes", ok("昭和30年19月30日 生"), nil, nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l := takaoBirthLine(c.texts...)
			defer l.close()
			b, _, err := vote(context.Background(), &spanOCR{jpn: c.jpn, eng: c.eng}, l, 0, nil, nil)
			if c.want == "" {
				if err == nil {
					t.Fatalf("read %v, want a refusal", b)
				}
				if FieldOf(err) != FieldBirth {
					t.Errorf("refusal %v names no birth date", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if got := b.YYMMDD(); string(got[:]) != c.want {
				t.Errorf("YYMMDD %s, want %s", got, c.want)
			}
		})
	}
}

// A span winner must still pass the line's check, like any winner.
func TestSpanVoteWinnerMustPassTheCheck(t *testing.T) {
	l := takaoBirthLine(takaoMisread)
	defer l.close()
	o := &spanOCR{jpn: []string{"30", "10", "30"}, eng: []string{"30", "10", "30"}}
	veto := func(Birth) error { return &FieldError{FieldBirth, ErrDateInvalid} }
	if _, _, err := vote(context.Background(), o, l, 0, veto, nil); !errors.Is(err, ErrDateInvalid) {
		t.Fatalf("err = %v, want the check's refusal", err)
	}
}

// Measured on a bench card (random layout, seed 320): 成's box lay on 月,
// so the nearest kanji box of 月's ink was 成's and the owners went
// backwards. Six kanji stretches for six kanji: one each, in order, 成's
// ink to 成 and 月's to 月.
func TestAnchorKanjiKeepsOrderPastAWildBox(t *testing.T) {
	runes := []rune("平成29年19月19日生")
	centres := []float64{31, 158, 76, 91, 114, 131, 144, 164, 180, 198, 226, 249}
	ink := []inkStretch{{4, 30, true}, {32, 58, true}, {61, 72, false}, {75, 86, false}, {90, 115, true},
		{119, 125, false}, {132, 143, false}, {148, 167, true}, {176, 182, false}, {188, 200, false},
		{206, 225, true}, {232, 255, true}}
	got := anchorKanji(ink, runes, func(i int) float64 { return centres[i] })
	want := []int{0, 1, -1, -1, 4, -1, -1, 7, -1, -1, 10, 11}
	if !slices.Equal(got, want) {
		t.Errorf("anchors %v, want %v", got, want)
	}
	// With 日's strokes apart (a seventh stretch), the least sum decides,
	// still in order: 成's ink goes to 平 (harmless, the year's digits still
	// begin after it).
	split := append(slices.Clone(ink[:10]), inkStretch{206, 214, true}, inkStretch{216, 225, true}, ink[11])
	got = anchorKanji(split, runes, func(i int) float64 { return centres[i] })
	if want := []int{0, 0, -1, -1, 4, -1, -1, 7, -1, -1, 10, 10, 11}; !slices.Equal(got, want) {
		t.Errorf("anchors with 日 in two %v, want %v", got, want)
	}
}

// TakaoGothic, seed 19068 (平成20年4月7日生): Tesseract's box for 平 covered
// 平成 and 成's lay on the 2, so the least sum gave 平 both kanji and 成
// the 2, and the year's span held the 0 alone. One stretch per kanji, in
// order, leaves the 2 to the year.
func TestAnchorKanjiOnePerSymbol(t *testing.T) {
	runes := []rune("平成20年4月7日生")
	centres := []float64{34, 72, 82, 89, 119, 138, 170, 208, 244, 272}
	ink := []inkStretch{{4, 33, true}, {36, 64, true}, {67, 80, false}, {83, 95, false}, {99, 127, true},
		{145, 159, false}, {164, 185, true}, {208, 221, false}, {228, 248, true}, {256, 283, true}}
	got := anchorKanji(ink, runes, func(i int) float64 { return centres[i] })
	if want := []int{0, 1, -1, -1, 4, -1, 6, -1, 8, 9}; !slices.Equal(got, want) {
		t.Errorf("anchors %v, want %v", got, want)
	}
}

// A date winner is doubted by a reading that differs from it only by
// jpn's slips inside a date: TakaoGothic's 0 read as 9 or as 6.
func TestBlindSpotDoubtInADate(t *testing.T) {
	birth := func(text string) reading[Birth] {
		v, err := ParseBirth([]byte(text))
		return reading[Birth]{v, 0.95, "jpn", err, true, digitsOf([]byte(text)), digitSpans{}}
	}
	won := "平成31年 4月26日生"
	want, _ := ParseBirth([]byte(won))
	for _, c := range []struct {
		other string
		doubt bool
	}{
		{"平成31年 4月20日生", true},  // the winner's 6 may be jpn's 0
		{"平成31年 4月29日生", false}, // a 9 is no misread 6
		{"平成31年 4月28日生", true},  // jpn reads 8 as 6 too
		{"平成31年 4月21日生", false},
		{won, false},
	} {
		read := []reading[Birth]{birth(won), birth(won), birth(won), birth(c.other)}
		if got := blindSpotDoubt(read, want); got != c.doubt {
			t.Errorf("%s against %s: doubt %v, want %v", won, c.other, got, c.doubt)
		}
	}
}

// labelledCode draws a code crop that caught its label's last character:
// ド as one kanji-wide block, then four narrow digits. glyphs are each
// symbol's ink, in order.
func labelledCode() (*image.Gray, []image.Rectangle) {
	g := image.NewGray(image.Rect(0, 0, 112, 50))
	for i := range g.Pix {
		g.Pix[i] = 255
	}
	var glyphs []image.Rectangle
	for _, r := range []image.Rectangle{image.Rect(4, 8, 34, 42), image.Rect(44, 13, 56, 40),
		image.Rect(60, 13, 72, 40), image.Rect(76, 13, 88, 40), image.Rect(92, 13, 104, 40)} {
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				g.Pix[y*g.Stride+x] = 0
			}
		}
		glyphs = append(glyphs, r)
	}
	return g, glyphs
}

// labelledCodeLine is a code line whose renditions jpn read as jpnText at
// 0.92 (with one box per symbol; below the code's floor, so neither the
// vote nor the rescue accepts the renditions and the digit runs decide;
// on seed 964 of the random-layout bench jpn's weakest was 0.94) and eng
// as engText at 0.4: eng reads the label's ink with no confidence.
func labelledCodeLine(jpnText, engText string) *textLine[[4]byte] {
	crop, glyphs := labelledCode()
	l := &textLine[[4]byte]{spec: codeSpec, parse: ParseSecurityCode, crop: crop}
	for _, v := range codeSpec.variants {
		res := OCRResult{Text: []byte(jpnText), Confidence: 0.92}
		if v.lang == "eng" {
			res = OCRResult{Text: []byte(engText), Confidence: 0.4}
		}
		if utf8.RuneCount(res.Text) == len(glyphs) {
			for _, g := range glyphs {
				res.Boxes = append(res.Boxes, g.Add(image.Pt(borderPx, borderPx)))
			}
		}
		val, err := ParseSecurityCode(res.Text)
		l.read = append(l.read, reading[[4]byte]{val, res.Confidence, v.lang, err, true, digitsOf(res.Text), spansOf(res, crop, crop.Rect.Dx())})
	}
	return l
}

func TestSpanVoteReadsACodeWithoutItsLabel(t *testing.T) {
	crop, _ := labelledCode()
	ok := func(s ...string) []string { return s }
	cases := []struct {
		name     string
		jpnText  string
		engText  string
		jpn, eng []string
		want     string // "" when refused
	}{
		{"both engines read the digits alone", "ド7166", "7166", ok("7166"), ok("7166"), "7166"},
		{"agreement at the second scale", "ド7166", "7166", ok("7166", "7166"), ok("1166", "7166"), "7166"},
		{"the engines disagree at every scale", "ド7166", "7166", ok("7166", "7166", "7166"), ok("1166", "1166", "1166"), ""},
		{"the label read again", "ド7166", "7166", ok("ド7166", "ド7166", "ド7166"), ok("7166", "7166", "7166"), ""},
		// 7176 is no slip of 7166 by either engine: no rendition saw it (7186
		// would be: jpn reads 8 as 6).
		{"a value no rendition saw", "ド7166", "7166", ok("7176"), ok("7176"), ""},
		// jpn's TakaoGothic 0 read as 9 in every rendition (seed 452).
		{"jpn's blind spot in every rendition", "ド9303", "0303", ok("0303"), ok("0303"), "0303"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l := labelledCodeLine(c.jpnText, c.engText)
			defer l.close()
			if got, want := l.read[0].spans.x, [][2]int{{(34 + 44) / 2, (104 + crop.Rect.Dx() + 1) / 2}}; !slices.Equal(got, want) {
				t.Fatalf("span %v, want %v: the label's ink must stay out", got, want)
			}
			code, _, err := vote(context.Background(), &spanOCR{jpn: c.jpn, eng: c.eng}, l, 0, nil, blindSpotRescue)
			if c.want == "" {
				if err == nil {
					t.Fatalf("read %s, want a refusal", code[:])
				}
				if FieldOf(err) != FieldSecurityCode {
					t.Errorf("refusal %v names no security code", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if string(code[:]) != c.want {
				t.Errorf("code %s, want %s", code[:], c.want)
			}
		})
	}
}

// Every rendition of a TakaoGothic 「昭和30年」 can read it as 39 (jpn's 0
// as 9): the vote closes at once on a value the issue rules accept too.
// The year's digits, which a blind spot could have made of another valid
// year, are read alone: both engines reading 30 there keep the vote open
// and the digit runs decide; reading 39 confirms it. A date with no such
// run costs no reading.
func TestBlindSpotRefutedByTheDigitsReadAlone(t *testing.T) {
	for _, c := range []struct {
		name, text string
		jpn, eng   []string
		want       string
		left       int // span readings left unread, of jpn's
	}{
		{"the year read alone says 30", "昭和39年10月30日生", []string{"30", "10", "30"}, []string{"30", "10", "30"}, "301030", 0},
		{"the year read alone says 39", "昭和39年10月30日生", []string{"39", "x"}, []string{"39"}, "391030", 1},
		{"no digit a blind spot makes", "昭和35年10月31日生", []string{"x"}, []string{"x"}, "351031", 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			l := takaoBirthLine(c.text)
			defer l.close()
			o := &spanOCR{jpn: c.jpn, eng: c.eng}
			b, _, err := vote(context.Background(), o, l, 0, nil, nil)
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if got := b.YYMMDD(); string(got[:]) != c.want {
				t.Errorf("YYMMDD %s, want %s", got, c.want)
			}
			if len(o.jpn) != c.left {
				t.Errorf("%d span readings left, want %d", len(o.jpn), c.left)
			}
		})
	}
}

// runsOf is a reading's digit-run lengths, as its spans would hold them.
func runsOf(text string) digitSpans {
	var s digitSpans
	n := 0
	for _, r := range text + "|" {
		if r >= '0' && r <= '9' {
			n++
			continue
		}
		if n > 0 {
			s.lens = append(s.lens, n)
		}
		n = 0
	}
	return s
}

// Seed 100 (fixed layout): 日 lost or read as 「1」 in eight renditions of
// twelve. Garbled readings with the winner's digits in the same runs echo
// it; a reading whose day run holds three digits is no dropped digit; a
// garbled reading with other digits, or its runs unknown, is neither.
func TestGarbledEchoesAndOverlongRuns(t *testing.T) {
	read := func(text string, runs bool) reading[Birth] {
		v, err := ParseBirth([]byte(text))
		r := reading[Birth]{v, 0.9, "jpn", err, true, digitsOf([]byte(text)), digitSpans{}}
		if runs {
			r.spans = runsOf(text)
		}
		return r
	}
	won := "1935年8月11日生"
	want, _ := ParseBirth([]byte(won))
	lines := []reading[Birth]{read(won, true), read(won, true), read("1935年8月11生", true), read("1935年8月11邊", true),
		read("1935年8月111生", true), read("1935年8月17生", true), read("1935年8月11生", false), read("1935年811日生", true)}
	if got := garbledEchoes(lines, want); got != 2 {
		t.Errorf("garbledEchoes = %d, want 2 (「11生」 and 「11邊」 with their runs)", got)
	}
	if !runsOf("1935年8月111生").overlong() || runsOf("1935年8月11生").overlong() || !runsOf("19351年8月1日生").overlong() {
		t.Error("overlong: want a three-digit day and a five-digit year, not a two-digit day")
	}
	if droppedDigitDoubt(lines[:5], want) {
		t.Error("「8月111生」 doubted 8月11日: its extra 1 is 日's stroke")
	}
	if !droppedDigitDoubt(append(lines[:2:2], read("1935年8月18日生", true), read("1935年8月118日生", false)), want) {
		t.Error("a longer reading whose runs are unknown must still raise the doubt")
	}
}

// The era year's check reads its run across the whole gaps, from the era
// name's ink to 年's, so a faint 1 near the era name is inside.
func TestWholeGapsReachTheNeighboursInk(t *testing.T) {
	crop, _ := takaoLine()
	if got := wholeGaps(crop, [2]int{71, 105}); got != [2]int{68, 108} {
		t.Errorf("wholeGaps = %v, want [68 108] (和's ink ends at 68, 年's begins at 108)", got)
	}
}
