package vcard

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// Fonts tried for the chip's text images, in order; the first present wins.
var fontPaths = []string{
	"/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
	"/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
	"/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
}

var (
	faceOnce sync.Once
	textFace font.Face
)

func loadFace() font.Face {
	faceOnce.Do(func() {
		for _, p := range fontPaths {
			data, err := os.ReadFile(p)
			if err != nil {
				continue
			}
			if f, err := opentype.Parse(data); err == nil {
				textFace, _ = opentype.NewFace(f, &opentype.FaceOptions{Size: 20, DPI: 72, Hinting: font.HintingFull})
				return
			}
			if coll, err := opentype.ParseCollection(data); err == nil {
				if f, err := coll.Font(0); err == nil {
					textFace, _ = opentype.NewFace(f, &opentype.FaceOptions{Size: 20, DPI: 72, Hinting: font.HintingFull})
					return
				}
			}
		}
	})
	return textFace
}

// textPNG draws text as a 1-bit PNG, as the card stores name, address and
// security code images. Without a Japanese font it stays a blank image of
// the right shape: the card's logic does not depend on what it shows.
func textPNG(text string) []byte {
	width := 24*len([]rune(text)) + 8
	pal := color.Palette{color.White, color.Black}
	img := image.NewPaletted(image.Rect(0, 0, width, 28), pal)
	if face := loadFace(); face != nil {
		d := font.Drawer{Dst: img, Src: image.NewUniform(color.Black), Face: face, Dot: fixed.P(4, 22)}
		d.DrawString(text)
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, img) // writing to memory cannot fail
	return buf.Bytes()
}
