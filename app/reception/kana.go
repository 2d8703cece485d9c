package reception

import (
	"strings"

	"golang.org/x/text/unicode/norm"
	"golang.org/x/text/width"
)

// HalfWidthKana turns a reading into the NameKana form reception systems
// expect: half-width katakana (ｶﾞ for ガ), hiragana converted first, and
// one half-width space between family and given name. Characters without a
// half-width form (kanji, ヰ) are kept as they are.
func HalfWidthKana(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.TrimSpace(s)) {
		switch {
		case r >= 'ぁ' && r <= 'ゖ': // hiragana to katakana
			r += 'ァ' - 'ぁ'
		case r == '\u3099': // combining dakuten
			b.WriteRune('ﾞ')
			continue
		case r == '\u309A': // combining handakuten
			b.WriteRune('ﾟ')
			continue
		case r == '\u3000':
			r = ' '
		}
		b.WriteString(width.Narrow.String(string(r)))
	}
	// one space between the parts, however they were separated
	return strings.Join(strings.Fields(b.String()), " ")
}
