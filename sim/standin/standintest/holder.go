// Package standintest drives a kiosk built on the stand-in world through a
// known holder's sessions, for the tests that check what the kiosk shows,
// says or keeps along the way never holds the holder's secrets. Only tests
// import it.
package standintest

import (
	"fmt"
	"strings"
	"testing"
	"unicode"

	"github.com/uketsuke/uketsuke/sim/profile"
)

// Holder is the sample profile's holder with the 照合番号B its card opens
// with. The secrets are plain strings here because they are test data.
type Holder struct {
	Profile *profile.Profile
	KeyB    string // birth date YYMMDD, expiry year, security code
}

// DefaultHolder is the holder of profile.Default. It fails t when the
// profile's credentials are not the card's shapes, so a leak check never
// looks for the wrong thing.
func DefaultHolder(t testing.TB) Holder {
	t.Helper()
	p := profile.Default()
	birth, err := p.BirthDate()
	if err != nil {
		t.Fatal(err)
	}
	expiry, err := p.ExpiryDate()
	if err != nil {
		t.Fatal(err)
	}
	keyB := birth.Format("060102") + expiry.Format("2006") + p.SecurityCode
	if len(keyB) != 14 || len(p.SecurityCode) != 4 || len(p.PIN) != 4 {
		t.Fatalf("the holder's credentials are not the card's shapes: %d, %d, %d", len(keyB), len(p.SecurityCode), len(p.PIN))
	}
	return Holder{Profile: p, KeyB: keyB}
}

// Secrets are what no prompt, log line or file may hold: the PIN, the
// 照合番号B, its birth-date part and security code, the birth year and date,
// and the name and its kana, whole and word by word.
func (h Holder) Secrets() []string {
	p := h.Profile
	out := []string{p.PIN, h.KeyB, h.KeyB[:6], p.SecurityCode, p.Name, p.Kana}
	if birth, err := p.BirthDate(); err == nil {
		out = append(out, birth.Format("2006"), birth.Format("20060102"))
	}
	out = append(out, strings.Fields(strings.ReplaceAll(p.Name, "　", " "))...)
	out = append(out, strings.Fields(strings.ReplaceAll(p.Kana, "　", " "))...)
	return out
}

// Leaks says what in text would give the holder away: any of its secrets,
// or a run of four digits in any script (a PIN or code spelled otherwise).
func (h Holder) Leaks(text string) []string {
	var out []string
	for _, s := range h.Secrets() {
		if s != "" && strings.Contains(text, s) {
			out = append(out, fmt.Sprintf("%q holds the holder's %q", text, s))
		}
	}
	if run := LongestDigitRun(text); run >= 4 {
		out = append(out, fmt.Sprintf("%q has a run of %d digits", text, run))
	}
	return out
}

// LongestDigitRun counts digits in any script (Devanagari, Myanmar, …).
func LongestDigitRun(s string) int {
	best, run := 0, 0
	for _, r := range s {
		if unicode.IsDigit(r) {
			run++
			best = max(best, run)
		} else {
			run = 0
		}
	}
	return best
}
