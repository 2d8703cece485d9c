package operator

import (
	"fmt"
	"time"

	"github.com/uketsuke/uketsuke/app/audit"
)

// The management console identifies an operator by a client certificate
// issued to them alone (docs/operations.md says why not their card): the
// TLS server has verified it against the console's CA before it asks here.
// Every privileged use and every refusal is an access record marked
// channel=console; looking at the status, which the page polls, is not.

var (
	termChannel = audit.MustTerm("channel")
	termConsole = audit.MustTerm("console")
)

// refusalQuiet is how long the same refusal (certificate and function) is
// not recorded again: a page that polls must not fill the log.
const refusalQuiet = time.Minute

type refusal struct {
	fp Fingerprint
	f  Function
}

func (a *Authenticator) addConsole(o Operator) error {
	if !o.HasConsole() {
		return nil
	}
	if _, dup := a.byConsole[o.Console]; dup {
		return fmt.Errorf("operator: %s: the same console certificate is registered twice", o.ID)
	}
	if _, dup := a.byFP[o.Console]; dup || o.Console == o.Fingerprint {
		return fmt.Errorf("operator: %s: a console certificate cannot be a card's certificate", o.ID)
	}
	a.byConsole[o.Console] = o
	return nil
}

// ConsoleUse checks that the holder of the console certificate with
// fingerprint fp is a registered operator whose role allows f. It records
// the use (operator, role, function, result, channel=console) unless f is
// FuncViewStatus and allowed.
func (a *Authenticator) ConsoleUse(fp Fingerprint, f Function) (Operator, error) {
	op, ok := a.byConsole[fp]
	switch {
	case !ok:
		a.consoleRefused(fp, termUnregistered, RoleNone, f, ErrNotRegistered)
		return Operator{}, ErrNotRegistered
	case !op.Role.Allowed(f):
		a.consoleRefused(fp, op.ID, op.Role, f, ErrNotAllowed)
		return Operator{}, ErrNotAllowed
	}
	if f != FuncViewStatus {
		a.consoleRecord(op.ID, op.Role, f, nil)
	}
	return op, nil
}

// ConsoleOperators counts the operators who may use the console.
func (a *Authenticator) ConsoleOperators() int { return len(a.byConsole) }

func (a *Authenticator) consoleRefused(fp Fingerprint, id string, role Role, f Function, err error) {
	now := a.cfg.Now()
	key := refusal{fp, f}
	a.refusedMu.Lock()
	last, seen := a.refused[key]
	if !seen || now.Sub(last) >= refusalQuiet {
		a.refused[key] = now
	}
	if len(a.refused) > 1024 { // a flood of certificates: forget, keep recording
		clear(a.refused)
	}
	a.refusedMu.Unlock()
	if !seen || now.Sub(last) >= refusalQuiet {
		a.consoleRecord(id, role, f, err)
	}
}

func (a *Authenticator) consoleRecord(id string, role Role, f Function, err error) {
	a.write(id, role, []audit.Attr{audit.Word(termFunction, term(f.String())),
		audit.Word(termResult, resultOf(err)), audit.Word(termChannel, termConsole)})
}
