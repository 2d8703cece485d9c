package session

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/uketsuke/uketsuke/app/eligibility"
	"github.com/uketsuke/uketsuke/app/mynacard"
	"github.com/uketsuke/uketsuke/app/reception"
)

// EligibilityAdapter adapts the eligibility client (app/eligibility) to the
// session's Eligibility port, and writes one face/ file per session that
// reached the eligibility system for the clinic's reception system
// (app/reception): when the patient has made their choices, at once for an
// answer that ends the session (invalid insurance) or a failed check.
type EligibilityAdapter struct {
	Client    *eligibility.Client
	Reception *reception.Writer // nil: no result files
	// Audit hears each file written: encoding and counts (characters the
	// encoding could not hold, codes left out), never text.
	Audit reception.Recorder
	// Record is the insurance record 初回登録 links the card to; the real
	// service knows it from the insurer, the stand-in needs it given.
	Record func() eligibility.InsuranceQuery

	mu     sync.Mutex
	checks map[string]check // ticket → an answer awaiting the patient's choices
	// insured keeps a valid answer's insured number past Complete, for a
	// re-visit link the patient may consent to afterwards; until Forget.
	insured map[string]InsuredAnswer
	written []string // result files written, newest last
	unsent  []unsent // files a full disk or a missing share held back
}

// check is one answer and how the patient got it.
type check struct {
	res    *eligibility.Result
	method Method
	at     time.Time
}

// unsent is a file that could not be written yet: kept whole, written first
// once the folder is back, so nothing is lost.
type unsent struct {
	res   *eligibility.Result
	facts reception.Facts
}

// ErrNoRecord means 初回登録 was asked for without an insurance record.
var ErrNoRecord = errors.New("session: no insurance record for registration")

// ErrResultsUnwritable means the result file could not be written (a full
// disk, a share not mounted): the session stops with a staff screen and the
// file waits in memory until Flush writes it.
var ErrResultsUnwritable = errors.New("session: the result folder cannot be written")

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
		resp, err = a.checkPinless(ctx, p)
	}
	if err != nil {
		a.write(nil, reception.Facts{Method: methodOf(p.Method), At: time.Now(), Err: err})
		return Result{}, err
	}
	if resp.RegistrationRequired {
		a.remember(resp.Session, check{method: p.Method, at: time.Now()})
		return Result{Validity: ValidityUnregistered, Ticket: resp.Session}, nil
	}
	return a.result(resp.Result, resp.Session, p.Method)
}

// PreparedCheck is a PIN-less check readied before the holder was verified:
// the card's public certificate, read from the card, and the exchange up to
// the card's signature. Check finishes it.
type PreparedCheck struct {
	prep *eligibility.PinlessPrep
	cert []byte
}

// Prepare implements Preparer: the card's certificate (public) and the
// exchange opened with the service.
func (a *EligibilityAdapter) Prepare(ctx context.Context, card Card) (*PreparedCheck, error) {
	cert, err := card.AuthCertificate(ctx)
	if err != nil {
		return nil, err
	}
	prep, err := a.Client.StartPinless(ctx, extendedLink(card))
	if err != nil {
		return nil, err
	}
	return &PreparedCheck{prep: prep, cert: cert}, nil
}

// Advance implements Preparer: the institution's authentication to the card.
func (a *EligibilityAdapter) Advance(ctx context.Context, card Card, c *PreparedCheck) error {
	return a.Client.AdvancePinless(ctx, c.prep, card)
}

// checkPinless finishes a prepared check, or runs one whole: when there is
// none, or when the prepared one went stale (its relay expired while the
// patient was being matched, or another use of the card reset its state).
func (a *EligibilityAdapter) checkPinless(ctx context.Context, p Proof) (*eligibility.CardCheckResponse, error) {
	var cert []byte
	if pc := p.Prepared; pc != nil {
		resp, err := a.Client.FinishPinless(ctx, pc.prep, p.Relay, pc.cert)
		if !stale(err) {
			return resp, err
		}
		cert = pc.cert
	} else if c, ok := p.Relay.(Card); ok {
		var err error
		if cert, err = c.AuthCertificate(ctx); err != nil {
			return nil, err
		}
	}
	// Whole again, in short commands: the link may be why the first failed.
	return a.Client.CheckPinless(ctx, p.Relay, cert, extendedLink(p.Relay) && p.Prepared == nil)
}

// stale tells a prepared check that may succeed when run again whole: its
// relay expired, or the card lost the exchange's state because it was used
// for something else in between (a PIN tried before staff approved), which
// the relay guard or the card refuses.
func stale(err error) bool {
	var api *eligibility.APIError
	return errors.Is(err, mynacard.ErrRelayRefused) ||
		errors.As(err, &api) && (api.Code == eligibility.CodeRelayUnknown || api.Code == eligibility.CodeCardAuthFailed)
}

func extendedLink(card any) bool {
	r, ok := card.(LinkReporter)
	return ok && r.ExtendedLength()
}

func (a *EligibilityAdapter) Register(ctx context.Context, ticket string) (Result, error) {
	if a.Record == nil {
		return Result{}, ErrNoRecord
	}
	resp, err := a.Client.Register(ctx, actionKey("register", ticket), ticket, a.Record())
	if err != nil {
		return Result{}, err
	}
	return a.result(resp.Result, ticket, a.pending(ticket).method)
}

// Complete records the consents with the service and then writes the
// session's result file with the patient's choices.
func (a *EligibilityAdapter) Complete(ctx context.Context, ticket string, c Completion) error {
	items := c.Items
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
	if err != nil {
		return err
	}
	chk := a.take(ticket)
	if chk.res == nil {
		return fmt.Errorf("session: no eligibility answer for this session")
	}
	now := time.Now()
	given := func(x ConsentItems) reception.Consent { return reception.Consent{Given: items.Has(x), At: now} }
	return a.write(chk.res, reception.Facts{Method: methodOf(chk.method), At: chk.at, Prescription: prescriptionOf(c.Prescription),
		Consents: reception.Consents{Diagnosis: given(ConsentMedical), Drug: given(ConsentDrug),
			Surgery: given(ConsentSurgery), Checkups: given(ConsentCheckup)}})
}

// result keeps a valid answer for the patient's choices, and writes any
// other at once: the session ends there.
func (a *EligibilityAdapter) result(res *eligibility.Result, ticket string, m Method) (Result, error) {
	if res == nil {
		return Result{}, errors.New("session: eligibility answer without a result")
	}
	r := Result{Validity: validityOf(res.Body.QualificationValidity), Ticket: ticket}
	chk := check{res: res, method: m, at: time.Now()}
	if r.Validity == ValidityValid {
		a.remember(ticket, chk)
		a.keepInsured(ticket, res)
		return r, nil
	}
	if err := a.write(res, reception.Facts{Method: methodOf(m), At: chk.at}); err != nil {
		return Result{}, err
	}
	return r, nil
}

func (a *EligibilityAdapter) remember(ticket string, c check) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.checks == nil {
		a.checks = map[string]check{}
	}
	a.checks[ticket] = c
}

// Forget drops the answer of a session that ended: the patient's name and
// insurance must not outlive it.
func (a *EligibilityAdapter) Forget(ticket string) {
	a.take(ticket)
	a.mu.Lock()
	delete(a.insured, ticket)
	a.mu.Unlock()
}

// InsuredAnswer is what a valid answer says about the insured person that
// a re-visit link needs: the insured number, the birth date (the check by
// insured number asks for it) and the facility's patient number when one
// was registered (照会番号). Personal data: never logged.
type InsuredAnswer struct {
	InsurerNumber, Symbol, Number, Branch string
	Birthdate                             string // YYYYMMDD
	ReferenceNumber                       string // "" when none was registered
}

func (a *EligibilityAdapter) keepInsured(ticket string, res *eligibility.Result) {
	if len(res.Body.Qualifications) == 0 {
		return
	}
	q := res.Body.Qualifications[0]
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.insured == nil {
		a.insured = map[string]InsuredAnswer{}
	}
	a.insured[ticket] = InsuredAnswer{InsurerNumber: q.InsurerNumber, Symbol: q.InsuredCardSymbol,
		Number: q.InsuredIdentificationNumber, Branch: q.InsuredBranchNumber, Birthdate: q.Birthdate,
		ReferenceNumber: q.ReferenceNumber}
}

// Insured is the kept answer's insured person for ticket (a valid first
// visit's Result.Ticket), until Forget.
func (a *EligibilityAdapter) Insured(ticket string) (InsuredAnswer, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	i, ok := a.insured[ticket]
	return i, ok
}

func (a *EligibilityAdapter) pending(ticket string) check {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.checks[ticket]
}

func (a *EligibilityAdapter) take(ticket string) check {
	a.mu.Lock()
	defer a.mu.Unlock()
	c := a.checks[ticket]
	delete(a.checks, ticket)
	return c
}

// write writes the file, after any held back earlier; a folder error keeps
// it for Flush and reports ErrResultsUnwritable.
func (a *EligibilityAdapter) write(res *eligibility.Result, f reception.Facts) error {
	if a.Reception == nil {
		return nil
	}
	a.mu.Lock()
	a.unsent = append(a.unsent, unsent{res: res, facts: f})
	a.mu.Unlock()
	return a.Flush()
}

// Flush writes the files held back, oldest first, and says whether the
// folder still refuses them. A file face/ refuses waits in the kiosk-local
// state folder (it survives a restart); only when even that fails does it
// wait in memory.
func (a *EligibilityAdapter) Flush() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.Reception.FlushPending(); err != nil {
		return fmt.Errorf("%w: %w", ErrResultsUnwritable, err)
	}
	for len(a.unsent) > 0 {
		u := a.unsent[0]
		w, err := a.Reception.Write(u.res, u.facts)
		if w.Pending || err == nil {
			a.unsent = a.unsent[1:]
			w.Audit(a.Audit)
		}
		if err != nil {
			return fmt.Errorf("%w: %w", ErrResultsUnwritable, err)
		}
		a.written = append(a.written, w.Path)
	}
	return nil
}

// Unsent counts the files waiting for the folder, in memory or in the
// state folder.
func (a *EligibilityAdapter) Unsent() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	n := len(a.unsent)
	if a.Reception != nil {
		n += a.Reception.Pending()
	}
	return n
}

// Written lists the result files written so far.
func (a *EligibilityAdapter) Written() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.written...)
}

func methodOf(m Method) reception.Method {
	switch m {
	case MethodFace:
		return reception.MethodFace
	case MethodPIN:
		return reception.MethodPIN
	case MethodStaff:
		return reception.MethodStaff
	}
	return reception.MethodUnknown
}

func prescriptionOf(p Prescription) reception.Prescription {
	switch p {
	case PrescriptionPaper:
		return reception.PrescriptionPaper
	case PrescriptionElectronic:
		return reception.PrescriptionElectronic
	}
	return reception.PrescriptionUnasked
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
