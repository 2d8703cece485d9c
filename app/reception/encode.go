package reception

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/transform"
)

// Encoding is the character encoding of the files the kiosk writes.
type Encoding int

// The two encodings the reference allows (CharacterCodeIdentifier 0 and 1).
// ShiftJIS is Microsoft's code page 932 (Windows-31J), the table both
// reference readers decode with: NEC and IBM extensions such as 髙 are in it,
// 𠮷 is not.
const (
	UTF8 Encoding = iota
	ShiftJIS
)

// ParseEncoding reads a configuration value: "utf-8" or "shift_jis".
func ParseEncoding(s string) (Encoding, error) {
	switch strings.ToLower(strings.NewReplacer("-", "", "_", "", " ", "").Replace(s)) {
	case "utf8", "":
		return UTF8, nil
	case "shiftjis", "sjis", "cp932", "windows31j":
		return ShiftJIS, nil
	}
	return 0, fmt.Errorf("reception: unknown encoding %q (utf-8 or shift_jis)", s)
}

func (e Encoding) String() string {
	if e == ShiftJIS {
		return "shift_jis"
	}
	return "utf-8"
}

// declName is the encoding's name in the XML declaration.
func (e Encoding) declName() string {
	if e == ShiftJIS {
		return "Shift_JIS"
	}
	return "UTF-8"
}

// code is the encoding's CharacterCodeIdentifier.
func (e Encoding) code() string {
	if e == ShiftJIS {
		return CharacterCodeShiftJIS
	}
	return CharacterCodeUTF8
}

// Geta (〓, U+3013) stands in for a character the file's encoding cannot hold.
const Geta = '〓'

// Encode renders d in enc: an XML declaration naming enc, the matching
// CharacterCodeIdentifier, tab indentation. A character the encoding cannot
// hold (in Shift_JIS, 𠮷 and other characters outside CP932), and a control
// character XML cannot carry, becomes 〓 in its field; replaced is how many
// were replaced (a count for the audit log, never the text). Only &, < and >
// are escaped, as named entities: the reference reader leaves numeric
// character references undecoded. d itself is not changed.
func Encode(d *Document, enc Encoding) (data []byte, replaced int, err error) {
	c := *d
	c.Header.CharacterCodeIdentifier = enc.code()
	if err := c.Validate(); err != nil {
		return nil, 0, err
	}
	v := reflect.ValueOf(&c).Elem()
	replaced = sanitizeValue(v, enc)
	body, err := xml.MarshalIndent(&c, "", "\t")
	if err != nil {
		return nil, 0, fmt.Errorf("reception: encoding the document: %w", err)
	}
	body = bytes.ReplaceAll(body, []byte("&#34;"), []byte(`"`))
	body = bytes.ReplaceAll(body, []byte("&#39;"), []byte(`'`))
	var out bytes.Buffer
	out.WriteString(`<?xml version="1.0" encoding="` + enc.declName() + `" standalone="no"?>` + "\n")
	out.Write(body)
	out.WriteByte('\n')
	if enc == UTF8 {
		return out.Bytes(), replaced, nil
	}
	sj, err := japanese.ShiftJIS.NewEncoder().Bytes(out.Bytes())
	if err != nil { // cannot happen: every field was made encodable
		return nil, 0, fmt.Errorf("reception: Shift_JIS: %w", err)
	}
	return sj, replaced, nil
}

// sanitizeValue replaces unencodable characters in every string field
// reachable from v (copying pointed-to structs and slices first, so the
// caller's document stays as it was).
func sanitizeValue(v reflect.Value, enc Encoding) int {
	n := 0
	switch v.Kind() {
	case reflect.String:
		s, k := sanitize(v.String(), enc)
		if s != v.String() {
			v.SetString(s)
		}
		n += k
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				n += sanitizeValue(v.Field(i), enc)
			}
		}
	case reflect.Pointer:
		if !v.IsNil() {
			cp := reflect.New(v.Elem().Type())
			cp.Elem().Set(v.Elem())
			v.Set(cp)
			n += sanitizeValue(cp.Elem(), enc)
		}
	case reflect.Slice:
		if !v.IsNil() {
			cp := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
			reflect.Copy(cp, v)
			v.Set(cp)
			for i := range cp.Len() {
				n += sanitizeValue(cp.Index(i), enc)
			}
		}
	}
	return n
}

// sanitize returns s with each character enc cannot hold replaced by 〓,
// tabs and line breaks made spaces, and the number of replacements.
func sanitize(s string, enc Encoding) (string, int) {
	if isPlain(s) {
		return s, 0
	}
	var b strings.Builder
	n := 0
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteByte(' ')
		case !xmlChar(r):
			b.WriteRune(Geta)
			n++
		case r >= utf8.RuneSelf && enc == ShiftJIS && !inCP932(r):
			b.WriteRune(Geta)
			n++
		default:
			b.WriteRune(r)
		}
	}
	return b.String(), n
}

func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// xmlChar reports whether XML 1.0 can carry r (Char production).
func xmlChar(r rune) bool {
	switch {
	case r == utf8.RuneError:
		return false
	case r < 0x20:
		return r == '\t' || r == '\n' || r == '\r'
	case r >= 0xD800 && r <= 0xDFFF, r == 0xFFFE, r == 0xFFFF:
		return false
	}
	return r <= 0x10FFFF
}

// inCP932 reports whether r has a code in CP932 that decodes back to r.
func inCP932(r rune) bool {
	var in [4]byte
	k := utf8.EncodeRune(in[:], r)
	sj, err := japanese.ShiftJIS.NewEncoder().Bytes(in[:k])
	if err != nil {
		return false
	}
	back, err := japanese.ShiftJIS.NewDecoder().Bytes(sj)
	return err == nil && bytes.Equal(back, in[:k])
}

// ErrNotDocument is wrapped when bytes are not a readable result document.
var ErrNotDocument = errors.New("reception: not a result document")

// ReadDocument parses a result file in either encoding (as its XML
// declaration says), for tests and the reception-system stand-in.
func ReadDocument(data []byte) (*Document, error) {
	var d Document
	if err := newDecoder(data).Decode(&d); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotDocument, err)
	}
	return &d, nil
}

func newDecoder(data []byte) *xml.Decoder {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.CharsetReader = charsetReader
	return dec
}

// errCharset marks an XML declaration naming an encoding we do not read.
var errCharset = errors.New("unsupported encoding")

func charsetReader(label string, in io.Reader) (io.Reader, error) {
	switch strings.ToLower(strings.NewReplacer("-", "", "_", "").Replace(label)) {
	case "utf8":
		return in, nil
	case "shiftjis", "sjis", "cp932", "windows31j", "mskanji", "xsjis":
		return transform.NewReader(in, japanese.ShiftJIS.NewDecoder()), nil
	}
	return nil, fmt.Errorf("%w %q", errCharset, label)
}
