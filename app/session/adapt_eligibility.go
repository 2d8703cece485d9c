package session

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"sync"

	"github.com/uketsuke/uketsuke/app/eligibility"
)

// EligibilityAdapter adapts the eligibility client (app/eligibility) to the
// session's Eligibility port, and hands every result to the writer for the
// reception system.
type EligibilityAdapter struct {
	Client *eligibility.Client
	Writer *eligibility.Writer // nil: no result files
	// Record is the insurance record 初回登録 links the card to; the real
	// service knows it from the insurer, the stand-in needs it given.
	Record func() eligibility.InsuranceQuery

	mu      sync.Mutex
	written []string // result files written, newest last
}

// ErrNoRecord means 初回登録 was asked for without an insurance record.
var ErrNoRecord = errors.New("session: no insurance record for registration")

func (a *EligibilityAdapter) Challenge(ctx context.Context) (Challenge, error) {
	c, err := a.Client.Challenge(ctx)
	if err != nil {
		return Challenge{}, err
	}
	return Challenge{ID: c.ChallengeID, Digest: sha256.Sum256(c.Nonce)}, nil
}

func (a *EligibilityAdapter) Check(ctx context.Context, p Proof) (Result, error) {
	var resp *eligibility.CardCheckResponse
	var err error
	if p.Method == MethodPIN {
		resp, err = a.Client.CheckByCard(ctx, eligibility.CardCheckRequest{
			ChallengeID: p.ChallengeID, Certificate: p.Certificate, Signature: p.Signature})
	} else {
		resp, err = a.Client.CheckPinless(ctx, p.Relay)
	}
	if err != nil {
		return Result{}, err
	}
	if resp.RegistrationRequired {
		return Result{Validity: ValidityUnregistered, Ticket: resp.Session}, nil
	}
	return a.result(resp.Result, resp.Session)
}

func (a *EligibilityAdapter) Register(ctx context.Context, ticket string) (Result, error) {
	if a.Record == nil {
		return Result{}, ErrNoRecord
	}
	resp, err := a.Client.Register(ctx, actionKey("register", ticket), ticket, a.Record())
	if err != nil {
		return Result{}, err
	}
	return a.result(resp.Result, ticket)
}

func (a *EligibilityAdapter) RecordConsent(ctx context.Context, ticket string, items ConsentItems) error {
	flag := func(x ConsentItems) string {
		if items.Has(x) {
			return "1"
		}
		return "0"
	}
	_, err := a.Client.RecordConsent(ctx, actionKey("consent", ticket), ticket, eligibility.Consent{
		SpecificHealthCheckupsInfoConsFlg: flag(ConsentCheckup),
		PharmacistsInfoConsFlg:            flag(ConsentDrug),
		MedicalTreatmentInfoConsFlg:       flag(ConsentMedical),
		OperationInfoConsFlg:              flag(ConsentSurgery),
	})
	return err
}

// Written lists the result files written so far.
func (a *EligibilityAdapter) Written() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.written...)
}

// result writes the file first: a check is reported only once its result
// is where the reception system will find it.
func (a *EligibilityAdapter) result(res *eligibility.Result, ticket string) (Result, error) {
	if res == nil {
		return Result{}, errors.New("session: eligibility answer without a result")
	}
	if a.Writer != nil {
		path, err := a.Writer.Write(res)
		if err != nil {
			return Result{}, err
		}
		a.mu.Lock()
		a.written = append(a.written, path)
		a.mu.Unlock()
	}
	return Result{Validity: validityOf(res.Body.QualificationValidity), Ticket: ticket}, nil
}

func validityOf(code string) Validity {
	if len(code) == 1 && code[0] >= '1' && code[0] <= '6' {
		return Validity(code[0] - '0')
	}
	return ValidityUnknown
}

// actionKey is the idempotency key of one patient action in one check: the
// same action on the same ticket, retried by the session or after a lost
// answer, is recorded once by the service.
func actionKey(action, ticket string) string {
	sum := sha256.Sum256([]byte(action + "\x00" + ticket))
	return hex.EncodeToString(sum[:16])
}
