package cardscan

import (
	"context"
	"image"
	"math"
	"slices"
	"unicode/utf8"

	"github.com/uketsuke/uketsuke/app/secret"
)

// Digit spans: jpn misreads some fonts' digits inside a date line that it
// reads right alone. In TakaoGothic it reads 「10月」 as 「19月」 or 「1月」 and
// 「1940年」 as 「1949年」 in most renditions, so the vote splits or every
// reading is impossible; the same digits cut out between their kanji are
// read right by both engines at 0.98 or more. When a date line's vote
// stays open, each reading's digit runs are cut out of the crop at the
// places its kanji mark and re-read alone (spanVote).

// spanMark stands for a digit run in a reading's skeleton; it is never in
// valid UTF-8, so no recognised text can hold it.
const spanMark = 0xFF

// digitSpans is where one reading found its digit runs: the text with each
// run replaced by spanMark (kanji and marks only: no digit of the date) and
// each run's extent in the line's crop, from the ink of the symbol before
// it to the ink of the symbol after it, so a digit the reading dropped is
// still inside.
type digitSpans struct {
	skeleton []byte
	x        [][2]int
	lens     []int // how many digits each run held
}

// spansOf finds res's digit runs in crop. rendW is the width of the
// rendition that was read, before its white margin, so the boxes map back
// onto the crop. Tesseract's boxes are loose (a 0's box can reach over the
// 年 after it), so they only say which symbol each stretch of ink belongs
// to (inkOwners); the spans' edges are the ink's. Without one box per rune,
// or without digits, it finds none.
func spansOf(res OCRResult, crop *image.Gray, rendW int) digitSpans {
	n := utf8.RuneCount(res.Text)
	if n == 0 || len(res.Boxes) != n || crop == nil || rendW <= 0 {
		return digitSpans{}
	}
	runes := make([]rune, 0, n)
	for i := 0; i < len(res.Text); {
		r, size := utf8.DecodeRune(res.Text[i:])
		runes = append(runes, r)
		i += size
	}
	defer clear(runes)
	ink := inkColumns(crop)
	owner, ok := inkOwners(ink, res.Boxes, runes, crop.Rect.Dx(), rendW)
	if !ok {
		return digitSpans{}
	}
	var s digitSpans
	for i := 0; i < n; i++ {
		if !isDigitRune(runes[i]) {
			s.skeleton = utf8.AppendRune(s.skeleton, runes[i])
			continue
		}
		j := i
		for j+1 < n && isDigitRune(runes[j+1]) {
			j++
		}
		x, ok := spanBetween(ink, owner, i, j, crop.Rect.Dx())
		if !ok {
			s.wipe()
			return digitSpans{}
		}
		s.skeleton = append(s.skeleton, spanMark)
		s.x = append(s.x, x)
		s.lens = append(s.lens, j-i+1)
		i = j
	}
	if len(s.x) == 0 {
		return digitSpans{}
	}
	return s
}

// inkStretch is a run of columns holding ink. kanji: wider than any digit
// (digits are 0.45-0.6 of the line's ink height, 月 about 0.8,
// TakaoGothic's 日 0.69). Height tells nothing: the parts of a split kanji
// such as 和's 口 are as short as digits, its 禾 as tall as 日.
type inkStretch struct {
	x0, x1 int
	kanji  bool
}

// inkColumns are the crop's stretches of columns holding ink (two pixels
// or more at its Otsu level), left to right.
// At the crop's scale a kanji's thin horizontal strokes can fall short of
// the Otsu level, leaving 日's left stroke a stretch of its own beside the
// digits before it: two stretches are one when a fainter level (halfway to
// the paper) finds ink across their whole gap at both the top and the
// bottom of the line, as a kanji's frame has and digits do not.
func inkColumns(crop *image.Gray) []inkStretch {
	t, _, paper := otsu(histogram(crop))
	faint := (t + int(paper)) / 2
	w, h := crop.Rect.Dx(), crop.Rect.Dy()
	at := func(x, y int) int { return int(crop.Pix[crop.PixOffset(crop.Rect.Min.X+x, crop.Rect.Min.Y+y)]) }
	rows, cols := make([]int, h), make([]int, w)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			d := b2i(at(x, y) <= t)
			rows[y], cols[x] = rows[y]+d, cols[x]+d
		}
	}
	y0, y1, _ := inkExtent(rows, 2)
	inkH, q := y1-y0, max(1, (y1-y0)/4)
	faintIn := func(x, from, to int) bool {
		for y := from; y < to; y++ {
			if at(x, y) <= faint {
				return true
			}
		}
		return false
	}
	framed := func(gap0, gap1 int) bool {
		for x := gap0; x < gap1; x++ {
			if !faintIn(x, y0, y0+q) || !faintIn(x, y1-q, y1) {
				return false
			}
		}
		return true
	}
	var out []inkStretch
	start := -1
	for x := 0; x <= w; x++ {
		switch inked := x < w && cols[x] >= 2; {
		case inked && start < 0:
			start = x
		case !inked && start >= 0:
			if k := len(out) - 1; k >= 0 && framed(out[k].x1, start) {
				out[k].x1 = x
			} else {
				out = append(out, inkStretch{x0: start, x1: x})
			}
			start = -1
		}
	}
	for k := range out {
		out[k].kanji = 100*(out[k].x1-out[k].x0) > 64*inkH
	}
	return out
}

// inkOwners gives each stretch of ink a symbol. The boxes are too loose to
// place a digit beside a kanji (in 「年11月」 both 1s' boxes sat on the
// second 1 and 年's reached over the first; 成's box once lay on 月), so
// the kanji-like stretches are anchored first, to non-digit symbols in
// order, nearest their boxes in sum (anchorKanji); any other stretch then
// goes to the nearest box among the symbols between the anchors on either
// side of it. Owners must not go backwards.
func inkOwners(ink []inkStretch, boxes []image.Rectangle, runes []rune, cropW, rendW int) ([]int, bool) {
	scale := float64(cropW) / float64(rendW)
	centre := func(i int) float64 { return (float64(boxes[i].Min.X+boxes[i].Max.X)/2 - borderPx) * scale }
	nearest := func(st inkStretch, from, to int, digitsToo bool) int {
		c := float64(st.x0+st.x1) / 2
		best, bestD := -1, math.Inf(1)
		for i := from; i < to; i++ {
			if !digitsToo && isDigitRune(runes[i]) {
				continue
			}
			if d := math.Abs(centre(i) - c); d < bestD {
				best, bestD = i, d
			}
		}
		return best
	}
	owner := anchorKanji(ink, runes, centre)
	for k, st := range ink {
		if owner[k] >= 0 {
			continue
		}
		from, to := 0, len(boxes)
		for p := k - 1; p >= 0; p-- {
			if ink[p].kanji && owner[p] >= 0 {
				from = owner[p] + 1
				break
			}
		}
		for q := k + 1; q < len(ink); q++ {
			if ink[q].kanji && owner[q] >= 0 {
				to = owner[q]
				break
			}
		}
		if from >= to {
			// Between two adjacent anchors: a part of one of them.
			from, to = max(0, from-1), min(len(boxes), to+1)
		}
		owner[k] = nearest(st, from, to, true)
	}
	for k := range owner {
		if owner[k] < 0 || k > 0 && owner[k] < owner[k-1] {
			return nil, false
		}
	}
	return owner, true
}

// anchorKanji gives each kanji-like stretch a non-digit symbol, in order:
// one each when they are as many, else (two stretches may share one) so
// that the distances between the stretches' centres and the symbols' box
// centres sum least; other stretches get -1. One wild box cannot pull an
// anchor out of order.
func anchorKanji(ink []inkStretch, runes []rune, centre func(int) float64) []int {
	var anchors, symbols []int
	for k, st := range ink {
		if st.kanji {
			anchors = append(anchors, k)
		}
	}
	for i, r := range runes {
		if !isDigitRune(r) {
			symbols = append(symbols, i)
		}
	}
	owner := make([]int, len(ink))
	for k := range owner {
		owner[k] = -1
	}
	if len(anchors) == 0 || len(symbols) == 0 {
		return owner
	}
	if len(anchors) == len(symbols) {
		// One stretch per symbol: in order, whatever the boxes say (in
		// TakaoGothic 平成's box covered both kanji and 成's lay on the 2
		// after it, so the least sum gave 平 both and 成 the 2).
		for a, k := range anchors {
			owner[k] = symbols[a]
		}
		return owner
	}
	// cost[a][j]: anchors 0..a placed, anchor a on symbol j; from[a][j]:
	// where anchor a-1 went.
	cost, from := make([][]float64, len(anchors)), make([][]int, len(anchors))
	for a, k := range anchors {
		c := float64(ink[k].x0+ink[k].x1) / 2
		cost[a], from[a] = make([]float64, len(symbols)), make([]int, len(symbols))
		best, bestJ := math.Inf(1), -1
		for j, i := range symbols {
			if a > 0 && cost[a-1][j] < best {
				best, bestJ = cost[a-1][j], j
			}
			cost[a][j], from[a][j] = math.Abs(centre(i)-c), bestJ
			if a > 0 {
				cost[a][j] += best
			}
		}
	}
	last := len(anchors) - 1
	j := 0
	for jj := range symbols {
		if cost[last][jj] < cost[last][j] {
			j = jj
		}
	}
	for a := last; a >= 0; a-- {
		owner[anchors[a]] = symbols[j]
		j = from[a][j]
	}
	return owner
}

// spanBetween is the extent of symbols i..j's ink, reaching halfway across
// the gaps to the ink on either side (the edge of a neighbouring kanji is
// grey, below the ink level, and would be read as a 1); they must own some
// ink.
func spanBetween(ink []inkStretch, owner []int, i, j, cropW int) ([2]int, bool) {
	prev, next, first, last := 0, cropW, -1, -1
	for k, st := range ink {
		switch {
		case owner[k] < i:
			prev = st.x1
		case owner[k] > j:
			next = min(next, st.x0)
		default:
			if first < 0 {
				first = st.x0
			}
			last = st.x1
		}
	}
	if first < 0 {
		return [2]int{}, false
	}
	return [2]int{(prev + first) / 2, (last + next + 1) / 2}, true
}

func isDigitRune(r rune) bool {
	return r >= '0' && r <= '9' || r >= '０' && r <= '９'
}

func (s *digitSpans) wipe() {
	clear(s.skeleton)
	s.skeleton, s.x, s.lens = nil, nil, nil
}

// spanMinConf is what each engine must reach on a span read alone: clean
// spans read at 0.98-0.995.
const spanMinConf = 0.9

// spanMaxReadings bounds the span pass: the spans of a line's readings are
// nearly the same, so a winner comes within the first few or not at all.
const spanMaxReadings = 6

// spanRead is a digit run read alone: ok when both engines read the same
// digits and nothing else, confidently, in one rendition.
type spanRead struct {
	digits digitRun
	conf   float64
	ok     bool
}

// spanScales are the renditions of a span, tried until both engines agree
// on one: Tesseract reads a line of two digits erratically at some scales
// (「25」 as 「9」 at 0.55 at x1.5, right at 0.99 at x1.2 and x2.25).
var spanScales = []float64{1.5, 2.25, 1.2}

// readSpan reads the crop's columns x[0]..x[1] alone, once per extent.
func (l *textLine[T]) readSpan(ctx context.Context, o OCR, x [2]int) (spanRead, error) {
	if r, ok := l.spanReads[x]; ok {
		return r, nil
	}
	rect := image.Rect(l.crop.Rect.Min.X+x[0], l.crop.Rect.Min.Y, l.crop.Rect.Min.X+x[1], l.crop.Rect.Max.Y)
	cut := copyGray(l.crop.SubImage(rect).(*image.Gray))
	defer wipeGray(cut)
	var out spanRead
	for _, f := range spanScales {
		r, err := readSpanAt(ctx, o, cut, f)
		if err != nil {
			return spanRead{}, err
		}
		if r.ok {
			out = r
			break
		}
	}
	if l.spanReads == nil {
		l.spanReads = map[[2]int]spanRead{}
	}
	l.spanReads[x] = out
	return out, nil
}

// readSpanAt reads one rendition of a span with jpn and with eng (digits
// only): each engine has its own blind spots, so both must agree.
func readSpanAt(ctx context.Context, o OCR, cut *image.Gray, f float64) (spanRead, error) {
	out := spanRead{conf: 1, ok: true}
	for i, v := range []variant{{stretched(f, f), "jpn", "", false}, {stretched(f, f), "eng", digits, false}} {
		img := withBorder(v.prepare(cut), borderPx)
		res, err := o.Recognize(ctx, OCRRequest{Image: img, Lang: v.lang, Whitelist: v.whitelist})
		wipeGray(img)
		if err != nil {
			return spanRead{}, err
		}
		d, only := onlyDigits(res.Text)
		secret.Wipe(res.Text)
		out.conf = math.Min(out.conf, res.Confidence)
		switch {
		case !only || d.n == 0 || res.Confidence < spanMinConf:
			return spanRead{}, nil
		case i == 0:
			out.digits = d
		case d != out.digits:
			return spanRead{}, nil
		}
	}
	return out, nil
}

// onlyDigits is text's digits, and whether it held nothing else.
func onlyDigits(text []byte) (digitRun, bool) {
	t := normalize(text)
	defer clear(t)
	d := digitsOf(t)
	return d, d.n == len(t)
}

// spanValue re-reads r's digit runs alone and parses r's text with them in
// place of its own digits.
func (l *textLine[T]) spanValue(ctx context.Context, o OCR, r reading[T]) (T, digitRun, float64, bool, error) {
	var zero T
	runs := make([]digitRun, len(r.spans.x))
	defer clear(runs)
	conf := 1.0
	for k, x := range r.spans.x {
		sr, err := l.readSpan(ctx, o, x)
		if err != nil || !sr.ok {
			return zero, digitRun{}, 0, false, err
		}
		runs[k], conf = sr.digits, math.Min(conf, sr.conf)
	}
	text := fillSkeleton(r.spans.skeleton, runs)
	defer secret.Wipe(text)
	val, err := l.parse(text)
	if err != nil {
		return zero, digitRun{}, 0, false, nil
	}
	return val, digitsOf(text), conf, true, nil
}

// fillSkeleton is the text of a reading's skeleton with its digit runs
// written back, in a new buffer the caller wipes.
func fillSkeleton(skeleton []byte, runs []digitRun) []byte {
	text := make([]byte, 0, len(skeleton)+16)
	k := 0
	for _, c := range skeleton {
		if c != spanMark {
			text = append(text, c)
			continue
		}
		for _, d := range runs[k].d[:runs[k].n] {
			text = append(text, '0'+d)
		}
		k++
	}
	return text
}

// spanVote is a date line's last resort when its vote stayed open: the
// readings' digit runs, re-read alone, vote as the renditions do (two
// agreeing, two ahead). The winner must also be what some rendition read,
// or what jpn's blind spots (dateBlindSpots) would make of it (「10月」 read as 「19月」 by
// every rendition), must not be doubted by longer readings
// (droppedDigitDoubt, each span reading counting as one), for the code
// must be what a binarised rendition read (codeSpec.binarised: the spans are
// grey and keep a faint mark on a digit), and must pass the line's check.
// A winner the check
// refuses comes back as vetoed, the check's error wrapped.
func spanVote[T comparable](ctx context.Context, o OCR, l *textLine[T], check func(T) error) (T, float64, bool, error) {
	var zero T
	var vetoErr error
	var tally votes[T]
	defer func() { clear(tally.values) }()
	tried := 0
	for _, r := range l.read {
		if len(r.spans.x) == 0 || tried == spanMaxReadings {
			continue
		}
		tried++
		val, won, conf, ok, err := l.spanValue(ctx, o, r)
		if err != nil {
			return zero, 0, false, err
		}
		if !ok || conf < l.spec.minConf {
			continue
		}
		tally.add(val, conf, "span")
		w, wconf, ok := tally.winner(1, 0, nil)
		if !ok || w != val {
			continue
		}
		if !seenModuloBlindSpots(l.read, won, l.spec.slips()) || droppedDigitDoubt(withSpanReadings(l.read, val, won, tally.count(val)), val) {
			continue // a doubt may clear as more span readings agree
		}
		if l.spec.binarised && !seenModuloBlindSpots(l.binarisedReadings(l.read), won, binarisedSlips) {
			continue // a faint mark the spans' grey renditions keep (codeSpec)
		}
		if vetoErr = passes(check, val); vetoErr == nil {
			return val, wconf, true, nil
		}
		tally.veto(val)
	}
	if vetoErr != nil {
		return zero, 0, false, &vetoedError{vetoErr}
	}
	return zero, 0, false, nil
}

// withSpanReadings is the line's readings and n span readings of val, for
// droppedDigitDoubt: each span reading counts as one agreeing reading (a
// jpn 「20390年」 among twelve readings is no reason to doubt a 2030 that
// both engines read alone in six).
func withSpanReadings[T comparable](read []reading[T], val T, won digitRun, n int) []reading[T] {
	out := slices.Clone(read)
	for range n {
		out = append(out, reading[T]{value: val, digits: won})
	}
	return out
}

// seenModuloBlindSpots: some rendition read the digits won, or the same
// number of digits differing from them only by its engine's blind spots
// (slips: a date's or the code's).
func seenModuloBlindSpots[T comparable](read []reading[T], won digitRun, slips map[string][][2]byte) bool {
	for _, r := range read {
		if r.text && won.readAs(r.digits, slips[r.lang]) {
			return true
		}
	}
	return false
}

// slips are the blind spots that may explain a rendition's digits against
// a span reading: a date's (jpn's 0 as 6 inside a date line) or, for the
// code, which has no cross-check, only the code's own.
func (f fieldSpec) slips() map[string][][2]byte {
	if f.field == FieldSecurityCode {
		return blindSpots
	}
	return dateBlindSpots
}
