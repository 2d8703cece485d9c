package session

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/uketsuke/uketsuke/app/atomicfile"
	"github.com/uketsuke/uketsuke/app/eligibility"
	"github.com/uketsuke/uketsuke/app/reception"
	"github.com/uketsuke/uketsuke/app/revisit"
	"github.com/uketsuke/uketsuke/app/secret"
)

// RevisitAdapter answers the session's Revisit port (docs/revisit.md) over
// the correspondence table (revisit.Book), the eligibility client and the
// first visit's kept answer (EligibilityAdapter), the ticket printer, the
// visit-record outbox and the certificate-status check. What names a
// patient stays here under an opaque reference until Forget; the session
// sees routes, validities and reception numbers.
type RevisitAdapter struct {
	Book        *revisit.Book
	Eligibility *EligibilityAdapter // its client, its kept answers, its face/ writer
	Rules       revisit.Rules
	Printer     revisit.Printer // nil: no printer, the number is shown on screen
	Visits      VisitRecorder   // nil: no visit-history service
	Status      CertificateChecker
	Lock        TheftLock // nil: no theft lock
	Facility    string    // 医療機関コード, for visit records and reference numbers
	Kiosk       string    // parts.kiosk_id
	ClinicName  string    // printed on the ticket
	Departments []string  // the configured 診療科; none: one counter
	// TicketDir is the 連携 folder: each ticket is also written to its
	// ticket/ folder for the reception system; "" writes none.
	TicketDir string
	Now       func() time.Time // nil: time.Now
	Log       *slog.Logger     // nil: discard; never given personal data

	mu     sync.Mutex
	kept   map[string]*recognised // ref → what the adapter knows of the card
	issued map[string]Receipt     // ref → its one receipt
	// issuing serialises Issue, so a double tap waits for the first
	// number instead of drawing a second.
	issuing sync.Mutex
}

// VisitRecorder queues a visit record durably (revisit.Sender).
type VisitRecorder interface {
	Record(ctx context.Context, r revisit.VisitRecord) error
}

// TheftLock says whether the PIN-less function is locked (the kiosk was
// carried off) until an administrator unlocks it.
type TheftLock interface{ Locked() bool }

// CertificateChecker asks the proxy CA (the eligibility system) about a
// user certificate read without a PIN (eligibility.Client).
type CertificateChecker interface {
	CertificateStatus(ctx context.Context, der []byte) (eligibility.CertStatus, error)
}

// Errors of the re-visit adapter.
var (
	// ErrCertStatusUnknown means the proxy CA could not vouch for the
	// certificate: it is not matched to a row.
	ErrCertStatusUnknown = errors.New("session: the card's certificate status is unknown")
	ErrBadCertificate    = errors.New("session: the card's certificate cannot be read")
	ErrNoInsuredAnswer   = errors.New("session: no valid eligibility answer to link the card to")
	ErrUnknownDepartment = errors.New("session: the department is not in the configuration")
)

// recognised is what the adapter keeps for one card until Forget.
type recognised struct {
	code   revisit.Code
	link   revisit.LinkID
	linked bool
	result string // the check's reference (its face/ file), for the visit record
}

var _ Revisit = (*RevisitAdapter)(nil)

// Recognise implements Revisit: the certificate without a PIN, its status,
// the converted code, the row, the check by insured number and the rules.
func (a *RevisitAdapter) Recognise(ctx context.Context, card Card) (Recognition, error) {
	if a.Lock != nil && a.Lock.Locked() {
		return Recognition{}, ErrRevisitLocked
	}
	id, err := a.checkedCard(ctx, card)
	if err != nil {
		return Recognition{}, err
	}
	defer id.Serial.Destroy()
	code, err := a.convert(id)
	if err != nil {
		return Recognition{}, err
	}
	found, err := a.Book.Find(ctx, id)
	if errors.Is(err, revisit.ErrNotLinked) || errors.Is(err, revisit.ErrReplaced) {
		return Recognition{Route: revisit.RouteUnknown, Ref: a.keep(&recognised{code: code})}, nil
	}
	if err != nil {
		return Recognition{}, err
	}
	kept := &recognised{code: code, link: found.ID, linked: true}
	validity, err := a.checkByInsurance(ctx, found.Patient, kept)
	if err != nil {
		return Recognition{}, err
	}
	route := a.Rules.Route(revisit.Visit{LastVisit: found.LastVisit, Now: a.now(), CheckPassed: validity == ValidityValid})
	r := Recognition{Route: route, Validity: validity, Ref: a.keep(kept)}
	if found.Patient.Birthdate == "" && r.Route == revisit.RouteTicket {
		r.Route = revisit.RouteDesk // no check could be made: staff look at the card
	}
	return r, nil
}

// checkedCard reads the certificate and refuses it when it expired or the
// proxy CA says it is revoked or does not know it.
func (a *RevisitAdapter) checkedCard(ctx context.Context, card Card) (revisit.CardID, error) {
	der, err := card.AuthCertificate(ctx)
	if err != nil {
		return revisit.CardID{}, err
	}
	id, notAfter, err := cardIDOf(der)
	if err != nil {
		return revisit.CardID{}, err
	}
	if a.now().After(notAfter) {
		id.Serial.Destroy()
		return revisit.CardID{}, ErrCertRevoked
	}
	if a.Status != nil {
		if err := statusErr(a.Status.CertificateStatus(ctx, der)); err != nil {
			id.Serial.Destroy()
			return revisit.CardID{}, err
		}
	}
	return id, nil
}

// statusErr turns the proxy CA's answer into the session's error: only a
// good certificate goes on. A service that cannot answer stops the
// recognition too: an unchecked certificate must not match a row.
func statusErr(st eligibility.CertStatus, err error) error {
	switch {
	case err != nil:
		return err
	case st == eligibility.CertGood:
		return nil
	case st == eligibility.CertRevoked || st == eligibility.CertExpired:
		return ErrCertRevoked
	}
	return ErrCertStatusUnknown
}

// checkByInsurance asks the eligibility system about the row's insured
// person and hands the answer to the reception system (a face/ file).
// A service that does not answer is a failed check, not a stop: the table
// works while the network is down, and the rules decide.
func (a *RevisitAdapter) checkByInsurance(ctx context.Context, p revisit.Patient, kept *recognised) (Validity, error) {
	if p.Birthdate == "" {
		return ValidityUnknown, nil
	}
	q := eligibility.InsuranceQuery{InsurerNumber: p.Insured.Insurer, InsuredCardSymbol: p.Insured.Symbol,
		InsuredIdentificationNumber: p.Insured.Number, InsuredBranchNumber: p.Insured.Branch, Birthdate: p.Birthdate}
	at := a.now()
	res, err := a.Eligibility.Client.CheckByInsurance(ctx, q)
	if err != nil {
		a.log().Warn("re-visit check by insured number failed", "fault", string(ErrCodeEligibility), "err", err)
		res = nil
	}
	// The check was by insured number: the reception format's "by number"
	// (it has no code for a re-visit's local authentication).
	name, werr := a.writeResult(res, reception.Facts{Method: reception.MethodNumber, At: at, Err: err})
	if werr != nil {
		return ValidityUnknown, werr
	}
	kept.result = name
	if res == nil {
		return ValidityUnknown, nil
	}
	return validityOf(res.Body.QualificationValidity), nil
}

// writeResult writes the face/ file through the eligibility adapter (which
// holds it back while the folder refuses it) and names the file written.
func (a *RevisitAdapter) writeResult(res *eligibility.Result, f reception.Facts) (string, error) {
	e := a.Eligibility
	if e.Reception == nil {
		return "", nil
	}
	before := len(e.Written())
	if err := e.write(res, f); err != nil {
		return "", err
	}
	if w := e.Written(); len(w) > before {
		return filepath.Base(w[len(w)-1]), nil
	}
	return "", nil
}

// Link implements Revisit: the card to the insured person of the session's
// valid answer; a renewed card's row is relinked.
func (a *RevisitAdapter) Link(ctx context.Context, card Card, ticket string) error {
	ans, ok := a.Eligibility.Insured(ticket)
	if !ok {
		return ErrNoInsuredAnswer
	}
	id, err := a.cardID(ctx, card)
	if err != nil {
		return err
	}
	defer id.Serial.Destroy()
	p := revisit.Patient{Insured: revisit.InsuredNumber{Insurer: ans.InsurerNumber, Symbol: ans.Symbol,
		Number: ans.Number, Branch: ans.Branch}, Birthdate: ans.Birthdate}
	if revisit.PatientNumber(ans.ReferenceNumber).Validate() == nil {
		p.Number = revisit.PatientNumber(ans.ReferenceNumber)
	}
	if err := a.Book.Link(ctx, id, p); err != nil && !errors.Is(err, revisit.ErrAlreadyLinked) {
		return err
	}
	found, err := a.Book.Find(ctx, id)
	if err != nil {
		return err
	}
	code, err := a.convert(id)
	if err != nil {
		return err
	}
	a.keepAs(ticket, &recognised{code: code, link: found.ID, linked: true})
	if found.Patient.Number != "" && string(found.Patient.Number) != ans.ReferenceNumber {
		a.registerReference(ctx, found.Patient)
	}
	return nil
}

// registerReference registers a row's patient number (an import's) with
// the eligibility system, so later answers carry it (照会番号). A failure
// does not undo the link: it is logged without personal data, and the
// next link of the card, or the administrator's bulk registration, tries
// again.
func (a *RevisitAdapter) registerReference(ctx context.Context, p revisit.Patient) {
	info := eligibility.ReferenceNumberRegistrationInfo{ReferenceNumber: string(p.Number),
		InsurerNumber: p.Insured.Insurer, InsuredCardSymbol: p.Insured.Symbol,
		InsuredIdentificationNumber: p.Insured.Number, InsuredBranchNumber: p.Insured.Branch}
	if _, err := a.Eligibility.Client.RegisterReferenceNumber(ctx, "", a.Facility, info); err != nil {
		a.log().Warn("reference number not registered", "fault", "revisit.reference_number", "err", err)
	}
}

// Unlink implements Revisit: the card's row and its history are erased,
// once the Book has de-registered its patient number.
func (a *RevisitAdapter) Unlink(ctx context.Context, card Card) error {
	id, err := a.cardID(ctx, card)
	if err != nil {
		return err
	}
	defer id.Serial.Destroy()
	err = a.Book.Unlink(ctx, id)
	if errors.Is(err, revisit.ErrReferenceKept) {
		a.log().Warn("card not unlinked: the eligibility system still holds its patient number", "fault", "revisit.reference_kept", "err", err)
	}
	return err
}

// Issue implements Revisit: one number per request ref, printed, recorded
// for the re-visit rules, queued for the visit-history service and written
// for the reception system.
func (a *RevisitAdapter) Issue(ctx context.Context, req TicketRequest) (Receipt, error) {
	a.issuing.Lock()
	defer a.issuing.Unlock()
	if r, ok := a.receipt(req.Ref); ok {
		return r, nil
	}
	dept, err := a.department(req.Department)
	if err != nil {
		return Receipt{}, err
	}
	ticket := revisit.Ticket{Number: 1, Department: req.Department, Issued: a.now(), ClinicName: a.ClinicName}
	if err := ticket.Validate(); err != nil {
		return Receipt{}, err
	}
	if ticket.Number, err = a.Book.NextTicket(ctx, dept); err != nil {
		return Receipt{}, err
	}
	receipt := Receipt{Number: ticket.Number}
	if a.Printer != nil {
		if err := a.Printer.Print(ctx, ticket); err != nil {
			receipt.PrintErr = printErrCode(err)
			a.log().Warn("ticket not printed", "fault", string(receipt.PrintErr), "number", ticket.Number, "err", err)
		} else {
			receipt.Printed = true
		}
	}
	a.mu.Lock()
	if a.issued == nil {
		a.issued = map[string]Receipt{}
	}
	a.issued[req.Ref] = receipt
	kept := a.kept[req.Ref]
	a.mu.Unlock()
	a.afterIssue(ctx, req, ticket, dept, kept)
	return receipt, nil
}

// afterIssue does what follows an issued number; none of it takes the
// number back, so failures are logged (without personal data).
func (a *RevisitAdapter) afterIssue(ctx context.Context, req TicketRequest, t revisit.Ticket, dept revisit.Department, kept *recognised) {
	result := ""
	if kept != nil {
		result = kept.result
		if kept.linked {
			if err := a.Book.RecordVisit(ctx, kept.link); err != nil {
				a.log().Warn("visit not recorded in the table", "err", err)
			}
		}
		if err := a.recordVisit(ctx, req, t, dept, kept); err != nil {
			a.log().Warn("visit record not queued", "fault", "revisit.visit_record", "err", err)
		}
	}
	if err := a.writeTicket(t, dept, result); err != nil {
		a.log().Warn("ticket file not written", "fault", string(ErrCodeResults), "err", err)
	}
}

func (a *RevisitAdapter) recordVisit(ctx context.Context, req TicketRequest, t revisit.Ticket, dept revisit.Department, kept *recognised) error {
	if a.Visits == nil {
		return nil
	}
	result := kept.result
	if result == "" && req.Ref != "" && req.Method != MethodLocal {
		result = req.Ref // a first visit: the eligibility service's reference
	}
	r, err := revisit.NewVisitRecord(revisit.VisitRecord{Facility: a.Facility, Kiosk: a.Kiosk, Time: t.Issued,
		Code: kept.code, Auth: authOf(req.Method), EligibilityResult: resultID(result), Department: dept, Reception: t.Number})
	if err != nil {
		return err
	}
	return a.Visits.Record(ctx, r)
}

// TicketFolder is where the reception system finds each ticket, beside
// face/ (reception's retention deletes this kiosk's old ones).
const TicketFolder = reception.TicketFolder

// ticketFile is a ticket as the reception system reads it: no personal
// data; the face/ file of the same visit names the patient.
type ticketFile struct {
	Version    int    `json:"v"`
	Facility   string `json:"facility"`
	Kiosk      string `json:"kiosk"`
	Number     int    `json:"number"`
	Department string `json:"department,omitempty"`
	Issued     string `json:"issued"`
	FaceFile   string `json:"face_file,omitempty"`
}

func (a *RevisitAdapter) writeTicket(t revisit.Ticket, dept revisit.Department, faceFile string) error {
	if a.TicketDir == "" {
		return nil
	}
	dir := filepath.Join(a.TicketDir, TicketFolder)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	data, err := json.Marshal(ticketFile{Version: 1, Facility: a.Facility, Kiosk: a.Kiosk, Number: t.Number,
		Department: t.Department, Issued: t.Issued.Format(time.RFC3339), FaceFile: faceFile})
	if err != nil {
		return err
	}
	_, err = atomicfile.Create(dir, reception.TicketName(a.Kiosk, t.Issued, string(dept), t.Number), data, 0o640)
	return err
}

// Forget implements Revisit.
func (a *RevisitAdapter) Forget(ref string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.kept, ref)
	delete(a.issued, ref)
}

func (a *RevisitAdapter) receipt(ref string) (Receipt, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	r, ok := a.issued[ref]
	return r, ok && ref != ""
}

// keep stores r under a fresh random reference.
func (a *RevisitAdapter) keep(r *recognised) string {
	var b [16]byte
	rand.Read(b[:])
	ref := "rv-" + hex.EncodeToString(b[:])
	a.keepAs(ref, r)
	return ref
}

func (a *RevisitAdapter) keepAs(ref string, r *recognised) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.kept == nil {
		a.kept = map[string]*recognised{}
	}
	a.kept[ref] = r
}

// cardID reads the card's certificate for a link or an unlink (the first
// visit verified the holder; no status check is needed for that).
func (a *RevisitAdapter) cardID(ctx context.Context, card Card) (revisit.CardID, error) {
	return ReadCardID(ctx, card)
}

// ReadCardID reads what the table knows a card by from its certificate
// (public, no PIN): the issuer and, in locked memory, the serial. The
// caller destroys the serial.
func ReadCardID(ctx context.Context, card Card) (revisit.CardID, error) {
	der, err := card.AuthCertificate(ctx)
	if err != nil {
		return revisit.CardID{}, err
	}
	id, _, err := cardIDOf(der)
	return id, err
}

// convert makes the card's code under the current key, for the visit record.
func (a *RevisitAdapter) convert(id revisit.CardID) (revisit.Code, error) {
	return a.Book.Convert(id)
}

// department checks the requested 診療科 against the configuration and
// gives its counter's code.
func (a *RevisitAdapter) department(name string) (revisit.Department, error) {
	if name == "" && len(a.Departments) == 0 {
		return "", nil
	}
	for _, d := range a.Departments {
		if d == name {
			return DepartmentCode(name), nil
		}
	}
	return "", ErrUnknownDepartment
}

// DepartmentCode is a configured 診療科's counter code: a short hash of its
// name, so reordering the list does not restart anyone's numbering.
func DepartmentCode(name string) revisit.Department {
	sum := sha256.Sum256([]byte(name))
	return revisit.Department("d-" + hex.EncodeToString(sum[:8]))
}

func (a *RevisitAdapter) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

func (a *RevisitAdapter) log() *slog.Logger {
	if a.Log != nil {
		return a.Log
	}
	return slog.New(slog.DiscardHandler)
}

func authOf(m Method) revisit.AuthMethod {
	switch m {
	case MethodFace:
		return revisit.AuthFace
	case MethodPIN:
		return revisit.AuthPIN
	case MethodStaff:
		return revisit.AuthStaff
	}
	return revisit.AuthPinless
}

// resultID keeps a reference the visit record can carry, or none.
func resultID(s string) string {
	if len(s) > 64 {
		return ""
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r == '.' || r == '_' || r == ':' || r == '-') {
			return ""
		}
	}
	return s
}

// printErrCode is a failed print as Receipt.PrintErr carries it (the
// number was still issued): a cover left open and any other fault are
// printer.fault, since the screen says the same for each; the log names
// the cause.
func printErrCode(err error) ErrorCode {
	switch {
	case errors.Is(err, revisit.ErrPaperOut):
		return ErrCodePrinterPaperOut
	case errors.Is(err, revisit.ErrOffline):
		return ErrCodePrinterOffline
	}
	return ErrCodePrinterFault
}

// cardIDOf reads the issuer's name, the serial and the end of validity
// from the certificate's DER without math/big, so the serial goes from
// the DER straight into locked memory. (The DER itself is the card's
// public certificate, read and kept by the card adapter anyway.)
func cardIDOf(der []byte) (revisit.CardID, time.Time, error) {
	var cert struct {
		TBS       asn1.RawValue
		Algorithm asn1.RawValue
		Signature asn1.RawValue
	}
	if rest, err := asn1.Unmarshal(der, &cert); err != nil || len(rest) != 0 {
		return revisit.CardID{}, time.Time{}, ErrBadCertificate
	}
	var f [5]asn1.RawValue // version (optional), serial, algorithm, issuer, validity
	rest := cert.TBS.Bytes
	for i := 0; i < len(f); i++ {
		var err error
		if rest, err = asn1.Unmarshal(rest, &f[i]); err != nil {
			return revisit.CardID{}, time.Time{}, ErrBadCertificate
		}
		if i == 0 && !(f[0].Class == asn1.ClassContextSpecific && f[0].Tag == 0) {
			f[1], i = f[0], 1 // no version field
		}
	}
	serial, issuer, validity := f[1], f[3], f[4]
	if serial.Tag != asn1.TagInteger || len(serial.Bytes) == 0 || issuer.Tag != asn1.TagSequence || validity.Tag != asn1.TagSequence {
		return revisit.CardID{}, time.Time{}, ErrBadCertificate
	}
	var times struct{ NotBefore, NotAfter time.Time }
	if _, err := asn1.Unmarshal(validity.FullBytes, &times); err != nil {
		return revisit.CardID{}, time.Time{}, ErrBadCertificate
	}
	buf, err := secret.New(len(serial.Bytes))
	if err != nil {
		return revisit.CardID{}, time.Time{}, err
	}
	copy(buf.Bytes(), serial.Bytes)
	return revisit.CardID{IssuerDN: append([]byte(nil), issuer.FullBytes...), Serial: buf}, times.NotAfter, nil
}
