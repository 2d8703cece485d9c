// Package eligibility is the kiosk's side of the オンライン資格確認: a client
// for the eligibility service (the national system or its stand-in, sim/onshi)
// and a writer that hands each 資格確認結果 to the reception system as an XML
// file. The wire types here are shared with the stand-in so both sides agree.
package eligibility

import "encoding/xml"

// QualificationValidity values of the 資格確認結果.
const (
	ValidityValid             = "1" // 有効
	ValidityInvalid           = "2" // 無効
	ValidityInvalidNewExists  = "3" // 無効·新資格あり
	ValidityNoQualification   = "4" // 該当資格なし
	ValidityMultipleMatches   = "5" // 複数該当
	ValidityValidUnregistered = "6" // 有効·未登録 (the insurer has not linked the holder's card yet)
)

// ReferenceClassification: what the check was made with.
const (
	ReferenceByCard          = "1" // My Number Card
	ReferenceByInsuranceCard = "2" // insurance card number
)

// SegmentOfResult values.
const (
	SegmentNormal     = "1"
	SegmentInProgress = "2"
	SegmentAbnormal   = "9" // 異常終了 (the reference has no 3)
)

// CharacterCodeIdentifier values: the encoding of the written file.
const (
	CharacterCodeUTF8     = "0"
	CharacterCodeShiftJIS = "1"
)

// AuthMethod says how the card holder was authenticated (not a field of the
// national file; the kiosk records it for its own audit).
const (
	AuthPIN     = "pin"
	AuthPinless = "pinless" // 特定機関認証, after face matching
	AuthNone    = "none"    // insurance card number
)

// Result is one 資格確認結果, named after the fields of the file the
// qualification terminal writes. Dates are YYYYMMDD, times YYYYMMDDHHMMSS.
type Result struct {
	XMLName xml.Name `xml:"XmlMsg" json:"-"`
	Header  Header   `xml:"MessageHeader"`
	Body    Body     `xml:"MessageBody"`
}

// Header is the file's MessageHeader.
type Header struct {
	ProcessExecutionTime          string
	QualificationConfirmationDate string
	MedicalInstitutionCode        string
	ReferenceClassification       string
	SegmentOfResult               string
	ErrorCode                     string `xml:",omitempty" json:",omitempty"`
	ErrorMessage                  string `xml:",omitempty" json:",omitempty"`
	CharacterCodeIdentifier       string
}

// Body is the file's MessageBody.
type Body struct {
	ProcessingResultStatus  string
	ProcessingResultCode    string `xml:",omitempty" json:",omitempty"`
	ProcessingResultMessage string `xml:",omitempty" json:",omitempty"`
	QualificationValidity   string
	// CertificateExpiredGrace is set when the card's certificate has expired
	// and the check was allowed by the three-month grace (eligibility only).
	CertificateExpiredGrace bool `xml:",omitempty" json:",omitempty"`
	AuthMethod              string
	Qualifications          []Qualification `xml:"ResultList>ResultOfQualificationConfirmation"`
}

// Qualification is one insurance record in the result list.
type Qualification struct {
	InsuredCardClassification   string
	InsurerNumber               string
	InsuredCardSymbol           string `xml:",omitempty" json:",omitempty"`
	InsuredIdentificationNumber string
	InsuredBranchNumber         string `xml:",omitempty" json:",omitempty"`
	// ReferenceNumber is the facility's own patient number (照会番号,
	// 診察券番号) when the facility registered one for this insured number.
	ReferenceNumber                 string `xml:",omitempty" json:",omitempty"`
	PersonalFamilyClassification    string
	InsurerName                     string
	InsuredName                     string
	InsuredNameKana                 string `xml:",omitempty" json:",omitempty"`
	Sex                             string
	Birthdate                       string
	Address                         string `xml:",omitempty" json:",omitempty"`
	PostNumber                      string `xml:",omitempty" json:",omitempty"`
	QualificationDate               string
	DisqualificationDate            string `xml:",omitempty" json:",omitempty"`
	InsuredPartialContributionRatio string `xml:",omitempty" json:",omitempty"` // percent, 3 digits: 1割 = 010
	// ElderlyRecipientCertificateInfo is the 高齢受給者証 (70–74), nil for others.
	ElderlyRecipientCertificateInfo *ElderlyRecipientCertificateInfo `xml:",omitempty" json:",omitempty"`
	// LimitApplicationCertificateRelatedInfo is the 限度額適用認定証, given only
	// with the holder's consent.
	LimitApplicationCertificateRelatedInfo *LimitApplicationCertificateRelatedInfo `xml:",omitempty" json:",omitempty"`
	SpecificDiseases                       []string                                `xml:"SpecificDiseaseCertificateList>SpecificDiseaseCertificateInfo,omitempty" json:",omitempty"`
	Consent                                *ConsentState                           `xml:",omitempty" json:",omitempty"`
}

// ElderlyRecipientCertificateInfo is a 高齢受給者証: its dates and 負担割合.
type ElderlyRecipientCertificateInfo struct {
	ElderlyRecipientCertificateDate   string `xml:",omitempty" json:",omitempty"` // 交付年月日
	ElderlyRecipientValidStartDate    string `xml:",omitempty" json:",omitempty"`
	ElderlyRecipientValidEndDate      string `xml:",omitempty" json:",omitempty"`
	ElderlyRecipientContributionRatio string `xml:",omitempty" json:",omitempty"` // percent, 3 digits
}

// LimitApplicationCertificateRelatedInfo is a 限度額適用認定証.
type LimitApplicationCertificateRelatedInfo struct {
	LimitApplicationCertificateClassification     string `xml:",omitempty" json:",omitempty"` // 01–03
	LimitApplicationCertificateClassificationFlag string `xml:",omitempty" json:",omitempty"` // 適用区分, e.g. "A03"
	LimitApplicationCertificateDate               string `xml:",omitempty" json:",omitempty"`
	LimitApplicationCertificateValidStartDate     string `xml:",omitempty" json:",omitempty"`
	LimitApplicationCertificateValidEndDate       string `xml:",omitempty" json:",omitempty"`
	LimitApplicationCertificateLongTermDate       string `xml:",omitempty" json:",omitempty"`
}

// ConsentState is the holder's latest consent at this institution.
type ConsentState struct {
	SpecificHealthCheckupsInfoConsFlg  string
	SpecificHealthCheckupsInfoConsTime string `xml:",omitempty" json:",omitempty"`
	PharmacistsInfoConsFlg             string
	PharmacistsInfoConsTime            string `xml:",omitempty" json:",omitempty"`
	MedicalTreatmentInfoConsFlg        string
	MedicalTreatmentInfoConsTime       string `xml:",omitempty" json:",omitempty"`
	OperationInfoConsFlg               string
	OperationInfoConsTime              string `xml:",omitempty" json:",omitempty"`
}
