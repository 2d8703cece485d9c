//go:build kiosk

package cli

import (
	"errors"
	"strings"
	"testing"
)

// Run by TestKioskVariantLeavesOutTestTools: the kiosk's binary has no
// command that prints a card's code or takes a credential to read a card.
func TestKioskBuildHasNoTestTools(t *testing.T) {
	for _, name := range []string{"scan", "scan bench", "card read", "card bench"} {
		if _, ok := registry[name]; ok {
			t.Errorf("%q is registered in the kiosk build", name)
			continue // running it would read a card or score a thousand
		}
		if _, err := runIn(t, "55021720352285\n", strings.Fields(name)...); !errors.Is(err, ErrUsage) {
			t.Errorf("%q ran in the kiosk build: %v", name, err)
		}
	}
	if out, _ := run(t, "help"); strings.Contains(out, "card read") || strings.Contains(out, "照合番号B from card-face") {
		t.Errorf("help lists a test tool:\n%s", out)
	}
	if _, ok := registry["kiosk"]; !ok {
		t.Error("the kiosk build lost the kiosk command")
	}
}
