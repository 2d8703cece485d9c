// Package theme is the kiosk's Fyne theme: the font for each language's
// script (embedded, so nothing depends on the machine's fonts), a large-text
// mode, a high-contrast colour scheme and the touch-target size. It imports
// Fyne but never fyne/v2/app, so it works under Fyne's headless test driver.
//
// Fyne draws text with one theme font per text style, falling back to its
// own Noto Sans and then to system fonts (absent on a bare kiosk). So the
// theme's font is the one for the current language's script, and text that
// mixes scripts (the language picker, a patient's name with rare kanji) goes
// through MixedText, which gives each run of text a font that has it.
package theme

import (
	"image/color"

	"fyne.io/fyne/v2"
	fynetheme "fyne.io/fyne/v2/theme"

	"github.com/uketsuke/uketsuke/i18n"
)

// Options are what the patient and the facility can change about the look.
type Options struct {
	Lang         i18n.Lang
	LargeText    bool // every size ×LargeTextFactor
	HighContrast bool // white and yellow on black
}

// Theme implements fyne.Theme for one set of Options. It is immutable:
// changing the language or a mode means installing a new Theme with
// app.Settings().SetTheme, which also makes Fyne drop its font cache.
type Theme struct {
	opts Options
}

var _ fyne.Theme = (*Theme)(nil)

// New returns the theme for opts; an unknown language gets i18n.Default's fonts.
func New(opts Options) *Theme {
	if _, err := i18n.Info(opts.Lang); err != nil {
		opts.Lang = i18n.Default
	}
	return &Theme{opts: opts}
}

// Options returns the options the theme was made with.
func (t *Theme) Options() Options { return t.opts }

// WithLang returns a copy of t for another language.
func (t *Theme) WithLang(lang i18n.Lang) *Theme {
	o := t.opts
	o.Lang = lang
	return New(o)
}

// WithLargeText returns a copy of t with large text on or off.
func (t *Theme) WithLargeText(on bool) *Theme {
	o := t.opts
	o.LargeText = on
	return New(o)
}

// WithHighContrast returns a copy of t with the high-contrast scheme on or off.
func (t *Theme) WithHighContrast(on bool) *Theme {
	o := t.opts
	o.HighContrast = on
	return New(o)
}

// Color ignores the variant: a kiosk keeps one scheme whatever the desktop
// prefers, and only the patient's high-contrast toggle changes it.
func (t *Theme) Color(name fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	p := normalPalette
	if t.opts.HighContrast {
		p = highContrastPalette
	}
	if c, ok := p[name]; ok {
		return c
	}
	return fynetheme.DefaultTheme().Color(name, fynetheme.VariantLight)
}

// Font returns the current language's font. Bold Latin and Cyrillic use
// Fyne's built-in bold Noto Sans; other scripts have regular weight only
// (binary size), so bold text in them stays regular.
func (t *Theme) Font(style fyne.TextStyle) fyne.Resource {
	if style.Symbol {
		return fynetheme.DefaultSymbolFont()
	}
	if style.Bold && hasFyneBold(t.opts.Lang) {
		return fynetheme.DefaultTextBoldFont()
	}
	return LanguageFont(t.opts.Lang)
}

// Icon uses Fyne's icons (SVG, so they scale with large text).
func (t *Theme) Icon(name fyne.ThemeIconName) fyne.Resource {
	return fynetheme.DefaultTheme().Icon(name)
}

// Size returns the kiosk's sizes, ×LargeTextFactor in large-text mode.
func (t *Theme) Size(name fyne.ThemeSizeName) float32 {
	v, ok := sizes[name]
	if !ok {
		v = fynetheme.DefaultTheme().Size(name)
	}
	if t.opts.LargeText && name != SizeNameTouchTarget {
		v *= LargeTextFactor
	}
	return v
}
