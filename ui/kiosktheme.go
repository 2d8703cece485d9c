package ui

import (
	"fyne.io/fyne/v2"
	fynetheme "fyne.io/fyne/v2/theme"

	"github.com/uketsuke/uketsuke/ui/theme"
)

// kioskTheme is the project theme with the spacing of normal mode kept in
// large-text mode: larger gaps would push the words off a 10-inch screen
// without making them any easier to read.
type kioskTheme struct{ *theme.Theme }

func newKioskTheme(o theme.Options) kioskTheme { return kioskTheme{theme.New(o)} }

var unscaled = map[fyne.ThemeSizeName]bool{
	fynetheme.SizeNamePadding: true, fynetheme.SizeNameInnerPadding: true,
	fynetheme.SizeNameLineSpacing: true,
}

func (k kioskTheme) Size(name fyne.ThemeSizeName) float32 {
	if unscaled[name] && k.Options().LargeText {
		return k.Theme.WithLargeText(false).Size(name)
	}
	return k.Theme.Size(name)
}
