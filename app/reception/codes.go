package reception

// Code tables of the 資格確認結果 file, exactly as the reference reader
// (hangilc/myclinic-ts, packages/onshi-result/codes.ts; see
// docs/reception-files.md) knows them. A value outside its table makes that
// reader refuse the file, so Build drops such a value (and counts it) and
// Document.Validate refuses a document that still holds one.
var (
	referenceClassifications = set("1", "2")
	segmentsOfResult         = set("1", "2", "9")
	characterCodes           = set("0", "1")
	processingStatuses       = set("1", "2")
	qualificationValidities  = set("1", "2", "3", "4", "5")
	limitConsentFlags        = set("0", "1")
	diseasesConsentFlags     = set("0", "1", "2")
	infoConsentFlags         = set("0", "1")
	cardClassifications      = set("01", "02", "03", "04", "05", "06", "07")
	familyClassifications    = set("1", "2")
	sexes                    = set("1", "2", "3")
	limitClassifications     = set("01", "02", "03")
	limitClassificationFlags = set("A01", "A02", "A03", "A04", "A05", "A06",
		"B01", "B02", "B03", "B04", "B05", "B06", "B07", "B08", "B09", "B10")
	preschoolClassifications = set("1")
	reasonsOfLoss            = set("01", "02", "03", "99")
	prescriptionSelects      = set("1", "2")
	diseaseCategories        = set("1", "2", "3")
)

// Codes the kiosk writes.
const (
	ReferenceByCard   = "1" // マイナンバーカード
	ReferenceByNumber = "2" // 被保険者証情報 (a req/ request)

	SegmentNormal   = "1" // 正常終了
	SegmentAbnormal = "9" // 異常終了

	CharacterCodeUTF8     = "0"
	CharacterCodeShiftJIS = "1"

	StatusNormal = "1" // ProcessingResultStatus 正常終了
	StatusError  = "2" // エラー

	ValidityValid           = "1" // 有効
	ValidityInvalid         = "2" // 無効
	ValidityInvalidNewFound = "3" // 無効（新しい資格あり）
	ValidityNone            = "4" // 該当資格なし
	ValidityMultiple        = "5" // 複数該当

	SexUnset = "3" // 未設定

	PrescriptionCodeElectronic = "1" // 電子処方箋
	PrescriptionCodePaper      = "2" // 紙の処方箋
)

// Error codes of the kiosk's own error results (ErrorCode and
// ProcessingResultCode). The reference defines no format for them; these
// are uketsuke's, listed in docs/reception-files.md.
const (
	ErrorCodeUnreachable = "UK1001" // the eligibility service could not be reached
	ErrorCodeRefused     = "UK1002" // the eligibility service refused the check
	ErrorCodeNoAnswer    = "UK1003" // the service answered without a result
	ErrorCodeBadRequest  = "UK2001" // a req/ file that is not a valid request
)

type codeSet map[string]bool

func set(v ...string) codeSet {
	s := codeSet{}
	for _, x := range v {
		s[x] = true
	}
	return s
}
