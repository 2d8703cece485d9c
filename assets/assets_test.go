package assets

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"image/png"
	"os"
	"strings"
	"testing"

	"github.com/go-text/typesetting/font"
)

func parse(t *testing.T, name string, data []byte) *font.Face {
	t.Helper()
	face, err := font.ParseTTF(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s does not parse: %v", name, err)
	}
	return face
}

func fontData(t *testing.T, f Font) []byte {
	t.Helper()
	data, err := FontData(f)
	if errors.Is(err, ErrFontMissing) {
		t.Fatalf("%v: the fonts are part of the build, run `make deps`", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestSingleFontsCoverTheirScript(t *testing.T) {
	samples := map[Font]string{
		FontLatin:      "Tiếng Việt Português Монгол ҮүӨө",
		FontThai:       "ภาษาไทย",
		FontDevanagari: "नेपाली",
		FontMyanmar:    "မြန်မာ",
		FontKhmer:      "ខ្មែរ",
		FontNames:      "髙﨑𠮷齋邉",
	}
	for f, sample := range samples {
		face := parse(t, string(f), fontData(t, f))
		for _, r := range sample {
			if _, ok := face.NominalGlyph(r); !ok && r != ' ' {
				t.Errorf("%s has no glyph for %q (U+%04X)", f, r, r)
			}
		}
	}
}

func TestCJKFacesAreStandaloneFonts(t *testing.T) {
	for c, family := range cjkFamilies {
		data, err := CJKFace(c)
		if err != nil {
			t.Fatalf("%s: %v", family, err)
		}
		if !bytes.HasPrefix(data, []byte("OTTO")) {
			t.Errorf("%s: signature %q, want OTTO", family, data[:4])
		}
		face := parse(t, family, data)
		if got := face.Describe().Family; got != family {
			t.Errorf("face %d is %q, want %q", c, got, family)
		}
		for _, r := range "日本語한국어简体繁體" {
			if _, ok := face.NominalGlyph(r); !ok {
				t.Errorf("%s has no glyph for %q", family, r)
			}
		}
	}
	if _, err := CJKFace(CJK(9)); !errors.Is(err, ErrBadFont) {
		t.Errorf("CJKFace(9) error = %v, want ErrBadFont", err)
	}
}

// TestCJKFacesDifferByRegion: the same code point must map to a different
// glyph in the Japanese and the Simplified Chinese face, or the extraction
// picked the same face twice.
func TestCJKFacesDifferByRegion(t *testing.T) {
	jp, err := CJKFace(CJKJapanese)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := CJKFace(CJKSimplifiedChinese)
	if err != nil {
		t.Fatal(err)
	}
	gj, _ := parse(t, "JP", jp).NominalGlyph('直')
	gs, _ := parse(t, "SC", sc).NominalGlyph('直')
	if gj == gs {
		t.Errorf("直 is glyph %d in both the JP and SC faces", gj)
	}
}

// TestIPAmjIsUnmodified: the IPA Font License allows redistribution only of
// the unmodified font; the embedded copy must equal Debian's byte for byte.
func TestIPAmjIsUnmodified(t *testing.T) {
	data := fontData(t, FontNames)
	debian, err := os.ReadFile("/usr/share/fonts/truetype/ipamj/ipamjm.ttf")
	if err != nil {
		msg := fmt.Sprintf("Debian's fonts-ipamj-mincho is not installed to compare with (make deps installs it): %v", err)
		if os.Getenv("UKETSUKE_REQUIRE_SHARED") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	if sha256.Sum256(data) != sha256.Sum256(debian) {
		t.Error("embedded IPAmj Mincho differs from Debian's ipamjm.ttf")
	}
}

func TestFontDataIsShared(t *testing.T) {
	a, b := fontData(t, FontThai), fontData(t, FontThai)
	if &a[0] != &b[0] {
		t.Error("FontData unpacked the same font twice")
	}
}

func TestUnknownFontIsMissing(t *testing.T) {
	if _, err := FontData("NoSuchFont.woff"); !errors.Is(err, ErrFontMissing) {
		t.Errorf("error = %v, want ErrFontMissing", err)
	}
}

func TestLicensesShipWithTheFonts(t *testing.T) {
	lic := Licenses()
	want := map[string]string{
		"LICENSE-Noto.txt":    "Open Font License",
		"LICENSE-NotoCJK.txt": "Open Font License",
		"LICENSE-IPA.txt":     "IPA Font License",
	}
	for name, phrase := range want {
		if !strings.Contains(lic[name], phrase) {
			t.Errorf("%s missing or without %q", name, phrase)
		}
	}
}

func TestIcon(t *testing.T) {
	img, err := png.Decode(bytes.NewReader(Icon()))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 512 || b.Dy() != 512 {
		t.Errorf("icon is %v, want 512x512", b)
	}
}
