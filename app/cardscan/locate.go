package cardscan

import (
	"bytes"
	"context"
	"image"
	"slices"
	"unicode"
	"unicode/utf8"

	"github.com/uketsuke/uketsuke/app/secret"
)

// Design is the card's front design, told from what it prints.
type Design string

const (
	DesignUnknown Design = ""
	// DesignCurrent prints the birth date in the era calendar for nationals,
	// 性別 and 「個人番号カード」.
	DesignCurrent Design = "current"
	// DesignNext is the next-generation card: Gregorian birth dates for
	// everyone, no 性別, 「日本国 JAPAN」.
	DesignNext Design = "next"
)

// lineKind is what a found line says, judged from one cheap reading.
type lineKind int

const (
	kindOther  lineKind = iota
	kindDate            // a date with neither 生 nor まで有効 legible
	kindBirth           // an era date, or a date ending in 生
	kindExpiry          // a date followed by まで有効
	kindCode            // exactly four digits
	kindDigits          // digits only, but not four
)

var (
	eraNames = [][]byte{[]byte("明治"), []byte("大正"), []byte("昭和"), []byte("平成"), []byte("令和")}
	// 「個人番号カード」 is no mark: the next card may keep the name.
	currentMarks  = [][]byte{[]byte("性別"), []byte("臓器")}
	nextMarks     = [][]byte{[]byte("日本国"), []byte("JAPAN")}
	expiryMarks   = [][]byte{[]byte("まで"), []byte("有効")}
	birthMark     = []byte("生")
	dateMonth     = []byte("月")
	dateYear      = []byte("年")
	dateMonthDays = [][]byte{[]byte("月"), []byte("日")}
)

func containsAny(t []byte, subs [][]byte) bool {
	for _, s := range subs {
		if bytes.Contains(t, s) {
			return true
		}
	}
	return false
}

// classify judges a line's text by what it says, and notes what it shows
// of the card's design. An era name marks a birth date: the expiry is
// always Gregorian.
func classify(text []byte) (lineKind, Design) {
	t := normalize(text)
	defer clear(t)
	design := DesignUnknown
	switch {
	case containsAny(t, currentMarks):
		design = DesignCurrent
	case containsAny(t, nextMarks):
		design = DesignNext
	}
	if _, err := ParseSecurityCode(t); err == nil {
		return kindCode, design
	}
	if len(t) > 0 && len(bytes.Trim(t, digits)) == 0 {
		return kindDigits, design
	}
	era := containsAny(t, eraNames)
	if era {
		design = DesignCurrent
	}
	dated := bytes.Contains(t, dateYear) && containsAny(t, dateMonthDays) && bytes.ContainsAny(t, digits)
	switch {
	case era && bytes.HasSuffix(trimStrayMarks(t), dateMonth):
		// A birth date cut short: the padding space before a one-digit day
		// split 「昭和17年 9月 1日生」 in two lines. As a date it is left
		// for the halves joined (findJoined).
		return kindDate, design
	case era || (dated && bytes.Contains(t, birthMark) && !containsAny(t, expiryMarks)):
		return kindBirth, design
	case dated && containsAny(t, expiryMarks):
		return kindExpiry, design
	case dated:
		return kindDate, design
	}
	return kindOther, design
}

// candidate is a found line that may hold a field, with what its first
// renditions read as each field, so the vote that follows reads nothing
// twice.
type candidate struct {
	rect   image.Rectangle
	splits []int // where words begin after the line's widest gaps
	// starts: where each run of ink after the first begins, rightmost
	// first (codeTails).
	starts []int
	// garbledBirth: a reading ended in 日 and one kanji that is neither 生
	// nor of まで有効 (glare's 生, read as 「活」 or 「邊」).
	garbledBirth bool
	// codeAtEnd: the line's first reading ended in four digits after a
	// character that is neither a digit nor a Latin letter (「西九丁9635」,
	// not a serial's 「SA2640」).
	codeAtEnd bool
	// tail: the candidate is the end of a longer line, so its crop may not
	// reach back across the gap into the words before it.
	tail bool
	// room is how far sideways the crop may reach before another line.
	room [2]int
	// box, when set, is a place on today's card cut as it stands: the last
	// place looked at when no found line says it holds the field.
	box  *RectMM
	crop *image.Gray
	// inkPx is how tall the field's ink stands at the size the renditions
	// were tuned for.
	inkPx  float64
	kinds  []lineKind
	birth  []reading[Birth]
	expiry []reading[Expiry]
	code   []reading[[4]byte]
	taken  bool
}

func (c *candidate) close() {
	if !c.taken {
		wipeGray(c.crop)
	}
	c.crop = nil
	clear(c.birth)
	clear(c.expiry)
	clear(c.code)
}

// kind is what the line's readings say together: a birth date or an
// expiry when some reading says so and none says the other, a date when
// one looked like a date, else nothing the scanner wants.
func (c *candidate) kind() lineKind {
	saw := map[lineKind]bool{}
	for _, k := range c.kinds {
		saw[k] = true
	}
	switch {
	case saw[kindBirth] && saw[kindExpiry]:
		return kindOther
	case saw[kindBirth]:
		return kindBirth
	case saw[kindExpiry]:
		return kindExpiry
	case saw[kindCode]:
		return kindCode
	case saw[kindDigits]:
		return kindDigits
	case saw[kindDate]:
		return kindDate
	}
	return kindOther
}

// fieldLines are the lines the three fields are read from.
type fieldLines struct {
	birth  *textLine[Birth]
	expiry *textLine[Expiry]
	code   *textLine[[4]byte]
	design Design
	all    []*candidate
}

func (f *fieldLines) close() {
	if f.birth != nil {
		f.birth.close()
	}
	if f.expiry != nil {
		f.expiry.close()
	}
	if f.code != nil {
		f.code.close()
	}
	for _, c := range f.all {
		c.close()
	}
}

// Shapes of the lines that can hold a field, as width over height of the
// ink: a date runs to eight or more characters, the code is four digits.
const (
	dateMinAspect = 5.0
	codeMinAspect = 1.5
	codeMaxAspect = 5.0
	// codeNearPhotoMM: the code is printed under or beside the photo (with
	// room for a light photo background found only around the face).
	codeNearPhotoMM = 32.0
)

// locator finds the lines holding the birth date, the expiry and the
// security code by what they say. The printed layout of today's card is
// only the order in which lines are tried, so the common card costs no
// more readings than a fixed layout would, and any other card costs a few.
// Each field is looked for when its vote is due, so a line found while
// looking for another is already read.
type locator struct {
	s            *Scanner
	card         *image.Gray
	all          []image.Rectangle // every line found
	splits       [][]int           // each line's word starts (cardPrint.splits)
	dates, codes []*candidate
	joined       []*candidate // pairs of lines side by side, made when needed
	photo        image.Rectangle
	lines        fieldLines
}

func (s *Scanner) newLocator(card *image.Gray) *locator {
	p := findPrint(card)
	l := &locator{s: s, card: card, all: p.lines, splits: p.splits, photo: p.photo}
	for i, r := range p.lines {
		aspect := float64(r.Dx()) / float64(r.Dy())
		c := &candidate{rect: r, splits: p.splits[i], starts: p.starts[i]}
		switch {
		case aspect >= dateMinAspect:
			c.inkPx = dateInkPx
			l.dates = append(l.dates, c)
		case aspect >= codeMinAspect && aspect <= codeMaxAspect && nearPhoto(r, p.photo):
			c.inkPx = codeInkPx
			l.codes = append(l.codes, c)
		default:
			continue
		}
		l.lines.all = append(l.lines.all, c)
	}
	for _, c := range l.lines.all {
		c.room = roomBeside(c.rect, p.lines)
	}
	// A code printed close beside its label joins the label's line: the
	// line's last word is a code candidate too.
	for i, r := range p.lines {
		for _, x := range p.splits[i] {
			t := image.Rect(x, r.Min.Y, r.Max.X, r.Max.Y)
			aspect := float64(t.Dx()) / float64(t.Dy())
			if aspect >= codeMinAspect && aspect <= codeMaxAspect && nearPhoto(t, p.photo) {
				c := &candidate{rect: t, inkPx: codeInkPx, tail: true, room: roomBeside(r, p.lines)}
				l.codes = append(l.codes, c)
				l.lines.all = append(l.lines.all, c)
			}
		}
	}
	return l
}

func (l *locator) close() { l.lines.close() }

// designLooks is how many unread lines the locator reads at most to find
// the card's design when the fields did not show it.
const designLooks = 2

// lookForDesign reads a few short lines not read yet (「日本国 JAPAN」 and
// 「性別 男」 are short) for a mark of the design. Only a card with a
// Gregorian birth date needs it: an era date shows today's card.
func (l *locator) lookForDesign(ctx context.Context) {
	var unread []*candidate
	for _, c := range l.lines.all {
		if len(c.kinds) == 0 && c.inkPx == dateInkPx && !c.tail {
			unread = append(unread, c)
		}
	}
	slices.SortStableFunc(unread, func(a, b *candidate) int { return a.rect.Dx() - b.rect.Dx() })
	for _, c := range unread[:min(designLooks, len(unread))] {
		if l.lines.design != DesignUnknown {
			return
		}
		if _, err := l.readDateCandidate(ctx, c, 0); err != nil {
			return
		}
	}
}

func (l *locator) birth(ctx context.Context) (*textLine[Birth], error) {
	if l.lines.birth == nil {
		c, err := l.findDate(ctx, kindBirth, BirthRect)
		if err != nil {
			return nil, err
		}
		c.taken = true
		l.lines.birth = seededLine(c.crop, birthSpec, ParseBirth, c.birth)
	}
	return l.lines.birth, nil
}

func (l *locator) expiry(ctx context.Context) (*textLine[Expiry], error) {
	if l.lines.expiry == nil {
		c, err := l.findDate(ctx, kindExpiry, ExpiryRect)
		if err != nil {
			return nil, err
		}
		c.taken = true
		l.lines.expiry = seededLine(c.crop, expirySpec, ParseExpiry, c.expiry)
	}
	return l.lines.expiry, nil
}

func (l *locator) code(ctx context.Context) (*textLine[[4]byte], error) {
	if l.lines.code == nil {
		var box *candidate
		if !cutsALine(mmRect(CodeRect), l.all) {
			box = &candidate{box: &CodeRect, inkPx: codeInkPx}
		}
		c, err := l.s.findCode(ctx, l.card, l.codes, box, l.codeTails, &l.lines)
		if err != nil {
			return nil, err
		}
		c.taken = true
		l.lines.code = seededLine(c.crop, codeSpec, ParseSecurityCode, c.code)
	}
	return l.lines.code, nil
}

// roomBeside returns the x range a crop of line r may span: up to the
// nearest other line on its band, on either side.
func roomBeside(r image.Rectangle, lines []image.Rectangle) [2]int {
	room := [2]int{0, canonW}
	for _, o := range lines {
		if o == r || o.Max.Y <= r.Min.Y || o.Min.Y >= r.Max.Y {
			continue
		}
		if o.Max.X <= r.Min.X {
			room[0] = max(room[0], o.Max.X+1)
		}
		if o.Min.X >= r.Max.X {
			room[1] = min(room[1], o.Min.X-1)
		}
	}
	return room
}

func nearPhoto(r, photo image.Rectangle) bool {
	if photo.Empty() {
		return true
	}
	reach := int(codeNearPhotoMM * canonPxPerMM)
	return r.Overlaps(photo.Inset(-reach))
}

// byPrior orders candidates by their distance from where today's card
// prints the field.
func byPrior(cands []*candidate, prior RectMM) []*candidate {
	pc := center(mmRect(prior))
	dist := func(c *candidate) int {
		d := center(c.rect).Sub(pc)
		return d.X*d.X + d.Y*d.Y
	}
	out := slices.Clone(cands)
	slices.SortStableFunc(out, func(a, b *candidate) int { return dist(a) - dist(b) })
	return out
}

// findDate reads date-shaped candidates, nearest the prior first, until one
// says it is the wanted date; then, only if none did, a second rendition of
// those that said nothing clear, and lines joined side by side. A date
// without its 生 or まで有効 is never taken for either: the certificate's
// expiry written in its box falls on the same birthday as the card's.
func (l *locator) findDate(ctx context.Context, want lineKind, prior RectMM) (*candidate, error) {
	field := FieldBirth
	if want == kindExpiry {
		field = FieldExpiry
	}
	ordered := byPrior(l.dates, prior)
	for rendition := 0; rendition < 2; rendition++ {
		for i := 0; i < len(ordered); i++ {
			c := ordered[i]
			if c.taken {
				continue
			}
			unclear := c.kind() == kindOther || c.kind() == kindDate
			if rendition == 0 || unclear {
				words, err := l.readDateCandidate(ctx, c, rendition)
				if err != nil {
					return nil, err
				}
				// The words after the line's gaps are tried next.
				ordered = slices.Insert(ordered, i+1, words...)
			}
			if c.kind() == want {
				return c, nil
			}
		}
	}
	// A birth line whose 生 glare garbled in the readings so far is no
	// date of another kind: taken when no line said it was the birth date.
	if want == kindBirth {
		for _, c := range ordered {
			if !c.taken && c.garbledBirth && c.kind() == kindDate {
				return c, nil
			}
		}
	}
	// Glare can thin a padding space's neighbours until a date falls
	// apart in two (「2028年 2月」 and 「2日まで有効」): the two halves
	// joined are a last chance.
	if c, err := l.findJoined(ctx, want, prior); c != nil || err != nil {
		return c, err
	}
	// Where today's card prints it, cut as a fixed box: blur or glare can
	// merge or break the lines of a frame that the box still reads. It must
	// still say what it is, in one of two renditions.
	box := &candidate{box: &prior, inkPx: dateInkPx}
	l.lines.all = append(l.lines.all, box)
	for rendition := 0; rendition < 2; rendition++ {
		if _, err := l.readDateCandidate(ctx, box, rendition); err != nil {
			return nil, err
		}
		if box.kind() == want {
			l.dates = append(l.dates, box)
			return box, nil
		}
	}
	return nil, &FieldError{field, ErrFieldUnreadable}
}

// findJoined reads, nearest the prior first, lines made of two found lines
// side by side on one band (of like height, at most three line heights
// apart: a faint 「まで」 the ink mask left out parted 「2030年10月17日」 and
// 「有効」 by 2.6) until one says it is the wanted date.
func (l *locator) findJoined(ctx context.Context, want lineKind, prior RectMM) (*candidate, error) {
	if l.joined == nil {
		l.joined = []*candidate{}
		for i, a := range l.all {
			// Each line with the next on its right, and that with the
			// next, while there is one: a date may fall apart in three.
			// The first line's word gaps stay (a birth date printed
			// after the name, split before its day: 「大翔 昭和17年 9月」 and
			// 「1日生」).
			for u, grew := a, true; grew; {
				grew = false
				for _, b := range l.all {
					if v, ok := sideBySide(u, b); ok {
						u, grew = v, true
						c := &candidate{rect: u, splits: l.splits[i], inkPx: dateInkPx, room: roomBeside(u, l.all)}
						l.joined = append(l.joined, c)
						l.lines.all = append(l.lines.all, c)
						break
					}
				}
			}
		}
	}
	queue := byPrior(l.joined, prior)
	for i := 0; i < len(queue); i++ {
		c := queue[i]
		if c.taken {
			continue
		}
		words, err := l.readDateCandidate(ctx, c, 0)
		if err != nil {
			return nil, err
		}
		queue = slices.Insert(queue, i+1, words...) // tails join l.dates themselves
		if c.kind() == want {
			if !c.tail {
				l.dates = append(l.dates, c)
			}
			return c, nil
		}
	}
	return nil, nil
}

// sideBySide: b continues a on its band, a little further than a word gap.
func sideBySide(a, b image.Rectangle) (image.Rectangle, bool) {
	h := min(a.Dy(), b.Dy())
	overlap := min(a.Max.Y, b.Max.Y) - max(a.Min.Y, b.Min.Y)
	gap := b.Min.X - a.Max.X
	u := a.Union(b)
	ok := gap > 0 && gap <= 3*max(a.Dy(), b.Dy()) && 10*overlap >= 6*h &&
		2*max(a.Dy(), b.Dy()) < 3*h && float64(u.Dx())/float64(u.Dy()) >= dateMinAspect
	return u, ok
}

// readDateCandidate reads rendition i of a date-shaped line (if not read
// yet), and keeps what it says as a birth date and as an expiry. A line
// that names a date after other words (the date printed close beside the
// name) is no field itself: it returns the line's tails from its widest
// gaps as new candidates.
func (l *locator) readDateCandidate(ctx context.Context, c *candidate, i int) ([]*candidate, error) {
	if len(c.kinds) > i {
		return nil, nil
	}
	text, conf, lang, spans, err := l.s.readCandidate(ctx, l.card, c, dateVariants[i])
	if err != nil || text == nil && c.crop == nil {
		c.kinds = append(c.kinds, kindOther)
		return nil, err
	}
	defer secret.Wipe(text)
	kind, design := classify(text)
	l.lines.noteDesign(design)
	if i == 0 {
		c.codeAtEnd = endsInCode(text)
	}
	c.garbledBirth = c.garbledBirth || (kind == kindDate && endsInGarbledBirthMark(text))
	b, berr := ParseBirth(text)
	e, eerr := ParseExpiry(text)
	digits := digitsOf(text)
	// Both readings share the spans: one of the two lines is dropped
	// unwiped, and they hold no digit.
	c.birth = append(c.birth, reading[Birth]{b, conf, lang, berr, len(text) > 0, digits, spans})
	c.expiry = append(c.expiry, reading[Expiry]{e, conf, lang, eerr, len(text) > 0, digits, spans})
	var words []*candidate
	if (kind == kindBirth || kind == kindExpiry || kind == kindDate) && startsWithWords(text) {
		kind = kindOther
		words = l.tails(c)
	}
	c.kinds = append(c.kinds, kind)
	return words, nil
}

// tails makes candidates of a line's words after each of its wide gaps.
func (l *locator) tails(c *candidate) []*candidate {
	var out []*candidate
	for _, x := range c.splits {
		t := &candidate{rect: image.Rect(x, c.rect.Min.Y, c.rect.Max.X, c.rect.Max.Y), inkPx: c.inkPx, tail: true, room: c.room}
		if float64(t.rect.Dx())/float64(t.rect.Dy()) < dateMinAspect {
			continue
		}
		l.dates = append(l.dates, t)
		l.lines.all = append(l.lines.all, t)
		out = append(out, t)
	}
	c.splits = nil
	return out
}

// startsWithWords: the text does not begin the way a date does, with an
// era name (garbled ones included: matchGarbledEra) or a digit.
func startsWithWords(text []byte) bool {
	full := normalize(text)
	defer clear(full)
	t := trimBoxSide(trimStrayMarks(full))
	if len(t) == 0 || (t[0] >= '0' && t[0] <= '9') {
		return false
	}
	for _, era := range eraNames {
		if bytes.HasPrefix(t, era) {
			return false
		}
	}
	return matchGarbledEra(t) == nil
}

// endsInCode: the normalised text ends in exactly four digits after a
// character that is no digit and no Latin letter.
func endsInCode(text []byte) bool {
	t := normalize(text)
	defer clear(t)
	t = trimStrayMarks(t)
	n := len(t)
	if n < 5 || len(bytes.Trim(t[n-4:], digits)) != 0 {
		return false
	}
	r, _ := utf8.DecodeLastRune(t[:n-4])
	return r >= utf8.RuneSelf
}

// endsInGarbledBirthMark: the text ends in 日 and one kanji that is
// neither 生 nor of まで有効.
func endsInGarbledBirthMark(text []byte) bool {
	full := normalize(text)
	defer clear(full)
	t := trimStrayMarks(full)
	last, n := utf8.DecodeLastRune(t)
	if n == 0 || !unicode.Is(unicode.Han, last) || last == '生' || last == '有' || last == '効' {
		return false
	}
	day, _ := utf8.DecodeLastRune(t[:len(t)-n])
	return day == '日'
}

// cutsALine: a found line crosses a side of box r. Today's code box then
// holds a piece of another line, not a code: on a card that prints its
// serial there, the box's 「…58V6」 read as 「3586」 and won over the code
// printed elsewhere.
func cutsALine(r image.Rectangle, lines []image.Rectangle) bool {
	for _, l := range lines {
		if l.Overlaps(r) && (l.Min.X < r.Min.X || l.Max.X > r.Max.X) {
			return true
		}
	}
	return false
}

// codeTailsPerLine is how many of a line's last ink runs are tried as a
// code printed close after it.
const codeTailsPerLine = 3

// codeTails are candidates for a code that joined the end of a line near
// the photo across a narrow gap (the address 「…北一条西九丁」 and 9635, 1 mm
// apart): the code-shaped stretches from each of the line's last ink runs
// to its end, of lines whose first reading ended in a code after a
// Japanese character. Made only when no code-shaped line read as a code.
func (l *locator) codeTails() []*candidate {
	var out []*candidate
	for _, c := range l.dates {
		if !c.codeAtEnd || !nearPhoto(c.rect, l.photo) {
			continue
		}
		for _, x := range c.starts[:min(codeTailsPerLine, len(c.starts))] {
			t := &candidate{rect: image.Rect(x, c.rect.Min.Y, c.rect.Max.X, c.rect.Max.Y), inkPx: codeInkPx, tail: true, room: c.room}
			if aspect := float64(t.rect.Dx()) / float64(t.rect.Dy()); aspect < codeMinAspect || aspect > codeMaxAspect {
				continue
			}
			l.lines.all = append(l.lines.all, t)
			out = append(out, t)
		}
	}
	return out
}

// How many of the code's renditions a candidate may be read in while no
// line says it is the code. The first two (both engines) find nearly every
// code; a small clean crop of 「1157」 came back as 「US」 from jpn and as
// nothing from eng there, so when no line read even as digits the next
// two, larger, are tried too: they cost only on such a card.
const (
	codeFirstRenditions = 2
	codeFindRenditions  = 4
)

// findCode reads code-shaped candidates near the photo, nearest the prior
// first, then today's code box (nil when it cannot hold a code), until one
// reads as four digits. If none
// does in the first renditions, the line that read as digits at all goes
// to the vote (a code of 1s is often read short at first); only if none
// did are the next renditions tried (codeFindRenditions), and only then
// may the box that read as digits go.
func (s *Scanner) findCode(ctx context.Context, card *image.Gray, cands []*candidate, box *candidate, tails func() []*candidate, f *fieldLines) (*candidate, error) {
	ordered, lines := byPrior(cands, CodeRect), len(cands)
	if box != nil {
		f.all = append(f.all, box)
		ordered = append(ordered, box)
	}
	for rendition := 0; rendition < codeFindRenditions; rendition++ {
		if rendition == codeFirstRenditions {
			// Before settling for a line read only as digits: a code
			// joined to the end of another line.
			if c, err := s.readAsCode(ctx, card, tails(), 0, codeFirstRenditions, f); c != nil || err != nil {
				return c, err
			}
			// Not yet the fixed box: it reads the serial's end on a card
			// that prints the code elsewhere (「…58V6」 as 「3586」 by eng's
			// whitelist), while the code's own line, read as nothing in the
			// small renditions, is still to be read larger.
			if c := digitsRead(ordered[:lines]); c != nil {
				return c, nil
			}
		}
		if c, err := s.readAsCode(ctx, card, ordered, rendition, rendition+1, f); c != nil || err != nil {
			return c, err
		}
	}
	if c := digitsRead(ordered); c != nil {
		return c, nil
	}
	return nil, &FieldError{FieldSecurityCode, ErrFieldUnreadable}
}

// readAsCode reads each candidate in the code's renditions from, to (those
// not read yet) and returns the first that reads as a code.
func (s *Scanner) readAsCode(ctx context.Context, card *image.Gray, cands []*candidate, from, to int, f *fieldLines) (*candidate, error) {
	for rendition := from; rendition < to; rendition++ {
		for _, c := range cands {
			if len(c.kinds) > rendition {
				continue
			}
			text, conf, lang, _, err := s.readCandidate(ctx, card, c, codeVariants[rendition])
			if err != nil {
				return nil, err
			}
			kind, design := classify(text)
			f.noteDesign(design)
			code, perr := ParseSecurityCode(text)
			read := reading[[4]byte]{code, conf, lang, perr, len(text) > 0, digitsOf(text), digitSpans{}}
			secret.Wipe(text) // after digitsOf: a wiped text holds no digits
			c.kinds = append(c.kinds, kind)
			c.code = append(c.code, read)
			if kind == kindCode {
				return c, nil
			}
		}
	}
	return nil, nil
}

// digitsRead is the candidate read as digits (but not as a code) in the
// most renditions, the first of equals: eng, whose whitelist admits only
// digits, read the code's label 「ィコード」 as 「43」 once, while jpn and eng
// both read the code 9173 beside it as digits (「9」, 「175」) in its small
// first renditions. Lines jpn surely read as words are not digits.
func digitsRead(ordered []*candidate) *candidate {
	var best *candidate
	most := 0
	for _, c := range ordered {
		if c.kind() != kindDigits || c.surelyWords() {
			continue
		}
		if n := c.digitReadings(); n > most {
			best, most = c, n
		}
	}
	return best
}

// wordsSureConfidence: jpn reading a line as text with no digit at all at
// this confidence or more means it holds words, whatever eng's digit
// whitelist made of them (the furigana 「イチロウ」 at 0.99, 「19」 by eng).
const wordsSureConfidence = 0.95

// surelyWords: jpn read the candidate, in some rendition, as words alone.
func (c *candidate) surelyWords() bool {
	for _, r := range c.code {
		if r.lang == "jpn" && r.text && r.digits.n == 0 && r.conf >= wordsSureConfidence {
			return true
		}
	}
	return false
}

// digitReadings is how many of the candidate's renditions read as digits.
func (c *candidate) digitReadings() int {
	n := 0
	for _, k := range c.kinds {
		if k == kindDigits {
			n++
		}
	}
	return n
}

// readCandidate cuts the line's crop (once) and recognises one rendition,
// with where its digit runs lie in the crop. A line that gives no crop
// reads as nothing.
func (s *Scanner) readCandidate(ctx context.Context, card *image.Gray, c *candidate, v variant) ([]byte, float64, string, digitSpans, error) {
	if c.crop == nil && c.box != nil {
		c.crop = tighten(card, *c.box)
	} else if c.crop == nil {
		c.crop = lineCrop(card, c.rect, c.inkPx, c.tail, c.room)
	}
	if c.crop == nil {
		return nil, 0, v.lang, digitSpans{}, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, 0, "", digitSpans{}, err
	}
	img := withBorder(v.prepare(c.crop), borderPx)
	rendW := img.Rect.Dx() - 2*borderPx
	res, err := s.ocr.Recognize(ctx, OCRRequest{Image: img, Lang: v.lang, Whitelist: v.whitelist})
	wipeGray(img)
	if err != nil {
		return nil, 0, "", digitSpans{}, err
	}
	return res.Text, keptConfidence(res), v.lang, spansOf(res, c.crop, rendW), nil
}

func (f *fieldLines) noteDesign(d Design) {
	switch {
	case d == DesignUnknown:
	case f.design == DesignUnknown:
		f.design = d
	case f.design != d:
		// Marks of both designs: trust neither.
		f.design = DesignUnknown
	}
}

// How tall the ink of a date line (kanji) and of the code (digits only)
// stands on today's card, in 3.2 mm type: the renditions were tuned at
// these sizes, so a line printed larger or smaller is scaled to them.
var (
	dateInkPx = 0.88 * TextSizeMM * canonPxPerMM
	codeInkPx = 0.72 * TextSizeMM * canonPxPerMM
)

// lineCrop cuts a found line with a margin, trims it like a fixed box, and
// scales it to the size the renditions were tuned for.
func lineCrop(card *image.Gray, r image.Rectangle, inkPx float64, tail bool, room [2]int) *image.Gray {
	// Sideways as far as the next line can begin (nearer would have joined
	// this one), for glyphs too faint to count as ink; glare does that.
	m, side := max(2, r.Dy()/4), max(2, int(wordGapFactor*float64(r.Dy()))-2)
	left := side
	if tail {
		left = int(splitGapFactor * float64(r.Dy()) / 2)
	}
	x0, x1 := max(r.Min.X-left, room[0]), min(r.Max.X+side, room[1])
	rect := RectMM{
		X0: float64(x0) / canonPxPerMM, Y0: float64(r.Min.Y-m) / canonPxPerMM,
		X1: float64(x1) / canonPxPerMM, Y1: float64(r.Max.Y+m) / canonPxPerMM,
	}
	crop := tighten(card, rect)
	if crop == nil {
		return nil
	}
	const pad = 4 // tighten's margin
	ink := float64(crop.Rect.Dy() - 2*pad)
	scale := inkPx / ink
	if scale > 0.87 && scale < 1.15 {
		return crop
	}
	out := resize(crop, scale, scale)
	wipeGray(crop)
	return out
}

// seededLine makes a field's text line from a located candidate, with the
// readings already made.
func seededLine[T comparable](crop *image.Gray, spec fieldSpec, parse func([]byte) (T, error), read []reading[T]) *textLine[T] {
	return &textLine[T]{spec: spec, parse: parse, crop: crop, read: slices.Clone(read)}
}
