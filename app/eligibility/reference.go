package eligibility

import (
	"context"
	"fmt"
)

// The reference number (照会番号) is the facility's own patient number
// (診察券番号), registered per insured person with the eligibility system
// (OQSsiimm01req one patient, OQSmuimm01req in bulk). Every later result for
// that facility carries it back in Qualification.ReferenceNumber, so the
// reception system finds its patient without searching by name. A patient
// number is personal data: like an insured number it travels only in
// requests and results, never in a log or an error message.
const (
	PathReferenceNumber  = "/v1/reference-number"  // OQSsiimm01req: one patient
	PathReferenceNumbers = "/v1/reference-numbers" // OQSmuimm01req: in bulk
	// PathReferenceNumberDeregister forgets one number (a patient
	// unlinked their card from the facility's 診察券).
	PathReferenceNumberDeregister = "/v1/reference-number/deregister"
)

// MaxReferenceNumbersPerRequest bounds a bulk registration (the stand-in's
// limit; it keeps a request under MaxRequestBytes). A clinic migrating more
// patients sends several requests.
const MaxReferenceNumbersPerRequest = 200

// ReferenceNumberRegistrationInfo is one registration: the facility's
// number for the insured person the insured number names.
type ReferenceNumberRegistrationInfo struct {
	ReferenceNumber             string // the 診察券番号
	InsurerNumber               string
	InsuredCardSymbol           string `json:",omitempty"`
	InsuredIdentificationNumber string
	InsuredBranchNumber         string `json:",omitempty"`
}

// ReferenceNumberRequest registers one patient's number. The service
// refuses a MedicalInstitutionCode other than the kiosk certificate's.
type ReferenceNumberRequest struct {
	MedicalInstitutionCode          string
	ReferenceNumberRegistrationInfo ReferenceNumberRegistrationInfo
}

// ReferenceNumberResponse confirms one registration.
type ReferenceNumberResponse struct {
	RegisteredAt string
}

// ReferenceNumberBulkRequest registers up to MaxReferenceNumbersPerRequest
// patients' numbers at once.
type ReferenceNumberBulkRequest struct {
	MedicalInstitutionCode          string
	ReferenceNumberRegistrationInfo []ReferenceNumberRegistrationInfo
}

// ReferenceNumberBulkResponse has one unit per registration, in the
// request's order: a refused entry does not stop the others.
type ReferenceNumberBulkResponse struct {
	RegisteredAt string
	Units        []ReferenceNumberUnit
}

// Processing results of one bulk unit.
const (
	UnitRegistered = "1"
	UnitRefused    = "2"
)

// ReferenceNumberUnit is the outcome of one entry of a bulk registration.
type ReferenceNumberUnit struct {
	ProcessingResultStatus string    // UnitRegistered or UnitRefused
	Error                  *APIError `json:",omitempty"`
}

// Err is nil for a registered entry and the typed refusal otherwise
// (errors.Is against ErrReferenceNumberInvalid, ErrRecordNotFound, …).
func (u ReferenceNumberUnit) Err() error {
	switch {
	case u.ProcessingResultStatus == UnitRegistered && u.Error == nil:
		return nil
	case u.Error == nil:
		return &APIError{Status: CodeStatus[CodeInternal], Code: CodeInternal, Message: "a refused unit without a reason"}
	}
	e := *u.Error
	e.Status = CodeStatus[e.Code]
	return &e
}

// RegisterReferenceNumber registers the facility's patient number for one
// insured person (OQSsiimm01req). key names this one registration (see
// NewIdempotencyKey); "" makes a fresh one. Registering again for the same
// insured person replaces the number.
func (c *Client) RegisterReferenceNumber(ctx context.Context, key, institution string, info ReferenceNumberRegistrationInfo) (*ReferenceNumberResponse, error) {
	if key == "" {
		key = NewIdempotencyKey()
	}
	var out ReferenceNumberResponse
	req := ReferenceNumberRequest{MedicalInstitutionCode: institution, ReferenceNumberRegistrationInfo: info}
	return &out, c.post(ctx, PathReferenceNumber, key, req, &out)
}

// RegisterReferenceNumbers registers many at once (OQSmuimm01req). The
// request as a whole may be refused (a typed error); otherwise each entry
// has its own outcome in Units, in order.
func (c *Client) RegisterReferenceNumbers(ctx context.Context, key, institution string, infos []ReferenceNumberRegistrationInfo) (*ReferenceNumberBulkResponse, error) {
	if key == "" {
		key = NewIdempotencyKey()
	}
	var out ReferenceNumberBulkResponse
	req := ReferenceNumberBulkRequest{MedicalInstitutionCode: institution, ReferenceNumberRegistrationInfo: infos}
	if err := c.post(ctx, PathReferenceNumbers, key, req, &out); err != nil {
		return nil, err
	}
	if len(out.Units) != len(infos) {
		return nil, fmt.Errorf("eligibility: %s: %d units answer %d registrations", PathReferenceNumbers, len(out.Units), len(infos))
	}
	return &out, nil
}

// ReferenceNumberDeregistrationRequest makes the service forget one of the
// facility's reference numbers. A reference number names one person per
// facility, so it is all the request needs; the service refuses a
// MedicalInstitutionCode other than the kiosk certificate's.
type ReferenceNumberDeregistrationRequest struct {
	MedicalInstitutionCode string
	ReferenceNumber        string
}

// ReferenceNumberDeregistrationResponse confirms the number is forgotten:
// later results for that person carry none.
type ReferenceNumberDeregistrationResponse struct {
	DeregisteredAt string
}

// DeregisterReferenceNumber makes the service forget the facility's
// reference number (照会番号) n. key names this one de-registration (a
// retry after a lost answer gets the same answer); "" makes a fresh one. A
// number the facility has not registered is ErrReferenceNotFound.
func (c *Client) DeregisterReferenceNumber(ctx context.Context, key, institution, n string) (*ReferenceNumberDeregistrationResponse, error) {
	if key == "" {
		key = NewIdempotencyKey()
	}
	var out ReferenceNumberDeregistrationResponse
	req := ReferenceNumberDeregistrationRequest{MedicalInstitutionCode: institution, ReferenceNumber: n}
	if err := c.post(ctx, PathReferenceNumberDeregister, key, req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
