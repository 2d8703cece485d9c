// Package console is what the staff's management console may do, in the
// domain's terms: which visual check is waiting and how a decision reaches
// the right session, today's counts from the operation log, the kiosk's
// status, the settings the console may change (a whitelist, validated
// like a bundle and kept across restarts), and the strict decoding of
// every request body. The HTTPS server and the page are in console/.
package console

import (
	"errors"
	"fmt"

	"github.com/uketsuke/uketsuke/app/session"
)

// Kiosk is the running kiosk as the console uses it (*session.Kiosk).
type Kiosk interface {
	View() session.View
	StaffIn(id uint64, kind session.EventKind) error
	UseSettings(session.Settings) error
}

// Errors of console requests.
var (
	ErrBadRequest = errors.New("console: bad request")
	ErrStale      = errors.New("console: that visual check is no longer waiting")
)

// RequestError is a request body the console refuses, with the field at fault.
type RequestError struct {
	Field   string // "" when the body as a whole is wrong
	Problem string
}

func (e *RequestError) Error() string {
	if e.Field == "" {
		return "console: " + e.Problem
	}
	return fmt.Sprintf("console: %s: %s", e.Field, e.Problem)
}

// Unwrap lets errors.Is(err, ErrBadRequest) hold.
func (e *RequestError) Unwrap() error { return ErrBadRequest }

func badRequest(field, format string, args ...any) error {
	return &RequestError{Field: field, Problem: fmt.Sprintf(format, args...)}
}
