package revisit

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/japanese"
)

var importToday = time.Date(2026, 12, 6, 9, 0, 0, 0, time.FixedZone("JST", 9*3600))

const importHeader = "patient_number,insurer_number,symbol,number,branch,birth_date\n"

func parse(t *testing.T, file string, enc Encoding) (ParsedImport, error) {
	t.Helper()
	return ParseImport(strings.NewReader(file), enc, importToday)
}

func TestParseImportReadsEachColumn(t *testing.T) {
	p, err := parse(t, "\ufeff 番号 ,枝番,生年月日,診察券番号,保険者番号,記号\r\n 7654321 ,01,19800401,A-000042,06139999,愛知\r\n\r\n", EncodingAuto)
	if err != nil || len(p.Rows) != 1 || len(p.Refused) != 0 || p.Encoding != EncodingUTF8 {
		t.Fatalf("%+v, %v", p, err)
	}
	want := Patient{Insured: InsuredNumber{Insurer: "06139999", Symbol: "愛知", Number: "7654321", Branch: "01"}, Number: "A-000042", Birthdate: "19800401"}
	if r := p.Rows[0]; r.Patient != want || r.Line != 2 {
		t.Fatalf("row %+v", r)
	}
}

func TestParseImportRefusesLinesByFieldNeverValue(t *testing.T) {
	file := importHeader +
		"A-1,06139999,,123,01,19800401\n" + // fine
		",06139999,,124,01,19800401\n" + // no patient number
		"A 2,06139999,,125,01,19800401\n" + // a space inside
		"A-3,0613999,,126,01,19800401\n" + // 7 digits
		"A-4,06139999,,127,1,19800401\n" + // branch of one digit
		"A-5,06139999,,128,01,1980-04-01\n" + // not YYYYMMDD
		"A-6,06139999,,129,01,20270101\n" + // in the future
		"A-7,06139999,,130,01,18991231\n" + // before 1900
		"A-8,06139999,,131,01\n" // a column short
	p, err := parse(t, file, EncodingAuto)
	if err != nil || len(p.Rows) != 1 {
		t.Fatalf("%+v, %v", p, err)
	}
	want := []RowRefusal{{3, "patient number", ""}, {4, "patient number", ""}, {5, "insurer number", ""},
		{6, "branch number", ""}, {7, "birth date", ""}, {8, "birth date", ""}, {9, "birth date", ""}, {10, "", ""}}
	if len(p.Refused) != len(want) {
		t.Fatalf("refused %+v", p.Refused)
	}
	for i, w := range want {
		got := p.Refused[i]
		if got.Line != w.Line || got.Field != w.Field || got.Reason == "" {
			t.Errorf("refusal %d = %+v, want line %d field %q", i, got, w.Line, w.Field)
		}
		for _, value := range []string{"A 2", "0613999", "1980-04-01", "20270101", "18991231", "A-8"} {
			if strings.Contains(got.Reason, value) {
				t.Errorf("refusal %+v repeats %q", got, value)
			}
		}
	}
}

func TestParseImportRefusesTheFile(t *testing.T) {
	for name, c := range map[string]struct {
		file string
		enc  Encoding
		line int
	}{
		"empty":               {"", EncodingAuto, 0},
		"no header":           {"A-1,06139999,,123,01,19800401\n", EncodingAuto, 1},
		"unknown column":      {strings.Replace(importHeader, "symbol", "kigou", 1), EncodingAuto, 1},
		"column twice":        {strings.Replace(importHeader, "symbol", "number", 1), EncodingAuto, 1},
		"column missing":      {"patient_number,insurer_number,symbol,number,branch\n", EncodingAuto, 1},
		"bare quote":          {importHeader + "A-1,0613\"9999,,123,01,19800401\n", EncodingAuto, 2},
		"not UTF-8 when told": {importHeader + "A-1,06139999,\x88\xa4,123,01,19800401\n", EncodingUTF8, 0},
		"neither encoding":    {importHeader + "A-1,06139999,\x85\x40,123,01,19800401\n", EncodingAuto, 0},
	} {
		_, err := parse(t, c.file, c.enc)
		var ie *ImportError
		if !errors.As(err, &ie) || !errors.Is(err, ErrImport) || ie.Line != c.line {
			t.Errorf("%s: %v, want an ImportError at line %d", name, err, c.line)
		}
	}
	big := strings.NewReader(importHeader + strings.Repeat("x", MaxImportSize))
	if _, err := ParseImport(big, EncodingAuto, importToday); !errors.Is(err, ErrImport) {
		t.Errorf("a file over the limit: %v", err)
	}
}

func TestParseImportReadsShiftJIS(t *testing.T) {
	file, err := japanese.ShiftJIS.NewEncoder().String("診察券番号,保険者番号,記号,番号,枝番,生年月日\r\nA-1,06139999,髙橋,123,,19800401\r\n")
	if err != nil {
		t.Fatal(err)
	}
	for _, enc := range []Encoding{EncodingAuto, EncodingShiftJIS} {
		p, err := parse(t, file, enc)
		if err != nil || p.Encoding != EncodingShiftJIS || len(p.Rows) != 1 || p.Rows[0].Patient.Insured.Symbol != "髙橋" {
			t.Fatalf("%s: %+v, %v", enc, p, err)
		}
	}
}

func TestParseEncoding(t *testing.T) {
	for in, want := range map[string]Encoding{"": EncodingAuto, "auto": EncodingAuto, "UTF-8": EncodingUTF8,
		"Shift_JIS": EncodingShiftJIS, "cp932": EncodingShiftJIS, "windows-31j": EncodingShiftJIS} {
		if got, err := ParseEncoding(in); err != nil || got != want {
			t.Errorf("%q: %q, %v", in, got, err)
		}
	}
	if _, err := ParseEncoding("euc-jp"); !errors.Is(err, ErrImport) {
		t.Errorf("euc-jp: %v", err)
	}
}

// importMessages are every refusal and file error, digits made '#': a
// message outside them might carry a value from the file.
var importMessages = regexp.MustCompile(`^(` + strings.Join([]string{
	`empty`, `want [a-zA-Z#,_ ]+`, `longer than # characters`, `# columns, want #`,
	`revisit: import file: (empty: a header row is required|larger than # bytes|neither valid UTF-# nor valid Shift_JIS \(CP#\)|not valid UTF-# \(is it Shift_JIS\? try the encoding shift_jis\)|CSV: .*)`,
	`revisit: import file, line #: (the header has # columns, want #: [a-z_,]+|header column # is not one of [a-z_,]+ \(or their Japanese names\)|header names [a-z_]+ twice|CSV: (bare " in non-quoted-field|extraneous or missing " in quoted-field|wrong number of fields))`,
}, "|") + `)$`)

var digitsRun = regexp.MustCompile(`[0-9]+`)

func FuzzParseImport(f *testing.F) {
	f.Add([]byte(importHeader + "A-1,06139999,愛知,123,01,19800401\n"))
	f.Add([]byte("診察券番号,保険者番号,記号,番号,枝番,生年月日\r\nA-1,138222,,5550001,02,19750315\r\n,1,2,3,4,5\r\n"))
	f.Add([]byte(importHeader + "\"A-1\",\"0613\"\"9999\",,123,01,19800401\nA,B\n"))
	f.Add([]byte("\x90\x66\x8e\x40,x\n\x88\xa4\n"))
	f.Add([]byte("\ufeff" + importHeader + "Z,123456,,1,,20000229\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParseImport(strings.NewReader(string(data)), EncodingAuto, importToday)
		if err != nil {
			if !errors.Is(err, ErrImport) {
				t.Fatalf("not an ImportError: %v", err)
			}
			if msg := digitsRun.ReplaceAllString(err.Error(), "#"); !importMessages.MatchString(msg) {
				t.Fatalf("an unexpected message (a value from the file?): %q", err)
			}
			return
		}
		if p.Encoding == EncodingAuto {
			t.Fatal("no encoding chosen")
		}
		last := 1
		for _, r := range p.Rows {
			if err := r.Patient.Validate(); err != nil || r.Patient.Number == "" || checkBirthDate(r.Patient.Birthdate, importToday) != nil {
				t.Fatalf("an invalid row passed: line %d, %v", r.Line, err)
			}
			if r.Line <= last {
				t.Fatalf("line %d after %d", r.Line, last)
			}
			last = r.Line
		}
		for _, r := range p.Refused {
			if r.Line < 2 {
				t.Fatalf("refusal at line %d", r.Line)
			}
			if msg := digitsRun.ReplaceAllString(r.Reason, "#"); !importMessages.MatchString(msg) {
				t.Fatalf("an unexpected reason (a value from the file?): %q", r.Reason)
			}
		}
	})
}
