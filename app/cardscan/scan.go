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
	UpsideDown     bool
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
}

// DefaultMinConfidence was chosen on the rendered benchmark: agreeing
// readings below it were the ones that went wrong.
const DefaultMinConfidence = 0.55

// New returns a scanner using o.
func New(o OCR) *Scanner { return &Scanner{ocr: o, MinConfidence: DefaultMinConfidence} }

// minImageSide is the smallest frame side that can show a readable card.
const minImageSide = 200

// Scan reads a card front from img.
func (s *Scanner) Scan(ctx context.Context, img image.Image) (*Result, error) {
	if img == nil || img.Bounds().Dx() < minImageSide || img.Bounds().Dy() < minImageSide*3/4 {
		return nil, ErrBadImage
	}
	work := toGray(img)
	defer wipeGray(work)
	corners, ok := findCard(work)
	if !ok {
		return nil, ErrNoCard
	}
	card, err := warpCard(work, corners)
	if err != nil {
		return nil, ErrNoCard
	}
	defer wipeGray(card)
	switch orientation(card) {
	case 1:
		return s.readCard(ctx, card, false)
	case -1:
		rotate180(card)
		return s.readCard(ctx, card, true)
	}
	res, err := s.readCard(ctx, card, false)
	if err == nil || !errors.Is(err, ErrFieldUnreadable) || FieldOf(err) != FieldBirth {
		return res, err
	}
	rotate180(card)
	return s.readCard(ctx, card, true)
}

// readCard reads the fields of an upright card and cross-checks them.
func (s *Scanner) readCard(ctx context.Context, card *image.Gray, upsideDown bool) (*Result, error) {
	birth, c1, err := readField(ctx, s.ocr, card, birthSpec, s.MinConfidence, ParseBirth)
	if err != nil {
		return nil, err
	}
	defer func() { birth = Birth{} }()
	exp, c2, err := readField(ctx, s.ocr, card, expirySpec, s.MinConfidence, ParseExpiry)
	if err != nil {
		return nil, err
	}
	defer func() { exp = Expiry{} }()
	if err := crossCheck(birth, exp); err != nil {
		return nil, err
	}
	if birth.Era != wareki.Unknown && !eraYearColumnsAgree(card, birth) {
		return nil, &FieldError{FieldBirth, ErrLowConfidence}
	}
	code, c3, err := readField(ctx, s.ocr, card, codeSpec, s.MinConfidence, ParseSecurityCode)
	if err != nil {
		return nil, err
	}
	defer clear(code[:])
	res := assemble(birth, exp, code)
	res.Confidence = math.Min(c1, math.Min(c2, c3))
	res.GregorianBirth = birth.Era == wareki.Unknown
	res.UpsideDown = upsideDown
	return res, nil
}

// crossCheck applies what a genuine card guarantees between its fields.
func crossCheck(b Birth, e Expiry) error {
	if b.GregorianYear > e.Year {
		return &FieldError{FieldExpiry, ErrDateInvalid}
	}
	if b.Era != wareki.Unknown && !birthdayRuleHolds(b, e) {
		return &FieldError{FieldExpiry, ErrDateInvalid}
	}
	if b.Era != wareki.Unknown && !issuanceFits(b, e) {
		return &FieldError{FieldBirth, ErrDateInvalid}
	}
	return nil
}

// assemble builds the result's buffers without any value passing through
// the heap beyond the short-lived arrays that are wiped here.
func assemble(b Birth, e Expiry, code [4]byte) *Result {
	yymmdd := b.YYMMDD()
	year := [4]byte{digit(e.Year / 1000), digit(e.Year / 100), digit(e.Year / 10), digit(e.Year)}
	var all [14]byte
	copy(all[:6], yymmdd[:])
	copy(all[6:10], year[:])
	copy(all[10:], code[:])
	codeCopy := code
	res := &Result{
		BirthYYMMDD:  secret.Take(yymmdd[:]),
		ExpiryYear:   secret.Take(year[:]),
		SecurityCode: secret.Take(codeCopy[:]),
		CodeB:        secret.Take(all[:]),
	}
	return res
}
