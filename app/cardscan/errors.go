package cardscan

import (
	"errors"
	"fmt"
)

// Refusals. Every failed scan wraps exactly one of these, so callers branch
// with errors.Is and the kiosk never sends a guessed 照合番号B.
var (
	// ErrBadImage: no image, or too small to hold a readable card.
	ErrBadImage = errors.New("cardscan: unusable image")
	// ErrNoCard: nothing card-shaped stands out in the frame.
	ErrNoCard = errors.New("cardscan: no card found")
	// ErrFieldUnreadable: a field's text could not be read (see FieldError).
	ErrFieldUnreadable = errors.New("cardscan: field unreadable")
	// ErrDateInvalid: a date was read but does not exist, lies outside its
	// era or the card's possible range, or contradicts another field.
	ErrDateInvalid = errors.New("cardscan: date invalid")
	// ErrLowConfidence: readings disagreed or the engine was unsure.
	ErrLowConfidence = errors.New("cardscan: low confidence")
)

// Field names a printed field.
type Field string

// The fields that make 照合番号B.
const (
	FieldBirth        Field = "birth_date"
	FieldExpiry       Field = "expiry"
	FieldSecurityCode Field = "security_code"
)

// FieldError says which field a refusal is about.
type FieldError struct {
	Field Field
	Err   error // one of the sentinels above
}

func (e *FieldError) Error() string { return fmt.Sprintf("%v: %s", e.Err, e.Field) }

// Unwrap lets errors.Is see the sentinel.
func (e *FieldError) Unwrap() error { return e.Err }

// Kind is the refusal's short name for logs and the scan command's JSON:
// bad_image, no_card, field_unreadable, date_invalid, low_confidence, or
// error for anything else (a cancelled context, an engine failure).
func Kind(err error) string {
	switch {
	case errors.Is(err, ErrBadImage):
		return "bad_image"
	case errors.Is(err, ErrNoCard):
		return "no_card"
	case errors.Is(err, ErrFieldUnreadable):
		return "field_unreadable"
	case errors.Is(err, ErrDateInvalid):
		return "date_invalid"
	case errors.Is(err, ErrLowConfidence):
		return "low_confidence"
	}
	return "error"
}

// FieldOf returns the field a refusal names, or "".
func FieldOf(err error) Field {
	var fe *FieldError
	if errors.As(err, &fe) {
		return fe.Field
	}
	return ""
}
