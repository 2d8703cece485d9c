package reception

import (
	"encoding/xml"
	"errors"
	"fmt"
)

// Document is one result file: XmlMsg > MessageHeader + MessageBody >
// ResultList > exactly one ResultOfQualificationConfirmation. Element names
// and order follow the qualification terminal's files as the reference
// readers know them. Empty optional elements are left out; the elements a
// reader requires (ResultOfQualificationConfirmation's
// InsuredCardClassification, Name, Sex1, Birthdate, InsurerName,
// QualificationDate) are always written, empty when unknown.
type Document struct {
	XMLName xml.Name      `xml:"XmlMsg"`
	Header  MessageHeader `xml:"MessageHeader"`
	Body    MessageBody   `xml:"MessageBody"`
}

// MessageHeader is the file's header.
type MessageHeader struct {
	ProcessExecutionTime          string // YYYYMMDDHHMMSS
	QualificationConfirmationDate string // YYYYMMDD
	MedicalInstitutionCode        string
	ArbitraryFileIdentifier       string `xml:",omitempty"`
	ReferenceClassification       string
	SegmentOfResult               string
	ErrorCode                     string `xml:",omitempty"`
	ErrorMessage                  string `xml:",omitempty"`
	CharacterCodeIdentifier       string
}

// MessageBody is the file's body.
type MessageBody struct {
	ProcessingResultStatus         string
	ProcessingResultCode           string      `xml:",omitempty"`
	ProcessingResultMessage        string      `xml:",omitempty"`
	QualificationValidity          string      `xml:",omitempty"`
	PrescriptionIssueSelect        string      `xml:",omitempty"`
	QualificationConfirmSearchInfo *SearchInfo `xml:",omitempty"`
	// Result is the one result item; a struct, not a list, so a document
	// cannot hold none or two.
	Result Result `xml:"ResultList>ResultOfQualificationConfirmation"`
}

// SearchInfo echoes what a check by insured number asked for (res/ only).
type SearchInfo struct {
	InsurerNumber                             string
	InsuredCardSymbol                         string `xml:",omitempty"`
	InsuredIdentificationNumber               string
	InsuredBranchNumber                       string `xml:",omitempty"`
	Birthdate                                 string
	LimitApplicationCertificateRelatedConsFlg string
	ArbitraryIdentifier                       string `xml:",omitempty"`
}

// Result is ResultOfQualificationConfirmation. Every consent flag sits
// directly in it, each with its time.
type Result struct {
	InsuredCardClassification   string
	InsurerNumber               string `xml:",omitempty"`
	InsuredCardSymbol           string `xml:",omitempty"`
	InsuredIdentificationNumber string `xml:",omitempty"`
	InsuredBranchNumber         string `xml:",omitempty"`
	// ReferenceNumber is the clinic's own patient number (照会番号,
	// 診察券番号) when it registered one with the eligibility system. The
	// reference readers do not name this element: MC ignores it and OD
	// reads elements only by the names it knows, so either reads the file
	// as before (docs/reception-files.md).
	ReferenceNumber                 string `xml:",omitempty"`
	PersonalFamilyClassification    string `xml:",omitempty"`
	InsuredName                     string `xml:",omitempty"` // 被保険者氏名 (世帯主)
	Name                            string // the patient
	NameKana                        string `xml:",omitempty"` // half-width katakana, family and given name split by a space
	Sex1                            string
	Birthdate                       string
	Address                         string `xml:",omitempty"`
	PostNumber                      string `xml:",omitempty"`
	QualificationDate               string
	DisqualificationDate            string `xml:",omitempty"`
	InsuredCertificateIssuanceDate  string `xml:",omitempty"`
	InsuredCardValidDate            string `xml:",omitempty"`
	InsuredCardExpirationDate       string `xml:",omitempty"`
	InsuredPartialContributionRatio string `xml:",omitempty"` // percent, 3 digits: 1割 = 010
	PreschoolClassification         string `xml:",omitempty"`
	ReasonOfLoss                    string `xml:",omitempty"`
	InsurerName                     string

	ElderlyRecipientCertificateInfo *ElderlyRecipientCertificateInfo `xml:",omitempty"`

	LimitApplicationCertificateRelatedConsFlg  string                                  `xml:",omitempty"`
	LimitApplicationCertificateRelatedConsTime string                                  `xml:",omitempty"`
	LimitApplicationCertificateRelatedInfo     *LimitApplicationCertificateRelatedInfo `xml:",omitempty"`

	SpecificDiseasesCertificateRelatedConsFlg  string `xml:",omitempty"`
	SpecificDiseasesCertificateRelatedConsTime string `xml:",omitempty"`
	// SpecificDiseasesCertificateList is written only when the Writer is
	// asked to (WriterConfig.SpecificDiseasesList): the reference reader
	// refuses any file that has it.
	SpecificDiseasesCertificateList *SpecificDiseasesCertificateList `xml:",omitempty"`

	SpecificHealthCheckupsInfoConsFlg       string `xml:",omitempty"`
	SpecificHealthCheckupsInfoConsTime      string `xml:",omitempty"`
	SpecificHealthCheckupsInfoAvailableTime string `xml:",omitempty"`
	PharmacistsInfoConsFlg                  string `xml:",omitempty"`
	PharmacistsInfoConsTime                 string `xml:",omitempty"`
	PharmacistsInfoAvailableTime            string `xml:",omitempty"`
	DiagnosisInfoConsFlg                    string `xml:",omitempty"`
	DiagnosisInfoConsTime                   string `xml:",omitempty"`
	DiagnosisInfoAvailableTime              string `xml:",omitempty"`
	OperationInfoConsFlg                    string `xml:",omitempty"`
	OperationInfoConsTime                   string `xml:",omitempty"`
	OperationInfoAvailableTime              string `xml:",omitempty"`
}

// ElderlyRecipientCertificateInfo is the 高齢受給者証 (70–74), an element group.
type ElderlyRecipientCertificateInfo struct {
	ElderlyRecipientCertificateDate   string `xml:",omitempty"`
	ElderlyRecipientValidStartDate    string `xml:",omitempty"`
	ElderlyRecipientValidEndDate      string `xml:",omitempty"`
	ElderlyRecipientContributionRatio string `xml:",omitempty"` // percent, 3 digits
}

// LimitApplicationCertificateRelatedInfo is the 限度額適用認定証, an element group.
type LimitApplicationCertificateRelatedInfo struct {
	LimitApplicationCertificateClassification     string `xml:",omitempty"`
	LimitApplicationCertificateClassificationFlag string `xml:",omitempty"`
	LimitApplicationCertificateDate               string `xml:",omitempty"`
	LimitApplicationCertificateValidStartDate     string `xml:",omitempty"`
	LimitApplicationCertificateValidEndDate       string `xml:",omitempty"`
	LimitApplicationCertificateLongTermDate       string `xml:",omitempty"`
}

// SpecificDiseasesCertificateList holds 特定疾病療養受療証 entries.
type SpecificDiseasesCertificateList struct {
	Info []SpecificDiseasesCertificateInfo `xml:"SpecificDiseasesCertificateInfo"`
}

// SpecificDiseasesCertificateInfo is one 特定疾病療養受療証.
type SpecificDiseasesCertificateInfo struct {
	SpecificDiseasesDiseaseCategory string `xml:",omitempty"`
	SpecificDiseasesCertificateDate string `xml:",omitempty"`
	SpecificDiseasesValidStartDate  string `xml:",omitempty"`
	SpecificDiseasesValidEndDate    string `xml:",omitempty"`
	SpecificDiseasesSelfPay         string `xml:",omitempty"`
}

// ErrInvalidCode is wrapped by Validate for a value outside its code table.
var ErrInvalidCode = errors.New("reception: value outside the reference code table")

// coded lists every coded element with its table; optional ones may be empty.
func (d *Document) coded() []codedField {
	h, b, r := &d.Header, &d.Body, &d.Body.Result
	f := []codedField{
		{"ReferenceClassification", &h.ReferenceClassification, referenceClassifications, false},
		{"SegmentOfResult", &h.SegmentOfResult, segmentsOfResult, false},
		{"CharacterCodeIdentifier", &h.CharacterCodeIdentifier, characterCodes, false},
		{"ProcessingResultStatus", &b.ProcessingResultStatus, processingStatuses, false},
		{"QualificationValidity", &b.QualificationValidity, qualificationValidities, true},
		{"PrescriptionIssueSelect", &b.PrescriptionIssueSelect, prescriptionSelects, true},
		{"InsuredCardClassification", &r.InsuredCardClassification, cardClassifications, true},
		{"PersonalFamilyClassification", &r.PersonalFamilyClassification, familyClassifications, true},
		{"Sex1", &r.Sex1, sexes, false},
		{"PreschoolClassification", &r.PreschoolClassification, preschoolClassifications, true},
		{"ReasonOfLoss", &r.ReasonOfLoss, reasonsOfLoss, true},
		{"LimitApplicationCertificateRelatedConsFlg", &r.LimitApplicationCertificateRelatedConsFlg, limitConsentFlags, true},
		{"SpecificDiseasesCertificateRelatedConsFlg", &r.SpecificDiseasesCertificateRelatedConsFlg, diseasesConsentFlags, true},
		{"SpecificHealthCheckupsInfoConsFlg", &r.SpecificHealthCheckupsInfoConsFlg, infoConsentFlags, true},
		{"PharmacistsInfoConsFlg", &r.PharmacistsInfoConsFlg, infoConsentFlags, true},
		{"DiagnosisInfoConsFlg", &r.DiagnosisInfoConsFlg, infoConsentFlags, true},
		{"OperationInfoConsFlg", &r.OperationInfoConsFlg, infoConsentFlags, true},
	}
	if s := b.QualificationConfirmSearchInfo; s != nil {
		f = append(f, codedField{"QualificationConfirmSearchInfo/LimitApplicationCertificateRelatedConsFlg",
			&s.LimitApplicationCertificateRelatedConsFlg, limitConsentFlags, false})
	}
	if l := r.LimitApplicationCertificateRelatedInfo; l != nil {
		f = append(f,
			codedField{"LimitApplicationCertificateClassification", &l.LimitApplicationCertificateClassification, limitClassifications, true},
			codedField{"LimitApplicationCertificateClassificationFlag", &l.LimitApplicationCertificateClassificationFlag, limitClassificationFlags, true})
	}
	if l := r.SpecificDiseasesCertificateList; l != nil {
		for i := range l.Info {
			f = append(f, codedField{"SpecificDiseasesDiseaseCategory", &l.Info[i].SpecificDiseasesDiseaseCategory, diseaseCategories, true})
		}
	}
	return f
}

type codedField struct {
	name     string
	v        *string
	table    codeSet
	optional bool
}

// Validate checks every coded element against the reference's tables.
func (d *Document) Validate() error {
	for _, f := range d.coded() {
		if *f.v == "" && f.optional {
			continue
		}
		if !f.table[*f.v] {
			return fmt.Errorf("%w: %s %q", ErrInvalidCode, f.name, *f.v)
		}
	}
	return nil
}

// dropInvalidCodes empties optional coded elements that hold a value outside
// their table (a reader would refuse the file) and reports how many.
func (d *Document) dropInvalidCodes() int {
	n := 0
	for _, f := range d.coded() {
		if f.optional && *f.v != "" && !f.table[*f.v] {
			*f.v = ""
			n++
		}
	}
	return n
}
