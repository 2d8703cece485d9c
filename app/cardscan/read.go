package cardscan

import (
	"context"
	"errors"
	"image"
	"math"
	"slices"

	"github.com/uketsuke/uketsuke/app/secret"
)

// fieldSpec is how one field is read.
type fieldSpec struct {
	field    Field
	variants []variant
	// engines is how many different languages must have read the winning
	// value: two for the code, so one model's blind spot cannot win alone.
	engines int
	// binarised: a binarised rendition must have read the winner's digits
	// too, but for its engine's slips (binarisedConfirms). For the code: its
	// first pair is one grey image read by both engines, and a faint pink
	// dot of the security print on the last 1 of 「1171」 made both read 1174
	// in every grey rendition, at every scale; a threshold leaves such a
	// mark out.
	binarised bool
	// minConf is the field's own floor for a reading's weakest character.
	// The code has no cross-check, and its misreads that both engines shared
	// came with a character below 0.93 while clean readings sat at 0.96-1.
	minConf float64
	// spans: when the vote stays open, the readings' digit runs are re-read
	// alone (spans.go). For the date lines, whose digits sit between kanji,
	// and the code, whose crop can hold its label's last character (「ド」)
	// and then reads with eng at no confidence.
	spans bool
	// majority: the winner must hold at least half of the readings that
	// produced any text. The date lines need it (a garbled era hides a
	// dissent); the code does not (its small renditions often come back as
	// two or three digits, and two engines must agree anyway).
	majority bool
}

// variant is one rendition of a cropped line and the engine settings to
// read it with.
type variant struct {
	prepare   func(crop *image.Gray) *image.Gray
	lang      string
	whitelist string
	// binarised: prepare thresholds the crop to black and white.
	binarised bool
}

// The renditions are tried in order until one value wins the vote. The
// order and mix come from measuring each rendition, and each pair's
// agreement, on 250 rendered normal-mix cards: the first pair is the one
// that agreed most often and never agreed on a wrong value.
var (
	// jpn reads the date lines; a whitelist made its confidences useless.
	dateVariants = []variant{
		{stretched(1.25, 1.25), "jpn", "", false},
		{stretched(1.3, 1.15), "jpn", "", false},
		{then(scaledBy(1.25), binarize), "jpn", "", true},
		{then(scaledBy(2), binarize), "jpn", "", true},
		{then(scaledBy(1.25), localBinarize), "jpn", "", true},
		// For a glare spot that leaves part of the line faint.
		{then(localContrast, scaledBy(1.25)), "jpn", "", false},
		// Last, for noisy or blurred frames: smooth before reading.
		{then(boxBlur, stretched(1.5, 1.5)), "jpn", "", false},
		{then(boxBlur, then(scaledBy(1.5), binarize)), "jpn", "", true},
		// Reached only when the eight above left the vote open (about one
		// card in a hundred), so they cost nothing at the median or p95.
		{stretched(1.6, 1.6), "jpn", "", false},
		{stretched(1.0, 1.0), "jpn", "", false},
		{then(scaledBy(1.6), localBinarize), "jpn", "", true},
		{then(localContrast, scaledBy(1.6)), "jpn", "", false},
	}
	// The code alternates engines so that the first pair is never one
	// engine agreeing with itself: jpn and eng (with a digit whitelist) err on
	// different digits (eng read a serif 7 as 1 and a small 5 as 9 in every
	// rendition at 1x; jpn once took 8 for 6), so their agreement is worth
	// more than either's.
	codeVariants = []variant{
		{stretch, "jpn", "", false},
		{stretch, "eng", digits, false},
		// A binarised rendition third: the winner needs one (codeSpec). At
		// x2: eng read a small binarised 5 as 3 or 9 at x1.5.
		{then(scaledBy(2), binarize), "eng", digits, true},
		{stretched(1.25, 1.25), "jpn", "", false},
		{stretched(1.5, 1.5), "eng", digits, false},
		{stretched(0.8, 0.8), "jpn", "", false},
		{then(boxBlur, stretched(1.5, 1.5)), "jpn", "", false},
		{then(boxBlur, stretched(1.5, 1.5)), "eng", digits, false},
		// Only when the vote is still open: larger renditions, where a
		// misread of the small 1x crops (5517 as 5512) is outvoted.
		{stretched(2, 2), "jpn", "", false},
		{stretched(2, 2), "eng", digits, false},
		{then(scaledBy(2), binarize), "jpn", "", true},
		{then(localContrast, scaledBy(2)), "eng", digits, false},
	}

	birthSpec = fieldSpec{FieldBirth, dateVariants, 1, false, 0, true, true}
	// The expiry line is read whole (not just the year) so its month and day
	// can be checked against the birthday.
	expirySpec = fieldSpec{FieldExpiry, dateVariants, 1, false, 0, true, true}
	codeSpec   = fieldSpec{FieldSecurityCode, codeVariants, 2, true, 0.93, true, false}
)

const digits = "0123456789"

// stretched is contrast stretching, then resizing by fx, fy.
func stretched(fx, fy float64) func(*image.Gray) *image.Gray {
	return then(stretch, func(g *image.Gray) *image.Gray { return resize(g, fx, fy) })
}

func scaledBy(f float64) func(*image.Gray) *image.Gray {
	return func(g *image.Gray) *image.Gray { return resize(g, f, f) }
}

// then composes two steps, wiping the intermediate image (it shows card text).
func then(first, second func(*image.Gray) *image.Gray) func(*image.Gray) *image.Gray {
	return func(g *image.Gray) *image.Gray {
		mid := first(g)
		defer wipeGray(mid)
		return second(mid)
	}
}

// votes counts the well-formed, confident readings of each value.
type votes[T comparable] struct {
	values  []T
	counts  []int
	confs   []float64
	engines []map[string]bool
	// vetoed values failed a check: they may not win, but their readings
	// still count against every rival.
	vetoed []bool
}

// count is how many readings val has.
func (v *votes[T]) count(val T) int {
	for i := range v.values {
		if v.values[i] == val {
			return v.counts[i]
		}
	}
	return 0
}

// veto bars val from winning.
func (v *votes[T]) veto(val T) {
	for i := range v.values {
		if v.values[i] == val {
			v.vetoed[i] = true
		}
	}
}

func (v *votes[T]) add(val T, conf float64, lang string) {
	for i := range v.values {
		if v.values[i] == val {
			v.counts[i]++
			v.confs[i] = math.Min(v.confs[i], conf)
			v.engines[i][lang] = true
			return
		}
	}
	v.values, v.counts, v.confs = append(v.values, val), append(v.counts, 1), append(v.confs, conf)
	v.engines, v.vetoed = append(v.engines, map[string]bool{lang: true}), append(v.vetoed, false)
}

// winner is the value read at least twice, at least twice more often than
// any rival and by at least minEngines languages; a rival read twice or more
// must be outvoted three to one. Unanimous pairs win at once, a lone dissent
// needs 3-1; a 4-2 split (平成11年 read as 平成1年 four times in six) is
// doubt, not a majority, while 6-2 with both engines behind the six is not.
//
// The winner must also hold at least half of the readings that produced any
// text (garbled ones included): in a blurred or glare-struck frame most
// renditions come back garbled, and two that happen to agree among ten
// (平成15年 read as 平成13年 twice while the rest garbled the era) are
// chance, not consensus.
//
// echoes, when set, adds to each value's count the readings that are that
// value misread into an impossible date (blindSpotEchoes).
func (v *votes[T]) winner(minEngines, texts int, echoes func(T) int) (T, float64, bool) {
	counts := v.counts
	if echoes != nil {
		counts = slices.Clone(v.counts)
		for i := range counts {
			counts[i] += echoes(v.values[i])
		}
	}
	best, second := -1, 0
	for i, c := range counts {
		switch {
		case best < 0 || c > counts[best]:
			if best >= 0 {
				second = max(second, counts[best])
			}
			best = i
		default:
			second = max(second, c)
		}
	}
	if best < 0 || v.counts[best] < 2 || counts[best]-second < 2 || (second > 1 && counts[best] < 3*second) ||
		len(v.engines[best]) < minEngines || v.vetoed[best] || 2*counts[best] < texts {
		var zero T
		return zero, 0, false
	}
	return v.values[best], v.confs[best], true
}

// reading is what one rendition of a line gave.
type reading[T comparable] struct {
	value T
	conf  float64
	lang  string
	err   error // the parse error: the value counts only without one
	text  bool  // the engine returned any text at all
	// digits are the digits the text held, in order, whatever it parsed as.
	digits digitRun
	// spans are where its digit runs lie in the crop (date lines only).
	spans digitSpans
}

// digitRun is the digits of a reading, up to 16, as values 0-9 rather than
// ASCII: a run of a date's digits kept as text would hold the very bytes of
// 照合番号B's YYMMDD (「1980年12月17日」 holds 801217), and these runs are
// copied as values on their way through the vote.
type digitRun struct {
	d [16]byte
	n int
}

func digitsOf(text []byte) digitRun {
	var r digitRun
	t := normalize(text)
	defer clear(t)
	for _, c := range t {
		if c >= '0' && c <= '9' && r.n < len(r.d) {
			r.d[r.n] = c - '0'
			r.n++
		}
	}
	return r
}

// within: every digit of r appears in o, in order, and o has more.
func (r digitRun) within(o digitRun) bool {
	if o.n <= r.n {
		return false
	}
	j := 0
	for i := 0; i < o.n && j < r.n; i++ {
		if o.d[i] == r.d[j] {
			j++
		}
	}
	return j == r.n
}

// readAs: got has as many digits as r and differs only where an engine
// with these slips reads one of r's digits as another (got may equal r).
func (r digitRun) readAs(got digitRun, slips [][2]byte) bool {
	return r.n == got.n && onlyBlindSpots(r.d[:r.n], got.d[:r.n], slips, 0)
}

// nearlyWithin: o has more digits than r, and one more slip besides the
// digits r lacks would make them equal (「2019年5月3日」 against 「2919年5月30日」).
func (r digitRun) nearlyWithin(o digitRun) bool {
	return o.n > r.n && editDistance(r.d[:r.n], o.d[:o.n]) <= o.n-r.n+1
}

// editDistance counts the insertions, deletions and substitutions that
// turn a into b.
func editDistance(a, b []byte) int {
	prev, cur := make([]int, len(b)+1), make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// binarisedConfirms: some binarised rendition among read gave val's
// digits, or the same number of digits differing only by its engine's
// slips (binarisedSlips), at any confidence: it confirms a value both
// engines already read, it does not elect one.
func (l *textLine[T]) binarisedConfirms(read []reading[T], val T) bool {
	for _, r := range read {
		if r.err == nil && r.value == val {
			return seenModuloBlindSpots(l.binarisedReadings(read), r.digits, binarisedSlips)
		}
	}
	return false
}

// binarisedReadings are those of read from binarised renditions (the
// readings are in the order of the spec's variants).
func (l *textLine[T]) binarisedReadings(read []reading[T]) []reading[T] {
	var out []reading[T]
	for i, r := range read {
		if i < len(l.spec.variants) && l.spec.variants[i].binarised {
			out = append(out, r)
		}
	}
	return out
}

// blindSpotDoubt: a reading that differs from the winner only where the
// winner shows an engine's known misread of the reading's digit (jpn reads
// TakaoGothic's 0 as 9: 「昭和10年」 read once as 10 and three times as 19)
// says the winners may all share the blind spot. No count outvotes that:
// the vote stays open, the digit runs read alone decide (spans.go), and
// failing them the date is refused and the kiosk takes another photo.
func blindSpotDoubt[T comparable](read []reading[T], val T) bool {
	won, found := digitsOfValue(read, val)
	if !found {
		return false
	}
	for _, r := range read {
		if r.text && r.digits != won && r.digits.readAs(won, dateBlindSpots[r.lang]) {
			return true
		}
	}
	return false
}

// blindSpotEchoes counts the readings that did not parse (the grammar
// admits no impossible day or month) and whose digits differ from val's
// only by jpn's blind spots inside a date: in one font jpn read 「7月30日」
// as 「7月36日」 five times and 「7月39日」 once in twelve, and as 「7月30日」
// only four times. Such a reading is no rival, it is val misread; any
// other unparsed reading stays a dissent.
func blindSpotEchoes[T comparable](read []reading[T], val T) int {
	won, found := digitsOfValue(read, val)
	n := 0
	for _, r := range read {
		if found && r.err != nil && r.digits != won && won.readAs(r.digits, dateBlindSpots[r.lang]) {
			n++
		}
	}
	return n
}

// digitsOfValue are the digits of the first reading of val.
func digitsOfValue[T comparable](read []reading[T], val T) (digitRun, bool) {
	for _, r := range read {
		if r.err == nil && r.value == val {
			return r.digits, true
		}
	}
	return digitRun{}, false
}

// droppedDigitDoubt: readings that hold the winner's digits and one more,
// give or take one other slip (「30日」 read as 「36日」, invalid, while
// others read 「3日」), say a digit may have been dropped by the winners. The winner must then outvote
// them three to one. The era year has its own ink check, but a Gregorian
// date has no such check and no birthday to agree with.
func droppedDigitDoubt[T comparable](read []reading[T], val T) bool {
	var won digitRun
	agree, longer := 0, 0
	for _, r := range read {
		if r.err == nil && r.value == val {
			won = r.digits
			agree++
		}
	}
	for _, r := range read {
		if r.text && won.nearlyWithin(r.digits) && !r.spans.overlong() {
			longer++
		}
	}
	return longer > 0 && agree < 3*longer
}

// overlong: a digit run holds more digits than a date's can (four for the
// first, the year; two for the others): its extra digit is a mark read as
// one, not a digit the winners dropped (日 read as 「1」 in 「8月111生」).
func (s digitSpans) overlong() bool {
	for i, n := range s.lens {
		if n > 4 || (i > 0 && n > 2) {
			return true
		}
	}
	return false
}

// garbledEchoes counts the readings that did not parse but hold val's
// digits in the same runs: the words around the digits garbled, the
// digits not (「1935年8月11生」, 「…11邊」 and 「…11|持」 for 1935年8月11日生
// in a font whose 日 jpn loses, four valid readings in twelve). Without
// the runs (a reading with no boxes) none counts.
func garbledEchoes[T comparable](read []reading[T], val T) int {
	i := slices.IndexFunc(read, func(r reading[T]) bool { return r.err == nil && r.value == val && len(r.spans.lens) > 0 })
	if i < 0 {
		return 0
	}
	won, n := read[i], 0
	for _, r := range read {
		if r.err != nil && r.digits == won.digits && slices.Equal(r.spans.lens, won.spans.lens) {
			n++
		}
	}
	return n
}

// textLine reads one field's renditions of a located line's crop and
// remembers what each gave, so a second vote on the line under another
// check re-reads nothing. close wipes the crop and the remembered values.
type textLine[T comparable] struct {
	spec  fieldSpec
	parse func([]byte) (T, error)
	crop  *image.Gray
	read  []reading[T]
	// spanReads are the digit runs read alone, by extent in the crop.
	spanReads map[[2]int]spanRead
	// readAlone: the line's value was won by its digit runs read alone
	// (spanVote), both engines agreeing on each.
	readAlone bool
}

// reading returns rendition i, recognising it only if it was not read yet.
func (l *textLine[T]) reading(ctx context.Context, o OCR, i int) (reading[T], error) {
	if i < len(l.read) {
		return l.read[i], nil
	}
	v := l.spec.variants[i]
	img := withBorder(v.prepare(l.crop), borderPx)
	rendW := img.Rect.Dx() - 2*borderPx
	res, err := o.Recognize(ctx, OCRRequest{Image: img, Lang: v.lang, Whitelist: v.whitelist})
	wipeGray(img)
	if err != nil {
		return reading[T]{}, err
	}
	val, perr := l.parse(res.Text)
	var spans digitSpans
	if l.spec.spans {
		spans = spansOf(res, l.crop, rendW)
	}
	r := reading[T]{val, keptConfidence(res), v.lang, perr, len(res.Text) > 0, digitsOf(res.Text), spans}
	secret.Wipe(res.Text)
	l.read = append(l.read, r)
	return r, nil
}

func (l *textLine[T]) close() {
	wipeGray(l.crop)
	for i := range l.read {
		l.read[i].spans.wipe()
	}
	clear(l.read)
	clear(l.spanReads)
}

// rescueRule may accept a value the vote left open, from every reading of
// the line; it must skip those with a parse error.
type rescueRule[T comparable] func(l *textLine[T]) (T, float64, bool)

// vote takes the line's renditions in order until a value wins and passes
// check (when set; a winner it refuses is vetoed and the vote goes on), then
// lets rescue (when set) judge a vote left open, and refuses when neither
// accepts.
func vote[T comparable](ctx context.Context, o OCR, l *textLine[T], minConf float64,
	check func(T) error, rescue rescueRule[T]) (T, float64, error) {
	var zero T
	spec := l.spec
	var tally votes[T]
	defer func() { clear(tally.values) }()
	invalid, lowConf, texts := 0, 0, 0
	var vetoErr error
	minConf = math.Max(minConf, spec.minConf)
	for i := range spec.variants {
		if err := ctx.Err(); err != nil {
			return zero, 0, err
		}
		r, err := l.reading(ctx, o, i)
		if err != nil {
			return zero, 0, err
		}
		if spec.majority && r.text {
			texts++
		}
		switch {
		case errors.Is(r.err, ErrDateInvalid):
			invalid++
		case r.err != nil:
		case r.conf < minConf:
			lowConf++
		default:
			tally.add(r.value, r.conf, r.lang)
		}
		var echoes func(T) int
		if spec.majority {
			echoes = func(val T) int { return blindSpotEchoes(l.read[:i+1], val) + garbledEchoes(l.read[:i+1], val) }
		}
		if val, conf, ok := tally.winner(spec.engines, texts, echoes); ok {
			if spec.majority && (droppedDigitDoubt(l.read[:i+1], val) || blindSpotDoubt(l.read[:i+1], val)) {
				lowConf++
				continue
			}
			if spec.binarised && !l.binarisedConfirms(l.read[:i+1], val) {
				lowConf++
				continue // a later binarised rendition may confirm it
			}
			if spec.spans && spec.majority {
				refuted, err := l.blindSpotRefuted(ctx, o, val, check)
				if err != nil {
					return zero, 0, err
				}
				if refuted {
					lowConf++
					continue // the digit runs read alone decide (spanVote)
				}
			}
			if vetoErr = passes(check, val); vetoErr == nil {
				return val, conf, nil
			}
			tally.veto(val)
		}
	}
	// The rescue (the code's) judges the renditions before any digit run is
	// re-read, so a code it accepts costs no further reading.
	if rescue != nil {
		if val, conf, ok := rescue(l); ok && passes(check, val) == nil {
			return val, conf, nil
		}
	}
	if spec.spans {
		val, conf, ok, err := spanVote(ctx, o, l, check)
		switch {
		case isVeto(err):
			vetoErr = plain(err)
		case err != nil:
			return zero, 0, err
		case ok:
			l.readAlone = true
			return val, conf, nil
		}
	}
	switch {
	case vetoErr != nil:
		return zero, 0, &vetoedError{vetoErr}
	case len(tally.values) > 0 || lowConf > 0:
		return zero, 0, &FieldError{spec.field, ErrLowConfidence}
	case invalid > 0:
		return zero, 0, &FieldError{spec.field, ErrDateInvalid}
	}
	return zero, 0, &FieldError{spec.field, ErrFieldUnreadable}
}

func passes[T any](check func(T) error, val T) error {
	if check == nil {
		return nil
	}
	return check(val)
}

// vetoedError is a check's refusal of a value that won the vote, so the
// caller can tell "read, but contradicted" from "not read".
type vetoedError struct{ err error }

func (v *vetoedError) Error() string { return v.err.Error() }
func (v *vetoedError) Unwrap() error { return v.err }

func isVeto(err error) bool {
	_, ok := err.(*vetoedError)
	return ok
}

// plain strips the veto wrapper, leaving the check's own typed error.
func plain(err error) error {
	if v, ok := err.(*vetoedError); ok {
		return v.err
	}
	return err
}

// Thresholds of the code's rescue.
const (
	rescueMinLeader = 4
	rescueMinOther  = 2
	// rescueMinConf is the leader's floor when the other engine's readings
	// need its blind spots to agree.
	rescueMinConf = 0.97
)

// blindSpots are the digit slips each engine made consistently, at every
// scale and binarisation, in one of the card fonts: printed digit → read.
// eng takes a serif 7 for 1 (also in word, raw-line and character modes)
// and a small 5 for 9 (「5729」 read as 9729 at x2 on a fixed-layout card
// whose binarised rendition eng read as 「59729」); jpn takes an 8 for 6,
// and a monospaced 0 for 9. On such cards the two engines can never agree.
var blindSpots = map[string][][2]byte{
	"eng": {{'7', '1'}, {'5', '9'}},
	// jpn reads TakaoGothic's 0 as 9 at every scale (eng reads it right).
	"jpn": {{'8', '6'}, {'0', '9'}},
}

// binarisedSlips explain a binarised rendition's digits against a code
// both engines read in grey: the code's blind spots, and a small 5 whose
// thin top stroke the threshold breaks, read as 9, 0 or 3 (「5145」 as
// 「9145」, 「5461」 as 「0461」 on fixed-layout cards); and eng reads a
// binarised 3 as 5 (「3647」 as 「5647」, 「5823」 as 「5825」 on random
// layouts, seeds 24262 and 27085). The price: a mark that made a 9, 0 or
// 3 look like a 5, or a 5 like a 3, in every grey rendition would pass;
// none was seen.
var binarisedSlips = map[string][][2]byte{
	"eng": slices.Concat(blindSpots["eng"], smallFive, [][2]byte{{'3', '5'}}),
	"jpn": slices.Concat(blindSpots["jpn"], smallFive),
}

var smallFive = [][2]byte{{'5', '9'}, {'5', '0'}, {'5', '3'}}

// dateBlindSpots are the slips inside a date line: those above, and jpn
// reads TakaoGothic's 0 as 6 there too (「12月10日」 as 「12月16日」, 「4月20日」
// as 「4月26日」 three times in six). They only raise doubt about a date and
// explain a digit run read alone (spans.go); the code's rescue keeps to the
// slips above.
var dateBlindSpots = map[string][][2]byte{
	"eng": blindSpots["eng"],
	"jpn": append(slices.Clone(blindSpots["jpn"]), [2]byte{'0', '6'}),
}

// blindSpotRescue accepts a security code that one engine (the leader)
// never read as anything else, at any confidence, while the other engine
// read it at least twice (at any confidence) and never as anything but it
// or its own blind spots' slips. Four of the leader's readings must reach
// a floor:
//   - 0.93, the code's own, when the other engine read exactly the code
//     each time and a binarised rendition read it too: in one font eng
//     read a clean 「4819」 in every rendition, grey and binarised, but
//     never above 0.42, so the vote's floor kept the engines apart;
//   - 0.97 when the other engine's readings need its blind spots (jpn read
//     a serif 「7027」 at 0.99 six times and at 0.92 and 0.94 at x2; eng
//     read 1027 but once);
//   - 0.93, with the other engine's readings of the code at 0.93 or more
//     counting towards the four, when each engine read the code itself at
//     0.93 or more at least twice: jpn read TakaoGothic's 「0115」 as 9115
//     seven times and as 0115 three times at 0.96-0.97, eng 0115 every
//     time but at 0.86-0.99 (three at 0.93 or more).
//
// The leader's readings below the floor are no dissent, only no support.
// Any other disagreement leaves the code refused.
func blindSpotRescue(l *textLine[[4]byte]) ([4]byte, float64, bool) {
	for _, leader := range []string{"jpn", "eng"} {
		if code, conf, ok := ledBy(leader, l); ok {
			return code, conf, true
		}
	}
	return [4]byte{}, 0, false
}

func ledBy(leader string, l *textLine[[4]byte]) ([4]byte, float64, bool) {
	var want [4]byte
	var confs []float64
	for _, r := range l.read {
		if r.err != nil || r.lang != leader {
			continue
		}
		if len(confs) > 0 && r.value != want {
			return [4]byte{}, 0, false
		}
		want, confs = r.value, append(confs, r.conf)
	}
	same, slipped, sure := 0, 0, 0
	sureConf := 1.0
	for _, r := range l.read {
		switch {
		case r.err != nil || r.lang == leader:
		case r.value == want:
			same++
			if r.conf >= codeSpec.minConf {
				sure, sureConf = sure+1, math.Min(sureConf, r.conf)
			}
		case onlyBlindSpots(want[:], r.value[:], blindSpots[r.lang], '0'):
			slipped++
		default:
			return [4]byte{}, 0, false
		}
	}
	if same+slipped < rescueMinOther {
		return [4]byte{}, 0, false
	}
	floor := rescueMinConf
	led, conf := 0, 1.0
	switch {
	case sure >= rescueMinOther && atLeast(confs, codeSpec.minConf) >= rescueMinOther:
		// Both engines read the code itself at the code's floor, each
		// twice or more: the other's sure readings count with the leader's.
		floor, led, conf = codeSpec.minConf, sure, sureConf
	case slipped == 0 && l.binarisedConfirms(l.read, want):
		floor = codeSpec.minConf
	}
	for _, c := range confs {
		if c >= floor {
			led, conf = led+1, math.Min(conf, c)
		}
	}
	if led < rescueMinLeader {
		return [4]byte{}, 0, false
	}
	return want, conf, true
}

// atLeast is how many of confs reach floor.
func atLeast(confs []float64, floor float64) int {
	n := 0
	for _, c := range confs {
		if c >= floor {
			n++
		}
	}
	return n
}

// onlyBlindSpots: got equals want but for digits the engine is known to
// read as another. zero is how the digit 0 is held: '0' for text, 0 for a
// digitRun's values.
func onlyBlindSpots(want, got []byte, slips [][2]byte, zero byte) bool {
	for i := range want {
		if got[i] == want[i] {
			continue
		}
		explained := false
		for _, s := range slips {
			explained = explained || (want[i] == s[0]-'0'+zero && got[i] == s[1]-'0'+zero)
		}
		if !explained {
			return false
		}
	}
	return true
}

// borderPx of white around a line: Tesseract misreads glyphs that touch the
// image edge.
const borderPx = 12

// withBorder returns g inside a white margin, wiping g.
func withBorder(g *image.Gray, px int) *image.Gray {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	out := image.NewGray(image.Rect(0, 0, w+2*px, h+2*px))
	for i := range out.Pix {
		out.Pix[i] = 255
	}
	for y := 0; y < h; y++ {
		copy(out.Pix[(y+px)*out.Stride+px:], g.Pix[y*g.Stride:y*g.Stride+w])
	}
	wipeGray(g)
	return out
}

// tighten crops r from the card and trims it to the main text line: the
// crop leaves room for misalignment, and a stray edge of a neighbouring line
// would be read as characters.
func tighten(card *image.Gray, r RectMM) *image.Gray {
	rect := mmRect(r).Intersect(card.Rect)
	if rect.Empty() {
		return nil
	}
	flat := flatten(card.SubImage(rect).(*image.Gray), int(canonPxPerMM*1.2))
	defer wipeGray(flat)
	t, dark, bright := otsu(histogram(flat))
	if bright-dark < 40 {
		return nil
	}
	w, h := flat.Rect.Dx(), flat.Rect.Dy()
	rows, cols := make([]int, h), make([]int, w)
	for y := 0; y < h; y++ {
		for _, v := range flat.Pix[y*w : y*w+w] {
			rows[y] += b2i(int(v) <= t)
		}
	}
	y0, y1, ok := mainBand(rows, max(2, w/100), 3)
	if !ok || y1-y0 < int(canonPxPerMM) {
		return nil
	}
	for y := y0; y < y1; y++ {
		for x, v := range flat.Pix[y*w : y*w+w] {
			cols[x] += b2i(int(v) <= t)
		}
	}
	x0, x1, ok := inkExtent(cols, 1)
	if !ok {
		return nil
	}
	const pad = 4
	out := image.Rect(x0-pad, y0-pad, x1+pad, y1+pad).Intersect(flat.Rect)
	return copyGray(flat.SubImage(out).(*image.Gray))
}

// mainBand finds the tallest run of rows holding ink, bridging gaps of up to
// maxGap rows (between a kanji's strokes, for example).
func mainBand(rows []int, minInk, maxGap int) (int, int, bool) {
	bestLen, b0, b1 := 0, 0, 0
	start, gap := -1, 0
	for y := 0; y <= len(rows); y++ {
		inked := y < len(rows) && rows[y] >= minInk
		switch {
		case inked && start < 0:
			start, gap = y, 0
		case inked:
			gap = 0
		case start >= 0:
			gap++
			if gap > maxGap || y == len(rows) {
				end := y - gap + 1
				if end-start > bestLen {
					bestLen, b0, b1 = end-start, start, end
				}
				start = -1
			}
		}
	}
	return b0, b1, bestLen > 0
}

func inkExtent(cols []int, minInk int) (int, int, bool) {
	x0, x1 := -1, -1
	for x, n := range cols {
		if n >= minInk {
			if x0 < 0 {
				x0 = x
			}
			x1 = x + 1
		}
	}
	return x0, x1, x0 >= 0
}

func copyGray(g *image.Gray) *image.Gray {
	out := image.NewGray(image.Rect(0, 0, g.Rect.Dx(), g.Rect.Dy()))
	for y := 0; y < g.Rect.Dy(); y++ {
		off := g.PixOffset(g.Rect.Min.X, g.Rect.Min.Y+y)
		copy(out.Pix[y*out.Stride:], g.Pix[off:off+g.Rect.Dx()])
	}
	return out
}

// stretch maps the crop's 2nd..98th percentile to full contrast.
func stretch(g *image.Gray) *image.Gray {
	h := histogram(g)
	total := g.Rect.Dx() * g.Rect.Dy()
	lo, hi := percentile(h, total, 0.02), percentile(h, total, 0.98)
	if hi <= lo {
		hi = lo + 1
	}
	out := copyGray(g)
	for i, v := range out.Pix {
		out.Pix[i] = uint8(math.Max(0, math.Min(255, float64(int(v)-lo)*255/float64(hi-lo))))
	}
	return out
}

func percentile(h *[256]int, total int, q float64) int {
	target, acc := int(q*float64(total)), 0
	for i, n := range h {
		acc += n
		if acc > target {
			return i
		}
	}
	return 255
}

// binarize thresholds the whole crop at its Otsu level.
func binarize(g *image.Gray) *image.Gray {
	t, _, _ := otsu(histogram(g))
	out := copyGray(g)
	for i, v := range out.Pix {
		if int(v) <= t {
			out.Pix[i] = 0
		} else {
			out.Pix[i] = 255
		}
	}
	return out
}

// localBinarize thresholds each pixel against its neighbourhood mean, which
// survives a glare gradient across the line that defeats one global level.
func localBinarize(g *image.Gray) *image.Gray {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	integral := make([]int, (w+1)*(h+1))
	for y := 0; y < h; y++ {
		rowSum := 0
		for x := 0; x < w; x++ {
			rowSum += int(g.Pix[y*g.Stride+x])
			integral[(y+1)*(w+1)+x+1] = integral[y*(w+1)+x+1] + rowSum
		}
	}
	r := max(8, h/2)
	out := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			x0, y0, x1, y1 := max(0, x-r), max(0, y-r), min(w, x+r+1), min(h, y+r+1)
			sum := integral[y1*(w+1)+x1] - integral[y0*(w+1)+x1] - integral[y1*(w+1)+x0] + integral[y0*(w+1)+x0]
			mean := sum / ((x1 - x0) * (y1 - y0))
			if int(g.Pix[y*g.Stride+x])*100 < mean*88 {
				out.Pix[y*w+x] = 0
			} else {
				out.Pix[y*w+x] = 255
			}
		}
	}
	return out
}

// resize scales g by fx, fy with bilinear sampling into a new image; g is
// left alone.
func resize(g *image.Gray, fx, fy float64) *image.Gray {
	w, h := max(1, int(float64(g.Rect.Dx())*fx)), max(1, int(float64(g.Rect.Dy())*fy))
	out := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			out.Pix[y*w+x] = uint8(sample(g, (float64(x)+0.5)/fx-0.5, (float64(y)+0.5)/fy-0.5) + 0.5)
		}
	}
	return out
}

// flatten divides out the paper's brightness, estimated as the local
// maximum over a window wider than any stroke, so a glare spot or a light
// gradient across the line leaves the text black on white.
func flatten(g *image.Gray, radius int) *image.Gray {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	bg := maxFilter(g, radius)
	out := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			v, b := int(g.Pix[g.PixOffset(g.Rect.Min.X+x, g.Rect.Min.Y+y)]), int(bg[y*w+x])
			if b < 1 {
				b = 1
			}
			out.Pix[y*w+x] = uint8(min(255, v*255/b))
		}
	}
	clear(bg)
	return out
}

// maxFilter is a separable running maximum of the given radius.
func maxFilter(g *image.Gray, radius int) []uint8 {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	tmp := make([]uint8, w*h)
	for y := 0; y < h; y++ {
		off := g.PixOffset(g.Rect.Min.X, g.Rect.Min.Y+y)
		row := g.Pix[off : off+w]
		for x := 0; x < w; x++ {
			m := uint8(0)
			for k := max(0, x-radius); k <= min(w-1, x+radius); k++ {
				m = max(m, row[k])
			}
			tmp[y*w+x] = m
		}
	}
	out := make([]uint8, w*h)
	for x := 0; x < w; x++ {
		for y := 0; y < h; y++ {
			m := uint8(0)
			for k := max(0, y-radius); k <= min(h-1, y+radius); k++ {
				m = max(m, tmp[k*w+x])
			}
			out[y*w+x] = m
		}
	}
	clear(tmp)
	return out
}

// boxBlur averages each pixel with its 3x3 neighbourhood, which takes the
// edge off sensor noise before the contrast is stretched.
func boxBlur(g *image.Gray) *image.Gray {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	out := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			sum, n := 0, 0
			for dy := max(0, y-1); dy <= min(h-1, y+1); dy++ {
				for dx := max(0, x-1); dx <= min(w-1, x+1); dx++ {
					sum += int(g.Pix[g.PixOffset(g.Rect.Min.X+dx, g.Rect.Min.Y+dy)])
					n++
				}
			}
			out.Pix[y*w+x] = uint8(sum / n)
		}
	}
	return out
}

// localContrast maps each pixel between the darkest and brightest values
// around it (a third of a text height away), so characters left faint by glare come
// out as black as the rest; areas with no ink nearby become white.
func localContrast(g *image.Gray) *image.Gray {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	radius := int(canonPxPerMM * TextSizeMM / 3)
	hi := maxFilter(g, radius)
	inv := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			inv.Pix[y*w+x] = 255 - g.Pix[g.PixOffset(g.Rect.Min.X+x, g.Rect.Min.Y+y)]
		}
	}
	lo := maxFilter(inv, radius) // max of the inverse is 255 - min
	out := image.NewGray(image.Rect(0, 0, w, h))
	for i := range out.Pix {
		top, bottom := int(hi[i]), 255-int(lo[i])
		if top-bottom < 40 {
			out.Pix[i] = 255
			continue
		}
		out.Pix[i] = uint8((255 - int(inv.Pix[i]) - bottom) * 255 / (top - bottom))
	}
	wipeGray(inv)
	clear(hi)
	clear(lo)
	return out
}
