package apdu

import (
	"errors"
	"fmt"
)

// Status word categories. Every StatusError unwraps to exactly one of these.
var (
	ErrWrongCredential = errors.New("wrong credential")
	ErrBlocked         = errors.New("credential blocked")
	ErrSecurityStatus  = errors.New("security status not satisfied")
	ErrNotFound        = errors.New("file or application not found")
	ErrBadParameters   = errors.New("incorrect parameters P1/P2")
	ErrWrongLength     = errors.New("wrong length")
	ErrConditions      = errors.New("conditions of use not satisfied")
	ErrEndOfFile       = errors.New("read past end of file")
	ErrNotSupported    = errors.New("instruction or class not supported")
	ErrCardStatus      = errors.New("card returned an unexpected status")
)

// StatusError is a non-9000 status word with its category.
type StatusError struct {
	SW   uint16
	Kind error
}

func (e *StatusError) Error() string { return fmt.Sprintf("card status %04X: %v", e.SW, e.Kind) }
func (e *StatusError) Unwrap() error { return e.Kind }

// WrongCredentialError is 63Cx with x > 0: the credential was wrong (or the
// query was empty) and Left tries remain.
type WrongCredentialError struct {
	SW   uint16
	Left int
}

func (e *WrongCredentialError) Error() string {
	return fmt.Sprintf("card status %04X: wrong credential, %d tries left", e.SW, e.Left)
}
func (e *WrongCredentialError) Unwrap() error { return ErrWrongCredential }

// SWOK is the normal completion status.
const SWOK = 0x9000

// CheckSW maps a status word to nil (9000) or a typed error.
func CheckSW(sw uint16) error {
	sw1, sw2 := byte(sw>>8), byte(sw)
	switch {
	case sw == SWOK:
		return nil
	case sw1 == 0x63 && sw2&0xF0 == 0xC0 && sw2&0x0F > 0:
		return &WrongCredentialError{SW: sw, Left: int(sw2 & 0x0F)}
	}
	return &StatusError{SW: sw, Kind: statusKind(sw)}
}

func statusKind(sw uint16) error {
	switch sw {
	case 0x63C0, 0x6983, 0x6984:
		return ErrBlocked
	case 0x6982:
		return ErrSecurityStatus
	case 0x6A82, 0x6A88, 0x6A83:
		return ErrNotFound
	case 0x6A86:
		return ErrBadParameters
	case 0x6B00, 0x6282: // READ BINARY past the end
		return ErrEndOfFile
	case 0x6985:
		return ErrConditions
	case 0x6D00, 0x6E00:
		return ErrNotSupported
	}
	switch byte(sw >> 8) {
	case 0x67, 0x6C:
		return ErrWrongLength
	}
	return ErrCardStatus
}

// TriesLeft extracts the remaining tries from a VERIFY outcome: x for 63Cx,
// 0 for a blocked credential. ok is false when err says nothing about tries.
func TriesLeft(err error) (left int, ok bool) {
	var wc *WrongCredentialError
	if errors.As(err, &wc) {
		return wc.Left, true
	}
	if errors.Is(err, ErrBlocked) {
		return 0, true
	}
	return 0, false
}
