// Package audit writes the kiosk's operation log and error log as JSON lines
// (log/slog). It is built so that personal data cannot reach it: keys and
// enumerated values are Terms (code-defined identifiers), and every other
// value is a number, a duration, a boolean or a card application's AID (an
// identifier of software, never of a person). There is no way to log a free
// string, so no name, birth date, address, code, certificate serial or image
// can be passed.
package audit

import (
	"encoding/hex"
	"fmt"
	"log/slog"
	"regexp"
	"time"
)

// Term is a code-defined identifier used as a key or an enumerated value.
// Its field is unexported: only MustTerm and NewTerm make one.
type Term struct{ name string }

var termPattern = regexp.MustCompile(`^[a-z][a-z0-9_.]{0,47}$`)

// NewTerm validates an identifier: lower-case ASCII letters, digits, '_' and
// '.', starting with a letter, at most 48 bytes. Digits-only values, kanji,
// spaces and upper case are refused, which keeps dates, codes and names out.
func NewTerm(name string) (Term, error) {
	if !termPattern.MatchString(name) || digitRun(name) > 3 {
		return Term{}, fmt.Errorf("%w: %q", ErrBadTerm, name)
	}
	return Term{name: name}, nil
}

// MustTerm is NewTerm for package-level vocabularies; a bad literal is a
// programming error and panics at start-up.
func MustTerm(name string) Term {
	t, err := NewTerm(name)
	if err != nil {
		panic(err)
	}
	return t
}

// String returns the identifier.
func (t Term) String() string { return t.name }

// digitRun is the longest run of digits: identifiers need a few ("v2",
// "pcsc0"), a birth date or security code needs four or more.
func digitRun(s string) int {
	best, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			run++
			best = max(best, run)
		} else {
			run = 0
		}
	}
	return best
}

// Attr is one typed attribute of a log record.
type Attr struct{ a slog.Attr }

// Int is a count or a code number.
func Int(k Term, v int) Attr { return Attr{slog.Int(k.name, v)} }

// Duration is logged in whole milliseconds.
func Duration(k Term, d time.Duration) Attr {
	return Attr{slog.Int64(k.name+"_ms", d.Milliseconds())}
}

// Bool is a flag.
func Bool(k Term, v bool) Attr { return Attr{slog.Bool(k.name, v)} }

// Word is an enumerated value.
func Word(k Term, v Term) Attr { return Attr{slog.String(k.name, v.name)} }

// Ratio is a rate in [0,1], rounded to four places.
func Ratio(k Term, v float64) Attr {
	return Attr{slog.Float64(k.name, float64(int64(v*10000+0.5))/10000)}
}

// AID is a card application's identifier (ISO/IEC 7816-5), logged in hex:
// a registered provider's RID (category A, international, or D, national)
// and its extension, 5 to 16 bytes in all. It names a kind of application,
// the same on every card that carries it, never a person; pass only what a
// card named as its application. Anything not shaped like an AID is logged
// as "not_an_aid".
func AID(k Term, aid []byte) Attr {
	if len(aid) < 5 || len(aid) > 16 || aid[0]>>4 != 0xA && aid[0]>>4 != 0xD {
		return Attr{slog.String(k.name, "not_an_aid")}
	}
	return Attr{slog.String(k.name, hex.EncodeToString(aid))}
}

// Version is a numeric version: no free text.
type Version struct{ Major, Minor, Patch uint16 }

func (v Version) String() string { return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch) }

// Device identifies one attached device by kind, USB ids and firmware.
type Device struct {
	Kind            Term
	Vendor, Product uint16
	Firmware        Version
}

// DeviceAttr logs a device's identity.
func DeviceAttr(d Device) Attr {
	return Attr{slog.Group("device",
		slog.String("kind", d.Kind.name),
		slog.String("usb", fmt.Sprintf("%04x:%04x", d.Vendor, d.Product)),
		slog.String("firmware", d.Firmware.String()))}
}

func slogAttrs(attrs []Attr) []any {
	out := make([]any, len(attrs))
	for i, a := range attrs {
		out[i] = a.a
	}
	return out
}
