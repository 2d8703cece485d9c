package eligibility

import (
	"errors"
	"fmt"
)

// API paths of the eligibility service.
const (
	PathChallenge        = "/v1/challenge"
	PathCheckByCard      = "/v1/eligibility/card"
	PathCheckByInsurance = "/v1/eligibility/insurance"
	PathConsent          = "/v1/consent"
	PathRegister         = "/v1/registration"
	PathPinlessStart     = "/v1/pinless/start"
	PathPinlessStep      = "/v1/pinless/step"
)

// HeaderIdempotencyKey carries the key that makes a retried request safe.
const HeaderIdempotencyKey = "Idempotency-Key"

// MaxRequestBytes is the largest request body the service accepts.
const MaxRequestBytes = 64 << 10

// ChallengeResponse is a fresh, single-use challenge for the card to sign.
type ChallengeResponse struct {
	ChallengeID string
	Nonce       []byte // the card signs SHA-256(Nonce), PKCS#1 v1.5
	ExpiresAt   string // RFC 3339
}

// CardCheckRequest proves the card holder (PIN path) and asks for eligibility.
type CardCheckRequest struct {
	ChallengeID                               string
	Certificate                               []byte // the JPKI user-authentication certificate, DER
	Signature                                 []byte // PKCS#1 v1.5 SHA-256 over the challenge nonce
	LimitApplicationCertificateRelatedConsFlg string `json:",omitempty"`
}

// CardCheckResponse answers a card check. Session authorises the consent and
// the 初回登録 of this visit; RegistrationRequired means the card is not yet
// linked to an insurance record (the kiosk offers 初回登録).
type CardCheckResponse struct {
	Session              string
	SessionExpiresAt     string
	RegistrationRequired bool    `json:",omitempty"`
	Result               *Result `json:",omitempty"`
}

// InsuranceQuery is the QualificationConfirmSearchInfo of a check by
// insurance card number.
type InsuranceQuery struct {
	InsurerNumber                             string
	InsuredCardSymbol                         string
	InsuredIdentificationNumber               string
	InsuredBranchNumber                       string
	Birthdate                                 string // YYYYMMDD
	LimitApplicationCertificateRelatedConsFlg string `json:",omitempty"`
}

// Consent is the patient's choice on the consent screen ("1" agree, "0" not).
type Consent struct {
	SpecificHealthCheckupsInfoConsFlg string
	PharmacistsInfoConsFlg            string
	MedicalTreatmentInfoConsFlg       string
	OperationInfoConsFlg              string
}

// ConsentRequest records a consent for the authenticated holder.
type ConsentRequest struct {
	Session string
	Consent Consent
}

// ConsentResponse confirms a recorded consent.
type ConsentResponse struct {
	ConsentID  int64
	RecordedAt string
	State      ConsentState
}

// RegisterRequest is 初回登録: link the authenticated card to the record
// named by the insurance card number.
type RegisterRequest struct {
	Session string
	Record  InsuranceQuery
}

// RegisterResponse confirms a registration, with the eligibility it unlocks.
type RegisterResponse struct {
	RegisteredAt string
	Result       *Result
}

// PinlessStartRequest opens a relay for 特定機関認証. It says nothing about
// the patient: only whether the kiosk's link to the card carries
// extended-length commands, so that the service can send its certificate
// and signature in one command each instead of chaining them.
type PinlessStartRequest struct {
	ExtendedLength bool `json:",omitempty"`
}

// PinlessStartResponse opens a relay for 特定機関認証: the kiosk sends each
// command to the card in order and returns every response.
type PinlessStartResponse struct {
	RelayID  string
	Commands [][]byte
}

// PinlessStepRequest returns the card's responses to the last batch. The
// answers to a batch that came with Final commands are held back by the
// kiosk and sent with the Final commands' answers and the card's
// certificate, in the one request that identifies the patient, which the
// kiosk makes only after it has verified the holder.
type PinlessStepRequest struct {
	RelayID     string
	Responses   [][]byte
	Certificate []byte `json:",omitempty"`
}

// PinlessStepResponse is the next batch or, when Done, the outcome. Final
// commands (the card's signature) are relayed only once the holder is
// verified; Commands may be relayed at once.
type PinlessStepResponse struct {
	Commands [][]byte           `json:",omitempty"`
	Final    [][]byte           `json:",omitempty"`
	Done     bool               `json:",omitempty"`
	Outcome  *CardCheckResponse `json:",omitempty"`
}

// ErrorResponse is the body of every failed request.
type ErrorResponse struct {
	Error APIError
}

// APIError is a failure reported by the service, with a stable code.
type APIError struct {
	Status  int `json:"-"`
	Code    string
	Message string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("eligibility service: %s (%d): %s", e.Code, e.Status, e.Message)
}

// Is makes an APIError match the sentinel of its code.
func (e *APIError) Is(target error) bool {
	return codeSentinel[e.Code] == target
}

// Error codes the service returns.
const (
	CodeMalformed           = "malformed_request"
	CodeTooLarge            = "request_too_large"
	CodeChallengeUnknown    = "challenge_unknown"
	CodeChallengeUsed       = "challenge_used"
	CodeChallengeExpired    = "challenge_expired"
	CodeBadSignature        = "bad_signature"
	CodeUntrustedCert       = "untrusted_certificate"
	CodeRevokedCert         = "revoked_certificate"
	CodeCertExpired         = "certificate_expired"
	CodeSessionInvalid      = "session_invalid"
	CodeRecordNotFound      = "record_not_found"
	CodeRecordNotLinkable   = "record_not_linkable"
	CodeCardLinkedElsewhere = "card_linked_elsewhere"
	CodeIdempotencyConflict = "idempotency_conflict"
	CodeRelayUnknown        = "relay_unknown"
	CodeCardAuthFailed      = "card_authentication_failed"
	CodeNotFound            = "not_found"
	CodeMethodNotAllowed    = "method_not_allowed"
	CodeKioskUnknown        = "kiosk_unknown"
	CodeReferenceInvalid    = "reference_number_invalid"
	CodeReferenceInUse      = "reference_number_in_use"
	CodeReferenceNotFound   = "reference_number_not_found"
	CodeInstitutionMismatch = "institution_mismatch"
	CodeInternal            = "internal_error"
)

// Sentinels for errors.Is on a returned *APIError.
var (
	ErrMalformed           = errors.New("eligibility: malformed request")
	ErrTooLarge            = errors.New("eligibility: request too large")
	ErrChallengeUnknown    = errors.New("eligibility: unknown challenge")
	ErrChallengeUsed       = errors.New("eligibility: challenge already used")
	ErrChallengeExpired    = errors.New("eligibility: challenge expired")
	ErrBadSignature        = errors.New("eligibility: card signature does not verify")
	ErrUntrustedCert       = errors.New("eligibility: certificate not issued by a trusted JPKI CA")
	ErrRevokedCert         = errors.New("eligibility: certificate revoked")
	ErrCertExpired         = errors.New("eligibility: certificate expired")
	ErrSessionInvalid      = errors.New("eligibility: session unknown or expired")
	ErrRecordNotFound      = errors.New("eligibility: no such insurance record")
	ErrRecordNotLinkable   = errors.New("eligibility: the insurer has not linked this record for card use")
	ErrCardLinkedElsewhere = errors.New("eligibility: card already linked to another holder")
	ErrIdempotencyConflict = errors.New("eligibility: idempotency key reused for a different request")
	ErrRelayUnknown        = errors.New("eligibility: unknown or expired relay")
	ErrCardAuthFailed      = errors.New("eligibility: card authentication failed")
	ErrNotFound            = errors.New("eligibility: no such endpoint")
	ErrMethodNotAllowed    = errors.New("eligibility: method not allowed")
	ErrKioskUnknown        = errors.New("eligibility: kiosk certificate lacks an institution code")
	// ErrReferenceInvalid: a reference number (診察券番号) with characters or a
	// length the service does not take.
	ErrReferenceInvalid = errors.New("eligibility: reference number not acceptable")
	// ErrReferenceInUse: the facility gave this reference number to another person.
	ErrReferenceInUse = errors.New("eligibility: reference number already used for another person")
	// ErrReferenceNotFound: the facility has no such reference number registered.
	ErrReferenceNotFound = errors.New("eligibility: reference number not registered")
	// ErrInstitutionMismatch: the request names a facility other than the kiosk's.
	ErrInstitutionMismatch = errors.New("eligibility: institution code is not the kiosk's")
	ErrInternal            = errors.New("eligibility: service internal error")
)

var codeSentinel = map[string]error{
	CodeMalformed:           ErrMalformed,
	CodeTooLarge:            ErrTooLarge,
	CodeChallengeUnknown:    ErrChallengeUnknown,
	CodeChallengeUsed:       ErrChallengeUsed,
	CodeChallengeExpired:    ErrChallengeExpired,
	CodeBadSignature:        ErrBadSignature,
	CodeUntrustedCert:       ErrUntrustedCert,
	CodeRevokedCert:         ErrRevokedCert,
	CodeCertExpired:         ErrCertExpired,
	CodeSessionInvalid:      ErrSessionInvalid,
	CodeRecordNotFound:      ErrRecordNotFound,
	CodeRecordNotLinkable:   ErrRecordNotLinkable,
	CodeCardLinkedElsewhere: ErrCardLinkedElsewhere,
	CodeIdempotencyConflict: ErrIdempotencyConflict,
	CodeRelayUnknown:        ErrRelayUnknown,
	CodeCardAuthFailed:      ErrCardAuthFailed,
	CodeNotFound:            ErrNotFound,
	CodeMethodNotAllowed:    ErrMethodNotAllowed,
	CodeKioskUnknown:        ErrKioskUnknown,
	CodeReferenceInvalid:    ErrReferenceInvalid,
	CodeReferenceInUse:      ErrReferenceInUse,
	CodeReferenceNotFound:   ErrReferenceNotFound,
	CodeInstitutionMismatch: ErrInstitutionMismatch,
	CodeInternal:            ErrInternal,
}

// CodeStatus is the HTTP status the service uses for each code.
var CodeStatus = map[string]int{
	CodeMalformed:           400,
	CodeTooLarge:            413,
	CodeChallengeUnknown:    401,
	CodeChallengeUsed:       401,
	CodeChallengeExpired:    401,
	CodeBadSignature:        401,
	CodeUntrustedCert:       401,
	CodeRevokedCert:         401,
	CodeCertExpired:         401,
	CodeSessionInvalid:      401,
	CodeRecordNotFound:      404,
	CodeRecordNotLinkable:   409,
	CodeCardLinkedElsewhere: 409,
	CodeIdempotencyConflict: 422,
	CodeRelayUnknown:        401,
	CodeCardAuthFailed:      401,
	CodeNotFound:            404,
	CodeMethodNotAllowed:    405,
	CodeKioskUnknown:        403,
	CodeReferenceInvalid:    400,
	CodeReferenceInUse:      409,
	CodeReferenceNotFound:   404,
	CodeInstitutionMismatch: 403,
	CodeInternal:            500,
}
