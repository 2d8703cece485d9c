package session_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/app/eligibility"
	"github.com/uketsuke/uketsuke/app/reception"
	"github.com/uketsuke/uketsuke/app/revisit"
	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/sim/onshi"
	"github.com/uketsuke/uketsuke/store"
)

// certCard is a card that only shows its user certificate (no PIN).
type certCard struct {
	session.Card
	der []byte
}

func (c certCard) AuthCertificate(context.Context) ([]byte, error) { return c.der, nil }

func userCert(t *testing.T, serial int64, notAfter time.Time) certCard {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "JPKI user"},
		Issuer: pkix.Name{CommonName: "JPKI user CA", Organization: []string{"J-LIS"}}, NotBefore: notAfter.AddDate(-5, 0, 0), NotAfter: notAfter}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return certCard{der: der}
}

// fakeService answers the check by insured number and the reference-number
// registration, and remembers what it was asked.
type fakeService struct {
	mu         sync.Mutex
	queries    []eligibility.InsuranceQuery
	references []eligibility.ReferenceNumberRequest
	validity   string
}

func (f *fakeService) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	defer f.mu.Unlock()
	switch r.URL.Path {
	case eligibility.PathCheckByInsurance:
		var q eligibility.InsuranceQuery
		json.Unmarshal(body, &q)
		f.queries = append(f.queries, q)
		json.NewEncoder(w).Encode(eligibility.Result{Header: eligibility.Header{MedicalInstitutionCode: "1312345678"},
			Body: eligibility.Body{ProcessingResultStatus: "1", QualificationValidity: f.validity,
				Qualifications: []eligibility.Qualification{{InsurerNumber: q.InsurerNumber, InsuredIdentificationNumber: q.InsuredIdentificationNumber,
					InsuredName: "架空 太郎", Birthdate: q.Birthdate}}}})
	case eligibility.PathReferenceNumber:
		var q eligibility.ReferenceNumberRequest
		json.Unmarshal(body, &q)
		f.references = append(f.references, q)
		json.NewEncoder(w).Encode(eligibility.ReferenceNumberResponse{RegisteredAt: "20261206090000"})
	default:
		http.NotFound(w, r)
	}
}

func (f *fakeService) asked() ([]eligibility.InsuranceQuery, []eligibility.ReferenceNumberRequest) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]eligibility.InsuranceQuery(nil), f.queries...), append([]eligibility.ReferenceNumberRequest(nil), f.references...)
}

type fakePrinter struct {
	mu      sync.Mutex
	printed []revisit.Ticket
	fault   error
}

func (p *fakePrinter) Print(_ context.Context, t revisit.Ticket) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fault != nil {
		return p.fault
	}
	p.printed = append(p.printed, t)
	return nil
}

func (p *fakePrinter) Status(context.Context) (revisit.PrinterStatus, error) {
	return revisit.PrinterStatus{}, nil
}

type fakeRecorder struct {
	mu      sync.Mutex
	records []revisit.VisitRecord
}

func (r *fakeRecorder) Record(_ context.Context, v revisit.VisitRecord) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.records = append(r.records, v)
	return nil
}

type fakeStatus struct{ status eligibility.CertStatus }

func (f *fakeStatus) CertificateStatus(context.Context, []byte) (eligibility.CertStatus, error) {
	return f.status, nil
}

type fakeLock struct{ locked bool }

func (l *fakeLock) Locked() bool { return l.locked }

type adapterRig struct {
	a       *session.RevisitAdapter
	svc     *fakeService
	printer *fakePrinter
	visits  *fakeRecorder
	status  *fakeStatus
	lock    *fakeLock
	book    *revisit.Book
	results string
	now     time.Time
}

var firstVisitAnswer = &eligibility.Result{Body: eligibility.Body{QualificationValidity: "1",
	Qualifications: []eligibility.Qualification{{InsurerNumber: "06139999", InsuredCardSymbol: "愛知",
		InsuredIdentificationNumber: "7654321", InsuredBranchNumber: "01", Birthdate: "19800101"}}}}

func newAdapterRig(t *testing.T) *adapterRig {
	t.Helper()
	ctx := context.Background()
	r := &adapterRig{svc: &fakeService{validity: "1"}, printer: &fakePrinter{}, visits: &fakeRecorder{},
		status: &fakeStatus{eligibility.CertGood}, lock: &fakeLock{},
		now: time.Date(2026, 12, 6, 9, 0, 0, 0, time.FixedZone("JST", 9*3600))}
	pki, err := onshi.NewTLSPKI("revisit-adapter")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(r.svc)
	srv.TLS = pki.ServerConfig()
	srv.StartTLS()
	t.Cleanup(srv.Close)
	kiosk, err := pki.KioskCert("kiosk-1", "1312345678")
	if err != nil {
		t.Fatal(err)
	}
	client, err := eligibility.NewClient(eligibility.Config{BaseURL: srv.URL, TLS: pki.KioskConfig(kiosk)})
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "revisit.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	codes, err := revisit.NewCodeKeys([]revisit.KeyMaterial{{ID: "code-1", Secret: []byte(strings.Repeat("c", 32))}})
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := revisit.NewSealer([]revisit.KeyMaterial{{ID: "data-1", Secret: []byte(strings.Repeat("d", 32))}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { codes.Destroy(); sealer.Destroy() })
	clock := func() time.Time { return r.now }
	r.book = revisit.NewBook(db, codes, sealer, clock)
	r.results = t.TempDir()
	writer, err := reception.NewWriter(reception.WriterConfig{Root: r.results, StateDir: t.TempDir(), KioskID: "kiosk-1",
		Institution: "1312345678", Encoding: reception.UTF8, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	r.a = &session.RevisitAdapter{Book: r.book, Eligibility: &session.EligibilityAdapter{Client: client, Reception: writer},
		Rules: revisit.Rules{LapseMonths: 6, DeskOnFailedMonthlyCheck: true}, Printer: r.printer, Visits: r.visits,
		Status: r.status, Lock: r.lock, Facility: "1312345678", Kiosk: "kiosk-1", ClinicName: "みなと内科",
		Departments: []string{"内科", "小児科"}, TicketDir: r.results, Now: clock}
	return r
}

// firstVisit links the card as a session does after a valid first visit
// and the patient's consent.
func (r *adapterRig) firstVisit(t *testing.T, card session.Card, ticket string) {
	t.Helper()
	r.a.Eligibility.KeepAnswer(ticket, firstVisitAnswer)
	if err := r.a.Link(context.Background(), card, ticket); err != nil {
		t.Fatal(err)
	}
}

// A linked card goes from its certificate to a ticket: the check by
// insured number is made with the sealed birth date, the face/ file and
// the ticket file are written, the ticket is printed once for a double
// tap, and the visit record carries the converted code.
func TestRevisitKnownCardGetsATicket(t *testing.T) {
	ctx := context.Background()
	r := newAdapterRig(t)
	card := userCert(t, 0x1234567, r.now.AddDate(4, 0, 0))
	rec, err := r.a.Recognise(ctx, card)
	if err != nil || rec.Route != revisit.RouteUnknown || rec.Ref == "" {
		t.Fatalf("unknown card: %+v, %v", rec, err)
	}
	r.a.Forget(rec.Ref)
	r.firstVisit(t, card, "elig-session-1")
	// The first visit's own ticket.
	first, err := r.a.Issue(ctx, session.TicketRequest{Ref: "elig-session-1", Method: session.MethodFace, Department: "内科"})
	if err != nil || first.Number != 1 || !first.Printed {
		t.Fatalf("first visit's ticket: %+v, %v", first, err)
	}
	r.a.Forget("elig-session-1")

	r.now = r.now.AddDate(0, 0, 7)
	rec, err = r.a.Recognise(ctx, card)
	if err != nil || rec.Route != revisit.RouteTicket || rec.Validity != session.ValidityValid {
		t.Fatalf("known card: %+v, %v", rec, err)
	}
	queries, _ := r.svc.asked()
	if len(queries) != 1 || queries[0].InsuredIdentificationNumber != "7654321" || queries[0].Birthdate != "19800101" ||
		queries[0].InsuredCardSymbol != "愛知" {
		t.Fatalf("the check by insured number: %+v", queries)
	}
	req := session.TicketRequest{Ref: rec.Ref, Method: session.MethodLocal, Department: "内科"}
	got, err := r.a.Issue(ctx, req)
	if err != nil || got.Number != 1 || !got.Printed || got.PrintErr != session.ErrCodeNone {
		t.Fatalf("issue: %+v, %v (a new day starts at 1)", got, err)
	}
	again, err := r.a.Issue(ctx, req)
	if err != nil || again != got || len(r.printer.printed) != 2 {
		t.Fatalf("a double tap: %+v, %v, %d printed", again, err, len(r.printer.printed))
	}
	if p := r.printer.printed[1]; p.Number != 1 || p.Department != "内科" || p.ClinicName != "みなと内科" {
		t.Fatalf("printed %+v", p)
	}
	if len(r.visits.records) != 2 {
		t.Fatalf("%d visit records, want 2", len(r.visits.records))
	}
	v := r.visits.records[1]
	if v.Auth != revisit.AuthPinless || v.Reception != 1 || v.Code.IsZero() || v.Code != r.visits.records[0].Code ||
		v.Department != session.DepartmentCode("内科") || !strings.HasPrefix(v.EligibilityResult, reception.FacePrefix) {
		t.Fatalf("visit record %v: auth %s, result %q", v, v.Auth, v.EligibilityResult)
	}
	if r.visits.records[0].Auth != revisit.AuthFace || r.visits.records[0].EligibilityResult != "elig-session-1" {
		t.Fatalf("first visit's record: %s %q", r.visits.records[0].Auth, r.visits.records[0].EligibilityResult)
	}
	faces, _ := filepath.Glob(filepath.Join(r.results, reception.FaceFolder, "*.xml"))
	tickets, _ := filepath.Glob(filepath.Join(r.results, session.TicketFolder, "*.json"))
	if len(faces) != 1 || len(tickets) != 2 {
		t.Fatalf("%d face files, %d ticket files", len(faces), len(tickets))
	}
	data, err := os.ReadFile(tickets[1])
	if err != nil || !strings.Contains(string(data), `"number":1`) || !strings.Contains(string(data), filepath.Base(faces[0])) ||
		strings.Contains(string(data), "7654321") {
		t.Fatalf("ticket file %s: %s, %v", tickets[1], data, err)
	}
	face, _ := os.ReadFile(faces[0])
	if !strings.Contains(string(face), "7654321") {
		t.Fatalf("the face/ file lacks the answer: %s", face)
	}
}

// A failed print keeps the number and says why; the next request gets the
// next number.
func TestRevisitPrintFaultsKeepTheNumber(t *testing.T) {
	ctx := context.Background()
	r := newAdapterRig(t)
	for i, c := range []struct {
		fault error
		code  session.ErrorCode
	}{{revisit.ErrPaperOut, "printer.paper_out"}, {revisit.ErrOffline, "printer.offline"},
		{revisit.ErrCoverOpen, "printer.fault"}, {errors.New("usb gone"), "printer.fault"}} {
		r.printer.fault = c.fault
		got, err := r.a.Issue(ctx, session.TicketRequest{Ref: fmt.Sprint("ref-", i), Method: session.MethodFace, Department: "小児科"})
		if err != nil || got.Number != i+1 || got.Printed || got.PrintErr != c.code {
			t.Errorf("%v: %+v, %v", c.fault, got, err)
		}
	}
	if _, err := r.a.Issue(ctx, session.TicketRequest{Ref: "x", Department: "眼科"}); !errors.Is(err, session.ErrUnknownDepartment) {
		t.Fatalf("a department not configured: %v", err)
	}
	r.a.Printer = nil
	if got, err := r.a.Issue(ctx, session.TicketRequest{Ref: "y", Department: "小児科"}); err != nil || got.Printed || got.PrintErr != session.ErrCodeNone || got.Number != 5 {
		t.Fatalf("no printer: %+v, %v", got, err)
	}
}

// A revoked, expired or unvouched certificate never reaches the table,
// and the theft lock stops everything.
func TestRevisitRefusesBadCertificatesAndTheLock(t *testing.T) {
	ctx := context.Background()
	r := newAdapterRig(t)
	card := userCert(t, 77, r.now.AddDate(1, 0, 0))
	r.firstVisit(t, card, "t1")
	r.status.status = eligibility.CertRevoked
	if _, err := r.a.Recognise(ctx, card); !errors.Is(err, session.ErrCertRevoked) {
		t.Fatalf("revoked: %v", err)
	}
	r.status.status = eligibility.CertExpired
	if _, err := r.a.Recognise(ctx, card); !errors.Is(err, session.ErrCertRevoked) {
		t.Fatalf("expired by the CA's clock: %v", err)
	}
	r.status.status = eligibility.CertUnknown
	if _, err := r.a.Recognise(ctx, card); !errors.Is(err, session.ErrCertStatusUnknown) {
		t.Fatalf("unknown status: %v", err)
	}
	r.status.status = eligibility.CertGood
	if _, err := r.a.Recognise(ctx, userCert(t, 78, r.now.Add(-time.Hour))); !errors.Is(err, session.ErrCertRevoked) {
		t.Fatalf("expired: %v", err)
	}
	r.lock.locked = true
	if _, err := r.a.Recognise(ctx, card); !errors.Is(err, session.ErrRevisitLocked) {
		t.Fatalf("locked: %v", err)
	}
	if q, _ := r.svc.asked(); len(q) != 0 {
		t.Fatalf("%d checks made for refused cards", len(q))
	}
	if _, err := r.a.Recognise(ctx, certCard{der: []byte{0x30, 0x03, 0x02, 0x01, 0x01}}); err == nil {
		t.Fatal("a broken certificate was read")
	}
}

// The rules: a lapsed patient goes to the first-visit counter, a failed
// check on the month's first visit to the desk; a renewed card is unknown
// until it is linked again, which moves the row.
func TestRevisitRulesAndRenewal(t *testing.T) {
	ctx := context.Background()
	r := newAdapterRig(t)
	card := userCert(t, 1001, r.now.AddDate(3, 0, 0))
	r.firstVisit(t, card, "t1")
	r.now = r.now.AddDate(0, 7, 0)
	if rec, err := r.a.Recognise(ctx, card); err != nil || rec.Route != revisit.RouteFirstVisit {
		t.Fatalf("lapsed: %+v, %v", rec, err)
	}
	r.now = r.now.AddDate(0, -6, 0) // the next month after the link
	r.svc.validity = "3"
	if rec, err := r.a.Recognise(ctx, card); err != nil || rec.Route != revisit.RouteDesk || rec.Validity != session.Validity(3) {
		t.Fatalf("failed monthly check: %+v, %v", rec, err)
	}
	r.svc.validity = "1"
	renewed := userCert(t, 2002, r.now.AddDate(5, 0, 0))
	if rec, err := r.a.Recognise(ctx, renewed); err != nil || rec.Route != revisit.RouteUnknown {
		t.Fatalf("renewed card: %+v, %v", rec, err)
	}
	r.firstVisit(t, renewed, "t2")
	if rec, err := r.a.Recognise(ctx, renewed); err != nil || rec.Route != revisit.RouteTicket {
		t.Fatalf("renewed card after the link: %+v, %v", rec, err)
	}
	if rec, err := r.a.Recognise(ctx, card); err != nil || rec.Route != revisit.RouteUnknown {
		t.Fatalf("the old card after the renewal: %+v, %v", rec, err)
	}
	if err := r.a.Unlink(ctx, renewed); err != nil {
		t.Fatal(err)
	}
	if rec, err := r.a.Recognise(ctx, renewed); err != nil || rec.Route != revisit.RouteUnknown {
		t.Fatalf("after unlink: %+v, %v", rec, err)
	}
}

// A row that already had a patient number (an import's) gets it
// registered with the eligibility system when the card is linked.
func TestRevisitLinkRegistersAnImportedPatientNumber(t *testing.T) {
	ctx := context.Background()
	r := newAdapterRig(t)
	old := userCert(t, 5, r.now.AddDate(1, 0, 0))
	imported := revisit.Patient{Insured: revisit.InsuredNumber{Insurer: "06139999", Symbol: "愛知", Number: "7654321", Branch: "01"},
		Number: "P-0042", Birthdate: "19800101"}
	id, err := session.ReadCardID(ctx, old)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.book.Link(ctx, id, imported); err != nil {
		t.Fatal(err)
	}
	card := userCert(t, 6, r.now.AddDate(1, 0, 0))
	r.firstVisit(t, card, "t1")
	_, refs := r.svc.asked()
	if len(refs) != 1 || refs[0].ReferenceNumberRegistrationInfo.ReferenceNumber != "P-0042" ||
		refs[0].MedicalInstitutionCode != "1312345678" {
		t.Fatalf("registrations: %+v", refs)
	}
	if err := r.a.Link(ctx, card, "no-such-ticket"); !errors.Is(err, session.ErrNoInsuredAnswer) {
		t.Fatalf("a link without an answer: %v", err)
	}
}
