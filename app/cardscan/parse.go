package cardscan

import (
	"bytes"
	"errors"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/uketsuke/uketsuke/app/wareki"
)

// Parse errors: the text is not the expected field at all, or it is a
// well-formed date that does not exist.
var (
	errSyntax = errors.New("cardscan: text is not the field")
)

// Birth is a parsed birth date line.
type Birth struct {
	Era              wareki.Era // Unknown when printed in the Gregorian calendar
	Year, Month, Day int        // era year (1 = 元年), or Gregorian year
	GregorianYear    int
}

// YYMMDD is the six digits that open 照合番号B: the era year for era dates,
// the Gregorian year's last two digits otherwise.
func (b Birth) YYMMDD() (yymmdd [6]byte) {
	b.putYYMMDD(yymmdd[:])
	return yymmdd
}

// putYYMMDD writes YYMMDD into dst (6 bytes) digit by digit, so that the
// kiosk's path can write it straight into locked memory (assemble).
func (b Birth) putYYMMDD(dst []byte) {
	yy := b.Year
	if b.Era == wareki.Unknown {
		yy = b.Year % 100
	}
	_ = dst[5]
	dst[0], dst[1], dst[2], dst[3], dst[4], dst[5] = digit(yy/10), digit(yy), digit(b.Month/10), digit(b.Month), digit(b.Day/10), digit(b.Day)
}

// Expiry is a parsed 「YYYY年 M月 D日まで有効」 line.
type Expiry struct{ Year, Month, Day int }

// Year range a card's expiry may print: cards were first issued in 2016 and
// are valid at most ten years (plus a birthday).
const (
	minExpiryYear = 2015
	maxExpiryYear = 2045
)

func digit(n int) byte { return byte('0' + n%10) }

// The grammar admits only what the card prints: the first era year as 元
// (never 1), numbers padded with a space (never a leading 0). So the engine's
// commonest slip, reading 「11」 as 「1」, cannot turn 平成11年 into a
// plausible 平成1年.
var (
	eraDateRe = regexp.MustCompile(`^(明治|大正|昭和|平成|令和)(元|[2-9]|[1-9][0-9])年` + monthDay + birthTail)
	// An era name with one kanji misread (「大止8年11月12日生」 for 大正, in
	// glare) or one more read into it (「大上正」): see garbledEraBirth. One
	// that holds a whole era name is a name's last kanji before the era
	// (「湊昭和25年」), words before a date.
	garbledEraRe = regexp.MustCompile(`^(\p{Han}{2,3})(元|[2-9]|[1-9][0-9])年` + monthDay + birthTail)
	gregBirth    = regexp.MustCompile(`^([0-9]{4})年` + monthDay + birthTail)
	// After 日 comes 「まで有効」, which carries no value and which glare
	// garbles more often than the digits; only a digit there is refused.
	// A code printed close after 「まで有効」 joins the line (「…まで有効8074」):
	// four digits right after 有効 are that, not the date's. In some fonts
	// jpn reads the expiry's 日 as two strokes (「19|1まで有効」, 「1911まで
	// 有効」 in every rendition): before まで they stand for 日, and so does
	// any one other character but a digit (「5月10唱まで有効」, glare). The
	// birth line admits no such stand-in: its day is part of 照合番号B,
	// while the expiry's only meets the birthday cross-check.
	expiryRe = regexp.MustCompile(`^([0-9]{4})年` + monthDay + `(?:日|(?:` + dayMarkStrokes + `{1,2}|[^0-9])まで)[^0-9]*(有効[0-9]{4})?$`)
)

const monthDay = `(1[0-2]|[1-9])月(3[01]|[12][0-9]|[1-9])`

// dayMarkStrokes are what jpn reads 日's two uprights as in a thin font.
const dayMarkStrokes = `[1|lI!\[\]]`

// birthTail: 生, or nothing where glare took it, or one kanji that is
// glare's 生 (「日活」, 「日邊」: the classification takes such a line for
// the birth date only when no other says so, see classify). A 性別 printed
// close after the date joins its line (「平成20年12月24日生 性別 女」,
// every rendition of a random layout's line): it carries no digit, and
// nothing else may follow 生.
const birthTail = `日(生(性別[^0-9]*)?|\p{Han})?$`

// normalize drops spaces (ASCII and ideographic) and folds full-width
// digits to ASCII, in a new buffer the caller wipes. Nothing else is folded:
// a character the engine confused is refused, not guessed.
func normalize(text []byte) []byte {
	out := make([]byte, 0, len(text))
	for i := 0; i < len(text); {
		r, n := utf8.DecodeRune(text[i:])
		i += n
		switch {
		case r == ' ' || r == '\u3000' || r == '\t' || r == '\n' || r == '\r':
		case r >= '０' && r <= '９':
			out = append(out, byte('0'+r-'０'))
		default:
			out = utf8.AppendRune(out, r)
		}
	}
	return out
}

// strayMarks are what a box's edge or a speck of dirt beside a line reads
// as (jpn read the edge beside a clean 「4819」 as 「」」, and a speck
// before 「令和元年」 as 「、」). None can stand for a digit the grammar
// would then miss: a date's year, month and day must still be whole, so
// trimming them from the ends of a date line only drops noise.
const strayMarks = "|!:;,.'\"`()[]{}/\\_-「」、。"

// trimStrayMarks trims stray marks from both ends of a normalised line; the
// result shares t's memory.
func trimStrayMarks(t []byte) []byte {
	return bytes.Trim(t, strayMarks)
}

// keptConfidence is the lowest confidence of the characters the parsers
// keep: stray marks at either end (and the code label's last character or
// a letter before the code) are trimmed and carry no value, so a faint 「:」 before a
// clean 「6706」 (jpn's weakest character at 0.86-0.92 in every rendition)
// does not make the code unsure. Without a confidence per rune it is the
// engine's lowest.
func keptConfidence(res OCRResult) float64 {
	runes := make([]rune, 0, len(res.Confidences))
	defer clear(runes)
	for i := 0; i < len(res.Text); {
		r, n := utf8.DecodeRune(res.Text[i:])
		runes = append(runes, r)
		i += n
	}
	if len(runes) != len(res.Confidences) {
		return res.Confidence
	}
	label, _ := utf8.DecodeRuneInString(codeLabelTail)
	trimmed := func(r rune, lead bool) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(strayMarks, r) || (lead && (r == label || isLatinLetter(r)))
	}
	i, j := 0, len(runes)
	for i < j && trimmed(runes[i], true) {
		i++
	}
	for j > i && trimmed(runes[j-1], false) {
		j--
	}
	if i == j {
		return res.Confidence
	}
	return slices.Min(res.Confidences[i:j])
}

// trimBoxSide drops a Latin letter before a digit at the start of t: a
// boxed expiry's left side read as one (「t2029年」, 「L2029年」). The year
// must still be four digits, so no digit is made of it.
func trimBoxSide(t []byte) []byte {
	if len(t) > 1 && isLatinLetter(rune(t[0])) && t[1] >= '0' && t[1] <= '9' {
		return t[1:]
	}
	return t
}

func isLatinLetter(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }

func atoi(b []byte) int {
	n := 0
	for _, c := range b {
		n = n*10 + int(c-'0')
	}
	return n
}

// eraYear is a matched era year: 元 is 1.
func eraYear(m []byte) int {
	if bytes.Equal(m, []byte("元")) {
		return 1
	}
	return atoi(m)
}

// eraBirth is the era date as a birth date; ErrDateInvalid when the era
// has no such day.
func eraBirth(era wareki.Era, year, month, day int) (Birth, error) {
	g, err := wareki.Date{Era: era, Year: year, Month: month, Day: day}.Time()
	if err != nil {
		return Birth{}, ErrDateInvalid
	}
	return Birth{Era: era, Year: year, Month: month, Day: day, GregorianYear: g.Year()}, nil
}

// matchGarbledEra is garbledEraRe's submatches of t, nil when t does not
// match or its era part holds a whole era name (a name's last kanji before
// the era: words before a date).
func matchGarbledEra(t []byte) [][]byte {
	m := garbledEraRe.FindSubmatch(t)
	if m == nil || containsAny(m[1], eraNames) {
		return nil
	}
	return m
}

// garbledEraBirth reads an era date whose era name jpn garbled: the era is
// the one whose first kanji opens name or whose last kanji ends it (「大止」
// and 「大上正」 are 大正; 「信和」 is 昭和 or 令和) and that has the day. The
// era name is no digit of 照合番号B, which takes the era year as printed;
// the era only places the date for the checks, so it must be the only one
// that fits. Several that fit are a syntax refusal.
func garbledEraBirth(name []byte, year, month, day int) (Birth, error) {
	first, _ := utf8.DecodeRune(name)
	last, _ := utf8.DecodeLastRune(name)
	var found Birth
	fits := 0
	for _, era := range eraNames {
		e0, _ := utf8.DecodeRune(era)
		e1, _ := utf8.DecodeLastRune(era)
		if first != e0 && last != e1 {
			continue
		}
		named, _ := wareki.ParseEra(era)
		if b, err := eraBirth(named, year, month, day); err == nil {
			found, fits = b, fits+1
		}
	}
	if fits != 1 {
		return Birth{}, errSyntax
	}
	return found, nil
}

// ParseBirth reads a birth line: 「昭和55年 2月17日生」, 「平成元年 1月 8日生」,
// or Gregorian 「1985年 3月 4日生」. A well-formed but impossible date is
// ErrDateInvalid; anything else is a syntax error.
func ParseBirth(text []byte) (Birth, error) {
	t := normalize(text)
	defer clear(t)
	t = trimStrayMarks(t)
	if m := eraDateRe.FindSubmatch(t); m != nil {
		era, _ := wareki.ParseEra(m[1])
		return eraBirth(era, eraYear(m[2]), atoi(m[3]), atoi(m[4]))
	}
	if m := matchGarbledEra(t); m != nil {
		return garbledEraBirth(m[1], eraYear(m[2]), atoi(m[3]), atoi(m[4]))
	}
	if m := gregBirth.FindSubmatch(t); m != nil {
		y, mo, d := atoi(m[1]), atoi(m[2]), atoi(m[3])
		if _, err := wareki.Gregorian(y, mo, d); err != nil || y < 1873 || y > maxExpiryYear {
			return Birth{}, ErrDateInvalid
		}
		return Birth{Year: y, Month: mo, Day: d, GregorianYear: y}, nil
	}
	return Birth{}, errSyntax
}

// ParseExpiry reads 「2035年 2月17日まで有効」.
func ParseExpiry(text []byte) (Expiry, error) {
	t := normalize(text)
	defer clear(t)
	t = trimBoxSide(trimStrayMarks(t))
	m := expiryRe.FindSubmatch(t)
	if m == nil {
		return Expiry{}, errSyntax
	}
	e := Expiry{atoi(m[1]), atoi(m[2]), atoi(m[3])}
	if _, err := wareki.Gregorian(e.Year, e.Month, e.Day); err != nil || e.Year < minExpiryYear || e.Year > maxExpiryYear {
		return Expiry{}, ErrDateInvalid
	}
	return e, nil
}

// codeLabelTail is the last character of the code's label
// (「セキュリティコード」), which a crop of a code printed right after its
// label can hold. No digit is read as it.
const codeLabelTail = "ド"

// ParseSecurityCode reads exactly four digits, after the label's last
// character when the crop caught it (「ド7166」), and without stray marks at
// either end (jpn read a clean 3288 as 「:3288」, 「,3288」 and 「.3288」): a
// mark is never a digit, so trimming one cannot make four digits of three.
func ParseSecurityCode(text []byte) ([4]byte, error) {
	n := normalize(text)
	defer clear(n)
	t := trimStrayMarks(bytes.TrimPrefix(trimStrayMarks(n), []byte(codeLabelTail)))
	if rest := trimStrayMarks(t[min(1, len(t)):]); len(t) > 4 && isLatinLetter(rune(t[0])) && len(rest) == 4 {
		// The label's edge read as a letter (「r7667」, 「r,7667」): the code
		// is printed alone, so a letter before four digits is no digit of it.
		t = rest
	}
	var code [4]byte
	if len(t) != 4 {
		return code, errSyntax
	}
	for i, c := range t {
		if c < '0' || c > '9' {
			return [4]byte{}, errSyntax
		}
		code[i] = c
	}
	return code, nil
}

// birthdayRuleHolds: a Japanese national's card expires on a birthday, and a
// 2月29日 birthday falls on 2月28日 or 3月1日 in common years.
func birthdayRuleHolds(b Birth, e Expiry) bool {
	if b.Month == e.Month && b.Day == e.Day {
		return true
	}
	if b.Month == 2 && b.Day == 29 {
		return (e.Month == 2 && e.Day == 28) || (e.Month == 3 && e.Day == 1)
	}
	return false
}

// First year cards were issued (applications from October 2015).
const firstIssueYear = 2015

// issuanceFits: a card runs to the 10th birthday after issue (5th for
// minors: under 20 before 2022, under 18 since), so the issue year is
// expiry-10 or -9 for adults and expiry-5 or -4 for minors, never before
// 2015 and never after thisYear (a card is not issued in the future). A
// dropped digit in the era year (平成27年 read as 平成7年) usually makes a
// holder who could not have received a card that expires then, and so does
// a 0 read as 9 in a child's expiry (2030 as 2039: a 5-year card issued in
// 2034).
func issuanceFits(b Birth, e Expiry, thisYear int) bool {
	adult := e.Year-9 >= firstIssueYear && e.Year-10 <= thisYear && e.Year-9-b.GregorianYear >= 17
	minor := e.Year-4 >= firstIssueYear && e.Year-5 <= thisYear && e.Year-5-b.GregorianYear <= 20
	return adult || minor
}
