package reception

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/text/encoding/japanese"
)

func reqDoc(search string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<XmlMsg><MessageHeader><ArbitraryFileIdentifier>R-1</ArbitraryFileIdentifier></MessageHeader>
<MessageBody><QualificationConfirmSearchInfo>` + search + `</QualificationConfirmSearchInfo></MessageBody></XmlMsg>`
}

const goodSearch = `<InsurerNumber>06139999</InsurerNumber><InsuredCardSymbol>１２３４</InsuredCardSymbol>
<InsuredIdentificationNumber> 56 </InsuredIdentificationNumber><InsuredBranchNumber>００</InsuredBranchNumber>
<Birthdate>19800217</Birthdate><LimitApplicationCertificateRelatedConsFlg>1</LimitApplicationCertificateRelatedConsFlg>`

func TestParseRequest(t *testing.T) {
	r, err := ParseRequest([]byte(reqDoc(goodSearch)))
	if err != nil {
		t.Fatal(err)
	}
	q := r.Query()
	if q.InsurerNumber != "06139999" || q.InsuredCardSymbol != "１２３４" || q.InsuredIdentificationNumber != "56" ||
		q.InsuredBranchNumber != "00" || q.Birthdate != "19800217" || q.LimitApplicationCertificateRelatedConsFlg != "1" ||
		r.ArbitraryFileIdentifier != "R-1" {
		t.Fatalf("%+v", r)
	}
	// the same request in Shift_JIS, with a kanji symbol
	sj := strings.Replace(reqDoc(strings.Replace(goodSearch, "１２３４", "八王子", 1)), "UTF-8", "Shift_JIS", 1)
	data, err := japanese.ShiftJIS.NewEncoder().Bytes([]byte(sj))
	if err != nil {
		t.Fatal(err)
	}
	if r, err := ParseRequest(data); err != nil || r.InsuredCardSymbol != "八王子" {
		t.Fatalf("Shift_JIS request: %+v, %v", r, err)
	}
}

func TestMalformedRequestsSayWhatIsWrong(t *testing.T) {
	sub := func(old, new string) string { return reqDoc(strings.Replace(goodSearch, old, new, 1)) }
	for _, tc := range []struct {
		name, doc string
		problem   Problem
		field     string
	}{
		{"empty", "", ProblemNotXML, ""},
		{"not xml", "hello", ProblemNotXML, ""},
		{"cut off", reqDoc(goodSearch)[:120], ProblemNotXML, ""},
		{"other root", `<Other/>`, ProblemShape, ""},
		{"no search info", `<XmlMsg><MessageBody/></XmlMsg>`, ProblemShape, ""},
		{"unknown charset", `<?xml version="1.0" encoding="EBCDIC"?><XmlMsg/>`, ProblemEncoding, ""},
		{"bad utf-8", reqDoc("<InsurerNumber>\xff\xfe</InsurerNumber>"), ProblemEncoding, ""},
		{"no insurer", sub("06139999", ""), ProblemMissing, "InsurerNumber"},
		{"short insurer", sub("06139999", "0613"), ProblemInvalid, "InsurerNumber"},
		{"letters in insurer", sub("06139999", "0613999X"), ProblemInvalid, "InsurerNumber"},
		{"no number", sub(" 56 ", ""), ProblemMissing, "InsuredIdentificationNumber"},
		{"long number", sub(" 56 ", strings.Repeat("9", 21)), ProblemInvalid, "InsuredIdentificationNumber"},
		{"branch", sub("００", "1"), ProblemInvalid, "InsuredBranchNumber"},
		{"no birth", sub("19800217", ""), ProblemMissing, "Birthdate"},
		{"feb 30", sub("19800217", "19800230"), ProblemInvalid, "Birthdate"},
		{"era date", sub("19800217", "S55.2.17"), ProblemInvalid, "Birthdate"},
		{"flag", sub(">1</Limit", ">2</Limit"), ProblemInvalid, "LimitApplicationCertificateRelatedConsFlg"},
		{"control", sub(" 56 ", "5\x016"), ProblemNotXML, ""},
		{"too large", reqDoc(goodSearch + strings.Repeat(" ", MaxRequestBytes)), ProblemTooLarge, ""},
	} {
		_, err := ParseRequest([]byte(tc.doc))
		var re *RequestError
		if !errors.As(err, &re) || !errors.Is(err, ErrMalformedRequest) {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if re.Problem != tc.problem || re.Field != tc.field {
			t.Errorf("%s: problem %d field %q, want %d %q (%v)", tc.name, re.Problem, re.Field, tc.problem, tc.field, err)
		}
		if re.Message() == "" || strings.Contains(err.Error(), "19800") {
			t.Errorf("%s: message %q / error %q", tc.name, re.Message(), err)
		}
		b := AnswerMalformed(err, "1312345678", testAt)
		if _, _, err := Encode(b.Doc, ShiftJIS); err != nil || b.Doc.Header.SegmentOfResult != SegmentAbnormal ||
			b.Doc.Header.ErrorMessage != re.Message() {
			t.Errorf("%s: answer %+v, %v", tc.name, b.Doc.Header, err)
		}
	}
}

func TestAnswerNames(t *testing.T) {
	for in, want := range map[string]string{
		"OQSsiquc01req_202606010001.xml": "OQSsiquc01res_202606010001.xml",
		"OQSsiquc01req_a01req_b.xml":     "OQSsiquc01res_a01req_b.xml",
	} {
		if got := AnswerName(in); got != want {
			t.Errorf("AnswerName(%q) = %q", in, got)
		}
		if !IsRequestName(in) {
			t.Errorf("%q not a request name", in)
		}
	}
	for _, bad := range []string{"OQSsiquc01req_.xml", "OQSsiquc01req_1.xml.tmp", ".uketsuke-claim-OQSsiquc01req_1.xml", "OQSmutic01req_1.xml"} {
		if IsRequestName(bad) {
			t.Errorf("%q taken as a request", bad)
		}
	}
}

// FuzzParseRequest: any bytes give a request or a *RequestError, never a
// panic; an accepted request satisfies every rule and its answer encodes.
func FuzzParseRequest(f *testing.F) {
	f.Add([]byte(reqDoc(goodSearch)))
	f.Add([]byte(`<XmlMsg><MessageBody><QualificationConfirmSearchInfo><InsurerNumber>138999</InsurerNumber><InsuredIdentificationNumber>1</InsuredIdentificationNumber><Birthdate>20000229</Birthdate></QualificationConfirmSearchInfo></MessageBody></XmlMsg>`))
	f.Add([]byte(`<?xml version="1.0" encoding="Shift_JIS"?><XmlMsg><MessageBody><QualificationConfirmSearchInfo><InsurerNumber>` + "\x82\x4f" + `</InsurerNumber></QualificationConfirmSearchInfo></MessageBody></XmlMsg>`))
	f.Add([]byte("<XmlMsg>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ParseRequest(data)
		if err != nil {
			var re *RequestError
			if !errors.As(err, &re) || re.Message() == "" {
				t.Fatalf("untyped error %v", err)
			}
			if _, _, err := Encode(AnswerMalformed(err, "", testAt).Doc, ShiftJIS); err != nil {
				t.Fatal(err)
			}
			return
		}
		if !allDigits(r.InsurerNumber) || len(r.InsurerNumber) != 6 && len(r.InsurerNumber) != 8 ||
			r.InsuredIdentificationNumber == "" || !validDate(r.Birthdate) ||
			r.InsuredBranchNumber != "" && len(r.InsuredBranchNumber) != 2 {
			t.Fatalf("accepted %+v", r)
		}
		for _, enc := range []Encoding{UTF8, ShiftJIS} {
			b := Answer(r, nil, errors.New("down"), "", testAt)
			data, _, err := Encode(b.Doc, enc)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := ReadDocument(data); err != nil {
				t.Fatal(err)
			}
		}
	})
}
