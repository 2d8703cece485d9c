package onshi

import (
	"context"
	"database/sql"
	"errors"

	"github.com/uketsuke/uketsuke/app/eligibility"
)

// MaxReferenceNumberLength is the stand-in's limit on a reference number
// (照会番号). The national specification's exact limits are not in the
// project's sources; the stand-in takes what the kiosk's own table takes
// for a 診察券番号 (revisit.PatientNumber): 1 to 32 characters, each an
// ASCII letter, digit or hyphen, so any number a clinic linked locally can
// be registered. The number is text: leading zeros are kept.
const MaxReferenceNumberLength = 32

// checkReferenceNumber applies the stand-in's limits. The message never
// repeats the number: it is personal data and error messages reach logs.
func checkReferenceNumber(v string) error {
	if v == "" || len(v) > MaxReferenceNumberLength {
		return fail(eligibility.CodeReferenceInvalid, "ReferenceNumber must be 1-%d characters", MaxReferenceNumberLength)
	}
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c >= '0' && c <= '9', c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c == '-':
		default:
			return fail(eligibility.CodeReferenceInvalid, "ReferenceNumber takes ASCII letters, digits and hyphens only")
		}
	}
	return nil
}

// checkRegistration validates one entry: the reference number and the
// insured number it is for.
func checkRegistration(info eligibility.ReferenceNumberRegistrationInfo) error {
	if err := checkReferenceNumber(info.ReferenceNumber); err != nil {
		return err
	}
	return validateInsured(info.InsurerNumber, info.InsuredCardSymbol, info.InsuredIdentificationNumber, info.InsuredBranchNumber)
}

// checkInstitution: the request's facility must be the kiosk's own (its
// certificate's), so one facility can never register for another.
func checkInstitution(k kiosk, code string) error {
	if err := checkDigits("MedicalInstitutionCode", code, 10, 10); err != nil {
		return err
	}
	if code != k.Institution {
		return fail(eligibility.CodeInstitutionMismatch, "MedicalInstitutionCode is not the one of the kiosk's certificate")
	}
	return nil
}

// handleReferenceNumber is OQSsiimm01req: one registration.
func (s *Server) handleReferenceNumber(r *request) (int, any, error) {
	s.disclosed(r)
	var req eligibility.ReferenceNumberRequest
	if err := decode(r.body, &req); err != nil {
		return 0, nil, err
	}
	if err := checkInstitution(r.kiosk, req.MedicalInstitutionCode); err != nil {
		return 0, nil, err
	}
	if err := checkRegistration(req.ReferenceNumberRegistrationInfo); err != nil {
		return 0, nil, err
	}
	return s.once(r, func(tx *sql.Tx) (any, error) {
		if err := s.registerReference(r.ctx, tx, r.kiosk.Institution, req.ReferenceNumberRegistrationInfo); err != nil {
			return nil, err
		}
		return eligibility.ReferenceNumberResponse{RegisteredAt: rfc3339(s.cfg.Now())}, nil
	})
}

// handleReferenceNumbers is OQSmuimm01req: many registrations in one
// transaction, each with its own outcome. A refused entry is answered in
// its unit; only a failure of the service itself undoes the others.
func (s *Server) handleReferenceNumbers(r *request) (int, any, error) {
	s.disclosed(r)
	var req eligibility.ReferenceNumberBulkRequest
	if err := decode(r.body, &req); err != nil {
		return 0, nil, err
	}
	if err := checkInstitution(r.kiosk, req.MedicalInstitutionCode); err != nil {
		return 0, nil, err
	}
	switch n := len(req.ReferenceNumberRegistrationInfo); {
	case n == 0:
		return 0, nil, fail(eligibility.CodeMalformed, "no ReferenceNumberRegistrationInfo")
	case n > eligibility.MaxReferenceNumbersPerRequest:
		return 0, nil, fail(eligibility.CodeTooLarge, "over %d registrations in one request", eligibility.MaxReferenceNumbersPerRequest)
	}
	return s.once(r, func(tx *sql.Tx) (any, error) {
		out := eligibility.ReferenceNumberBulkResponse{RegisteredAt: rfc3339(s.cfg.Now())}
		for _, info := range req.ReferenceNumberRegistrationInfo {
			err := checkRegistration(info)
			if err == nil {
				err = s.registerReference(r.ctx, tx, r.kiosk.Institution, info)
			}
			unit, err := unitOf(err)
			if err != nil {
				return nil, err
			}
			out.Units = append(out.Units, unit)
		}
		return out, nil
	})
}

// unitOf turns an entry's refusal into its unit; any other error is the
// service's own and stops the whole request.
func unitOf(err error) (eligibility.ReferenceNumberUnit, error) {
	if err == nil {
		return eligibility.ReferenceNumberUnit{ProcessingResultStatus: eligibility.UnitRegistered}, nil
	}
	var api *eligibility.APIError
	if !errors.As(err, &api) {
		return eligibility.ReferenceNumberUnit{}, err
	}
	return eligibility.ReferenceNumberUnit{ProcessingResultStatus: eligibility.UnitRefused, Error: api}, nil
}

// registerReference stores info's reference number for the one person its
// insured number names, at institution. A reference number names one
// person per institution: it may follow that person to a new insured
// number, never be handed to someone else.
func (s *Server) registerReference(ctx context.Context, tx *sql.Tx, institution string, info eligibility.ReferenceNumberRegistrationInfo) error {
	persons, err := s.cfg.Store.personsOfInsured(ctx, info.InsurerNumber, info.InsuredCardSymbol,
		info.InsuredIdentificationNumber, info.InsuredBranchNumber)
	switch {
	case err != nil:
		return err
	case len(persons) == 0:
		return fail(eligibility.CodeRecordNotFound, "no record with this insured number")
	case len(persons) > 1:
		return fail(eligibility.CodeRecordNotLinkable, "several people hold this insured number: the insurer must correct them")
	}
	person := persons[0]
	var taken int
	err = tx.StmtContext(ctx, s.cfg.Store.w["referenceTaken"]).QueryRowContext(ctx, institution, info.ReferenceNumber, person).Scan(&taken)
	switch {
	case err == nil:
		return fail(eligibility.CodeReferenceInUse, "this facility registered the reference number for another person")
	case !errors.Is(err, sql.ErrNoRows):
		return err
	}
	_, err = tx.StmtContext(ctx, s.cfg.Store.w["referencePut"]).ExecContext(ctx, institution, info.InsurerNumber,
		info.InsuredCardSymbol, info.InsuredIdentificationNumber, info.InsuredBranchNumber, person,
		info.ReferenceNumber, rfc3339(s.cfg.Now()))
	return err
}

// handleReferenceNumberDeregister forgets one of the facility's reference
// numbers: later results for that person carry none, and forgetting it
// again is reference_number_not_found. Only the kiosk's own facility's
// numbers can be forgotten.
func (s *Server) handleReferenceNumberDeregister(r *request) (int, any, error) {
	s.disclosed(r)
	var req eligibility.ReferenceNumberDeregistrationRequest
	if err := decode(r.body, &req); err != nil {
		return 0, nil, err
	}
	if err := checkInstitution(r.kiosk, req.MedicalInstitutionCode); err != nil {
		return 0, nil, err
	}
	if err := checkReferenceNumber(req.ReferenceNumber); err != nil {
		return 0, nil, err
	}
	return s.once(r, func(tx *sql.Tx) (any, error) {
		res, err := tx.StmtContext(r.ctx, s.cfg.Store.w["referenceDelete"]).ExecContext(r.ctx, r.kiosk.Institution, req.ReferenceNumber)
		if err != nil {
			return nil, err
		}
		n, err := res.RowsAffected()
		switch {
		case err != nil:
			return nil, err
		case n == 0:
			return nil, fail(eligibility.CodeReferenceNotFound, "this facility has no such reference number registered")
		}
		return eligibility.ReferenceNumberDeregistrationResponse{DeregisteredAt: rfc3339(s.cfg.Now())}, nil
	})
}
