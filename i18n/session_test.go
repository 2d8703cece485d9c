package i18n_test

import (
	"testing"

	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/i18n"
)

// TestEverySessionCodeHasText checks the table against the lists app/session
// publishes, so a new state, error or guidance reason fails here until the
// screens have words for it.
func TestEverySessionCodeHasText(t *testing.T) {
	var codes []string
	for _, k := range session.MessageKeys() {
		codes = append(codes, string(k))
	}
	for _, e := range session.ErrorCodes() {
		codes = append(codes, string(e))
	}
	for _, f := range session.Faults() {
		codes = append(codes, string(f))
	}
	for _, g := range session.Guidances() {
		codes = append(codes, string(g))
	}
	if len(codes) < 40 {
		t.Fatalf("only %d session codes: the lists look empty", len(codes))
	}
	for _, code := range codes {
		text, ok := i18n.ForSession(code)
		if !ok {
			t.Errorf("no text for session code %q", code)
			continue
		}
		if !i18n.IsKey(text.Title) || (text.Body != "" && !i18n.IsKey(text.Body)) {
			t.Errorf("%q maps to unknown keys %+v", code, text)
		}
	}
	if _, ok := i18n.ForSession("no.such.code"); ok {
		t.Error("an unknown code has a text")
	}
}

func TestEveryValidityHasText(t *testing.T) {
	seen := map[i18n.Text]bool{}
	for v := session.ValidityValid; v <= session.ValidityUnregistered; v++ {
		text := i18n.ForValidity(int(v))
		if !i18n.IsKey(text.Title) || !i18n.IsKey(text.Body) {
			t.Errorf("validity %d: unknown keys %+v", v, text)
		}
		if seen[text] {
			t.Errorf("validity %d says the same as another result", v)
		}
		seen[text] = true
	}
}
