// Package i18n holds the kiosk's message catalogues in sixteen languages,
// embedded in the binary, and the facility overrides applied on top of them.
// It depends on the standard library only, so app/ and cli/ can use it.
package i18n

import (
	"errors"
	"fmt"
	"strings"
)

// Lang is a BCP 47 language tag naming one of the kiosk's catalogues.
type Lang string

// The kiosk's languages, in the order the language picker shows them: the
// order of MHLW's patient guides, Japanese first.
const (
	Japanese           Lang = "ja"
	EasyJapanese       Lang = "ja-easy"
	English            Lang = "en"
	ChineseSimplified  Lang = "zh-Hans"
	ChineseTraditional Lang = "zh-Hant"
	Korean             Lang = "ko"
	Vietnamese         Lang = "vi"
	Portuguese         Lang = "pt-BR"
	Spanish            Lang = "es"
	Tagalog            Lang = "tl"
	Indonesian         Lang = "id"
	Nepali             Lang = "ne"
	Thai               Lang = "th"
	Burmese            Lang = "my"
	Khmer              Lang = "km"
	Mongolian          Lang = "mn"
)

// Default is the language a session starts in unless the facility chooses another.
const Default = Japanese

// Script is an ISO 15924 script code; the UI picks fonts by it.
type Script string

// Scripts the sixteen languages are written in. Japanese and Korean name the
// writing system rather than one script because they mix several.
const (
	ScriptJapanese       Script = "Jpan"
	ScriptKorean         Script = "Kore"
	ScriptHanSimplified  Script = "Hans"
	ScriptHanTraditional Script = "Hant"
	ScriptLatin          Script = "Latn"
	ScriptCyrillic       Script = "Cyrl"
	ScriptDevanagari     Script = "Deva"
	ScriptThai           Script = "Thai"
	ScriptMyanmar        Script = "Mymr"
	ScriptKhmer          Script = "Khmr"
)

// Language describes one catalogue's language.
type Language struct {
	Code        Lang
	Name        string // the language's own name, shown in the picker
	EnglishName string
	Script      Script
	plural      pluralRule
	zero        rune // the language's own digit zero, 0 for ASCII digits
}

var languages = []Language{
	{Japanese, "日本語", "Japanese", ScriptJapanese, pluralNone, 0},
	{EasyJapanese, "やさしい にほんご", "Easy Japanese", ScriptJapanese, pluralNone, 0},
	{English, "English", "English", ScriptLatin, pluralOne, 0},
	{ChineseSimplified, "简体中文", "Chinese (Simplified)", ScriptHanSimplified, pluralNone, 0},
	{ChineseTraditional, "繁體中文", "Chinese (Traditional)", ScriptHanTraditional, pluralNone, 0},
	{Korean, "한국어", "Korean", ScriptKorean, pluralNone, 0},
	{Vietnamese, "Tiếng Việt", "Vietnamese", ScriptLatin, pluralNone, 0},
	{Portuguese, "Português", "Portuguese (Brazil)", ScriptLatin, pluralZeroOne, 0},
	{Spanish, "Español", "Spanish", ScriptLatin, pluralOne, 0},
	{Tagalog, "Tagalog", "Tagalog", ScriptLatin, pluralNone, 0},
	{Indonesian, "Bahasa Indonesia", "Indonesian", ScriptLatin, pluralNone, 0},
	{Nepali, "नेपाली", "Nepali", ScriptDevanagari, pluralNone, '०'},
	{Thai, "ไทย", "Thai", ScriptThai, pluralNone, 0},
	{Burmese, "မြန်မာ", "Burmese", ScriptMyanmar, pluralNone, '၀'},
	{Khmer, "ខ្មែរ", "Khmer", ScriptKhmer, pluralNone, '០'},
	{Mongolian, "Монгол", "Mongolian", ScriptCyrillic, pluralNone, 0},
}

// ErrUnknownLanguage is returned for a language code the kiosk has no catalogue for.
var ErrUnknownLanguage = errors.New("i18n: unknown language")

// All returns the kiosk's languages in picker order. The slice is a copy.
func All() []Language {
	return append([]Language(nil), languages...)
}

// Info returns the description of lang.
func Info(lang Lang) (Language, error) {
	for _, l := range languages {
		if l.Code == lang {
			return l, nil
		}
	}
	return Language{}, fmt.Errorf("%w: %q", ErrUnknownLanguage, string(lang))
}

// Parse checks a language code from configuration or the command line.
func Parse(code string) (Lang, error) {
	l, err := Info(Lang(code))
	return l.Code, err
}

// Digits rewrites the ASCII digits of s in the language's own digits
// (Devanagari for Nepali, Myanmar for Burmese, Khmer for Khmer), the digits
// their catalogues are written with; other languages keep ASCII digits.
func (l Language) Digits(s string) string {
	if l.zero == 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return l.zero + (r - '0')
		}
		return r
	}, s)
}

// Name returns lang's own name ("ไทย" for Thai), or the code if unknown.
func (lang Lang) Name() string {
	l, err := Info(lang)
	if err != nil {
		return string(lang)
	}
	return l.Name
}

// pluralRule picks the form of a message that depends on a count. Only the
// two forms the kiosk's short messages need are distinguished.
type pluralRule int

const (
	pluralNone    pluralRule = iota // no number agreement with a numeral (ja, zh, ko, vi, th, tl, ne, mn, …)
	pluralOne                       // "one" for exactly 1 (en, es)
	pluralZeroOne                   // "one" for 0 and 1 (pt-BR, CLDR's i = 0,1)
)

// Plural forms a message may have.
const (
	FormOne   = "one"
	FormOther = "other"
)

func (r pluralRule) form(n int) string {
	switch {
	case r == pluralOne && n == 1:
		return FormOne
	case r == pluralZeroOne && (n == 0 || n == 1):
		return FormOne
	}
	return FormOther
}

// forms lists the forms a message with a count must provide.
func (r pluralRule) forms() []string {
	if r == pluralNone {
		return []string{FormOther}
	}
	return []string{FormOne, FormOther}
}
