package cardface

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/font/opentype"
)

// ErrNoFonts means none of the Debian Japanese fonts is installed
// (fonts-ipaexfont-gothic/-mincho, fonts-morisawa-bizud-gothic/-mincho,
// fonts-noto-cjk and the others in mk/scan.mk).
var ErrNoFonts = errors.New("cardface: no Japanese font found under /usr/share/fonts")

type fontFile struct {
	path string
	// name picks one face out of a collection (.ttc); empty for single fonts.
	name string
}

// fontFiles lists the card fonts. The first legacyFonts are the original set:
// the fixed layout draws its random font from them alone, so fixed-layout
// figures stay comparable with those measured before the others were added.
var fontFiles = []fontFile{
	{"/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf", ""},
	{"/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf", ""},
	{"/usr/share/fonts/truetype/bizud-gothic/BIZUDGothic-Regular.ttf", ""},
	{"/usr/share/fonts/truetype/bizud-mincho/BIZUDMincho-Regular.ttf", ""},
	{"/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "Noto Sans CJK JP"},
	{"/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", "Noto Serif CJK JP"},

	{"/usr/share/fonts/truetype/takao-gothic/TakaoGothic.ttf", ""},
	{"/usr/share/fonts/truetype/takao-mincho/TakaoPMincho.ttf", ""},
	{"/usr/share/fonts/truetype/vlgothic/VL-PGothic-Regular.ttf", ""},
	{"/usr/share/fonts/opentype/ipafont-gothic/ipagp.ttf", ""},
	{"/usr/share/fonts/opentype/ipafont-mincho/ipam.ttf", ""},
	{"/usr/share/fonts/opentype/noto/NotoSansCJK-Medium.ttc", "Noto Sans CJK JP"},
}

const legacyFonts = 6

var (
	fontsOnce sync.Once
	fonts     []*opentype.Font
	// fontsLegacy counts the installed fonts among the first legacyFonts
	// entries; they come first in fonts.
	fontsLegacy int
	fontsErr    error
)

// loadFonts parses every installed font once; a parsed font is read-only and
// safe to share between goroutines (faces are not, so they are made per card).
func loadFonts() ([]*opentype.Font, error) {
	fontsOnce.Do(func() {
		for i, ff := range fontFiles {
			f, err := parseFont(ff)
			if err == nil {
				fonts = append(fonts, f)
				if i < legacyFonts {
					fontsLegacy++
				}
			}
		}
		if len(fonts) == 0 {
			fontsErr = ErrNoFonts
		}
	})
	return fonts, fontsErr
}

func parseFont(ff fontFile) (*opentype.Font, error) {
	data, err := os.ReadFile(ff.path)
	if err != nil {
		return nil, err
	}
	if ff.name == "" {
		return opentype.Parse(data)
	}
	coll, err := opentype.ParseCollection(data)
	if err != nil {
		return nil, err
	}
	for i := 0; i < coll.NumFonts(); i++ {
		f, err := coll.Font(i)
		if err != nil {
			continue
		}
		if n, err := f.Name(nil, 4); err == nil && strings.HasPrefix(n, ff.name) && !strings.Contains(n, "Mono") {
			return f, nil
		}
	}
	return nil, fmt.Errorf("cardface: %s has no face %q", ff.path, ff.name)
}

// FontCount is how many card fonts are installed; Options.Font indexes them.
func FontCount() int {
	f, _ := loadFonts()
	return len(f)
}

// legacyFontCount is how many fonts the fixed layout picks from: the
// original six when installed (after loadFonts).
func legacyFontCount() int {
	if fontsLegacy > 0 {
		return fontsLegacy
	}
	return len(fonts)
}

// FixedFontCount is how many of them the fixed layout draws from: the
// original six when installed. They come first, so Options.Font below this
// count picks one of them.
func FixedFontCount() int {
	loadFonts()
	return legacyFontCount()
}

// newFace sizes a parsed font. NewFace fails only on a non-positive size or
// DPI, which the fixed layout never asks for; a basic face stands in then
// rather than crashing a demo.
func newFace(f *opentype.Font, px float64) font.Face {
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: px, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		return basicfont.Face7x13
	}
	return face
}
