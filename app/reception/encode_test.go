package reception

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/japanese"

	"github.com/uketsuke/uketsuke/app/eligibility"
)

var testAt = time.Date(2026, 6, 1, 10, 0, 0, 0, jst)

func sample(name, kana string) *eligibility.Result {
	return &eligibility.Result{
		Header: eligibility.Header{ProcessExecutionTime: "20260601100000", QualificationConfirmationDate: "20260601",
			MedicalInstitutionCode: "1312345678", ReferenceClassification: "1", SegmentOfResult: eligibility.SegmentNormal},
		Body: eligibility.Body{ProcessingResultStatus: "1", QualificationValidity: eligibility.ValidityValid,
			Qualifications: []eligibility.Qualification{{InsuredCardClassification: "01", InsurerNumber: "06139999",
				InsuredCardSymbol: "1234", InsuredIdentificationNumber: "56", InsuredBranchNumber: "00",
				PersonalFamilyClassification: "1", InsurerName: "架空健康保険組合", InsuredName: name, InsuredNameKana: kana,
				Sex: "2", Birthdate: "19900101", QualificationDate: "20100401", InsuredPartialContributionRatio: "030"}}},
	}
}

func TestEncodingDeclarationAndIdentifierAgree(t *testing.T) {
	for _, tc := range []struct {
		enc        Encoding
		decl, code string
	}{{UTF8, `encoding="UTF-8"`, "0"}, {ShiftJIS, `encoding="Shift_JIS"`, "1"}} {
		b := Build(sample("架空　花子", "カクウ　ハナコ"), Facts{At: testAt}, "")
		data, replaced, err := Encode(b.Doc, tc.enc)
		if err != nil || replaced != 0 {
			t.Fatalf("%v: %v, %d replaced", tc.enc, err, replaced)
		}
		first := string(data[:bytes.IndexByte(data, '\n')])
		if !strings.Contains(first, tc.decl) {
			t.Errorf("%v: declaration %s", tc.enc, first)
		}
		d, err := ReadDocument(data)
		if err != nil {
			t.Fatal(err)
		}
		if d.Header.CharacterCodeIdentifier != tc.code || d.Body.Result.Name != "架空　花子" || d.Body.Result.NameKana != "ｶｸｳ ﾊﾅｺ" {
			t.Errorf("%v: read back %+v", tc.enc, d.Header)
		}
		if b.Doc.Header.CharacterCodeIdentifier != CharacterCodeUTF8 {
			t.Error("Encode changed the caller's document")
		}
	}
}

func TestShiftJISReplacesOnlyWhatCP932Lacks(t *testing.T) {
	b := Build(sample("𠮷田　髙子", "ヨシダ　タカコ"), Facts{At: testAt}, "")
	data, replaced, err := Encode(b.Doc, ShiftJIS)
	if err != nil {
		t.Fatal(err)
	}
	if replaced != 2 { // Name and InsuredName (本人)
		t.Fatalf("%d replaced, want 2", replaced)
	}
	// decode with an independent CP932 decoder, not the package's reader
	text, err := japanese.ShiftJIS.NewDecoder().Bytes(data)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(text), "<Name>〓田　髙子</Name>") || strings.Contains(string(text), "&#") {
		t.Fatalf("Shift_JIS file:\n%s", text)
	}
	if b.Doc.Body.Result.Name != "𠮷田　髙子" {
		t.Fatal("Encode changed the caller's document")
	}
	data, replaced, _ = Encode(b.Doc, UTF8)
	if replaced != 0 || !bytes.Contains(data, []byte("<Name>𠮷田　髙子</Name>")) {
		t.Fatalf("UTF-8 lost 𠮷 (%d replaced)", replaced)
	}
}

func TestOnlyNamedEntitiesAreWritten(t *testing.T) {
	b := Build(sample(`O'Brien "Jr" & <Co>`, ""), Facts{At: testAt}, "")
	data, _, err := Encode(b.Doc, UTF8)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(`<Name>O'Brien "Jr" &amp; &lt;Co&gt;</Name>`)) || bytes.Contains(data, []byte("&#")) {
		t.Fatalf("escaping:\n%s", data)
	}
	d, _ := ReadDocument(data)
	if d.Body.Result.Name != `O'Brien "Jr" & <Co>` {
		t.Fatalf("read back %q", d.Body.Result.Name)
	}
}

func TestBuildKeepsToTheReferenceCodes(t *testing.T) {
	res := sample("後期　一子", "")
	q := &res.Body.Qualifications[0]
	q.InsuredCardClassification = "39" // the stand-in's 後期 marker, not a reference code
	q.InsurerNumber = "39139999"
	q.InsuredPartialContributionRatio = "010"
	q.LimitApplicationCertificateRelatedInfo = &eligibility.LimitApplicationCertificateRelatedInfo{LimitApplicationCertificateClassificationFlag: "Z99"}
	res.Body.QualificationValidity = eligibility.ValidityValidUnregistered
	b := Build(res, Facts{At: testAt}, "")
	if b.DroppedCodes != 2 || b.Doc.Body.Result.InsuredCardClassification != "" ||
		b.Doc.Body.Result.LimitApplicationCertificateRelatedInfo.LimitApplicationCertificateClassificationFlag != "" {
		t.Fatalf("dropped %d: %+v", b.DroppedCodes, b.Doc.Body.Result)
	}
	if b.Doc.Body.QualificationValidity != ValidityValid || b.Doc.Body.Result.InsuredPartialContributionRatio != "010" {
		t.Fatalf("validity %q ratio %q", b.Doc.Body.QualificationValidity, b.Doc.Body.Result.InsuredPartialContributionRatio)
	}
	if err := b.Doc.Validate(); err != nil {
		t.Fatal(err)
	}
	b.Doc.Header.SegmentOfResult = "3"
	if _, _, err := Encode(b.Doc, UTF8); !errors.Is(err, ErrInvalidCode) {
		t.Fatalf("SegmentOfResult 3 encoded: %v", err)
	}
}

func TestAbnormalAnswerAndFailureStillHaveOneItem(t *testing.T) {
	down := Build(nil, Facts{At: testAt, Err: eligibility.ErrTransport, Known: Patient{Name: "架空　一郎", Sex: "1"}}, "1312345678")
	refused := sample("架空　一郎", "")
	refused.Header.SegmentOfResult = "3" // the service's old code for 異常終了
	refused.Body.ProcessingResultStatus = "2"
	abn := Build(refused, Facts{At: testAt}, "")
	api := Build(nil, Facts{At: testAt, Err: &eligibility.APIError{Status: 404, Code: eligibility.CodeRecordNotFound}}, "")
	for name, b := range map[string]Built{"down": down, "abnormal": abn, "refused": api} {
		d := b.Doc
		if d.Header.SegmentOfResult != SegmentAbnormal || d.Header.ErrorCode == "" || d.Header.ErrorMessage == "" ||
			d.Body.ProcessingResultStatus != StatusError || d.Body.QualificationValidity != "" {
			t.Errorf("%s: %+v %+v", name, d.Header, d.Body)
		}
		if err := d.Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if d.Body.Result.Sex1 == "" {
			t.Errorf("%s: Sex1 empty (the reader wants a code)", name)
		}
	}
	if down.Doc.Body.Result.Name != "架空　一郎" || down.Doc.Header.ErrorCode != ErrorCodeUnreachable || api.Doc.Header.ErrorCode != ErrorCodeRefused {
		t.Errorf("codes: %s %s", down.Doc.Header.ErrorCode, api.Doc.Header.ErrorCode)
	}
}

func TestConsentsSitInTheItemWithTheirTimes(t *testing.T) {
	at := testAt.Add(-time.Minute)
	b := Build(sample("架空　花子", ""), Facts{At: testAt, Prescription: PrescriptionElectronic, Consents: Consents{
		Diagnosis: Consent{Given: true, At: at}, Drug: Consent{Given: false, At: at},
		Limit: Consent{Given: true, At: at}, Diseases: Consent{Given: true, At: at}}}, "")
	r, body := b.Doc.Body.Result, b.Doc.Body
	if r.DiagnosisInfoConsFlg != "1" || r.DiagnosisInfoConsTime != "20260601095900" || r.DiagnosisInfoAvailableTime != "20260602095900" ||
		r.PharmacistsInfoConsFlg != "0" || r.PharmacistsInfoAvailableTime != "" || r.OperationInfoConsFlg != "" ||
		r.LimitApplicationCertificateRelatedConsFlg != "1" || r.SpecificDiseasesCertificateRelatedConsFlg != "1" ||
		body.PrescriptionIssueSelect != "1" {
		t.Fatalf("%+v", r)
	}
	// without consent, the 限度額 information is never shown
	res := sample("架空　花子", "")
	res.Body.Qualifications[0].LimitApplicationCertificateRelatedInfo = &eligibility.LimitApplicationCertificateRelatedInfo{LimitApplicationCertificateClassificationFlag: "A03"}
	b = Build(res, Facts{At: testAt, Consents: Consents{Limit: Consent{Given: false, At: at}}}, "")
	if b.Doc.Body.Result.LimitApplicationCertificateRelatedInfo != nil || b.Doc.Body.Result.LimitApplicationCertificateRelatedConsFlg != "0" {
		t.Fatalf("%+v", b.Doc.Body.Result)
	}
}

func TestHalfWidthKana(t *testing.T) {
	for in, want := range map[string]string{
		"カクウ　イチロウ": "ｶｸｳ ｲﾁﾛｳ", "がっこう　ぱぴぷ": "ｶﾞｯｺｳ ﾊﾟﾋﾟﾌﾟ", "ヴァイオリン": "ｳﾞｧｲｵﾘﾝ",
		"ヨシダ　　タロー": "ﾖｼﾀﾞ ﾀﾛｰ", "ｶｸｳ ｲﾁﾛｳ": "ｶｸｳ ｲﾁﾛｳ", "": "",
	} {
		if got := HalfWidthKana(in); got != want {
			t.Errorf("HalfWidthKana(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzEncodeName: whatever a name holds, the file is valid in both
// encodings, reads back as the name with only unencodable characters
// turned into 〓, and the count says how many.
func FuzzEncodeName(f *testing.F) {
	for _, s := range []string{"𠮷田　太郎", "髙橋", "～〜", "―—", "①Ⅰ㈱", "a\r\nb\t<&>\"'", "ｶﾀｶﾅ", "\x00\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		for _, enc := range []Encoding{UTF8, ShiftJIS} {
			b := Build(sample(name, ""), Facts{At: testAt}, "")
			data, replaced, err := Encode(b.Doc, enc)
			if err != nil {
				t.Fatal(err)
			}
			d, err := ReadDocument(data)
			if err != nil {
				t.Fatalf("%v: unreadable: %v", enc, err)
			}
			got := d.Body.Result.Name
			want, n := sanitize(name, enc)
			if got != strings.TrimSpace(want) && got != want {
				t.Fatalf("%v: %q read back as %q, want %q", enc, name, got, want)
			}
			if replaced != 2*n {
				t.Fatalf("%v: %d replaced, want %d", enc, replaced, 2*n)
			}
			if strings.Count(got, "〓") < n {
				t.Fatalf("%v: fewer 〓 than replacements", enc)
			}
		}
	})
}
