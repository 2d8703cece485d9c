package theme

import (
	"image/color"
	"math"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/uketsuke/uketsuke/i18n"
)

func TestTouchTargetIsFifteenMillimetres(t *testing.T) {
	if math.Abs(ScreenPPI-150.94) > 0.01 {
		t.Errorf("ScreenPPI = %.2f, want 150.94 for 1280x800 at 10 in", ScreenPPI)
	}
	mm := TouchTargetPx / ScreenPPI * 25.4
	if mm < TouchTargetMM {
		t.Errorf("TouchTargetPx %d is %.2f mm, want ≥ %.0f mm", TouchTargetPx, mm, TouchTargetMM)
	}
	if mm > TouchTargetMM+1 {
		t.Errorf("TouchTargetPx %d is %.2f mm: larger than needed", TouchTargetPx, mm)
	}
	for _, large := range []bool{false, true} {
		th := New(Options{Lang: i18n.English, LargeText: large})
		if got := th.Size(SizeNameTouchTarget); got != TouchTargetPx {
			t.Errorf("large=%v: touch target size %v, want %d", large, got, TouchTargetPx)
		}
	}
	if got := TouchTarget(2); got != TouchTargetPx/2 {
		t.Errorf("TouchTarget(2) = %v", got)
	}
}

func TestTextReadableFromFiftyCentimetres(t *testing.T) {
	th := New(Options{Lang: i18n.Japanese})
	if a := CapHeightArcMinutes(th.Size(fynetheme.SizeNameText)); a < 20 {
		t.Errorf("body text subtends %.1f', want ≥ 20'", a)
	}
	if a := CapHeightArcMinutes(th.Size(fynetheme.SizeNameCaptionText)); a < 16 {
		t.Errorf("caption text subtends %.1f', want ≥ 16'", a)
	}
}

func TestLargeTextIsAtLeastOneAndAHalfTimes(t *testing.T) {
	normal := New(Options{Lang: i18n.Japanese})
	large := normal.WithLargeText(true)
	for _, n := range []fyne.ThemeSizeName{fynetheme.SizeNameText, fynetheme.SizeNameHeadingText,
		fynetheme.SizeNameSubHeadingText, fynetheme.SizeNameCaptionText, fynetheme.SizeNamePadding} {
		if r := large.Size(n) / normal.Size(n); r < 1.5 {
			t.Errorf("%s: large/normal = %.2f, want ≥ 1.5", n, r)
		}
	}
}

func TestContrast(t *testing.T) {
	type pair struct{ fg, bg fyne.ThemeColorName }
	text := []pair{
		{fynetheme.ColorNameForeground, fynetheme.ColorNameBackground},
		{fynetheme.ColorNameForeground, fynetheme.ColorNameButton},
		{fynetheme.ColorNameForegroundOnPrimary, fynetheme.ColorNamePrimary},
		{fynetheme.ColorNameForegroundOnError, fynetheme.ColorNameError},
		{fynetheme.ColorNameForegroundOnSuccess, fynetheme.ColorNameSuccess},
		{fynetheme.ColorNameForegroundOnWarning, fynetheme.ColorNameWarning},
		{fynetheme.ColorNameError, fynetheme.ColorNameBackground},
		{fynetheme.ColorNameDisabled, fynetheme.ColorNameBackground},
		{fynetheme.ColorNamePlaceHolder, fynetheme.ColorNameInputBackground},
	}
	for _, tc := range []struct {
		name     string
		th       *Theme
		mainMin  float64 // foreground on background
		otherMin float64
	}{
		{"normal", New(Options{Lang: i18n.Japanese}), 15, 7},
		{"high contrast", New(Options{Lang: i18n.Japanese, HighContrast: true}), 20, 10},
	} {
		for i, p := range text {
			min := tc.otherMin
			if i == 0 {
				min = tc.mainMin
			}
			fg, bg := tc.th.Color(p.fg, 0), tc.th.Color(p.bg, 0)
			if r := ContrastRatio(fg, bg); r < min {
				t.Errorf("%s: %s on %s contrast %.1f, want ≥ %.0f", tc.name, p.fg, p.bg, r, min)
			}
		}
	}
}

func TestContrastRatioFormula(t *testing.T) {
	if r := ContrastRatio(color.White, color.Black); math.Abs(r-21) > 0.01 {
		t.Errorf("white/black = %.2f, want 21", r)
	}
	if r := ContrastRatio(color.White, color.White); r != 1 {
		t.Errorf("white/white = %.2f, want 1", r)
	}
}

func TestSchemesDiffer(t *testing.T) {
	th := New(Options{Lang: i18n.English})
	hc := th.WithHighContrast(true)
	if th.Color(fynetheme.ColorNameBackground, 0) == hc.Color(fynetheme.ColorNameBackground, 0) {
		t.Error("high contrast keeps the normal background")
	}
	if !hc.Options().HighContrast || th.Options().HighContrast {
		t.Error("WithHighContrast changed the original theme")
	}
	// The variant is ignored: the kiosk does not follow the desktop's dark mode.
	if th.Color(fynetheme.ColorNameBackground, fynetheme.VariantDark) != th.Color(fynetheme.ColorNameBackground, fynetheme.VariantLight) {
		t.Error("colour depends on the desktop variant")
	}
}

func TestFontFollowsLanguage(t *testing.T) {
	requireFonts(t)
	th := New(Options{Lang: "xx"})
	if th.Options().Lang != i18n.Default {
		t.Errorf("unknown language kept: %s", th.Options().Lang)
	}
	regular := fyne.TextStyle{}
	seen := map[fyne.Resource]i18n.Lang{}
	for _, l := range []i18n.Lang{i18n.Japanese, i18n.ChineseSimplified, i18n.ChineseTraditional,
		i18n.Korean, i18n.English, i18n.Thai, i18n.Nepali, i18n.Burmese, i18n.Khmer} {
		f := th.WithLang(l).Font(regular)
		if other, dup := seen[f]; dup {
			t.Errorf("%s and %s share font %s", l, other, f.Name())
		}
		seen[f] = l
	}
	if th.WithLang(i18n.Mongolian).Font(regular) != th.WithLang(i18n.Vietnamese).Font(regular) {
		t.Error("Cyrillic and Latin languages should share the Noto Sans font")
	}
	if th.WithLang(i18n.Vietnamese).Font(fyne.TextStyle{Bold: true}) != fynetheme.DefaultTextBoldFont() {
		t.Error("bold Vietnamese should use Fyne's bold Noto Sans")
	}
	if th.WithLang(i18n.Thai).Font(fyne.TextStyle{Bold: true}) != LanguageFont(i18n.Thai) {
		t.Error("bold Thai should fall back to the regular Thai font")
	}
}

func TestTouchableMakesButtonsBigEnough(t *testing.T) {
	app := test.NewTempApp(t)
	app.Settings().SetTheme(New(Options{Lang: i18n.English}))
	b := widget.NewButton("OK", nil)
	if b.MinSize().Height >= TouchTargetPx {
		t.Fatalf("a bare button is already %.0f px high: the test proves nothing", b.MinSize().Height)
	}
	wrapped := Touchable(b)
	if got := wrapped.MinSize(); got.Width < TouchTargetPx || got.Height < TouchTargetPx {
		t.Errorf("Touchable min size %v, want at least %d×%d", got, TouchTargetPx, TouchTargetPx)
	}
	wrapped.Resize(wrapped.MinSize())
	if b.Size() != wrapped.Size() {
		t.Errorf("button %v does not fill its %v touch area", b.Size(), wrapped.Size())
	}
	long := Touchable(widget.NewButton("まとめて同意 / Agree to all (a long label)", nil))
	if long.MinSize().Width <= TouchTargetPx {
		t.Error("Touchable shrank a wide button to the touch target")
	}
}
