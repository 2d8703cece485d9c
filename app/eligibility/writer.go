package eligibility

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/japanese"

	"github.com/uketsuke/uketsuke/app/atomicfile"
)

// Encoding is the character encoding of written result files.
type Encoding int

// The encodings a reception system may ask for.
const (
	UTF8 Encoding = iota
	ShiftJIS
)

// ParseEncoding reads a configuration value: "utf-8" or "shift_jis".
func ParseEncoding(s string) (Encoding, error) {
	switch strings.ToLower(strings.ReplaceAll(s, "-", "_")) {
	case "utf_8", "utf8", "":
		return UTF8, nil
	case "shift_jis", "sjis", "shiftjis", "cp932":
		return ShiftJIS, nil
	}
	return 0, fmt.Errorf("eligibility: unknown result encoding %q (utf-8 or shift_jis)", s)
}

// ErrWriter is returned for a result folder that cannot be used.
var ErrWriter = errors.New("eligibility: result folder")

// Writer puts each result into a folder as a QCR_ file. A file appears
// whole or not at all: it is written to a hidden temporary file in the same
// folder, synced, renamed into place, and the folder synced, so a reader
// never sees half a file and a result reported written survives a crash or
// power loss.
//
// Deprecated: reception systems read the face/ and res/ files of
// app/reception (reception.Writer); this writer stays until the session is
// wired to that.
type Writer struct {
	dir string
	enc Encoding
}

// Temporary files start with this prefix and end in ".tmp"; readers must
// take only names ending in ".xml". The durable write is app/atomicfile's.
const tempPrefix = atomicfile.TempPrefix

// staleTemp is the age after which a leftover temporary file (from a writer
// that was killed) is removed.
const staleTemp = atomicfile.StaleAge

// NewWriter checks dir and removes stale temporary files a killed writer left.
func NewWriter(dir string, enc Encoding) (*Writer, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrWriter, err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("%w: %s is not a folder", ErrWriter, dir)
	}
	w := &Writer{dir: dir, enc: enc}
	w.removeStaleTemps(time.Now())
	return w, nil
}

func (w *Writer) removeStaleTemps(now time.Time) {
	atomicfile.RemoveStaleTemps(w.dir, staleTemp, now)
}

// Write writes res and returns the file's path once it is durable.
func (w *Writer) Write(res *Result) (string, error) {
	data, err := Encode(res, w.enc)
	if err != nil {
		return "", err
	}
	final, err := atomicfile.Write(w.dir, fileName(res), data, 0o640)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrWriter, err)
	}
	return final, nil
}

// fileName is QCR_<time>_<institution>_<random>.xml: sortable by time and
// unique without coordination between kiosks sharing a folder.
func fileName(res *Result) string {
	var r [4]byte
	rand.Read(r[:])
	t := res.Header.ProcessExecutionTime
	if t == "" {
		t = time.Now().Format("20060102150405")
	}
	return fmt.Sprintf("QCR_%s_%s_%s.xml", safeName(t), safeName(res.Header.MedicalInstitutionCode), hex.EncodeToString(r[:]))
}

func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' {
			return r
		}
		return -1
	}, s)
}

// Encode renders res as a 資格確認結果 XML document in enc. In Shift_JIS,
// a character the encoding lacks (𠮷, or 〜 U+301C) is written as
// an XML character reference, so the reader still gets the exact name
// instead of a ● or a '?'.
func Encode(res *Result, enc Encoding) ([]byte, error) {
	r := *res
	name := "UTF-8"
	r.Header.CharacterCodeIdentifier = CharacterCodeUTF8
	if enc == ShiftJIS {
		name = "Shift_JIS"
		r.Header.CharacterCodeIdentifier = CharacterCodeShiftJIS
	}
	body, err := xml.MarshalIndent(&r, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("eligibility: encoding result: %w", err)
	}
	doc := append([]byte(`<?xml version="1.0" encoding="`+name+`" standalone="yes"?>`+"\n"), body...)
	doc = append(doc, '\n')
	if enc == ShiftJIS {
		return toShiftJIS(doc), nil
	}
	return doc, nil
}

// toShiftJIS encodes an XML document. A character is written in Shift_JIS
// only if it decodes back to itself: some (～ U+FF5E and 〜 U+301C, for one)
// share a code, and a reader would get the other one.
func toShiftJIS(utf []byte) []byte {
	enc, dec := japanese.ShiftJIS.NewEncoder(), japanese.ShiftJIS.NewDecoder()
	var out bytes.Buffer
	out.Grow(len(utf))
	for len(utf) > 0 {
		r, n := utf8.DecodeRune(utf)
		if r < utf8.RuneSelf {
			out.WriteByte(byte(r))
		} else if b, err := enc.Bytes(utf[:n]); err == nil && roundTrips(dec, b, utf[:n]) {
			out.Write(b)
		} else {
			fmt.Fprintf(&out, "&#x%X;", r)
		}
		utf = utf[n:]
	}
	return out.Bytes()
}

func roundTrips(dec *encoding.Decoder, sjis, want []byte) bool {
	back, err := dec.Bytes(sjis)
	return err == nil && bytes.Equal(back, want)
}
