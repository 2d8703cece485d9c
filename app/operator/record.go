package operator

import (
	"errors"

	"github.com/uketsuke/uketsuke/app/audit"
)

// The access records' vocabulary. An operator id is a term already (CheckID).
var (
	termOperator  = audit.MustTerm("operator")
	termRole      = audit.MustTerm("role")
	termFunction  = audit.MustTerm("function")
	termResult    = audit.MustTerm("result")
	termTriesLeft = audit.MustTerm("tries_left")
	termEnd       = audit.MustTerm("session_end")
	termUnknown   = audit.MustTerm("unknown")

	termLogout      = audit.MustTerm("logout")
	termCardRemoved = audit.MustTerm("card_removed")
	termTimeout     = audit.MustTerm("timeout")
)

// Ids the records use for no operator; CheckID refuses them.
const (
	termUnregistered = "unregistered"
	termNone         = "none"
)

// results name each outcome in the records.
var results = []struct {
	err  error
	term audit.Term
}{
	{ErrWrongPIN, audit.MustTerm("wrong_pin")},
	{ErrPINBlocked, audit.MustTerm("pin_blocked")},
	{ErrNotRegistered, audit.MustTerm("not_registered")},
	{ErrUntrusted, audit.MustTerm("untrusted")},
	{ErrBadSignature, audit.MustTerm("bad_signature")},
	{ErrNoSession, audit.MustTerm("no_session")},
	{ErrExpired, audit.MustTerm("expired")},
	{ErrNotAllowed, audit.MustTerm("not_allowed")},
}

var (
	resultOK        = audit.MustTerm("ok")
	resultCardError = audit.MustTerm("card_error")
)

func resultOf(err error) audit.Term {
	if err == nil {
		return resultOK
	}
	for _, r := range results {
		if errors.Is(err, r.err) {
			return r.term
		}
	}
	return resultCardError
}

func term(s string) audit.Term {
	t, err := audit.NewTerm(s)
	if err != nil {
		return termUnknown
	}
	return t
}

// record writes one access record: a login attempt or a privileged use.
func (a *Authenticator) record(id string, role Role, f Function, err error) {
	attrs := []audit.Attr{audit.Word(termFunction, term(f.String())), audit.Word(termResult, resultOf(err))}
	var wrong *WrongPINError
	if errors.As(err, &wrong) && wrong.Left >= 0 {
		attrs = append(attrs, audit.Int(termTriesLeft, wrong.Left))
	}
	a.write(id, role, attrs)
}

// recordTerm writes a record whose key and value are terms of their own.
func (a *Authenticator) recordTerm(id string, role Role, key, value audit.Term) {
	a.write(id, role, []audit.Attr{audit.Word(key, value)})
}

func (a *Authenticator) write(id string, role Role, attrs []audit.Attr) {
	if a.cfg.Log == nil {
		return
	}
	attrs = append([]audit.Attr{audit.Word(termOperator, term(id)), audit.Word(termRole, term(role.String()))}, attrs...)
	// A record that cannot be written is the audit log's to report (its OnError).
	_ = a.cfg.Log.Access(attrs...)
}
