package reception

import (
	"fmt"
	"time"

	"github.com/uketsuke/uketsuke/app/eligibility"
	"github.com/uketsuke/uketsuke/app/reception"
)

// Case is one session's outcome as the kiosk hands it to the face/ writer:
// the eligibility answer (nil when the service was down) and the session's
// facts. Cases cover every kind of result a clinic must be able to read.
type Case struct {
	Name   string
	Result *eligibility.Result
	Facts  reception.Facts
}

// CaseTime is the clock of the cases: 2026-06-01 10:00 JST.
var CaseTime = time.Date(2026, 6, 1, 10, 0, 0, 0, time.FixedZone("JST", 9*3600))

// Institution is the cases' MedicalInstitutionCode.
const Institution = "1312345678"

type person struct {
	name, kana, sex, birth string
}

func answer(validity string, qs ...eligibility.Qualification) *eligibility.Result {
	return &eligibility.Result{
		Header: eligibility.Header{ProcessExecutionTime: CaseTime.Format("20060102150405"),
			QualificationConfirmationDate: CaseTime.Format("20060102"), MedicalInstitutionCode: Institution,
			ReferenceClassification: eligibility.ReferenceByCard, SegmentOfResult: eligibility.SegmentNormal,
			CharacterCodeIdentifier: eligibility.CharacterCodeUTF8},
		Body: eligibility.Body{ProcessingResultStatus: "1", QualificationValidity: validity, AuthMethod: eligibility.AuthPinless,
			Qualifications: qs},
	}
}

func record(p person, insurer, insurerName, symbol, number, branch, family, ratio string) eligibility.Qualification {
	return eligibility.Qualification{InsuredCardClassification: "01", InsurerNumber: insurer, InsuredCardSymbol: symbol,
		InsuredIdentificationNumber: number, InsuredBranchNumber: branch, PersonalFamilyClassification: family,
		InsurerName: insurerName, InsuredName: p.name, InsuredNameKana: p.kana, Sex: p.sex, Birthdate: p.birth,
		Address: "東京都千代田区霞が関二丁目1番2号", PostNumber: "1000013", QualificationDate: "20100401",
		InsuredPartialContributionRatio: ratio}
}

// consents: every consent asked a few seconds before the file; the four
// information consents take the pattern "dpsc" (1 given, 0 refused).
func consents(pattern string, at time.Time) reception.Consents {
	c := func(i int) reception.Consent { return reception.Consent{Given: pattern[i] == '1', At: at} }
	return reception.Consents{Diagnosis: c(0), Drug: c(1), Surgery: c(2), Checkups: c(3),
		Limit: reception.Consent{Given: false, At: at}, Diseases: reception.Consent{Given: false, At: at}}
}

// Cases returns every case of issue 13: 社保 本人 (with the clinic's
// reference number) and 家族, 国保, 後期高齢
// 1/2/3割, 70–74 with 高齢受給者証, 限度額 consent, 特定疾病 consent, 資格喪失,
// 無効（新しい資格あり）, the service down, and a name with 𠮷 and 髙.
func Cases() []Case {
	at := CaseTime.Add(-10 * time.Second)
	ichiro := person{"架空　一郎", "カクウ　イチロウ", "1", "19800217"}
	hanako := person{"架空　花子", "かくう　はなこ", "2", "19830905"}
	jiro := person{"見本　次郎", "ミホン　ジロウ", "1", "19540110"}
	var out []Case
	add := func(name string, res *eligibility.Result, f reception.Facts) {
		if f.At.IsZero() {
			f.At = CaseTime
		}
		out = append(out, Case{Name: name, Result: res, Facts: f})
	}
	// The clinic registered its 診察券番号 for 一郎 (照会番号): the answer carries it.
	honnin := record(ichiro, "06139999", "架空健康保険組合", "1234", "56", "00", "1", "030")
	honnin.ReferenceNumber = "0004711"
	add("shaho-honnin", answer("1", honnin),
		reception.Facts{Method: reception.MethodFace, Consents: consents("1111", at), Prescription: reception.PrescriptionElectronic})
	add("shaho-kazoku", answer("1", record(hanako, "06139999", "架空健康保険組合", "1234", "56", "01", "2", "030")),
		reception.Facts{Method: reception.MethodPIN, Consents: consents("1010", at), Prescription: reception.PrescriptionPaper})
	add("kokuho", answer("1", record(jiro, "138999", "八王子市", "八王子", "7654321", "", "1", "030")),
		reception.Facts{Method: reception.MethodFace, Consents: consents("0000", at), Prescription: reception.PrescriptionPaper})
	for i, ratio := range []string{"010", "020", "030"} {
		p := person{fmt.Sprintf("後期　%s子", []string{"一", "二", "三"}[i]), "コウキ　" + []string{"イチコ", "ニコ", "サンコ"}[i], "2", "19460315"}
		q := record(p, "39139999", "東京都後期高齢者医療広域連合", "", fmt.Sprintf("1234567%d", i), "", "1", ratio)
		add(fmt.Sprintf("kouki-%dwari", i+1), answer("1", q),
			reception.Facts{Method: reception.MethodFace, Consents: consents("1100", at), Prescription: reception.PrescriptionElectronic})
	}
	elder := record(person{"高齢　受給", "コウレイ　ジュキュウ", "1", "19540601"}, "06139999", "架空健康保険組合", "1234", "78", "00", "1", "020")
	elder.ElderlyRecipientCertificateInfo = &eligibility.ElderlyRecipientCertificateInfo{ElderlyRecipientCertificateDate: "20240501",
		ElderlyRecipientValidStartDate: "20240601", ElderlyRecipientValidEndDate: "20290531", ElderlyRecipientContributionRatio: "020"}
	add("elderly-70-74", answer("1", elder),
		reception.Facts{Method: reception.MethodFace, Consents: consents("1111", at), Prescription: reception.PrescriptionElectronic})

	limit := record(ichiro, "06139999", "架空健康保険組合", "1234", "56", "00", "1", "030")
	limit.LimitApplicationCertificateRelatedInfo = &eligibility.LimitApplicationCertificateRelatedInfo{
		LimitApplicationCertificateClassification: "01", LimitApplicationCertificateClassificationFlag: "A03",
		LimitApplicationCertificateDate: "20260401", LimitApplicationCertificateValidStartDate: "20260401",
		LimitApplicationCertificateValidEndDate: "20270331"}
	f := reception.Facts{Method: reception.MethodFace, Consents: consents("1111", at), Prescription: reception.PrescriptionElectronic}
	f.Consents.Limit = reception.Consent{Given: true, At: at}
	add("limit-consent", answer("1", limit), f)

	dis := record(jiro, "138999", "八王子市", "八王子", "7654321", "", "1", "030")
	dis.SpecificDiseases = []string{"人工透析を要する慢性腎不全"}
	f = reception.Facts{Method: reception.MethodPIN, Consents: consents("1111", at), Prescription: reception.PrescriptionPaper}
	f.Consents.Diseases = reception.Consent{Given: true, At: at}
	add("diseases-consent", answer("1", dis), f)

	lost := record(hanako, "06139999", "架空健康保険組合", "1234", "56", "01", "2", "030")
	lost.DisqualificationDate = "20250331"
	add("invalid-lost", answer(eligibility.ValidityInvalid, lost),
		reception.Facts{Method: reception.MethodFace, Consents: consents("0000", at)})

	old := record(ichiro, "06139999", "架空健康保険組合", "1234", "56", "00", "1", "030")
	old.DisqualificationDate = "20250331"
	newer := record(ichiro, "01130012", "架空協会けんぽ", "5555", "99", "00", "1", "030")
	newer.QualificationDate = "20250401"
	add("invalid-new", answer(eligibility.ValidityInvalidNewExists, old, newer),
		reception.Facts{Method: reception.MethodFace, Consents: consents("1111", at)})

	add("service-down", nil, reception.Facts{Method: reception.MethodFace,
		Err:   fmt.Errorf("%w: /v1/eligibility/card after 3 attempts", eligibility.ErrTransport),
		Known: reception.Patient{Name: ichiro.name, Kana: ichiro.kana, Sex: ichiro.sex, Birthdate: ichiro.birth}})

	add("gaiji-name", answer("1", record(person{"𠮷田　髙子", "ヨシダ　タカコ", "2", "19900101"}, "06139999", "架空健康保険組合", "1234", "90", "00", "1", "030")),
		reception.Facts{Method: reception.MethodFace, Consents: consents("1111", at), Prescription: reception.PrescriptionElectronic})
	return out
}
