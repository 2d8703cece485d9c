package theme

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"strings"
	"sync"
	"testing"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	fynetheme "fyne.io/fyne/v2/theme"
	"github.com/go-text/typesetting/di"
	"github.com/go-text/typesetting/font"
	"github.com/go-text/typesetting/shaping"
	"golang.org/x/image/math/fixed"

	"github.com/uketsuke/uketsuke/i18n"
)

func catalog(t *testing.T) *i18n.Catalog {
	t.Helper()
	c, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func requireFonts(t *testing.T) {
	t.Helper()
	if err := CheckFonts(); err != nil {
		t.Fatalf("%v\nthe fonts are part of the build: run `make deps`", err)
	}
}

// messages returns every text the kiosk shows in lang, each plural form
// included (count 1 and 2), with the language's own name.
func messages(c *i18n.Catalog, lang i18n.Lang) []string {
	out := []string{lang.Name()}
	for _, k := range i18n.Keys() {
		out = append(out, c.T(lang, k, i18n.CountArg, 1), c.T(lang, k, i18n.CountArg, 2))
	}
	return out
}

// chain is the list of faces Fyne resolves a style's runes through on a
// bare machine: the theme's font, then Fyne's built-in font for the style
// (see fyne/v2/internal/painter/font.go, lookupFaces).
type chain []*font.Face

func (c chain) ResolveFace(r rune) *font.Face {
	for _, f := range c {
		if _, ok := f.NominalGlyph(r); ok {
			return f
		}
	}
	return c[0]
}

var fullFaces sync.Map // fyne.Resource → *font.Face

// faceOf parses the whole font behind a resource, as Fyne's painter does.
func faceOf(f fyne.Resource) *font.Face {
	if v, ok := fullFaces.Load(f); ok {
		return v.(*font.Face)
	}
	face, err := font.ParseTTF(bytes.NewReader(f.Content()))
	if err != nil {
		return nil
	}
	fullFaces.Store(f, face)
	return face
}

func fyneChain(t *testing.T, style fyne.TextStyle, builtin fyne.Resource) chain {
	t.Helper()
	faces := chain{faceOf(fynetheme.Font(style))}
	if fynetheme.Font(style) != builtin {
		faces = append(faces, faceOf(builtin))
	}
	for _, f := range faces {
		if f == nil {
			t.Fatalf("a font of the %+v chain does not parse", style)
		}
	}
	return faces
}

// missing returns the runes of text no face of c has, ignoring controls and
// the marks that shaping attaches to a base.
func missing(c chain, text string) string {
	var out []rune
	for _, r := range text {
		if unicode.IsControl(r) || clings(r) {
			continue
		}
		if _, ok := c.ResolveFace(r).NominalGlyph(r); !ok && !strings.ContainsRune(string(out), r) {
			out = append(out, r)
		}
	}
	return string(out)
}

// notdefAfterShaping shapes text the way Fyne's painter does (segment by
// face, HarfBuzz per run) and counts .notdef glyphs, which Fyne draws as
// boxes: this also catches clusters a font cannot form.
func notdefAfterShaping(c chain, text string) int {
	runes := []rune(text)
	in := shaping.Input{Text: runes, RunEnd: len(runes), Direction: di.DirectionLTR,
		Face: c[0], Size: fixed.I(26)}
	var shaper shaping.HarfbuzzShaper
	var seg shaping.Segmenter
	n := 0
	for _, run := range seg.Split(in, c) {
		for _, g := range shaper.Shape(run).Glyphs {
			if g.GlyphID == 0 {
				n++
			}
		}
	}
	return n
}

// TestNoTofuInAnyLanguage is the "never ● or tofu" test: with the theme
// installed in Fyne's headless test app, every message of every language,
// regular and bold, is drawn from the chosen font or Fyne's own fallback,
// with no system font.
func TestNoTofuInAnyLanguage(t *testing.T) {
	requireFonts(t)
	c := catalog(t)
	app := test.NewTempApp(t)
	for _, l := range i18n.All() {
		app.Settings().SetTheme(New(Options{Lang: l.Code}))
		if got := fynetheme.Font(fyne.TextStyle{}); got != LanguageFont(l.Code) {
			t.Fatalf("%s: Fyne resolves font %s, want the language's font", l.Code, got.Name())
		}
		styles := map[string]chain{
			"regular": fyneChain(t, fyne.TextStyle{}, fynetheme.DefaultTextFont()),
			"bold":    fyneChain(t, fyne.TextStyle{Bold: true}, fynetheme.DefaultTextBoldFont()),
		}
		for name, ch := range styles {
			for _, text := range messages(c, l.Code) {
				if m := missing(ch, text); m != "" {
					t.Errorf("%s %s: no glyph for %q in %q", l.Code, name, m, text)
				} else if n := notdefAfterShaping(ch, text); n > 0 {
					t.Errorf("%s %s: %d .notdef glyphs after shaping %q", l.Code, name, n, text)
				}
			}
		}
	}
}

// TestLanguageNamesInTheirOwnFont: the picker draws each name with
// canvas.Text.FontSource = LanguageFont, a path on which Fyne has no
// fallback at all, so the font alone must have every character.
func TestLanguageNamesInTheirOwnFont(t *testing.T) {
	requireFonts(t)
	for _, l := range i18n.All() {
		ch := chain{faceOf(LanguageFont(l.Code))}
		if m := missing(ch, l.Name); m != "" {
			t.Errorf("%s: its font lacks %q of %q", l.Code, m, l.Name)
		}
		if n := notdefAfterShaping(ch, l.Name); n > 0 {
			t.Errorf("%s: %d .notdef glyphs shaping %q", l.Code, n, l.Name)
		}
	}
}

// mjOnly finds characters IPAmj has and the Japanese CJK face lacks.
func mjOnly(t *testing.T) []rune {
	t.Helper()
	names, jp := faceOf(NameFont()), faceOf(LanguageFont(i18n.Japanese))
	var out []rune
	it := names.Font.Cmap.Iter()
	for it.Next() {
		r, _ := it.Char()
		if _, ok := jp.NominalGlyph(r); !ok && unicode.Is(unicode.Han, r) {
			out = append(out, r)
		}
	}
	return out
}

func TestNameFontCoversWhatNotoLacks(t *testing.T) {
	requireFonts(t)
	extra := mjOnly(t)
	t.Logf("IPAmj Mincho has %d Han characters that Noto Sans CJK JP lacks", len(extra))
	if len(extra) < 1000 {
		t.Fatalf("only %d MJ-only characters: is the name font really IPAmj?", len(extra))
	}
}

func TestRunsGiveEveryRunAFontThatHasIt(t *testing.T) {
	requireFonts(t)
	var names []string
	for _, l := range i18n.All() {
		names = append(names, l.Name)
	}
	mj := string(mjOnly(t)[:3])
	texts := []string{
		strings.Join(names, " / "),
		"髙﨑 𠮷田 様", // compatibility and Extension B kanji
		"葛\U000E0100飾 " + mj + " 太郎",
		"ไทย 日本語 नेपाली ខ្មែរ မြန်မာ Монгол",
	}
	for _, lang := range []i18n.Lang{i18n.Japanese, i18n.English, i18n.Thai} {
		for _, text := range texts {
			runs := Runs(text, lang)
			var joined strings.Builder
			for _, run := range runs {
				joined.WriteString(run.Text)
				if !Covers(run.Font, run.Text) {
					t.Errorf("%s: run %q given %s, which lacks part of it", lang, run.Text, run.Font.Name())
				}
			}
			if joined.String() != text {
				t.Errorf("%s: runs join to %q, want %q", lang, joined.String(), text)
			}
		}
		for _, run := range Runs(mj, lang) {
			if run.Font != NameFont() {
				t.Errorf("%s: MJ-only %q drawn with %s, want the name font", lang, run.Text, run.Font.Name())
			}
		}
	}
}

func TestRunsKeepClustersTogether(t *testing.T) {
	requireFonts(t)
	for _, text := range []string{"ខ្មែរ", "မြန်မာ", "नेपाली", "ที่", "葛\U000E0100"} {
		if runs := Runs(text, i18n.English); len(runs) != 1 {
			t.Errorf("%q split into %d runs: %+v", text, len(runs), runs)
		}
	}
}

// TestRenderEveryLanguage draws each language's first screen title through
// Fyne's headless driver (software painter) and looks for tofu in the
// pixels: Fyne draws a glyph it cannot find as U+FFFD, so the test renders
// U+FFFD alone and searches the title's bitmap for that shape. Run on a bare
// machine (make i18n-bare-test hides every system font), this shows the
// embedded fonts alone draw every language.
func TestRenderEveryLanguage(t *testing.T) {
	requireFonts(t)
	if os.Getenv("UKETSUKE_BARE_FONTS") == "1" {
		if entries, _ := os.ReadDir("/usr/share/fonts"); len(entries) > 0 {
			t.Fatal("UKETSUKE_BARE_FONTS=1 but /usr/share/fonts is not hidden")
		}
	}
	c := catalog(t)
	app := test.NewTempApp(t)
	for _, l := range i18n.All() {
		app.Settings().SetTheme(New(Options{Lang: l.Code}))
		tofu := darkMask(renderText("\uFFFD")).crop()
		if len(tofu.dark) == 0 {
			t.Fatalf("%s: U+FFFD renders blank, the tofu search would find nothing", l.Code)
		}
		for _, text := range []string{l.Name, c.T(l.Code, i18n.PlaceCardTitle), c.T(l.Code, i18n.PINLastTry)} {
			img := renderText(text)
			if n := ink(img); n < 100 {
				t.Errorf("%s: %q rendered with only %d dark pixels", l.Code, text, n)
			}
			if darkMask(img).contains(tofu) {
				t.Errorf("%s: %q renders with a replacement character (tofu)", l.Code, text)
			}
		}
	}
}

// TestTofuSearchFindsTofu makes sure the pixel search above can fail: a
// character in no embedded font must be found.
func TestTofuSearchFindsTofu(t *testing.T) {
	requireFonts(t)
	app := test.NewTempApp(t)
	app.Settings().SetTheme(New(Options{Lang: i18n.Thai}))
	tofu := darkMask(renderText("\uFFFD")).crop()
	if !darkMask(renderText("ไทย \U0010FFFD ไทย")).contains(tofu) {
		t.Error("a private-use character no font has was not detected as tofu")
	}
}

func TestCoversRejectsForeignScript(t *testing.T) {
	requireFonts(t)
	if Covers(LanguageFont(i18n.Thai), "日本語") {
		t.Error("the Thai font claims to cover 日本語")
	}
	if !Covers(LanguageFont(i18n.Thai), "ภาษาไทย") {
		t.Error("the Thai font does not cover ภาษาไทย")
	}
}

func ExampleRuns() {
	for _, run := range Runs("日本語 / ไทย", i18n.English) {
		fmt.Printf("%q\n", run.Text)
	}
	// Output:
	// "日本語 / "
	// "ไทย"
}

// TestMixedTextSharesOneBaseline: runs in fonts of different ascent
// (Myanmar's is about twice Latin's) must sit on one line.
func TestMixedTextSharesOneBaseline(t *testing.T) {
	requireFonts(t)
	app := test.NewTempApp(t)
	app.Settings().SetTheme(New(Options{Lang: i18n.Japanese}))
	row := MixedText("日本語 မြန်မာ English ខ្មែរ", i18n.Japanese, 26, nil)
	if len(row.Objects) < 3 {
		t.Fatalf("%d runs, want at least 3", len(row.Objects))
	}
	row.Resize(row.MinSize())
	var baseline, width float32
	for i, o := range row.Objects {
		txt := o.(*canvas.Text)
		size, base := app.Driver().RenderedTextSize(txt.Text, txt.TextSize, txt.TextStyle, txt.FontSource)
		y := o.Position().Y + base
		if i == 0 {
			baseline = y
		} else if math.Abs(float64(y-baseline)) > 0.5 {
			t.Errorf("run %q has its baseline at %.1f, the first at %.1f", txt.Text, y, baseline)
		}
		if o.Position().X != width {
			t.Errorf("run %q at x=%.1f, want %.1f", txt.Text, o.Position().X, width)
		}
		width += size.Width
	}
	if row.MinSize().Width != width {
		t.Errorf("MinSize width %.1f, want %.1f", row.MinSize().Width, width)
	}
}

// TestPreloadWhileDrawing: Preload's background loading and MixedText's
// font choice may run at the same time (run with -race to check).
func TestPreloadWhileDrawing(t *testing.T) {
	requireFonts(t)
	Preload(i18n.Khmer)
	for range 20 {
		if runs := Runs("ខ្មែរ 日本語", i18n.Khmer); len(runs) != 2 {
			t.Fatalf("runs = %+v", runs)
		}
		if !Covers(LanguageFont(i18n.Khmer), "ខ្មែរ") {
			t.Fatal("Khmer font does not cover ខ្មែរ")
		}
	}
	if err := CheckFonts(); err != nil {
		t.Fatal(err)
	}
}
