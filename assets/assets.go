// Package assets carries what the kiosk needs on a bare machine: the fonts
// for every script of its sixteen languages and for the rare kanji of real
// names, their licences, and the application icon. The fonts are copied
// from Debian packages into fonts/ by `make deps` (mk/i18n.mk) and embedded
// here, so the binary needs no system font at all.
package assets

import (
	"bytes"
	"compress/gzip"
	"embed"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"sync"

	ot "github.com/go-text/typesetting/font/opentype"
)

//go:embed fonts
var fontFS embed.FS

//go:embed icon.png
var icon []byte

// ErrFontMissing means the binary was built without running `make deps`,
// so fonts/ held no copy of the font.
var ErrFontMissing = errors.New("assets: font not embedded (run `make deps` before building)")

// ErrBadFont means an embedded font could not be unpacked.
var ErrBadFont = errors.New("assets: malformed font")

// Font names one embedded single font.
type Font string

// The single fonts, regular weight. Latin covers Vietnamese and Cyrillic
// (Mongolian's Ү and Ө) as well.
const (
	FontLatin      Font = "NotoSans-Regular.woff"
	FontThai       Font = "NotoSansThai-Regular.woff"
	FontDevanagari Font = "NotoSansDevanagari-Regular.woff"
	FontMyanmar    Font = "NotoSansMyanmar-Regular.woff"
	FontKhmer      Font = "NotoSansKhmer-Regular.woff"
	// FontNames is IPAmj Mincho, which has a glyph for every character of
	// the 文字情報基盤 (MJ) set used in Japan's residence registers, so that
	// no name turns into ●. It is large and unpacked on first use only.
	FontNames Font = "ipamjm.ttf.gz"
)

// CJK is one face of the Noto Sans CJK collection. The faces share their
// glyphs but map the same code point to the form each region's readers
// expect (直, 骨, 角 differ between Japan, China, Taiwan and Korea).
type CJK int

// The CJK faces, in the collection's order.
const (
	CJKJapanese CJK = iota
	CJKKorean
	CJKSimplifiedChinese
	CJKTraditionalChinese
)

const cjkCollection = "NotoSansCJK-Regular.ttc"

var cjkFamilies = map[CJK]string{
	CJKJapanese:           "Noto Sans CJK JP",
	CJKKorean:             "Noto Sans CJK KR",
	CJKSimplifiedChinese:  "Noto Sans CJK SC",
	CJKTraditionalChinese: "Noto Sans CJK TC",
}

// Family returns the face's family name inside the collection.
func (c CJK) Family() string { return cjkFamilies[c] }

// unpacked caches the bytes handed out, so each font is unpacked once and
// every caller shares one copy (Fyne keys its font cache on the resource).
var unpacked sync.Map // string → *lazyFont

type lazyFont struct {
	once sync.Once
	data []byte
	err  error
}

func cached(key string, load func() ([]byte, error)) ([]byte, error) {
	v, _ := unpacked.LoadOrStore(key, &lazyFont{})
	lf := v.(*lazyFont)
	lf.once.Do(func() { lf.data, lf.err = load() })
	return lf.data, lf.err
}

// FontData returns an embedded single font as OpenType or WOFF bytes, which
// go-text (and so Fyne) reads directly. The slice is shared: do not modify it.
func FontData(f Font) ([]byte, error) {
	return cached(string(f), func() ([]byte, error) {
		raw, err := embedded(string(f))
		if err != nil || !strings.HasSuffix(string(f), ".gz") {
			return raw, err
		}
		return gunzip(raw)
	})
}

// CJKFace returns one face of the CJK collection as a standalone OpenType
// font (about 16 MB, built in memory on first use).
func CJKFace(c CJK) ([]byte, error) {
	if _, ok := cjkFamilies[c]; !ok {
		return nil, fmt.Errorf("%w: no CJK face %d", ErrBadFont, int(c))
	}
	return cached(c.Family(), func() ([]byte, error) {
		ttc, err := embedded(cjkCollection)
		if err != nil {
			return nil, err
		}
		return extractFace(ttc, int(c))
	})
}

func embedded(name string) ([]byte, error) {
	data, err := fontFS.ReadFile("fonts/" + name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrFontMissing, name)
	}
	return data, err
}

func gunzip(data []byte) ([]byte, error) {
	r, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadFont, err)
	}
	// The gzip trailer holds the unpacked size (mod 4 GiB): allocate once
	// instead of growing a 46 MB buffer by doubling.
	var out bytes.Buffer
	const maxFont = 256 << 20 // a bad trailer must not reserve gigabytes
	if n := len(data); n >= 4 {
		out.Grow(min(int(binary.LittleEndian.Uint32(data[n-4:])), maxFont))
	}
	if _, err := io.Copy(&out, r); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadFont, err)
	}
	return out.Bytes(), nil
}

// extractFace rewrites face i of a collection as a single font: the same
// tables, copied after a directory of their own.
func extractFace(ttc []byte, i int) ([]byte, error) {
	loaders, err := ot.NewLoaders(bytes.NewReader(ttc))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadFont, err)
	}
	if i >= len(loaders) {
		return nil, fmt.Errorf("%w: collection has %d faces, want face %d", ErrBadFont, len(loaders), i)
	}
	ld := loaders[i]
	var tables []ot.Table
	for _, tag := range ld.Tables() { // sorted by tag, as WriteTTF requires
		content, err := ld.RawTable(tag)
		if err != nil {
			return nil, fmt.Errorf("%w: table %s: %v", ErrBadFont, tag, err)
		}
		tables = append(tables, ot.Table{Tag: tag, Content: content})
	}
	out := ot.WriteTTF(tables)
	if ld.HasTable(ot.MustNewTag("CFF ")) {
		copy(out, "OTTO") // PostScript outlines: say so in the signature
	}
	return out, nil
}

// Licenses returns the licence text of each embedded font family, keyed by
// file name, for the kiosk's about screen and its packaging.
func Licenses() map[string]string {
	out := map[string]string{}
	entries, _ := fontFS.ReadDir("fonts")
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "LICENSE-") {
			data, err := fontFS.ReadFile("fonts/" + e.Name())
			if err == nil {
				out[e.Name()] = string(data)
			}
		}
	}
	return out
}

// Icon returns the application icon (PNG, 512x512).
func Icon() []byte { return icon }
