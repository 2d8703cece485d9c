package theme

import (
	"image/color"
	"math"

	"fyne.io/fyne/v2"
	fynetheme "fyne.io/fyne/v2/theme"
)

func rgb(v uint32) color.NRGBA {
	return color.NRGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 0xFF}
}

// normalPalette: dark text on white, a deep blue for the actions to take.
// Every text colour reaches WCAG AAA (7:1) on the surface it is drawn on.
var normalPalette = map[fyne.ThemeColorName]color.Color{
	fynetheme.ColorNameBackground:          rgb(0xFFFFFF),
	fynetheme.ColorNameForeground:          rgb(0x1A1A1A),
	fynetheme.ColorNameButton:              rgb(0xE3E9F3),
	fynetheme.ColorNameDisabledButton:      rgb(0xEDEDED),
	fynetheme.ColorNameDisabled:            rgb(0x595959),
	fynetheme.ColorNamePrimary:             rgb(0x0842A0),
	fynetheme.ColorNameForegroundOnPrimary: rgb(0xFFFFFF),
	fynetheme.ColorNameError:               rgb(0xA31B14),
	fynetheme.ColorNameForegroundOnError:   rgb(0xFFFFFF),
	fynetheme.ColorNameSuccess:             rgb(0x1B5E20),
	fynetheme.ColorNameForegroundOnSuccess: rgb(0xFFFFFF),
	fynetheme.ColorNameWarning:             rgb(0x7A4100),
	fynetheme.ColorNameForegroundOnWarning: rgb(0xFFFFFF),
	fynetheme.ColorNameFocus:               color.NRGBA{0x08, 0x42, 0xA0, 0x66},
	fynetheme.ColorNameHover:               color.NRGBA{0x08, 0x42, 0xA0, 0x1F},
	fynetheme.ColorNamePressed:             color.NRGBA{0x08, 0x42, 0xA0, 0x40},
	fynetheme.ColorNameSelection:           color.NRGBA{0x08, 0x42, 0xA0, 0x33},
	fynetheme.ColorNameHyperlink:           rgb(0x0842A0),
	fynetheme.ColorNameInputBackground:     rgb(0xFFFFFF),
	fynetheme.ColorNameInputBorder:         rgb(0x5C6B80),
	fynetheme.ColorNamePlaceHolder:         rgb(0x595959),
	fynetheme.ColorNameSeparator:           rgb(0xC8CED8),
	fynetheme.ColorNameShadow:              color.NRGBA{0, 0, 0, 0x40},
	fynetheme.ColorNameHeaderBackground:    rgb(0xF2F5FA),
	fynetheme.ColorNameMenuBackground:      rgb(0xFFFFFF),
	fynetheme.ColorNameOverlayBackground:   rgb(0xFFFFFF),
	fynetheme.ColorNameScrollBar:           rgb(0x5C6B80),
	fynetheme.ColorNameScrollBarBackground: rgb(0xEDEDED),
}

// highContrastPalette: white on black, black on yellow for actions, for
// patients with low vision or cataracts. Text reaches 15:1 or better.
var highContrastPalette = map[fyne.ThemeColorName]color.Color{
	fynetheme.ColorNameBackground:          rgb(0x000000),
	fynetheme.ColorNameForeground:          rgb(0xFFFFFF),
	fynetheme.ColorNameButton:              rgb(0x2B2B2B),
	fynetheme.ColorNameDisabledButton:      rgb(0x1A1A1A),
	fynetheme.ColorNameDisabled:            rgb(0xBDBDBD),
	fynetheme.ColorNamePrimary:             rgb(0xFFD600),
	fynetheme.ColorNameForegroundOnPrimary: rgb(0x000000),
	fynetheme.ColorNameError:               rgb(0xFFB4AB),
	fynetheme.ColorNameForegroundOnError:   rgb(0x000000),
	fynetheme.ColorNameSuccess:             rgb(0x9CFF9C),
	fynetheme.ColorNameForegroundOnSuccess: rgb(0x000000),
	fynetheme.ColorNameWarning:             rgb(0xFFC24D),
	fynetheme.ColorNameForegroundOnWarning: rgb(0x000000),
	fynetheme.ColorNameFocus:               rgb(0xFFD600),
	fynetheme.ColorNameHover:               color.NRGBA{0xFF, 0xFF, 0xFF, 0x33},
	fynetheme.ColorNamePressed:             color.NRGBA{0xFF, 0xD6, 0x00, 0x66},
	fynetheme.ColorNameSelection:           color.NRGBA{0xFF, 0xD6, 0x00, 0x66},
	fynetheme.ColorNameHyperlink:           rgb(0xFFD600),
	fynetheme.ColorNameInputBackground:     rgb(0x000000),
	fynetheme.ColorNameInputBorder:         rgb(0xFFFFFF),
	fynetheme.ColorNamePlaceHolder:         rgb(0xBDBDBD),
	fynetheme.ColorNameSeparator:           rgb(0xFFFFFF),
	fynetheme.ColorNameShadow:              color.NRGBA{0, 0, 0, 0},
	fynetheme.ColorNameHeaderBackground:    rgb(0x000000),
	fynetheme.ColorNameMenuBackground:      rgb(0x000000),
	fynetheme.ColorNameOverlayBackground:   rgb(0x000000),
	fynetheme.ColorNameScrollBar:           rgb(0xFFFFFF),
	fynetheme.ColorNameScrollBarBackground: rgb(0x2B2B2B),
}

// ContrastRatio is WCAG 2's contrast ratio between two opaque colours
// (1 to 21).
func ContrastRatio(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	lin := func(v uint32) float64 {
		s := float64(v) / 0xFFFF
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}
