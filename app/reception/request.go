package reception

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/width"

	"github.com/uketsuke/uketsuke/app/eligibility"
)

// Request is a check by insured number (被保険者番号による資格確認) read from
// a req/ file. The layout accepted:
//
//	<XmlMsg>
//	  <MessageHeader>                      (optional)
//	    <MedicalInstitutionCode/>          (optional)
//	    <ArbitraryFileIdentifier/>         (optional, echoed)
//	  </MessageHeader>
//	  <MessageBody>
//	    <QualificationConfirmSearchInfo>
//	      <InsurerNumber/>                 6 or 8 digits
//	      <InsuredCardSymbol/>             optional, up to 38 characters
//	      <InsuredIdentificationNumber/>   1 to 20 characters
//	      <InsuredBranchNumber/>           optional, 2 digits
//	      <Birthdate/>                     YYYYMMDD
//	      <LimitApplicationCertificateRelatedConsFlg/>  0 or 1 (empty: 0)
//	      <ArbitraryIdentifier/>           optional, echoed
//	    </QualificationConfirmSearchInfo>
//	  </MessageBody>
//	</XmlMsg>
//
// in UTF-8 or Shift_JIS as its XML declaration says (none: UTF-8).
// Full-width digits are read as digits; surrounding spaces are ignored.
type Request struct {
	InsurerNumber               string
	InsuredCardSymbol           string
	InsuredIdentificationNumber string
	InsuredBranchNumber         string
	Birthdate                   string
	LimitConsent                bool
	ArbitraryIdentifier         string
	ArbitraryFileIdentifier     string
	MedicalInstitutionCode      string
}

// Query is the request as the eligibility client asks it.
func (r *Request) Query() eligibility.InsuranceQuery {
	flag := "0"
	if r.LimitConsent {
		flag = "1"
	}
	return eligibility.InsuranceQuery{InsurerNumber: r.InsurerNumber, InsuredCardSymbol: r.InsuredCardSymbol,
		InsuredIdentificationNumber: r.InsuredIdentificationNumber, InsuredBranchNumber: r.InsuredBranchNumber,
		Birthdate: r.Birthdate, LimitApplicationCertificateRelatedConsFlg: flag}
}

// SearchInfo is the echo of the request in the answer.
func (r *Request) SearchInfo() *SearchInfo {
	q := r.Query()
	return &SearchInfo{InsurerNumber: q.InsurerNumber, InsuredCardSymbol: q.InsuredCardSymbol,
		InsuredIdentificationNumber: q.InsuredIdentificationNumber, InsuredBranchNumber: q.InsuredBranchNumber,
		Birthdate: q.Birthdate, LimitApplicationCertificateRelatedConsFlg: q.LimitApplicationCertificateRelatedConsFlg,
		ArbitraryIdentifier: r.ArbitraryIdentifier}
}

// MaxRequestBytes bounds a request file.
const MaxRequestBytes = 64 << 10

// ErrMalformedRequest is matched (errors.Is) by every *RequestError.
var ErrMalformedRequest = errors.New("reception: malformed request")

// Problem is what is wrong with a request.
type Problem int

// The problems ParseRequest reports.
const (
	ProblemTooLarge Problem = iota + 1
	ProblemNotXML
	ProblemEncoding
	ProblemShape   // not XmlMsg > MessageBody > QualificationConfirmSearchInfo
	ProblemMissing // a required field is empty
	ProblemInvalid // a field has the wrong form
)

// RequestError says which field of a request is wrong and how. It never
// holds the field's value (a patient's number or birth date).
type RequestError struct {
	Problem Problem
	Field   string // the element, when one is at fault
	Detail  string // in English, for logs; no values
}

func (e *RequestError) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("reception: malformed request: %s: %s", e.Field, e.Detail)
	}
	return "reception: malformed request: " + e.Detail
}

// Is makes every RequestError match ErrMalformedRequest.
func (e *RequestError) Is(target error) bool { return target == ErrMalformedRequest }

// Message is the Japanese ErrorMessage written into the answer for staff.
func (e *RequestError) Message() string {
	switch e.Problem {
	case ProblemTooLarge:
		return fmt.Sprintf("照会ファイルが大きすぎます（%dバイトまで）。", MaxRequestBytes)
	case ProblemNotXML:
		return "照会ファイルがXMLとして読めません。"
	case ProblemEncoding:
		return "照会ファイルの文字コードが読めません（UTF-8またはShift_JIS）。"
	case ProblemShape:
		return "照会ファイルに XmlMsg/MessageBody/QualificationConfirmSearchInfo がありません。"
	case ProblemMissing:
		return fmt.Sprintf("照会ファイルの %s が空です。", e.Field)
	}
	return fmt.Sprintf("照会ファイルの %s の形式が正しくありません（%s）。", e.Field, fieldRule[e.Field])
}

var fieldRule = map[string]string{
	"InsurerNumber":                             "半角数字6桁または8桁",
	"InsuredCardSymbol":                         "38文字まで",
	"InsuredIdentificationNumber":               "20文字まで",
	"InsuredBranchNumber":                       "半角数字2桁",
	"Birthdate":                                 "YYYYMMDD",
	"LimitApplicationCertificateRelatedConsFlg": "0または1",
}

type requestXML struct {
	XMLName xml.Name `xml:"XmlMsg"`
	Header  struct {
		MedicalInstitutionCode  string
		ArbitraryFileIdentifier string
	} `xml:"MessageHeader"`
	Body struct {
		Search *struct {
			InsurerNumber                             string
			InsuredCardSymbol                         string
			InsuredIdentificationNumber               string
			InsuredBranchNumber                       string
			Birthdate                                 string
			LimitApplicationCertificateRelatedConsFlg string
			ArbitraryIdentifier                       string
		} `xml:"QualificationConfirmSearchInfo"`
	} `xml:"MessageBody"`
}

// ParseRequest reads a req/ file. Every failure is a *RequestError.
func ParseRequest(data []byte) (*Request, error) {
	if len(data) > MaxRequestBytes {
		return nil, &RequestError{Problem: ProblemTooLarge, Detail: "file too large"}
	}
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	var x requestXML
	dec := newDecoder(data)
	if err := dec.Decode(&x); err != nil {
		if errors.Is(err, errCharset) || strings.Contains(err.Error(), "invalid UTF-8") {
			return nil, &RequestError{Problem: ProblemEncoding, Detail: "unreadable encoding"}
		}
		var se *xml.SyntaxError
		if errors.As(err, &se) || errors.Is(err, errCharset) {
			return nil, &RequestError{Problem: ProblemNotXML, Detail: "not well-formed XML"}
		}
		if strings.Contains(err.Error(), "expected element type") {
			return nil, &RequestError{Problem: ProblemShape, Detail: "root element is not XmlMsg"}
		}
		return nil, &RequestError{Problem: ProblemNotXML, Detail: "not readable XML"}
	}
	s := x.Body.Search
	if s == nil {
		return nil, &RequestError{Problem: ProblemShape, Detail: "no MessageBody/QualificationConfirmSearchInfo"}
	}
	r := &Request{
		InsurerNumber:               digits(s.InsurerNumber),
		InsuredCardSymbol:           clean(s.InsuredCardSymbol),
		InsuredIdentificationNumber: clean(s.InsuredIdentificationNumber),
		InsuredBranchNumber:         digits(s.InsuredBranchNumber),
		Birthdate:                   digits(s.Birthdate),
		ArbitraryIdentifier:         clean(s.ArbitraryIdentifier),
		ArbitraryFileIdentifier:     clean(x.Header.ArbitraryFileIdentifier),
		MedicalInstitutionCode:      digits(x.Header.MedicalInstitutionCode),
	}
	for _, f := range []struct{ name, v string }{
		{"InsurerNumber", r.InsurerNumber}, {"InsuredCardSymbol", r.InsuredCardSymbol},
		{"InsuredIdentificationNumber", r.InsuredIdentificationNumber}, {"InsuredBranchNumber", r.InsuredBranchNumber},
		{"Birthdate", r.Birthdate}, {"ArbitraryIdentifier", r.ArbitraryIdentifier},
		{"ArbitraryFileIdentifier", r.ArbitraryFileIdentifier}, {"MedicalInstitutionCode", r.MedicalInstitutionCode},
	} {
		if !utf8.ValidString(f.v) || strings.ContainsRune(f.v, utf8.RuneError) {
			return nil, &RequestError{Problem: ProblemEncoding, Field: f.name, Detail: "characters the encoding does not have"}
		}
		for _, c := range f.v {
			if c < 0x20 || c == 0x7F {
				return nil, &RequestError{Problem: ProblemInvalid, Field: f.name, Detail: "control character"}
			}
		}
	}
	switch flag := digits(s.LimitApplicationCertificateRelatedConsFlg); flag {
	case "", "0":
	case "1":
		r.LimitConsent = true
	default:
		return nil, invalid("LimitApplicationCertificateRelatedConsFlg", "must be 0 or 1")
	}
	switch {
	case r.InsurerNumber == "":
		return nil, missing("InsurerNumber")
	case !allDigits(r.InsurerNumber) || len(r.InsurerNumber) != 6 && len(r.InsurerNumber) != 8:
		return nil, invalid("InsurerNumber", "must be 6 or 8 digits")
	case utf8.RuneCountInString(r.InsuredCardSymbol) > 38:
		return nil, invalid("InsuredCardSymbol", "longer than 38 characters")
	case r.InsuredIdentificationNumber == "":
		return nil, missing("InsuredIdentificationNumber")
	case utf8.RuneCountInString(r.InsuredIdentificationNumber) > 20:
		return nil, invalid("InsuredIdentificationNumber", "longer than 20 characters")
	case r.InsuredBranchNumber != "" && (len(r.InsuredBranchNumber) != 2 || !allDigits(r.InsuredBranchNumber)):
		return nil, invalid("InsuredBranchNumber", "must be 2 digits")
	case r.Birthdate == "":
		return nil, missing("Birthdate")
	case !validDate(r.Birthdate):
		return nil, invalid("Birthdate", "must be a date YYYYMMDD")
	case utf8.RuneCountInString(r.ArbitraryIdentifier) > 64 || utf8.RuneCountInString(r.ArbitraryFileIdentifier) > 64:
		return nil, invalid("ArbitraryIdentifier", "longer than 64 characters")
	}
	return r, nil
}

func missing(f string) error {
	return &RequestError{Problem: ProblemMissing, Field: f, Detail: "empty"}
}
func invalid(f, why string) error {
	return &RequestError{Problem: ProblemInvalid, Field: f, Detail: why}
}

// clean trims spaces (ASCII and full-width).
func clean(s string) string { return strings.TrimSpace(strings.Trim(s, " \t\r\n\u3000")) }

// digits is clean with full-width digits made ASCII.
func digits(s string) string {
	s = clean(s)
	if isPlain(s) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r >= '０' && r <= '９' {
			return []rune(width.Narrow.String(string(r)))[0]
		}
		return r
	}, s)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func validDate(s string) bool {
	if len(s) != 8 || !allDigits(s) {
		return false
	}
	t, err := time.Parse("20060102", s)
	return err == nil && t.Format("20060102") == s && t.Year() >= 1868
}
