package i18n

import (
	"encoding/json"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"unicode"
)

func mustLoad(t *testing.T) *Catalog {
	t.Helper()
	c, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return c
}

func TestEveryKeyInEveryLanguage(t *testing.T) {
	c := mustLoad(t)
	if len(c.msgs) != 16 {
		t.Fatalf("catalogues for %d languages, want 16", len(c.msgs))
	}
	for _, l := range All() {
		for _, k := range Keys() {
			m, ok := c.msgs[l.Code][k]
			if !ok {
				t.Errorf("%s: missing %s", l.Code, k)
				continue
			}
			for form, text := range m {
				if strings.TrimSpace(text) == "" {
					t.Errorf("%s: %s (%s) is empty", l.Code, k, form)
				}
			}
		}
	}
}

// brokenCatalogue copies the embedded files and lets the test damage one.
func brokenCatalogue(t *testing.T, lang Lang, damage func(map[string]any)) fs.FS {
	t.Helper()
	fsys := fstest.MapFS{}
	for _, l := range languages {
		name := "messages/" + string(l.Code) + ".json"
		data, err := fs.ReadFile(embedded, name)
		if err != nil {
			t.Fatal(err)
		}
		if l.Code == lang {
			var m map[string]any
			if err := json.Unmarshal(data, &m); err != nil {
				t.Fatal(err)
			}
			damage(m)
			if data, err = json.Marshal(m); err != nil {
				t.Fatal(err)
			}
		}
		fsys[name] = &fstest.MapFile{Data: data}
	}
	return fsys
}

func TestValidationRejectsBrokenCatalogues(t *testing.T) {
	cases := []struct {
		name   string
		lang   Lang
		damage func(map[string]any)
		want   error
	}{
		{"missing key", Thai, func(m map[string]any) { delete(m, string(PINTitle)) }, ErrMissingKey},
		{"empty message", Khmer, func(m map[string]any) { m[string(DoneTitle)] = "  " }, ErrEmptyMessage},
		{"unknown key", Korean, func(m map[string]any) { m["pin.titel"] = "x" }, ErrUnknownKey},
		{"lost placeholder", Nepali, func(m map[string]any) { m[string(PINTriesLeft)] = "बाँकी" }, ErrPlaceholders},
		{"extra placeholder", Japanese, func(m map[string]any) { m[string(DoneBody)] = "{name}様" }, ErrPlaceholders},
		{"missing plural form", English, func(m map[string]any) { m[string(PINTriesLeft)] = "{count} tries left" }, ErrForms},
		{"plural where none", Vietnamese, func(m map[string]any) {
			m[string(PINTriesLeft)] = map[string]string{"one": "{count}", "other": "{count}"}
		}, ErrForms},
		{"not a string", Spanish, func(m map[string]any) { m[string(OK)] = 3 }, ErrSyntax},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := load(brokenCatalogue(t, tc.lang, tc.damage))
			if !errors.Is(err, tc.want) {
				t.Fatalf("load = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestMissingFileIsAnError(t *testing.T) {
	fsys := brokenCatalogue(t, "", nil).(fstest.MapFS)
	delete(fsys, "messages/my.json")
	if _, err := load(fsys); err == nil {
		t.Fatal("load succeeded without the Burmese catalogue")
	}
}

// TestKeyListIsSingleSource parses keys.go: every Key constant must be in
// keyList exactly once, so a new key cannot be declared and forgotten.
func TestKeyListIsSingleSource(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "keys.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	declared := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		spec, ok := n.(*ast.ValueSpec)
		if !ok {
			return true
		}
		if id, ok := spec.Type.(*ast.Ident); ok && id.Name == "Key" {
			for _, name := range spec.Names {
				declared[name.Name] = true
			}
		}
		return true
	})
	if len(declared) != len(keyList) {
		t.Errorf("%d Key constants declared, %d in keyList", len(declared), len(keyList))
	}
	seen := map[Key]bool{}
	for _, k := range keyList {
		if seen[k] {
			t.Errorf("%s listed twice", k)
		}
		seen[k] = true
	}
	for k := range countKeys {
		if !seen[k] {
			t.Errorf("count key %s not in keyList", k)
		}
	}
}

func TestPlaceholdersMatchEnglish(t *testing.T) {
	c := mustLoad(t)
	for _, l := range All() {
		for _, k := range Keys() {
			got := c.msgs[l.Code][k].placeholders()
			want := c.msgs[English][k].placeholders()
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("%s %s: placeholders %v, English has %v", l.Code, k, got, want)
			}
		}
	}
	if got := c.msgs[English][PINTriesLeft].placeholders(); len(got) != 1 || got[0] != CountArg {
		t.Errorf("English pin.tries_left placeholders = %v, want [count]", got)
	}
}

// Latin words a non-Latin catalogue may keep: the card's name and "PIN",
// as printed on MHLW's own multilingual guides, and the name of the
// healthcare professionals' card, HPKI, which is written so everywhere.
var allowedLatin = regexp.MustCompile(`My Number|PIN|OK|HPKI`)

var latinWord = regexp.MustCompile(`[A-Za-z]{3,}`)

// TestNoLeftoverEnglish is a heuristic: in catalogues whose script is not
// Latin, a Latin word is most likely an untranslated English leftover; in
// any catalogue, a message identical to the English one is suspicious.
func TestNoLeftoverEnglish(t *testing.T) {
	c := mustLoad(t)
	sameAsEnglishAllowed := map[Key]bool{MethodPIN: true, OK: true}
	for _, l := range All() {
		if l.Code == English {
			continue
		}
		for _, k := range Keys() {
			for form, text := range c.msgs[l.Code][k] {
				if text == c.msgs[English][k][form] && !sameAsEnglishAllowed[k] {
					t.Errorf("%s %s is the English text %q", l.Code, k, text)
				}
				if l.Script == ScriptLatin {
					continue
				}
				rest := allowedLatin.ReplaceAllString(placeholderRE.ReplaceAllString(text, ""), "")
				if w := latinWord.FindString(rest); w != "" {
					t.Errorf("%s %s has the Latin word %q: %q", l.Code, k, w, text)
				}
			}
		}
	}
}

func TestNonLatinCataloguesUseTheirScript(t *testing.T) {
	c := mustLoad(t)
	tables := map[Script]*unicode.RangeTable{
		ScriptDevanagari: unicode.Devanagari, ScriptThai: unicode.Thai,
		ScriptMyanmar: unicode.Myanmar, ScriptKhmer: unicode.Khmer,
		ScriptCyrillic: unicode.Cyrillic, ScriptKorean: unicode.Hangul,
		ScriptHanSimplified: unicode.Han, ScriptHanTraditional: unicode.Han,
	}
	for _, l := range All() {
		table, ok := tables[l.Script]
		if !ok {
			continue
		}
		for _, k := range Keys() {
			text := c.msgs[l.Code][k][FormOther]
			if !strings.ContainsFunc(text, func(r rune) bool { return unicode.Is(table, r) }) && !sameScriptExempt(text) {
				t.Errorf("%s %s has no %s letter: %q", l.Code, k, l.Script, text)
			}
		}
	}
}

func sameScriptExempt(text string) bool { return text == "PIN" || text == "OK" }

func TestT(t *testing.T) {
	c := mustLoad(t)
	cases := []struct {
		lang Lang
		key  Key
		args []any
		want string
	}{
		{English, PINTriesLeft, []any{"count", 1}, "1 try left"},
		{English, PINTriesLeft, []any{"count", 2}, "2 tries left"},
		{Portuguese, PINTriesLeft, []any{"count", 0}, "Resta 0 tentativa"},
		{Portuguese, PINTriesLeft, []any{"count", 3}, "Restam 3 tentativas"},
		{Spanish, FaceTriesLeft, []any{"count", 1}, "Queda 1 intento"},
		{Japanese, PINTriesLeft, []any{"count", 2}, "あと2回入力できます"},
		{Thai, FaceTriesLeft, []any{"count", "2"}, "ลองได้อีก 2 ครั้ง"},
		{English, PINTriesLeft, []any{"count", uint8(1)}, "1 try left"},
		{Nepali, PINTriesLeft, []any{"count", 2}, "अझै २ पटक हाल्न सकिन्छ"},
		{Burmese, PINTriesLeft, []any{"count", 3}, "နောက်ထပ် ၃ ကြိမ် ရိုက်နိုင်သည်"},
		{Khmer, PINTriesLeft, []any{"count", 10}, "អាចបញ្ចូលបាន ១០ ដងទៀត"},
		{English, PINTriesLeft, []any{"count", int64(3)}, "3 tries left"},
		{Japanese, DoneTitle, nil, "受付が完了しました"},
		{"xx", DoneTitle, nil, "受付が完了しました"},
		{English, Key("no.such.key"), nil, "no.such.key"},
	}
	for _, tc := range cases {
		if got := c.T(tc.lang, tc.key, tc.args...); got != tc.want {
			t.Errorf("T(%s, %s, %v) = %q, want %q", tc.lang, tc.key, tc.args, got, tc.want)
		}
	}
}

func TestWithOverrides(t *testing.T) {
	c := mustLoad(t)
	o, err := c.WithOverrides(map[Lang]map[Key]string{
		Japanese: {PlaceCardNote: "保険証の方は1番窓口へ"},
		English:  {PINTriesLeft: "Tries remaining: {count}"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := o.T(Japanese, PlaceCardNote); got != "保険証の方は1番窓口へ" {
		t.Errorf("override not applied: %q", got)
	}
	if got := o.T(English, PINTriesLeft, "count", 1); got != "Tries remaining: 1" {
		t.Errorf("counted override = %q", got)
	}
	if got := c.T(Japanese, PlaceCardNote); got == "保険証の方は1番窓口へ" {
		t.Error("WithOverrides changed the original catalogue")
	}
	bad := []struct {
		name string
		o    map[Lang]map[Key]string
		want error
	}{
		{"unknown language", map[Lang]map[Key]string{"fr": {DoneTitle: "Fini"}}, ErrUnknownLanguage},
		{"unknown key", map[Lang]map[Key]string{English: {"done.titel": "Done"}}, ErrUnknownKey},
		{"empty", map[Lang]map[Key]string{English: {DoneTitle: " "}}, ErrEmptyMessage},
		{"lost placeholder", map[Lang]map[Key]string{English: {PINTriesLeft: "Few tries left"}}, ErrPlaceholders},
		{"new placeholder", map[Lang]map[Key]string{English: {DoneTitle: "Done, {name}"}}, ErrPlaceholders},
	}
	for _, tc := range bad {
		if _, err := c.WithOverrides(tc.o); !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestLanguages(t *testing.T) {
	all := All()
	if len(all) != 16 || all[0].Code != Default {
		t.Fatalf("All() = %d languages starting with %s", len(all), all[0].Code)
	}
	seen := map[Lang]bool{}
	for _, l := range all {
		if seen[l.Code] || l.Name == "" || l.EnglishName == "" || l.Script == "" {
			t.Errorf("bad language entry %+v", l)
		}
		seen[l.Code] = true
		if got, err := Parse(string(l.Code)); err != nil || got != l.Code {
			t.Errorf("Parse(%s) = %s, %v", l.Code, got, err)
		}
	}
	if _, err := Parse("fr"); !errors.Is(err, ErrUnknownLanguage) {
		t.Errorf("Parse(fr) error = %v", err)
	}
	if Thai.Name() != "ไทย" || Lang("xx").Name() != "xx" {
		t.Errorf("Name() = %q, %q", Thai.Name(), Lang("xx").Name())
	}
}

func FuzzWithOverrides(f *testing.F) {
	c, err := Load()
	if err != nil {
		f.Fatal(err)
	}
	f.Add("en", "pin.tries_left", "{count} left", 2)
	f.Add("ja", "done.title", "", 0)
	f.Add("zz", "x", "{", -1)
	f.Fuzz(func(t *testing.T, lang, key, text string, n int) {
		o, err := c.WithOverrides(map[Lang]map[Key]string{Lang(lang): {Key(key): text}})
		if err != nil {
			return
		}
		if got := o.T(Lang(lang), Key(key), CountArg, n); strings.TrimSpace(got) == "" {
			t.Fatalf("accepted override renders empty: %q", text)
		}
	})
}

// TestCJKPunctuationIsFullWidth: Japanese and Chinese text uses full-width
// punctuation; a half-width "?" or "(" in it looks like a typo to readers.
func TestCJKPunctuationIsFullWidth(t *testing.T) {
	c := mustLoad(t)
	halfWidth := map[Script]string{
		ScriptJapanese:       "?!:()",
		ScriptHanSimplified:  "?!:(),;",
		ScriptHanTraditional: "?!:(),;",
	}
	for _, l := range All() {
		bad, ok := halfWidth[l.Script]
		if !ok {
			continue
		}
		for _, k := range Keys() {
			for _, text := range c.msgs[l.Code][k] {
				if i := strings.IndexAny(text, bad); i >= 0 {
					t.Errorf("%s %s: half-width %q in %q", l.Code, k, text[i], text)
				}
			}
		}
	}
}

func TestOverridesFromConfiguration(t *testing.T) {
	c := mustLoad(t)
	o, err := c.WithOverrides(Overrides(map[string]map[string]string{"th": {"done.title": "เสร็จแล้ว"}}))
	if err != nil {
		t.Fatal(err)
	}
	if got := o.T(Thai, DoneTitle); got != "เสร็จแล้ว" {
		t.Errorf("T = %q", got)
	}
	if _, err := c.WithOverrides(Overrides(map[string]map[string]string{"th": {"done.titel": "x"}})); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("misspelt key: err = %v", err)
	}
}

// TestNativeDigitsAreConsistent: catalogues written with their own digits
// (ne, my, km) must not mix in ASCII digits, and counts follow suit.
func TestNativeDigitsAreConsistent(t *testing.T) {
	c := mustLoad(t)
	for _, l := range All() {
		if l.zero == 0 {
			continue
		}
		for _, k := range Keys() {
			text := c.T(l.Code, k, CountArg, 7)
			if strings.ContainsAny(text, "0123456789") {
				t.Errorf("%s %s has ASCII digits: %q", l.Code, k, text)
			}
		}
	}
	if got := English.digitsOf("a1"); got != "a1" {
		t.Errorf("English digits changed: %q", got)
	}
}

func (lang Lang) digitsOf(s string) string {
	l, _ := Info(lang)
	return l.Digits(s)
}
