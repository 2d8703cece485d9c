package i18n

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"strings"
	"unicode"
)

// Readings are how a spoken message is written for the speech engine, kept
// beside the texts: messages/<lang>.reading.json maps a key to its reading,
// in the catalogue's own JSON form. Japanese needs kana (espeak-ng cannot
// read kanji) and Chinese tone-numbered pinyin (espeak-ng's Mandarin voice
// misreads characters; its cmn-latn-pinyin voice reads pinyin well). The
// other languages are read as written.

// ReadingKind says how a language's readings are written.
type ReadingKind int

// The reading kinds.
const (
	ReadAsWritten ReadingKind = iota // the text itself
	ReadKana                         // hiragana and katakana, no kanji, no digits
	ReadPinyin                       // pinyin syllables with tone digits 1–5
)

// ReadingOf returns how lang's readings are written.
func ReadingOf(lang Lang) ReadingKind {
	switch lang {
	case Japanese, EasyJapanese:
		return ReadKana
	case ChineseSimplified, ChineseTraditional:
		return ReadPinyin
	}
	return ReadAsWritten
}

// ErrReading is a reading that is not written the way its language needs.
var ErrReading = errors.New("i18n: malformed reading")

// CheckReading checks one reading against its kind's rules.
func CheckReading(kind ReadingKind, text string) error {
	if strings.TrimSpace(text) == "" {
		return ErrEmptyMessage
	}
	if strings.ContainsAny(text, "{}") {
		return fmt.Errorf("%w: a reading has no placeholders", ErrReading)
	}
	switch kind {
	case ReadKana:
		return checkKana(text)
	case ReadPinyin:
		return checkPinyin(text)
	}
	return nil
}

// kanaPunctuation is what a kana reading may hold beside kana: pauses and
// sentence ends, which espeak-ng turns into silence and intonation.
const kanaPunctuation = "、。？！ 　"

func checkKana(text string) error {
	for _, r := range text {
		if unicode.In(r, unicode.Hiragana, unicode.Katakana) || r == 'ー' || strings.ContainsRune(kanaPunctuation, r) {
			continue
		}
		return fmt.Errorf("%w: %q is not kana", ErrReading, r)
	}
	return nil
}

// pinyinSyllable is an initial, a final and a tone digit (5: neutral); "v"
// or "ü" stands for ü.
var pinyinSyllable = regexp.MustCompile(`^(zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?` +
	`(iang|iong|uang|ueng|iao|ian|ing|ang|eng|ong|uai|uan|van|üan|ai|ei|ao|ou|an|en|er|ia|ie|iu|in|ua|uo|ui|un|ve|üe|ue|vn|ün|a|o|e|i|u|v|ü|n|ng)[1-5]$`)

func checkPinyin(text string) error {
	words := strings.FieldsFunc(text, func(r rune) bool { return r == ' ' || strings.ContainsRune(",.?!", r) })
	for _, w := range words {
		if !pinyinSyllable.MatchString(w) {
			return fmt.Errorf("%w: %q is not a pinyin syllable with a tone digit", ErrReading, w)
		}
	}
	return nil
}

func readingFile(lang Lang) string { return "messages/" + string(lang) + ".reading.json" }

// readReadings loads lang's readings; a language without a file has none.
func readReadings(fsys fs.FS, lang Lang) (map[Key]string, error) {
	data, err := fs.ReadFile(fsys, readingFile(lang))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %s readings: %v", ErrSyntax, lang, err)
	}
	var raw map[Key]string
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("%w: %s readings: %v", ErrSyntax, lang, err)
	}
	kind := ReadingOf(lang)
	for k, text := range raw {
		switch {
		case !IsKey(k):
			return nil, &MessageError{lang, k, ErrUnknownKey}
		case kind == ReadAsWritten:
			return nil, &MessageError{lang, k, fmt.Errorf("%w: %s is read as written", ErrReading, lang)}
		}
		if err := CheckReading(kind, text); err != nil {
			return nil, &MessageError{lang, k, err}
		}
	}
	return raw, nil
}

// Reading returns what the speech engine reads for key in lang: its
// reading, or the text itself when that can be read as it is (a language
// read as written, or a kana text without kanji). A message with
// placeholders has no reading: spoken text is never formatted. ok is false
// when the message cannot be spoken in lang.
func (c *Catalog) Reading(lang Lang, key Key) (text string, ok bool) {
	if r, ok := c.readings[lang][key]; ok {
		return r, true
	}
	m, ok := c.msgs[lang][key]
	if !ok || len(m.placeholders()) > 0 {
		return "", false
	}
	text = m[FormOther]
	if CheckReading(ReadingOf(lang), text) != nil {
		return "", false
	}
	return text, true
}
