package i18n

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

//go:embed messages/*.json
var embedded embed.FS

// Errors from loading catalogues and validating facility overrides.
var (
	ErrMissingKey   = errors.New("i18n: missing message")
	ErrUnknownKey   = errors.New("i18n: unknown message key")
	ErrEmptyMessage = errors.New("i18n: empty message")
	ErrPlaceholders = errors.New("i18n: placeholders differ from the reference")
	ErrForms        = errors.New("i18n: wrong plural forms")
	ErrSyntax       = errors.New("i18n: malformed catalogue")
)

// MessageError says which language and key a catalogue or override error is about.
type MessageError struct {
	Lang Lang
	Key  Key
	Err  error
}

func (e *MessageError) Error() string {
	return fmt.Sprintf("%v (%s, %s)", e.Err, e.Lang, e.Key)
}

func (e *MessageError) Unwrap() error { return e.Err }

// CountArg is the argument name that selects a plural form.
const CountArg = "count"

// message holds a text per plural form; FormOther is always present.
type message map[string]string

// Catalog is an immutable set of messages for every language.
type Catalog struct {
	msgs     map[Lang]map[Key]message
	readings map[Lang]map[Key]string // reading.go
}

// Load reads and validates the embedded catalogues.
func Load() (*Catalog, error) {
	return load(embedded)
}

// MustLoad is Load for program start-up: the catalogues are compiled in and
// checked by the tests, so an error here is a build defect.
func MustLoad() *Catalog {
	c, err := Load()
	if err != nil {
		panic(err)
	}
	return c
}

func load(fsys fs.FS) (*Catalog, error) {
	c := &Catalog{msgs: make(map[Lang]map[Key]message, len(languages)),
		readings: make(map[Lang]map[Key]string, len(languages))}
	for _, l := range languages {
		msgs, err := readFile(fsys, l.Code)
		if err != nil {
			return nil, err
		}
		c.msgs[l.Code] = msgs
		if c.readings[l.Code], err = readReadings(fsys, l.Code); err != nil {
			return nil, err
		}
	}
	for _, l := range languages {
		if err := c.validate(l); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func readFile(fsys fs.FS, lang Lang) (map[Key]message, error) {
	data, err := fs.ReadFile(fsys, "messages/"+string(lang)+".json")
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrMissingKey, lang, err)
	}
	var raw map[Key]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrSyntax, lang, err)
	}
	msgs := make(map[Key]message, len(raw))
	for k, v := range raw {
		m, err := decodeMessage(v)
		if err != nil {
			return nil, &MessageError{lang, k, err}
		}
		msgs[k] = m
	}
	return msgs, nil
}

// decodeMessage accepts a plain string or an object of plural forms.
func decodeMessage(v json.RawMessage) (message, error) {
	var s string
	if err := json.Unmarshal(v, &s); err == nil {
		return message{FormOther: s}, nil
	}
	var forms map[string]string
	if err := json.Unmarshal(v, &forms); err != nil {
		return nil, fmt.Errorf("%w: neither a string nor plural forms", ErrSyntax)
	}
	return forms, nil
}

func (c *Catalog) validate(l Language) error {
	msgs := c.msgs[l.Code]
	for k := range msgs {
		if !IsKey(k) {
			return &MessageError{l.Code, k, ErrUnknownKey}
		}
	}
	for _, k := range keyList {
		m, ok := msgs[k]
		if !ok {
			return &MessageError{l.Code, k, ErrMissingKey}
		}
		if err := checkMessage(l, k, m, c.msgs[English][k]); err != nil {
			return &MessageError{l.Code, k, err}
		}
	}
	return nil
}

func checkMessage(l Language, k Key, m, reference message) error {
	want := []string{FormOther}
	if countKeys[k] {
		want = l.plural.forms()
	}
	if !sameForms(m, want) {
		return fmt.Errorf("%w: want %v", ErrForms, want)
	}
	for _, text := range m {
		if strings.TrimSpace(text) == "" {
			return ErrEmptyMessage
		}
	}
	if got, ref := m.placeholders(), reference.placeholders(); !slices.Equal(got, ref) {
		return fmt.Errorf("%w: %v, want %v", ErrPlaceholders, got, ref)
	}
	return nil
}

func sameForms(m message, want []string) bool {
	if len(m) != len(want) {
		return false
	}
	for _, f := range want {
		if _, ok := m[f]; !ok {
			return false
		}
	}
	return true
}

var placeholderRE = regexp.MustCompile(`\{([a-z_]+)\}`)

// placeholders returns the sorted set of {names} used by any form. A "one"
// form may leave out {count} ("last try" rather than "1 try left").
func (m message) placeholders() []string {
	var names []string
	for _, text := range m {
		for _, match := range placeholderRE.FindAllStringSubmatch(text, -1) {
			if !slices.Contains(names, match[1]) {
				names = append(names, match[1])
			}
		}
	}
	slices.Sort(names)
	return names
}

// T returns the message for key in lang, with {name} placeholders replaced
// by args given as name, value pairs (slog style): T(lang, PINTriesLeft,
// "count", 2). An unknown language falls back to Default; an unknown key
// returns the key itself, so a mistake shows rather than a blank.
func (c *Catalog) T(lang Lang, key Key, args ...any) string {
	msgs, ok := c.msgs[lang]
	if !ok {
		lang, msgs = Default, c.msgs[Default]
	}
	m, ok := msgs[key]
	if !ok {
		return string(key)
	}
	text := m[c.form(lang, m, args)]
	if text == "" {
		text = m[FormOther]
	}
	l, _ := Info(lang)
	return substitute(text, args, l.Digits)
}

func (c *Catalog) form(lang Lang, m message, args []any) string {
	if len(m) == 1 {
		return FormOther
	}
	n, ok := countOf(args)
	if !ok {
		return FormOther
	}
	l, _ := Info(lang)
	return l.plural.form(n)
}

func countOf(args []any) (int, bool) {
	for i := 0; i+1 < len(args); i += 2 {
		if name, _ := args[i].(string); name == CountArg {
			switch n := args[i+1].(type) {
			case int:
				return n, true
			case int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
				v, err := strconv.Atoi(fmt.Sprint(n))
				return v, err == nil
			case string:
				v, err := strconv.Atoi(n)
				return v, err == nil
			}
		}
	}
	return 0, false
}

// substitute replaces {name} placeholders; numbers are written in the
// language's digits.
func substitute(text string, args []any, digits func(string) string) string {
	if len(args) < 2 || !strings.Contains(text, "{") {
		return text
	}
	pairs := make([]string, 0, len(args))
	for i := 0; i+1 < len(args); i += 2 {
		name, ok := args[i].(string)
		if !ok {
			continue
		}
		value := fmt.Sprint(args[i+1])
		if isNumber(args[i+1]) {
			value = digits(value)
		}
		pairs = append(pairs, "{"+name+"}", value)
	}
	return strings.NewReplacer(pairs...).Replace(text)
}

func isNumber(v any) bool {
	switch v.(type) {
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return true
	}
	return false
}

// Has reports whether lang has a catalogue.
func (c *Catalog) Has(lang Lang) bool {
	_, ok := c.msgs[lang]
	return ok
}

// WithOverrides returns a copy of c in which the facility's wording replaces
// the built-in messages. An override for an unknown language or key, an
// empty one, or one whose {placeholders} differ from the message it replaces
// is an error and nothing is applied. An override of a counted message
// replaces every plural form.
func (c *Catalog) WithOverrides(overrides map[Lang]map[Key]string) (*Catalog, error) {
	out := c.clone()
	for lang, byKey := range overrides {
		if _, err := Info(lang); err != nil {
			return nil, err
		}
		for key, text := range byKey {
			if err := checkOverride(lang, key, text, c.msgs[lang][key]); err != nil {
				return nil, err
			}
			out.msgs[lang][key] = message{FormOther: text}
			// The built-in reading says the built-in words: drop it, so the
			// new words are spoken where they can be read as written and
			// nothing different is said where they cannot.
			delete(out.readings[lang], key)
		}
	}
	return out, nil
}

func checkOverride(lang Lang, key Key, text string, original message) error {
	switch {
	case !IsKey(key):
		return &MessageError{lang, key, ErrUnknownKey}
	case strings.TrimSpace(text) == "":
		return &MessageError{lang, key, ErrEmptyMessage}
	}
	got, want := message{FormOther: text}.placeholders(), original.placeholders()
	if !slices.Equal(got, want) {
		return &MessageError{lang, key, fmt.Errorf("%w: %v, want %v", ErrPlaceholders, got, want)}
	}
	return nil
}

func (c *Catalog) clone() *Catalog {
	out := &Catalog{msgs: make(map[Lang]map[Key]message, len(c.msgs)),
		readings: make(map[Lang]map[Key]string, len(c.readings))}
	for lang, readings := range c.readings {
		copied := make(map[Key]string, len(readings))
		for k, r := range readings {
			copied[k] = r
		}
		out.readings[lang] = copied
	}
	for lang, msgs := range c.msgs {
		copied := make(map[Key]message, len(msgs))
		for k, m := range msgs {
			copied[k] = m
		}
		out.msgs[lang] = copied
	}
	return out
}

// Overrides converts wording read from configuration (language code → key
// → text) to WithOverrides' argument; WithOverrides does the validation.
func Overrides(m map[string]map[string]string) map[Lang]map[Key]string {
	out := make(map[Lang]map[Key]string, len(m))
	for lang, byKey := range m {
		converted := make(map[Key]string, len(byKey))
		for k, text := range byKey {
			converted[Key(k)] = text
		}
		out[Lang(lang)] = converted
	}
	return out
}
