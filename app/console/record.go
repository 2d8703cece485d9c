package console

import (
	"errors"
	"fmt"

	"github.com/uketsuke/uketsuke/app/audit"
	"github.com/uketsuke/uketsuke/app/config"
	"github.com/uketsuke/uketsuke/app/operator"
)

// Recorder keeps access records (*audit.Logger).
type Recorder interface {
	Access(attrs ...audit.Attr) error
}

// Actions the console records beside the operator's authorised use
// (operator.Authenticator.ConsoleUse): what was done and how it ended.
const (
	ActionApprove  = "approve"
	ActionRefuse   = "refuse"
	ActionSettings = "settings"
	ActionBundle   = "bundle"
	ActionAnswer   = "answer_help" // a help call acknowledged
)

var (
	termOperator = audit.MustTerm("operator")
	termRole     = audit.MustTerm("role")
	termChannel  = audit.MustTerm("channel")
	termConsole  = audit.MustTerm("console")
	termAction   = audit.MustTerm("action")
	termResult   = audit.MustTerm("result")
	termUnknown  = audit.MustTerm("unknown")
)

// outcomes name why a change was refused, in the log's words.
var outcomes = []struct {
	err  error
	name string
}{
	{ErrStale, "stale"}, {ErrBadRequest, "bad_request"}, {config.ErrInvalid, "invalid"},
	{config.ErrMalformed, "malformed"}, {config.ErrBadSignature, "bad_signature"},
	{config.ErrUnsigned, "unsigned"}, {config.ErrUnknownKey, "unknown_key"},
	{config.ErrBundleExpired, "expired"}, {config.ErrWrongAudience, "wrong_audience"},
	{config.ErrRollback, "rollback"}, {config.ErrNoUpdates, "no_updates"}, {ErrNotFound, "not_found"},
}

// Outcome is an error's name in the log and the API ("ok" for nil).
func Outcome(err error) string {
	if err == nil {
		return "ok"
	}
	for _, o := range outcomes {
		if errors.Is(err, o.err) {
			return o.name
		}
	}
	return "error"
}

// Record writes what an operator did through the console: the action,
// its outcome and the settings it touched (field names only, never values).
func Record(rec Recorder, op operator.Operator, action string, fields []string, err error) {
	if rec == nil {
		return
	}
	attrs := []audit.Attr{audit.Word(termOperator, term(op.ID)), audit.Word(termRole, term(op.Role.String())),
		audit.Word(termChannel, termConsole), audit.Word(termAction, term(action)),
		audit.Word(termResult, term(Outcome(err)))}
	for i, f := range fields {
		attrs = append(attrs, audit.Word(audit.MustTerm(fmt.Sprintf("field_%d", i+1)), term(f)))
	}
	_ = rec.Access(attrs...) // the audit log reports its own write errors
}

func term(s string) audit.Term {
	t, err := audit.NewTerm(s)
	if err != nil {
		return termUnknown
	}
	return t
}
