package theme

import (
	"errors"
	"fmt"
	"sync"

	"fyne.io/fyne/v2"
	fynetheme "fyne.io/fyne/v2/theme"

	"github.com/uketsuke/uketsuke/assets"
	"github.com/uketsuke/uketsuke/i18n"
)

// fontSource is one embedded font: a single font or a face of the CJK collection.
type fontSource struct {
	name string
	load func() ([]byte, error)
	res  fyne.Resource // set for Fyne's own fonts, to share Fyne's resource
}

func single(f assets.Font) fontSource {
	return fontSource{name: string(f), load: func() ([]byte, error) { return assets.FontData(f) }}
}

func cjk(c assets.CJK) fontSource {
	return fontSource{name: c.Family(), load: func() ([]byte, error) { return assets.CJKFace(c) }}
}

var (
	srcLatin      = single(assets.FontLatin)
	srcThai       = single(assets.FontThai)
	srcDevanagari = single(assets.FontDevanagari)
	srcMyanmar    = single(assets.FontMyanmar)
	srcKhmer      = single(assets.FontKhmer)
	srcNames      = single(assets.FontNames)
	srcJapanese   = cjk(assets.CJKJapanese)
	srcKorean     = cjk(assets.CJKKorean)
	srcHans       = cjk(assets.CJKSimplifiedChinese)
	srcHant       = cjk(assets.CJKTraditionalChinese)
)

var scriptFonts = map[i18n.Script]fontSource{
	i18n.ScriptLatin:          srcLatin,
	i18n.ScriptCyrillic:       srcLatin,
	i18n.ScriptJapanese:       srcJapanese,
	i18n.ScriptKorean:         srcKorean,
	i18n.ScriptHanSimplified:  srcHans,
	i18n.ScriptHanTraditional: srcHant,
	i18n.ScriptThai:           srcThai,
	i18n.ScriptDevanagari:     srcDevanagari,
	i18n.ScriptMyanmar:        srcMyanmar,
	i18n.ScriptKhmer:          srcKhmer,
}

func sourceFor(lang i18n.Lang) fontSource {
	l, err := i18n.Info(lang)
	if err != nil {
		l, _ = i18n.Info(i18n.Default)
	}
	return scriptFonts[l.Script]
}

func hasFyneBold(lang i18n.Lang) bool {
	l, err := i18n.Info(lang)
	return err == nil && (l.Script == i18n.ScriptLatin || l.Script == i18n.ScriptCyrillic)
}

// loadedFont is a font's Fyne resource and its character coverage, both
// made once: Fyne caches fonts per resource, so handing out one resource per
// font keeps one parsed copy.
type loadedFont struct {
	once sync.Once
	res  fyne.Resource
	cov  *coverage
	err  error
}

var loaded sync.Map // font name → *loadedFont

// ErrFont wraps a failure to load an embedded font; the theme then falls
// back to Fyne's own font, which lacks most of the kiosk's scripts.
var ErrFont = errors.New("theme: font unavailable")

func (s fontSource) get() *loadedFont {
	v, _ := loaded.LoadOrStore(s.name, &loadedFont{})
	lf := v.(*loadedFont)
	lf.once.Do(func() {
		data, err := s.load()
		if err == nil {
			lf.cov, err = parseCoverage(data)
		}
		if err != nil {
			lf.err = fmt.Errorf("%w: %s: %v", ErrFont, s.name, err)
			lf.res = fynetheme.DefaultTextFont()
			fyne.LogError("embedded font unavailable", lf.err)
			return
		}
		lf.res = s.res
		if lf.res == nil {
			lf.res = fyne.NewStaticResource(s.name, data)
		}
		coverageByResource.Store(lf.res, lf.cov)
	})
	return lf
}

func (s fontSource) resource() fyne.Resource { return s.get().res }

// LanguageFont returns the regular font for lang's script, with the glyph
// forms lang's readers expect (the Japanese, Korean, Simplified or
// Traditional Chinese face of Noto Sans CJK). Use it as canvas.Text's
// FontSource to show a language's own name in the language picker.
func LanguageFont(lang i18n.Lang) fyne.Resource { return sourceFor(lang).resource() }

// NameFont returns IPAmj Mincho, which covers the MJ characters of Japan's
// residence registers. It is unpacked on first use; Fyne parses it (seconds)
// only when it draws with it, which MixedText does only for a character no
// other font has.
func NameFont() fyne.Resource { return srcNames.resource() }

// CheckFonts loads every embedded font and reports any that is missing or
// broken; main calls it at start-up so a kiosk built without `make deps`
// says so instead of showing tofu.
func CheckFonts() error {
	var errs []error
	for _, s := range allSources() {
		if err := s.get().err; err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Preload unpacks lang's font and, in the background, the fallbacks, so the
// first screen and a later language switch do not stall the UI.
func Preload(lang i18n.Lang) {
	sourceFor(lang).get()
	go func() {
		for _, s := range allSources() {
			s.get()
		}
	}()
}

func allSources() []fontSource {
	return []fontSource{srcLatin, srcJapanese, srcKorean, srcHans, srcHant,
		srcThai, srcDevanagari, srcMyanmar, srcKhmer, srcNames}
}
