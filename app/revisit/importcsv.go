package revisit

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/transform"

	"github.com/uketsuke/uketsuke/app/secret"
)

// The import file: a clinic's export of its patients' 診察券番号 and
// insured numbers, one patient a line, under a header row that names the
// columns (English or Japanese, any order, each exactly once):
//
//	patient_number  診察券番号   1–32 ASCII letters, digits, '-' (required)
//	insurer_number  保険者番号   6 or 8 digits
//	symbol          記号         0–20 characters (kanji allowed)
//	number          番号         1–20 characters
//	branch          枝番         2 digits or empty
//	birth_date      生年月日     YYYYMMDD
//
// RFC 4180 CSV, comma-separated; cells are trimmed of spaces; blank lines
// are skipped. UTF-8 (a byte-order mark is allowed) or Shift_JIS (CP932,
// what Japanese Excel writes): EncodingAuto takes a file that is valid
// UTF-8 as UTF-8, and any other as Shift_JIS.

// Encoding is the import file's character encoding.
type Encoding string

// The encodings an import file may have.
const (
	EncodingAuto     Encoding = ""
	EncodingUTF8     Encoding = "utf-8"
	EncodingShiftJIS Encoding = "shift_jis"
)

// ParseEncoding reads an encoding's name as an administrator types it.
func ParseEncoding(s string) (Encoding, error) {
	switch strings.ToLower(strings.ReplaceAll(s, "-", "_")) {
	case "", "auto":
		return EncodingAuto, nil
	case "utf_8", "utf8":
		return EncodingUTF8, nil
	case "shift_jis", "sjis", "cp932", "windows_31j":
		return EncodingShiftJIS, nil
	}
	return "", &ImportError{Line: 0, Problem: "encoding must be auto, utf-8 or shift_jis"}
}

// MaxImportSize bounds an import file (a clinic of 100 000 patients needs
// about 6 MB).
const MaxImportSize = 32 << 20

// ErrImport is matched by every ImportError.
var ErrImport = errors.New("revisit: import file refused")

// ImportError is a problem with the file as a whole (its encoding, header
// or CSV syntax). It names a line, never a value.
type ImportError struct {
	Line    int // 0: the file as a whole
	Problem string
}

func (e *ImportError) Error() string {
	if e.Line == 0 {
		return "revisit: import file: " + e.Problem
	}
	return fmt.Sprintf("revisit: import file, line %d: %s", e.Line, e.Problem)
}

// Is makes errors.Is(err, ErrImport) true.
func (e *ImportError) Is(target error) bool { return target == ErrImport }

// RowRefusal is one refused line: the field and the reason, never the value.
type RowRefusal struct {
	Line   int    `json:"line"`
	Field  string `json:"field,omitempty"`
	Reason string `json:"reason"`
}

// ImportRow is one valid line of the file: the patient with the birth
// date the check by insured number needs (Patient.Birthdate).
type ImportRow struct {
	Line    int
	Patient Patient
}

// ParsedImport is the file read: its valid rows and its refused lines.
type ParsedImport struct {
	Encoding Encoding // the one used (never EncodingAuto)
	Rows     []ImportRow
	Refused  []RowRefusal
}

type column int

const (
	colPatient column = iota
	colInsurer
	colSymbol
	colNumber
	colBranch
	colBirth
	columnCount
)

var columnNames = map[string]column{
	"patient_number": colPatient, "診察券番号": colPatient,
	"insurer_number": colInsurer, "保険者番号": colInsurer,
	"symbol": colSymbol, "記号": colSymbol,
	"number": colNumber, "番号": colNumber,
	"branch": colBranch, "枝番": colBranch,
	"birth_date": colBirth, "生年月日": colBirth,
}

var englishNames = [columnCount]string{"patient_number", "insurer_number", "symbol", "number", "branch", "birth_date"}

// ParseImport reads an import file of at most MaxImportSize bytes. today
// bounds birth dates. The raw bytes are wiped once read.
func ParseImport(r io.Reader, enc Encoding, today time.Time) (ParsedImport, error) {
	raw, err := io.ReadAll(io.LimitReader(r, MaxImportSize+1))
	defer secret.Wipe(raw)
	if err != nil {
		return ParsedImport{}, fmt.Errorf("revisit: reading the import file: %w", err)
	}
	if len(raw) > MaxImportSize {
		return ParsedImport{}, &ImportError{Problem: fmt.Sprintf("larger than %d bytes", MaxImportSize)}
	}
	text, used, err := decodeImport(raw, enc)
	defer secret.Wipe(text)
	if err != nil {
		return ParsedImport{}, err
	}
	out := ParsedImport{Encoding: used}
	cr := csv.NewReader(bytes.NewReader(text))
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1 // a short or long line is refused by itself, not the whole file
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return out, &ImportError{Problem: "empty: a header row is required"}
	}
	if err != nil {
		return out, csvError(err)
	}
	order, err := readHeader(header)
	if err != nil {
		return out, err
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, csvError(err)
		}
		line, _ := cr.FieldPos(0)
		row, refusal := readRow(rec, order, line, today)
		if refusal != nil {
			out.Refused = append(out.Refused, *refusal)
			continue
		}
		out.Rows = append(out.Rows, row)
	}
}

// decodeImport returns the file as UTF-8 without a byte-order mark.
func decodeImport(raw []byte, enc Encoding) ([]byte, Encoding, error) {
	if enc == EncodingAuto {
		enc = EncodingShiftJIS
		if utf8.Valid(raw) {
			enc = EncodingUTF8
		}
	}
	switch enc {
	case EncodingUTF8:
		if !utf8.Valid(raw) {
			return nil, enc, &ImportError{Problem: "not valid UTF-8 (is it Shift_JIS? try the encoding shift_jis)"}
		}
		return bytes.Clone(bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))), enc, nil
	case EncodingShiftJIS:
		text, _, err := transform.Bytes(japanese.ShiftJIS.NewDecoder(), raw)
		if err != nil || bytes.ContainsRune(text, utf8.RuneError) {
			secret.Wipe(text)
			return nil, enc, &ImportError{Problem: "neither valid UTF-8 nor valid Shift_JIS (CP932)"}
		}
		return text, enc, nil
	}
	return nil, enc, &ImportError{Problem: "unknown encoding"}
}

// csvError reports a CSV syntax error by line, without the text around it.
func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &ImportError{Line: pe.Line, Problem: "CSV: " + pe.Err.Error()}
	}
	return &ImportError{Problem: "CSV: " + err.Error()}
}

// readHeader maps each column of the file to its field.
func readHeader(header []string) ([columnCount]int, error) {
	var order [columnCount]int
	for i := range order {
		order[i] = -1
	}
	if len(header) != int(columnCount) {
		return order, &ImportError{Line: 1, Problem: fmt.Sprintf("the header has %d columns, want %d: %s",
			len(header), columnCount, strings.Join(englishNames[:], ","))}
	}
	for i, name := range header {
		c, ok := columnNames[strings.TrimSpace(strings.TrimPrefix(name, "\ufeff"))]
		if !ok {
			return order, &ImportError{Line: 1, Problem: fmt.Sprintf("header column %d is not one of %s (or their Japanese names)",
				i+1, strings.Join(englishNames[:], ","))}
		}
		if order[c] >= 0 {
			return order, &ImportError{Line: 1, Problem: fmt.Sprintf("header names %s twice", englishNames[c])}
		}
		order[c] = i
	}
	return order, nil
}

func readRow(rec []string, order [columnCount]int, line int, today time.Time) (ImportRow, *RowRefusal) {
	if len(rec) != int(columnCount) {
		return ImportRow{}, &RowRefusal{Line: line, Reason: fmt.Sprintf("%d columns, want %d", len(rec), columnCount)}
	}
	cell := func(c column) string { return strings.TrimSpace(rec[order[c]]) }
	p := Patient{
		Insured:   InsuredNumber{Insurer: cell(colInsurer), Symbol: cell(colSymbol), Number: cell(colNumber), Branch: cell(colBranch)},
		Number:    PatientNumber(cell(colPatient)),
		Birthdate: cell(colBirth),
	}
	if p.Number == "" {
		return ImportRow{}, &RowRefusal{Line: line, Field: "patient number", Reason: "empty"}
	}
	if err := checkBirthDate(p.Birthdate, today); err != nil {
		return ImportRow{}, refusalOf(line, err)
	}
	if err := p.Validate(); err != nil {
		return ImportRow{}, refusalOf(line, err)
	}
	return ImportRow{Line: line, Patient: p}, nil
}

func refusalOf(line int, err error) *RowRefusal {
	var inv *InvalidError
	if errors.As(err, &inv) {
		return &RowRefusal{Line: line, Field: inv.Field, Reason: inv.Reason}
	}
	return &RowRefusal{Line: line, Reason: "refused"}
}

// checkBirthDate wants YYYYMMDD, a real day from 1900 to today: an
// import's birth date is required, unlike a Patient's.
func checkBirthDate(s string, today time.Time) error {
	bad := &InvalidError{"birth date", "want YYYYMMDD, a real day from 1900 to today"}
	if len(s) != 8 || !allDigits(s) {
		return bad
	}
	d, err := time.Parse("20060102", s)
	if err != nil || d.Year() < 1900 {
		return bad
	}
	y, m, day := today.Date()
	if d.After(time.Date(y, m, day, 0, 0, 0, 0, time.UTC)) {
		return bad
	}
	return nil
}
