package standintest

import (
	"slices"
	"testing"
)

func TestLongestDigitRun(t *testing.T) {
	for text, want := range map[string]int{
		"あと いっかいです。": 0, "PIN 1234": 4, "१२३४५ ab 12": 5, "၁၂ ၃": 2,
	} {
		if got := LongestDigitRun(text); got != want {
			t.Errorf("%q: %d, want %d", text, got, want)
		}
	}
}

func TestLeaksFindTheHoldersSecrets(t *testing.T) {
	h := DefaultHolder(t)
	if got := h.Leaks("Please place your card."); len(got) != 0 {
		t.Errorf("a plain prompt leaks: %v", got)
	}
	for _, text := range []string{"PIN " + h.Profile.PIN, "code " + h.KeyB, "Hello " + h.Profile.Name} {
		if len(h.Leaks(text)) == 0 {
			t.Errorf("%q leaks nothing", text)
		}
	}
	if !slices.Contains(h.Secrets(), h.Profile.SecurityCode) {
		t.Error("the security code is not among the secrets")
	}
}
