package reception

import (
	"errors"
	"time"

	"github.com/uketsuke/uketsuke/app/eligibility"
)

// Answer builds the res/ document answering req: the eligibility answer
// (res), or an error result when the check failed (err). The document has
// ReferenceClassification 2, echoes the request in
// QualificationConfirmSearchInfo and carries exactly one result item; a
// item the service could not fill holds what the request asked for.
func Answer(req *Request, res *eligibility.Result, err error, institution string, now time.Time) Built {
	if req.MedicalInstitutionCode != "" && institution == "" {
		institution = req.MedicalInstitutionCode
	}
	if res == nil && err == nil {
		err = errNoAnswer
	}
	f := Facts{Method: MethodNumber, At: now, Err: err}
	if req.LimitConsent {
		f.Consents.Limit = Consent{Given: true, At: now}
	} else {
		f.Consents.Limit = Consent{Given: false, At: now}
	}
	b := Build(res, f, institution)
	d := b.Doc
	d.Header.ArbitraryFileIdentifier = req.ArbitraryFileIdentifier
	d.Body.QualificationConfirmSearchInfo = req.SearchInfo()
	r := &d.Body.Result
	if r.InsurerNumber == "" {
		r.InsurerNumber, r.InsuredCardSymbol = req.InsurerNumber, req.InsuredCardSymbol
		r.InsuredIdentificationNumber, r.InsuredBranchNumber = req.InsuredIdentificationNumber, req.InsuredBranchNumber
	}
	if r.Birthdate == "" {
		r.Birthdate = req.Birthdate
	}
	if d.Header.SegmentOfResult != SegmentNormal {
		// an error answer: the limit consent is still the request's
		r.LimitApplicationCertificateRelatedConsFlg = f.Consents.Limit.flag()
		r.LimitApplicationCertificateRelatedConsTime = stamp(now)
	}
	return b
}

var errNoAnswer = errors.New("reception: the eligibility service gave no result")

// AnswerMalformed builds the answer to a req/ file that is not a valid
// request: SegmentOfResult 9, ErrorCode UK2001 and an ErrorMessage that
// says which element is wrong, with one (empty) result item.
func AnswerMalformed(rerr error, institution string, now time.Time) Built {
	b := Build(nil, Facts{Method: MethodNumber, At: now, Err: rerr}, institution)
	msg := "照会ファイルが読めません。"
	var re *RequestError
	if errors.As(rerr, &re) {
		msg = re.Message()
	}
	setError(b.Doc, ErrorCodeBadRequest, msg)
	return b
}
