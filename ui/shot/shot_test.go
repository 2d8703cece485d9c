package shot

import (
	"errors"
	"image"
	"testing"

	"github.com/uketsuke/uketsuke/i18n"
	"github.com/uketsuke/uketsuke/ui/theme"
)

func differing(a, b image.Image) int {
	n := 0
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y += 2 {
		for x := r.Min.X; x < r.Max.X; x += 2 {
			if a.At(x, y) != b.At(x, y) {
				n++
			}
		}
	}
	return n
}

func TestRenderDrawsTheScreenAtTheReferenceSize(t *testing.T) {
	ja, err := Render(Options{Lang: i18n.Japanese, Screen: "method"})
	if err != nil {
		t.Fatal(err)
	}
	if b := ja.Bounds(); b.Dx() != theme.ScreenWidthPx || b.Dy() != theme.ScreenHeightPx {
		t.Fatalf("size %v, want %dx%d", b, theme.ScreenWidthPx, theme.ScreenHeightPx)
	}
	th, err := Render(Options{Lang: i18n.Thai, Screen: "method"})
	if err != nil {
		t.Fatal(err)
	}
	if differing(ja, th) < 1000 {
		t.Error("the Thai method screen looks like the Japanese one")
	}
	pin, err := Render(Options{Lang: i18n.Japanese, Screen: "pin"})
	if err != nil {
		t.Fatal(err)
	}
	if differing(ja, pin) < 1000 {
		t.Error("the PIN screen looks like the method screen")
	}
	dark, err := Render(Options{Lang: i18n.Japanese, Screen: "method", HighContrast: true})
	if err != nil {
		t.Fatal(err)
	}
	if r, g, b, _ := dark.At(theme.ScreenWidthPx-60, theme.ScreenHeightPx-200).RGBA(); r+g+b > 0x3000 {
		t.Errorf("high-contrast background is not black: %x %x %x", r, g, b)
	}
}

func TestRenderRejectsUnknownScreenAndLanguage(t *testing.T) {
	if _, err := Render(Options{Lang: i18n.English, Screen: "nope"}); !errors.Is(err, ErrUnknownScreen) {
		t.Errorf("unknown screen: %v", err)
	}
	if _, err := Render(Options{Lang: "xx", Screen: "method"}); !errors.Is(err, i18n.ErrUnknownLanguage) {
		t.Errorf("unknown language: %v", err)
	}
}

func TestScreensListsEverySample(t *testing.T) {
	names := Screens()
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			t.Errorf("duplicate screen name %q", n)
		}
		seen[n] = true
	}
	for _, want := range []string{"idle", "method", "face", "pin", "pin-last-try", "staff_check", "register",
		"consent", "consent-individual", "checking", "done", "language", "error-pin-locked"} {
		if !seen[want] {
			t.Errorf("no screen %q", want)
		}
	}
}
