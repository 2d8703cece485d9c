package theme

import (
	"bytes"
	"fmt"

	"github.com/go-text/typesetting/font"
	ot "github.com/go-text/typesetting/font/opentype"
	"github.com/go-text/typesetting/font/opentype/tables"
)

// coverage answers "does this font draw this character?" from the font's
// cmap alone. Parsing the whole font (what Fyne does when it draws) takes
// seconds for IPAmj's 46 MB; the cmap takes milliseconds, so choosing fonts
// for MixedText never loads a font that will not be drawn.
type coverage struct {
	cmap font.Cmap
	uvs  font.UnicodeVariations
}

func parseCoverage(data []byte) (*coverage, error) {
	ld, err := ot.NewLoader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	raw, err := ld.RawTable(ot.MustNewTag("cmap"))
	if err != nil {
		return nil, fmt.Errorf("no cmap: %w", err)
	}
	table, _, err := tables.ParseCmap(raw)
	if err != nil {
		return nil, err
	}
	cmap, uvs, err := font.ProcessCmap(table, 0)
	if err != nil {
		return nil, err
	}
	return &coverage{cmap, uvs}, nil
}

// has reports whether the font draws r, followed by the variation selector
// sel when sel is not 0.
func (c *coverage) has(r, sel rune) bool {
	if c == nil {
		return false
	}
	if sel != 0 {
		_, kind := c.uvs.GetGlyphVariant(r, sel)
		switch kind {
		case font.VariantFound:
			return true
		case font.VariantNotFound:
			return false
		}
	}
	_, ok := c.cmap.Lookup(r)
	return ok
}
