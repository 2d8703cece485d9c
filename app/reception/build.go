package reception

import (
	"errors"
	"strings"
	"time"

	"github.com/uketsuke/uketsuke/app/eligibility"
)

// Method is how the patient was identified. It decides
// ReferenceClassification and is recorded in the audit log; the file has
// no element for it.
type Method int

// The methods the kiosk knows.
const (
	MethodUnknown Method = iota
	MethodFace           // 顔認証
	MethodPIN            // 暗証番号
	MethodStaff          // 目視 by staff
	MethodNumber         // insured number (a req/ request)
)

func (m Method) String() string {
	return [...]string{"unknown", "face", "pin", "staff", "number"}[m]
}

// Prescription is the patient's choice of prescription (電子処方箋 or paper).
type Prescription int

// The choices. PrescriptionUnasked leaves PrescriptionIssueSelect out.
const (
	PrescriptionUnasked    Prescription = iota
	PrescriptionElectronic              // 電子処方箋: PrescriptionIssueSelect 1
	PrescriptionPaper                   // 紙の処方箋: PrescriptionIssueSelect 2
)

func (p Prescription) code() string {
	switch p {
	case PrescriptionElectronic:
		return PrescriptionCodeElectronic
	case PrescriptionPaper:
		return PrescriptionCodePaper
	}
	return ""
}

// Consent is one consent answer and when it was given. A zero At means the
// patient was not asked: the flag is left out of the file.
type Consent struct {
	Given bool
	At    time.Time
}

func (c Consent) asked() bool { return !c.At.IsZero() }

func (c Consent) flag() string {
	if !c.asked() {
		return ""
	}
	if c.Given {
		return "1"
	}
	return "0"
}

// Consents are the answers on the consent screen (情報提供への同意).
type Consents struct {
	Diagnosis    Consent       // 診療情報 (DiagnosisInfoConsFlg)
	Drug         Consent       // 薬剤情報 (PharmacistsInfoConsFlg)
	Surgery      Consent       // 手術情報 (OperationInfoConsFlg)
	Checkups     Consent       // 特定健診情報 (SpecificHealthCheckupsInfoConsFlg)
	Limit        Consent       // 限度額適用認定証 (LimitApplicationCertificateRelatedConsFlg)
	Diseases     Consent       // 特定疾病療養受療証 (SpecificDiseasesCertificateRelatedConsFlg)
	AvailableFor time.Duration // how long a given consent lets the clinic view (…AvailableTime); 0 = 24 h
}

// Patient is what the kiosk knows of the patient without the eligibility
// service (for an error result). Empty fields are written empty.
type Patient struct {
	Name, Kana, Sex, Birthdate string // Sex "1" 男, "2" 女; Birthdate YYYYMMDD
}

// Facts are what the session knows beside the eligibility answer.
type Facts struct {
	Method       Method
	At           time.Time // when the check was made; the header's times when the answer has none
	Consents     Consents
	Prescription Prescription
	// Err is why the check failed (the service down or refusing): the file
	// becomes an error result (SegmentOfResult 9) with one result item.
	Err error
	// Known fills the error result's item; ignored when a result came back.
	Known Patient
}

// Built is a document and what building it had to leave out.
type Built struct {
	Doc *Document
	// DroppedCodes counts coded values outside the reference's tables that
	// were left empty (a reader would refuse the file otherwise).
	DroppedCodes int
}

// Build makes the face/ document of one session from the eligibility
// answer (nil when the check failed) and the session's facts. institution
// is the MedicalInstitutionCode used when the answer carries none.
func Build(res *eligibility.Result, f Facts, institution string) Built {
	at := f.At
	if at.IsZero() {
		at = time.Now()
	}
	d := &Document{}
	h := &d.Header
	h.ProcessExecutionTime = stamp(at)
	h.QualificationConfirmationDate = day(at)
	h.MedicalInstitutionCode = institution
	h.CharacterCodeIdentifier = CharacterCodeUTF8 // Encode sets the file's own
	h.ReferenceClassification = ReferenceByCard
	if f.Method == MethodNumber {
		h.ReferenceClassification = ReferenceByNumber
	}
	if res != nil {
		if res.Header.ProcessExecutionTime != "" {
			h.ProcessExecutionTime = res.Header.ProcessExecutionTime
		}
		if res.Header.QualificationConfirmationDate != "" {
			h.QualificationConfirmationDate = res.Header.QualificationConfirmationDate
		}
		if res.Header.MedicalInstitutionCode != "" {
			h.MedicalInstitutionCode = res.Header.MedicalInstitutionCode
		}
	}
	d.Body.PrescriptionIssueSelect = f.Prescription.code()
	switch {
	case f.Err != nil || res == nil:
		code, msg := errorOf(f.Err)
		setError(d, code, msg)
		d.Body.Result = knownItem(f.Known)
		return Built{Doc: d, DroppedCodes: d.dropInvalidCodes()}
	case res.Header.SegmentOfResult != eligibility.SegmentNormal || res.Body.ProcessingResultStatus != StatusNormal:
		code, msg := res.Body.ProcessingResultCode, res.Body.ProcessingResultMessage
		if code == "" {
			code, msg = ErrorCodeRefused, messageRefused
		}
		setError(d, code, msg)
		d.Body.Result = knownItem(f.Known)
		if len(res.Body.Qualifications) > 0 {
			d.Body.Result = item(res.Body.Qualifications[0])
		}
		return Built{Doc: d, DroppedCodes: d.dropInvalidCodes()}
	}
	h.SegmentOfResult = SegmentNormal
	d.Body.ProcessingResultStatus = StatusNormal
	d.Body.QualificationValidity = validity(res.Body.QualificationValidity)
	if len(res.Body.Qualifications) > 0 {
		// Exactly one item: the record the check is about (the first the
		// service lists; for 複数該当 QualificationValidity 5 tells staff to
		// look further).
		d.Body.Result = item(res.Body.Qualifications[0])
	} else {
		d.Body.Result = knownItem(f.Known)
	}
	addConsents(&d.Body.Result, f.Consents)
	return Built{Doc: d, DroppedCodes: d.dropInvalidCodes()}
}

// validity maps the service's QualificationValidity onto the reference's
// 1–5: 6 (有効·未登録, a record valid but not yet linked to the card) is 有効.
func validity(v string) string {
	if v == eligibility.ValidityValidUnregistered {
		return ValidityValid
	}
	return v
}

const (
	messageUnreachable = "資格確認システムに接続できませんでした。保険証等で資格を確認してください。"
	messageRefused     = "資格確認システムが照会を受け付けませんでした。保険証等で資格を確認してください。"
	messageNoAnswer    = "資格確認システムから結果が返りませんでした。保険証等で資格を確認してください。"
)

func errorOf(err error) (code, msg string) {
	var api *eligibility.APIError
	switch {
	case err == nil, errors.Is(err, errNoAnswer):
		return ErrorCodeNoAnswer, messageNoAnswer
	case errors.As(err, &api):
		return ErrorCodeRefused, messageRefused
	}
	return ErrorCodeUnreachable, messageUnreachable
}

func setError(d *Document, code, msg string) {
	d.Header.SegmentOfResult = SegmentAbnormal
	d.Header.ErrorCode, d.Header.ErrorMessage = code, msg
	d.Body.ProcessingResultStatus = StatusError
	d.Body.ProcessingResultCode, d.Body.ProcessingResultMessage = code, msg
	d.Body.QualificationValidity = ""
}

// knownItem is the result item of an error result: what the kiosk knows.
func knownItem(p Patient) Result {
	r := Result{Name: p.Name, NameKana: HalfWidthKana(p.Kana), Sex1: p.Sex, Birthdate: p.Birthdate}
	if !sexes[r.Sex1] {
		r.Sex1 = SexUnset
	}
	return r
}

// item maps one record of the eligibility answer onto the result item.
func item(q eligibility.Qualification) Result {
	r := Result{
		InsuredCardClassification:    q.InsuredCardClassification,
		InsurerNumber:                q.InsurerNumber,
		InsuredCardSymbol:            q.InsuredCardSymbol,
		InsuredIdentificationNumber:  q.InsuredIdentificationNumber,
		InsuredBranchNumber:          q.InsuredBranchNumber,
		ReferenceNumber:              q.ReferenceNumber,
		PersonalFamilyClassification: q.PersonalFamilyClassification,
		Name:                         q.InsuredName,
		NameKana:                     HalfWidthKana(q.InsuredNameKana),
		Sex1:                         q.Sex,
		Birthdate:                    q.Birthdate,
		Address:                      q.Address,
		PostNumber:                   q.PostNumber,
		QualificationDate:            q.QualificationDate,
		DisqualificationDate:         q.DisqualificationDate,
		// The answer carries the date the qualification began; a reception
		// system registers insurance from InsuredCardValidDate.
		InsuredCardValidDate: q.QualificationDate,
		InsurerName:          q.InsurerName,
	}
	if !sexes[r.Sex1] {
		r.Sex1 = SexUnset
	}
	// The service's answer names only the patient. For 本人 the patient is
	// the insured person (InsuredName); for 家族 the insured is someone
	// else, whose name the answer does not give.
	if q.PersonalFamilyClassification == "1" {
		r.InsuredName = q.InsuredName
	}
	ratio := q.InsuredPartialContributionRatio
	if !ratioCode(ratio) {
		ratio = ""
	}
	switch e := q.ElderlyRecipientCertificateInfo; {
	case e != nil && !strings.HasPrefix(q.InsurerNumber, "39"):
		// 70–74 with a 高齢受給者証: the certificate's ratio is the one that counts.
		g := ElderlyRecipientCertificateInfo(*e)
		if !ratioCode(g.ElderlyRecipientContributionRatio) {
			g.ElderlyRecipientContributionRatio = ""
		}
		r.ElderlyRecipientCertificateInfo = &g
	default:
		// 後期高齢者医療 (insurer 39…) and everyone else: the insured's own ratio.
		r.InsuredPartialContributionRatio = ratio
	}
	if l := q.LimitApplicationCertificateRelatedInfo; l != nil {
		g := LimitApplicationCertificateRelatedInfo(*l)
		r.LimitApplicationCertificateRelatedInfo = &g
	}
	// q.SpecificDiseases names the disease only in words, which have no
	// code in the reference's table: the list stays out. The consent flags
	// come from this session's answers (addConsents), not from the
	// service's record of earlier visits.
	return r
}

func ratioCode(s string) bool {
	return len(s) == 3 && s[0] >= '0' && s[0] <= '1' && s[1] >= '0' && s[1] <= '9' && s[2] == '0'
}

// addConsents puts every consent the session asked for directly into the
// result item, with its time (and, for the four information consents, the
// time until which the clinic may view).
func addConsents(r *Result, c Consents) {
	avail := c.AvailableFor
	if avail <= 0 {
		avail = 24 * time.Hour
	}
	info := func(x Consent, flag, at, until *string) {
		if !x.asked() {
			return
		}
		*flag, *at, *until = x.flag(), stamp(x.At), ""
		if x.Given {
			*until = stamp(x.At.Add(avail))
		}
	}
	info(c.Checkups, &r.SpecificHealthCheckupsInfoConsFlg, &r.SpecificHealthCheckupsInfoConsTime, &r.SpecificHealthCheckupsInfoAvailableTime)
	info(c.Drug, &r.PharmacistsInfoConsFlg, &r.PharmacistsInfoConsTime, &r.PharmacistsInfoAvailableTime)
	info(c.Diagnosis, &r.DiagnosisInfoConsFlg, &r.DiagnosisInfoConsTime, &r.DiagnosisInfoAvailableTime)
	info(c.Surgery, &r.OperationInfoConsFlg, &r.OperationInfoConsTime, &r.OperationInfoAvailableTime)
	if c.Limit.asked() {
		r.LimitApplicationCertificateRelatedConsFlg = c.Limit.flag()
		r.LimitApplicationCertificateRelatedConsTime = stamp(c.Limit.At)
		if !c.Limit.Given {
			r.LimitApplicationCertificateRelatedInfo = nil // never shown without consent
		}
	}
	if c.Diseases.asked() {
		r.SpecificDiseasesCertificateRelatedConsFlg = c.Diseases.flag()
		r.SpecificDiseasesCertificateRelatedConsTime = stamp(c.Diseases.At)
	}
}

// jst is the time zone of every time in the files.
var jst = time.FixedZone("JST", 9*3600)

func stamp(t time.Time) string { return t.In(jst).Format("20060102150405") }
func day(t time.Time) string   { return t.In(jst).Format("20060102") }
