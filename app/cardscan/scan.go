// Package cardscan reads the three printed fields of a My Number Card front
// that make 照合番号B (birth date, expiry year, security code) from a
// card-face camera image, or refuses with a typed reason. A wrong 照合番号B
// costs one of the card's ten tries, so every field must be read alike in
// at least two renditions and pass calendar and consistency checks.
//
// The values exist only in app/secret buffers; text from the OCR engine is
// wiped as soon as it is parsed.
package cardscan

import (
	"context"
	"errors"
	"image"
	"math"
	"time"

	"github.com/uketsuke/uketsuke/app/secret"
	"github.com/uketsuke/uketsuke/app/wareki"
)

// Result is a successful scan. Destroy it when the session ends.
type Result struct {
	BirthYYMMDD  *secret.Buffer // 6 ASCII digits, era year (元年 = 01)
	ExpiryYear   *secret.Buffer // 4 ASCII digits
	SecurityCode *secret.Buffer // 4 ASCII digits
	CodeB        *secret.Buffer // 照合番号B, 14 ASCII digits
	// Confidence is the weakest agreeing reading's engine confidence, 0..1.
	Confidence float64
	// GregorianBirth: the birth date was printed in the Gregorian calendar
	// (a foreign resident's card).
	GregorianBirth bool
	// Design is the card design its print showed, when it showed one.
	Design     Design
	UpsideDown bool
}

// Destroy wipes every buffer. Safe on nil and more than once.
func (r *Result) Destroy() {
	if r == nil {
		return
	}
	r.BirthYYMMDD.Destroy()
	r.ExpiryYear.Destroy()
	r.SecurityCode.Destroy()
	r.CodeB.Destroy()
}

// Scanner reads card fronts through an OCR engine.
type Scanner struct {
	ocr OCR
	// MinConfidence is the lowest per-character engine confidence a reading
	// may have to count towards agreement.
	MinConfidence float64
	// Now is the clock (time.Now by default): no card is issued after this
	// year, which bounds its expiry (issuanceFits).
	Now func() time.Time
}

// DefaultMinConfidence was chosen on the rendered benchmark: agreeing
// readings below it were the ones that went wrong.
const DefaultMinConfidence = 0.55

// New returns a scanner using o.
func New(o OCR) *Scanner { return &Scanner{ocr: o, MinConfidence: DefaultMinConfidence, Now: time.Now} }

// minImageSide is the smallest frame side that can show a readable card.
const minImageSide = 200

// Scan reads a card front from img.
func (s *Scanner) Scan(ctx context.Context, img image.Image) (*Result, error) {
	if img == nil || img.Bounds().Dx() < minImageSide || img.Bounds().Dy() < minImageSide*3/4 {
		return nil, ErrBadImage
	}
	work, err := toGray(img)
	if err != nil {
		return nil, err
	}
	defer work.release()
	corners, ok := findCard(work.Gray)
	if !ok {
		return nil, ErrNoCard
	}
	card, err := warpCard(work.Gray, corners)
	if errors.Is(err, secret.ErrLockLimit) {
		return nil, err
	} else if err != nil {
		return nil, ErrNoCard
	}
	defer card.release()
	switch orientation(card.Gray) {
	case 1:
		return s.readCard(ctx, card.Gray, false)
	case -1:
		rotate180(card.Gray)
		return s.readCard(ctx, card.Gray, true)
	}
	res, err := s.readCard(ctx, card.Gray, false)
	if err == nil || !errors.Is(err, ErrFieldUnreadable) || FieldOf(err) != FieldBirth {
		return res, err
	}
	rotate180(card.Gray)
	return s.readCard(ctx, card.Gray, true)
}

// readCard finds the three fields on an upright card, reads them and
// cross-checks them.
func (s *Scanner) readCard(ctx context.Context, card *image.Gray, upsideDown bool) (*Result, error) {
	loc := s.newLocator(card)
	defer loc.close()
	birth, exp, c1, err := s.readDates(ctx, loc)
	defer func() { birth, exp = Birth{}, Expiry{} }()
	if err != nil {
		return nil, err
	}
	codeLine, err := loc.code(ctx)
	if err != nil {
		return nil, err
	}
	code, c3, err := vote(ctx, s.ocr, codeLine, s.MinConfidence, nil, blindSpotRescue)
	if err != nil {
		return nil, err
	}
	defer clear(code[:])
	res, err := assemble(birth, exp, code)
	if err != nil {
		return nil, err
	}
	res.Confidence = math.Min(c1, c3)
	res.GregorianBirth = birth.Era == wareki.Unknown
	if res.GregorianBirth && loc.lines.design == DesignUnknown {
		loc.lookForDesign(ctx)
	}
	res.Design = loc.lines.design
	if res.Design == DesignUnknown && !res.GregorianBirth {
		res.Design = DesignCurrent // only today's card prints an era
	}
	res.UpsideDown = upsideDown
	return res, nil
}

// readDates reads the birth line (its era year checked against the ink),
// then the expiry line, which must agree with the birth date. When no
// expiry reading does, the birth date may be the misread one (「11月」 read
// as 「1月」 in every rendition): the expiry is voted on its own and the
// birth line again, now under both checks. Both lines remember what they
// read, so this second pass recognises only renditions not read yet. A
// vetoed reading still counts against every rival, so the second winner
// must outvote the first three to one.
func (s *Scanner) readDates(ctx context.Context, loc *locator) (Birth, Expiry, float64, error) {
	birthLine, err := loc.birth(ctx)
	if err != nil {
		return Birth{}, Expiry{}, 0, err
	}
	inkAgrees := func(b Birth) error {
		if b.Era == wareki.Unknown {
			return nil
		}
		if loc.lines.design == DesignNext {
			// The next-generation card prints no era.
			return &FieldError{FieldBirth, ErrDateInvalid}
		}
		if stands, err := eraYearStands(ctx, s.ocr, birthLine, b); err != nil || !stands {
			return &FieldError{FieldBirth, ErrLowConfidence}
		}
		return nil
	}
	birth, c1, err := vote(ctx, s.ocr, birthLine, s.MinConfidence, inkAgrees, nil)
	var expiryLine *textLine[Expiry]
	if err == nil {
		expiryLine, err = loc.expiry(ctx)
	}
	if err == nil {
		var exp Expiry
		var c2 float64
		exp, c2, err = vote(ctx, s.ocr, expiryLine, s.MinConfidence,
			func(e Expiry) error { return crossCheck(birth, e, s.thisYear()) }, nil)
		if err == nil {
			birth, c1, err = s.confirmUnchecked(ctx, birthLine, expiryLine, birth, c1, exp, inkAgrees)
			if err != nil {
				return Birth{}, Expiry{}, 0, err
			}
			return birth, exp, math.Min(c1, c2), nil
		}
	}
	if !isVeto(err) {
		return Birth{}, Expiry{}, 0, err
	}
	// The contradiction stays the reason for a refusal: the second pass
	// only adds a way to succeed.
	contradiction := plain(err)
	if expiryLine == nil {
		if expiryLine, err = loc.expiry(ctx); err != nil {
			return Birth{}, Expiry{}, 0, contradiction
		}
	}
	exp, c2, err := vote(ctx, s.ocr, expiryLine, s.MinConfidence, nil, nil)
	if err != nil {
		return Birth{}, Expiry{}, 0, contradiction
	}
	bothChecks := func(b Birth) error {
		if err := inkAgrees(b); err != nil {
			return err
		}
		return crossCheck(b, exp, s.thisYear())
	}
	birth, c1, err = vote(ctx, s.ocr, birthLine, s.MinConfidence, bothChecks, nil)
	if err != nil {
		return Birth{}, Expiry{}, 0, contradiction
	}
	birth, c1, err = s.confirmUnchecked(ctx, birthLine, expiryLine, birth, c1, exp, inkAgrees)
	if err != nil {
		return Birth{}, Expiry{}, 0, err
	}
	return birth, exp, math.Min(c1, c2), nil
}

// uncheckedAgree is how many of a date line's renditions must read its
// value when nothing ties the two dates together.
const uncheckedAgree = 3

// confirmUnchecked: a Gregorian birth date whose expiry does not fall on
// the birthday (a foreign resident's card that ends with the residence
// period) has no cross-check, and on the hard mix two such cards were
// wrong codes: 「11月」 read as 「1月」 twice (the third reading garbled the
// month) and 「5月」 as 「6月」 twice on a card that expires on 5月 3日. Each
// line must then hold three readings of its value and no confident dissent
// beyond one in four; later renditions are read until it does. A birth
// date that fails this goes to its digit runs read alone (the first two
// renditions read TakaoGothic's 「5月20日」 as 「5月2日」, later ones as 20,
// 26 and 2; both engines read the day alone as 20): their value replaces
// it, under the birth line's check and the cross-check with e. It returns
// the birth date that stands and its confidence.
func (s *Scanner) confirmUnchecked(ctx context.Context, birthLine *textLine[Birth], expiryLine *textLine[Expiry],
	b Birth, conf float64, e Expiry, birthCheck func(Birth) error) (Birth, float64, error) {
	if b.Era != wareki.Unknown || birthdayRuleHolds(b, e) {
		return b, conf, nil
	}
	if err := confirmed(ctx, s.ocr, birthLine, b, s.MinConfidence); err != nil {
		alone, aloneConf, ok, spanErr := spanVote(ctx, s.ocr, birthLine, func(b Birth) error {
			if err := birthCheck(b); err != nil {
				return err
			}
			return crossCheck(b, e, s.thisYear())
		})
		if spanErr != nil && !isVeto(spanErr) {
			return Birth{}, 0, spanErr
		}
		if !ok {
			return Birth{}, 0, err
		}
		birthLine.readAlone = true
		b, conf = alone, aloneConf
	}
	if birthdayRuleHolds(b, e) {
		return b, conf, nil
	}
	return b, conf, confirmed(ctx, s.ocr, expiryLine, e, s.MinConfidence)
}

// confirmed reads the line's renditions in order (those not read yet)
// until uncheckedAgree of them read val, at least three times as many as
// dissent; it refuses when none is left. A dissent is a confident reading
// of another value, or a garbled one whose digits are as many as val's but
// not the same (「1934征5月3日生」 against 1934年6月3日).
func confirmed[T comparable](ctx context.Context, o OCR, l *textLine[T], val T, minConf float64) error {
	if l.readAlone {
		// Both engines read each digit run alone: the independent
		// reading a lone jpn pair lacks (「10月」 read as 「19月」 in every
		// rendition, 10 alone).
		return nil
	}
	minConf = math.Max(minConf, l.spec.minConf)
	won, _ := digitsOfValue(l.read, val)
	agree, dissent := 0, 0
	for i := range l.spec.variants {
		r, err := l.reading(ctx, o, i)
		if err != nil {
			return err
		}
		// jpn's blind spots are no dissent: the digit runs read alone
		// settled them (TakaoGothic's 「1940年」 read as 1949 six times in
		// twelve); a reading they made impossible (「10月」 as 「19月」) is
		// the value misread, as in the vote.
		slip := won.readAs(r.digits, dateBlindSpots[r.lang])
		switch {
		case r.err == nil && r.value == val:
			if r.conf >= minConf {
				agree++
			}
		case slip && r.err != nil:
			agree++ // val misread into an impossible date (blindSpotEchoes)
		case slip:
		case r.digits.within(won):
			// A digit dropped (「11月」 read as 「1月」): jpn drops digits, it
			// does not add them, so a shorter reading is no rival of val.
		case r.err != nil:
			if r.digits.n == won.n {
				dissent++
			}
		case r.conf >= minConf:
			dissent++
		}
		if agree >= uncheckedAgree && agree >= 3*dissent {
			return nil
		}
	}
	return &FieldError{l.spec.field, ErrLowConfidence}
}

func (s *Scanner) thisYear() int {
	if s.Now == nil {
		return time.Now().Year()
	}
	return s.Now().Year()
}

// crossCheck applies what a genuine card guarantees between its fields.
// A national's card (an era birth date) runs to a birthday after issue. A
// Gregorian birth date is a foreign resident's (whose card may end with the
// residence period instead) or anyone's on the next design: a card that
// ends on the birthday ran its normal term, so it is held to the issuance
// rule too (2030 read as 2039 on a child's next-design card). No card runs
// more than ten years from an issue no later than this year.
func crossCheck(b Birth, e Expiry, thisYear int) error {
	if b.GregorianYear > e.Year || e.Year > thisYear+10 {
		return &FieldError{FieldExpiry, ErrDateInvalid}
	}
	onBirthday := birthdayRuleHolds(b, e)
	if b.Era != wareki.Unknown && !onBirthday {
		return &FieldError{FieldExpiry, ErrDateInvalid}
	}
	if onBirthday && !issuanceFits(b, e, thisYear) {
		return &FieldError{FieldBirth, ErrDateInvalid}
	}
	return nil
}

// assemble builds the result's buffers without any value passing through
// the heap or staying on the goroutine's stack across a call. The locked
// buffers come first: a call may grow (or a GC shrink) the stack, and
// either copies the whole stack to new memory and frees the old unwiped,
// so digits already put together on it would stay behind (照合番号B did,
// now and then, when it was assembled in an array before secret.Take
// allocated). The digits are then written straight into locked memory.
func assemble(b Birth, e Expiry, code [4]byte) (*Result, error) {
	res := &Result{}
	var errs [4]error
	res.BirthYYMMDD, errs[0] = secret.New(6)
	res.ExpiryYear, errs[1] = secret.New(4)
	res.SecurityCode, errs[2] = secret.New(4)
	res.CodeB, errs[3] = secret.New(14)
	if err := errors.Join(errs[:]...); err != nil {
		res.Destroy()
		clear(code[:])
		return nil, err
	}
	birth, year, sec, key := res.BirthYYMMDD.Bytes(), res.ExpiryYear.Bytes(), res.SecurityCode.Bytes(), res.CodeB.Bytes()
	b.putYYMMDD(birth)
	copy(key[:6], birth)
	year[0], year[1], year[2], year[3] = digit(e.Year/1000), digit(e.Year/100), digit(e.Year/10), digit(e.Year)
	copy(key[6:10], year)
	copy(sec, code[:])
	copy(key[10:], code[:])
	clear(code[:])
	return res, nil
}
