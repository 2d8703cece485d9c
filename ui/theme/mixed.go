package theme

import (
	"image/color"
	"sync"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	fynetheme "fyne.io/fyne/v2/theme"

	"github.com/uketsuke/uketsuke/i18n"
)

// Run is a stretch of text that one font draws.
type Run struct {
	Text string
	Font fyne.Resource
}

// candidates is the order fonts are tried in for r: the language's own,
// the kiosk's font for r's script, Fyne's Noto Sans (what Fyne itself falls
// back to), IPAmj, then everything else. Going by script first means a Thai
// word in a Japanese sentence never unpacks the Chinese and Korean faces.
func candidates(lang i18n.Lang, r rune) []fontSource {
	out := []fontSource{sourceFor(lang)}
	if s, ok := scriptSource(lang, r); ok {
		out = append(out, s)
	}
	return append(out, fyneRegular, srcNames, srcLatin, srcJapanese, srcHans, srcHant,
		srcKorean, srcThai, srcDevanagari, srcMyanmar, srcKhmer)
}

var scriptSources = []struct {
	table *unicode.RangeTable
	src   fontSource
}{
	{unicode.Latin, srcLatin}, {unicode.Cyrillic, srcLatin}, {unicode.Greek, srcLatin},
	{unicode.Thai, srcThai}, {unicode.Devanagari, srcDevanagari},
	{unicode.Myanmar, srcMyanmar}, {unicode.Khmer, srcKhmer}, {unicode.Hangul, srcKorean},
}

func scriptSource(lang i18n.Lang, r rune) (fontSource, bool) {
	for _, s := range scriptSources {
		if unicode.Is(s.table, r) {
			return s.src, true
		}
	}
	if unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Bopomofo) {
		return cjkFor(lang), true
	}
	return fontSource{}, false
}

// cjkFor is lang's CJK face, or the Japanese one for a language without.
func cjkFor(lang i18n.Lang) fontSource {
	if l, err := i18n.Info(lang); err == nil {
		switch l.Script {
		case i18n.ScriptJapanese, i18n.ScriptKorean, i18n.ScriptHanSimplified, i18n.ScriptHanTraditional:
			return sourceFor(lang)
		}
	}
	return srcJapanese
}

// fyneRegular is Fyne's built-in Noto Sans, as a source like the others.
var fyneRegular = fontSource{
	name: "fyne-default",
	load: func() ([]byte, error) { return fynetheme.DefaultTextFont().Content(), nil },
	res:  fynetheme.DefaultTextFont(),
}

// Runs splits text into runs each drawn by the first font, among each
// character's candidates, that has every character of the run. Marks, joiners and
// variation selectors stay with the character before them, so a Thai or
// Khmer cluster or an IVS kanji is never split across fonts. A character no
// font has stays in the current run (it will show as a box: the tests make
// sure the kiosk's own text never does).
func Runs(text string, lang i18n.Lang) []Run {
	runes := []rune(text)
	var runs []Run
	var cur []rune
	var curFont *loadedFont
	for i := 0; i < len(runes); i++ {
		r := runes[i]
		if curFont != nil && (clings(r) || (neutral(r) && curFont.cov.has(r, 0))) {
			cur = append(cur, r)
			continue
		}
		f := pick(candidates(lang, r), r, nextSelector(runes, i))
		if f == nil {
			f = sourceFor(lang).get()
		}
		if curFont != nil && f.res != curFont.res {
			runs = append(runs, Run{string(cur), curFont.res})
			cur = nil
		}
		cur, curFont = append(cur, r), f
	}
	if curFont != nil {
		runs = append(runs, Run{string(cur), curFont.res})
	}
	return runs
}

func pick(chain []fontSource, r, selector rune) *loadedFont {
	for _, s := range chain {
		if lf := s.get(); lf.err == nil && lf.cov.has(r, selector) {
			return lf
		}
	}
	return nil
}

func nextSelector(runes []rune, i int) rune {
	if i+1 < len(runes) && isVariationSelector(runes[i+1]) {
		return runes[i+1]
	}
	return 0
}

func isVariationSelector(r rune) bool {
	return (r >= 0xFE00 && r <= 0xFE0F) || (r >= 0xE0100 && r <= 0xE01EF)
}

// neutral reports whether r belongs to no script (spaces, digits,
// punctuation), so the current run's font may draw it if it can.
func neutral(r rune) bool { return unicode.Is(unicode.Common, r) }

// clings reports whether r belongs to the character before it.
func clings(r rune) bool {
	return unicode.In(r, unicode.Mn, unicode.Mc, unicode.Me) ||
		r == 0x200C || r == 0x200D || isVariationSelector(r)
}

// MixedText draws one line of text that may mix scripts, each run in a font
// that has it: the language picker's list of names, or a patient's name
// with rare kanji. size is in Fyne units; col nil means the theme's
// foreground colour.
func MixedText(text string, lang i18n.Lang, size float32, col color.Color) *fyne.Container {
	if col == nil {
		col = fynetheme.Color(fynetheme.ColorNameForeground)
	}
	var objs []fyne.CanvasObject
	for _, run := range Runs(text, lang) {
		t := canvas.NewText(run.Text, col)
		t.TextSize = size
		t.FontSource = run.Font
		objs = append(objs, t)
	}
	return container.New(baselineRow{}, objs...)
}

// baselineRow lays texts out left to right on one baseline. Fonts differ in
// ascent (Myanmar's is twice Latin's), so top-aligned runs of different
// fonts would not sit on one line.
type baselineRow struct{}

type metrics struct {
	size     fyne.Size
	baseline float32
}

func measure(o fyne.CanvasObject) metrics {
	t, ok := o.(*canvas.Text)
	if !ok || fyne.CurrentApp() == nil {
		return metrics{o.MinSize(), 0}
	}
	size, base := fyne.CurrentApp().Driver().RenderedTextSize(t.Text, t.TextSize, t.TextStyle, t.FontSource)
	return metrics{size, base}
}

// line returns each object's metrics, the largest ascent and the height
// of the line.
func line(objs []fyne.CanvasObject) ([]metrics, float32, float32) {
	ms := make([]metrics, len(objs))
	var ascent, descent float32
	for i, o := range objs {
		ms[i] = measure(o)
		ascent = max(ascent, ms[i].baseline)
		descent = max(descent, ms[i].size.Height-ms[i].baseline)
	}
	return ms, ascent, ascent + descent
}

func (baselineRow) MinSize(objs []fyne.CanvasObject) fyne.Size {
	ms, _, height := line(objs)
	var width float32
	for _, m := range ms {
		width += m.size.Width
	}
	return fyne.NewSize(width, height)
}

func (baselineRow) Layout(objs []fyne.CanvasObject, _ fyne.Size) {
	ms, ascent, _ := line(objs)
	var x float32
	for i, o := range objs {
		o.Move(fyne.NewPos(x, ascent-ms[i].baseline))
		o.Resize(ms[i].size)
		x += ms[i].size.Width
	}
}

// Covers reports whether font f (a resource of this package or one of
// Fyne's) has a glyph for every character of text. Screens and tests use it
// to decide whether a plain label is enough or MixedText is needed.
func Covers(f fyne.Resource, text string) bool {
	cov := coverageOf(f)
	if cov == nil {
		return false
	}
	for _, r := range text {
		if !clings(r) && !cov.has(r, 0) {
			return false
		}
	}
	return true
}

// coverageByResource maps every font resource whose coverage is known,
// this package's (stored when loaded) and Fyne's (parsed on demand).
var coverageByResource sync.Map // fyne.Resource → *coverage

func coverageOf(f fyne.Resource) *coverage {
	if v, ok := coverageByResource.Load(f); ok {
		return v.(*coverage)
	}
	parsed, err := parseCoverage(f.Content())
	if err != nil {
		return nil
	}
	coverageByResource.Store(f, parsed)
	return parsed
}
