package revisit

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"
	"unicode"
	"unicode/utf8"
)

// InsuredNumber is the insurance qualification a re-visit is checked by
// (被保険者等記号・番号): the insurer number (保険者番号), the symbol (記号,
// may be empty or in kanji), the number (番号) and the branch number (枝番).
type InsuredNumber struct {
	Insurer string
	Symbol  string
	Number  string
	Branch  string
}

// PatientNumber is the clinic's own patient number (診察券番号).
type PatientNumber string

// Patient is what the correspondence table holds about one linked card.
type Patient struct {
	Insured InsuredNumber
	Number  PatientNumber // may be empty where the clinic issues none
	// Birthdate (YYYYMMDD) is what the check by insured number needs
	// beside the number; sealed with it, never stored in the clear. Empty
	// for a row made without one (an import that had none).
	Birthdate string
}

// InvalidError names the field that was refused and why, never its value.
type InvalidError struct {
	Field  string
	Reason string
}

func (e *InvalidError) Error() string { return "revisit: " + e.Field + ": " + e.Reason }

// ErrInvalid is matched by every InvalidError (errors.Is).
var ErrInvalid = errors.New("revisit: invalid value")

// Is makes errors.Is(err, ErrInvalid) true for an InvalidError.
func (e *InvalidError) Is(target error) bool { return target == ErrInvalid }

// Validate checks the shapes the eligibility system uses: an insurer number
// of 6 or 8 digits (8 with the law number), a number of 1 to 20 characters,
// a symbol of at most 20, a branch number of 2 digits or none.
func (n InsuredNumber) Validate() error {
	switch {
	case !allDigits(n.Insurer) || (len(n.Insurer) != 6 && len(n.Insurer) != 8):
		return &InvalidError{"insurer number", "want 6 or 8 digits"}
	case n.Number == "" || !printable(n.Number, 20):
		return &InvalidError{"insured number", "want 1 to 20 printable characters"}
	case !printable(n.Symbol, 20):
		return &InvalidError{"insured symbol", "want at most 20 printable characters"}
	case n.Branch != "" && (len(n.Branch) != 2 || !allDigits(n.Branch)):
		return &InvalidError{"branch number", "want 2 digits or none"}
	}
	return nil
}

// Validate allows what clinics print on their cards: at most 32 ASCII
// letters, digits and hyphens.
func (p PatientNumber) Validate() error {
	if len(p) > 32 {
		return &InvalidError{"patient number", "longer than 32 characters"}
	}
	for _, r := range string(p) {
		if !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r == '-') {
			return &InvalidError{"patient number", "want ASCII letters, digits and hyphens only"}
		}
	}
	return nil
}

// Validate checks both numbers and the birth date.
func (p Patient) Validate() error {
	if err := p.Insured.Validate(); err != nil {
		return err
	}
	if err := validBirthdate(p.Birthdate); err != nil {
		return err
	}
	return p.Number.Validate()
}

// validBirthdate allows an empty date or a real YYYYMMDD day.
func validBirthdate(d string) error {
	if d == "" {
		return nil
	}
	if _, err := time.Parse("20060102", d); err != nil || len(d) != 8 {
		return &InvalidError{"birth date", "want YYYYMMDD"}
	}
	return nil
}

func allDigits(s string) bool {
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

func printable(s string, maxRunes int) bool {
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > maxRunes {
		return false
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

// encodeFields writes each field as a 2-byte length and its bytes; the
// plaintext that is sealed. Fields are short (validated), so 2 bytes do.
func encodeFields(fields ...string) []byte {
	size := 0
	for _, f := range fields {
		size += 2 + len(f)
	}
	out := make([]byte, 0, size)
	for _, f := range fields {
		out = binary.BigEndian.AppendUint16(out, uint16(len(f)))
		out = append(out, f...)
	}
	return out
}

var errFieldEncoding = errors.New("revisit: sealed value has a broken field encoding")

func decodeFields(b []byte, n int) ([]string, error) {
	out := make([]string, 0, n)
	for range n {
		if len(b) < 2 {
			return nil, errFieldEncoding
		}
		l := int(binary.BigEndian.Uint16(b))
		if len(b) < 2+l {
			return nil, errFieldEncoding
		}
		out = append(out, string(b[2:2+l]))
		b = b[2+l:]
	}
	if len(b) != 0 {
		return nil, fmt.Errorf("%w: %d bytes left over", errFieldEncoding, len(b))
	}
	return out, nil
}

func (n InsuredNumber) encode() []byte {
	return encodeFields(n.Insurer, n.Symbol, n.Number, n.Branch)
}

func decodeInsured(b []byte) (InsuredNumber, error) {
	n, _, err := decodeInsuredRecord(b)
	return n, err
}

// encodeInsuredRecord is the sealed insured column: the insured number and
// the birth date the check by insured number needs.
func encodeInsuredRecord(n InsuredNumber, birthdate string) []byte {
	return encodeFields(n.Insurer, n.Symbol, n.Number, n.Branch, birthdate)
}

// decodeInsuredRecord reads the sealed insured column; a row sealed before
// the birth date was kept has four fields and no date.
func decodeInsuredRecord(b []byte) (InsuredNumber, string, error) {
	f, err := decodeFields(b, 5)
	if err != nil {
		if f, err = decodeFields(b, 4); err != nil {
			return InsuredNumber{}, "", err
		}
		f = append(f, "")
	}
	return InsuredNumber{Insurer: f[0], Symbol: f[1], Number: f[2], Branch: f[3]}, f[4], nil
}
