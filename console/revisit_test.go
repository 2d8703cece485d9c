package console_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/uketsuke/uketsuke/app/revisit"
	"github.com/uketsuke/uketsuke/app/secret"
	"github.com/uketsuke/uketsuke/console"
	"github.com/uketsuke/uketsuke/store"
)

// revisitRig is the console over a real SQLite re-visit database and the
// real Book: one card linked at the kiosk, one patient imported by CSV.
type revisitRig struct {
	*rig
	db   *store.DB
	book *revisit.Book
}

func newRevisitRig(t *testing.T) *revisitRig {
	t.Helper()
	return newRevisitRigWith(t, nil)
}

// newRevisitRigWith is the rig whose unlinking de-registers patient
// numbers with refs (nil: none).
func newRevisitRigWith(t *testing.T, refs revisit.References) *revisitRig {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "revisit.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	codes, err := revisit.NewCodeKeys([]revisit.KeyMaterial{{ID: "code-1", Secret: bytes.Repeat([]byte{1}, 32)}})
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := revisit.NewSealer([]revisit.KeyMaterial{{ID: "data-1", Secret: bytes.Repeat([]byte{2}, 32)}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { codes.Destroy(); sealer.Destroy() })
	b := revisit.NewBook(db, codes, sealer, time.Now)
	if err := b.Link(ctx, card(t, "1001"), taro); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Import(ctx, strings.NewReader("patient_number,insurer_number,symbol,number,branch,birth_date\n"+
		"A-000077,138222,,5550001,02,19750315\n")); err != nil {
		t.Fatal(err)
	}
	if refs != nil {
		b.UseReferences(refs)
	}
	r := newRig(t, func(o *console.Options) { o.Unlinker, o.DeadLetters = b, db })
	return &revisitRig{rig: r, db: db, book: b}
}

// references is the eligibility system's register, reachable or not.
type references struct {
	mu    sync.Mutex
	down  bool
	asked []revisit.PatientNumber
}

func (f *references) Deregister(_ context.Context, n revisit.PatientNumber) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return errors.New("eligibility: service unreachable")
	}
	f.asked = append(f.asked, n)
	return nil
}

func (f *references) set(down bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.down = down
}

// While the eligibility system cannot forget the patient's number the
// console answers 502 reference_kept and the row stays; once it can, the
// unlink de-registers the number and erases the row.
func TestUnlinkingWaitsForTheEligibilitySystemToForgetTheNumber(t *testing.T) {
	refs := &references{down: true}
	r := newRevisitRigWith(t, refs)
	const byNumber = `{"patient_number":"A-000042"}`
	if code, _ := apiErr(t, r.post(t, r.admin, "/api/revisit/unlink", byNumber, 502)); code != "reference_kept" {
		t.Errorf("unreachable: %s", code)
	}
	if _, err := r.book.Find(context.Background(), card(t, "1001")); err != nil {
		t.Fatalf("the row went with its number still registered: %v", err)
	}
	refs.set(false)
	r.post(t, r.admin, "/api/revisit/unlink", byNumber, 200)
	if _, err := r.book.Find(context.Background(), card(t, "1001")); !errors.Is(err, revisit.ErrNotLinked) {
		t.Fatalf("after unlink: %v", err)
	}
	refs.mu.Lock()
	defer refs.mu.Unlock()
	if len(refs.asked) != 1 || refs.asked[0] != "A-000042" {
		t.Fatalf("asked to forget %q", refs.asked)
	}
	log := r.accessLog(t)
	if !strings.Contains(log, `"action":"unlink","result":"error","field_1":"patient_number"`) || strings.Contains(log, "A-000042") {
		t.Errorf("access log:\n%s", log)
	}
}

var taro = revisit.Patient{
	Insured: revisit.InsuredNumber{Insurer: "06139999", Symbol: "愛知", Number: "7654321", Branch: "01"},
	Number:  "A-000042",
}

func card(t *testing.T, serial string) revisit.CardID {
	t.Helper()
	buf, err := secret.Take([]byte(serial))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(buf.Destroy)
	return revisit.CardID{IssuerDN: []byte("CN=JPKI user CA,O=J-LIS,C=JP"), Serial: buf}
}

func TestAnAdministratorUnlinksByPatientOrInsuredNumber(t *testing.T) {
	r := newRevisitRig(t)
	const byNumber = `{"patient_number":"A-000042"}`
	if code, _ := apiErr(t, r.post(t, r.reception, "/api/revisit/unlink", byNumber, 403)); code != "not_allowed" {
		t.Errorf("reception: %s", code)
	}
	if _, err := r.book.Find(context.Background(), card(t, "1001")); err != nil {
		t.Fatalf("reception's refused unlink changed the row: %v", err)
	}
	for body, want := range map[string]struct {
		status      int
		code, field string
	}{
		`{}`: {400, "bad_request", ""},
		`{"patient_number":"A-1","insured":{"insurer":"138222","number":"1"}}`: {400, "bad_request", ""},
		`{"patient_number":"A 1"}`:                 {400, "bad_request", "patient_number"},
		`{"insured":{"insurer":"1","number":"1"}}`: {400, "bad_request", "insured.insurer"},
		`{"patient_number":"Z-1"}`:                 {404, "not_found", ""},
		`{"patient_number":"A-1","extra":1}`:       {400, "bad_request", "extra"},
	} {
		code, field := apiErr(t, r.post(t, r.admin, "/api/revisit/unlink", body, want.status))
		if code != want.code || field != want.field {
			t.Errorf("%s: %s %s, want %s %s", body, code, field, want.code, want.field)
		}
	}
	r.post(t, r.admin, "/api/revisit/unlink", byNumber, 200)
	if _, err := r.book.Find(context.Background(), card(t, "1001")); !errors.Is(err, revisit.ErrNotLinked) {
		t.Fatalf("after unlink: %v", err)
	}
	r.post(t, r.admin, "/api/revisit/unlink", byNumber, 404)
	r.post(t, r.admin, "/api/revisit/unlink", `{"insured":{"insurer":"138222","symbol":"","number":"5550001","branch":"02"}}`, 200)
	if err := r.book.UnlinkPatient(context.Background(), "A-000077"); !errors.Is(err, revisit.ErrNotLinked) {
		t.Fatalf("the imported row after unlink by insured number: %v", err)
	}
	// Without the console's header nothing happens.
	resp, err := r.as(r.admin).Do(mustRequest(t, r.url+"/api/revisit/unlink", byNumber))
	if err != nil || resp.Status != 403 {
		t.Fatalf("without the header: %d, %v", resp.Status, err)
	}
	log := r.accessLog(t)
	for _, want := range []string{
		`"operator":"reception1","role":"reception","function":"unlink_patient","result":"not_allowed","channel":"console"`,
		`"operator":"admin1","role":"administrator","function":"unlink_patient","result":"ok","channel":"console"`,
		`"operator":"admin1","role":"administrator","channel":"console","action":"unlink","result":"ok","field_1":"patient_number"`,
		`"action":"unlink","result":"ok","field_1":"insured"`,
		`"action":"unlink","result":"not_found","field_1":"patient_number"`,
	} {
		if !strings.Contains(log, want) {
			t.Errorf("the access log lacks %s", want)
		}
	}
	for _, value := range []string{"A-000042", "A-000077", "5550001", "138222", "Z-1"} {
		if strings.Contains(log, value) {
			t.Errorf("the access log holds %q", value)
		}
	}
}

func mustRequest(t *testing.T, url, body string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	return req
}

func TestDeadLettersAreShownRetriedAndDiscarded(t *testing.T) {
	r := newRevisitRig(t)
	ctx := context.Background()
	var recs []revisit.VisitRecord
	for i := range 2 {
		code := revisit.Code{KeyID: "code-1"}
		code.Sum[0], code.Sum[31] = 0xab, byte(i)
		rec, err := revisit.NewVisitRecord(revisit.VisitRecord{Facility: "1312345678", Kiosk: "kiosk-01",
			Time: time.Now(), Code: code, Auth: revisit.AuthPinless, Reception: i + 1})
		if err != nil {
			t.Fatal(err)
		}
		if err := r.db.Enqueue(ctx, rec, time.Now()); err != nil {
			t.Fatal(err)
		}
		refusal := &revisit.RefusedError{Status: 422, Reason: "malformed"}
		if err := r.db.DeadLetter(ctx, rec.ID, refusal.Error(), time.Now()); err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
	}
	r.get(t, r.reception, "/api/revisit/dead-letters", 403)
	var list struct {
		Count       int
		DeadLetters []struct {
			ID     string
			Status int
			Reason string
		} `json:"dead_letters"`
	}
	resp := r.get(t, r.admin, "/api/revisit/dead-letters", 200)
	if err := resp.JSON(&list); err != nil || list.Count != 2 || len(list.DeadLetters) != 2 ||
		list.DeadLetters[0].Status != 422 || !strings.Contains(list.DeadLetters[0].Reason, "malformed") {
		t.Fatalf("dead letters %+v (%v): %s", list, err, resp.Body)
	}
	if bytes.Contains(resp.Body, []byte(`"code"`)) || bytes.Contains(resp.Body, []byte("ab000000")) {
		t.Errorf("the list shows a converted code: %s", resp.Body)
	}
	id0, id1 := hex.EncodeToString(recs[0].ID[:]), hex.EncodeToString(recs[1].ID[:])
	if list.DeadLetters[0].ID != id0 && list.DeadLetters[1].ID != id0 {
		t.Errorf("ids %+v, want %s among them", list.DeadLetters, id0)
	}
	r.post(t, r.reception, "/api/revisit/dead-letters/retry", `{"id":"`+id0+`"}`, 403)
	r.post(t, r.admin, "/api/revisit/dead-letters/retry", `{"id":"`+id0+`"}`, 200)
	if p, _ := r.db.Pending(ctx, 10); len(p) != 1 || p[0].ID != recs[0].ID {
		t.Fatalf("pending after retry: %+v", p)
	}
	r.post(t, r.admin, "/api/revisit/dead-letters/retry", `{"id":"`+id0+`"}`, 404) // no longer dead
	r.post(t, r.admin, "/api/revisit/dead-letters/discard", `{"id":"`+id1+`"}`, 200)
	if code, field := apiErr(t, r.post(t, r.admin, "/api/revisit/dead-letters/discard", `{"id":"ABC"}`, 400)); code != "bad_request" || field != "id" {
		t.Errorf("a bad id: %s %s", code, field)
	}
	if err := r.get(t, r.admin, "/api/revisit/dead-letters", 200).JSON(&list); err != nil || list.Count != 0 {
		t.Fatalf("after retry and discard: %+v, %v", list, err)
	}
	log := r.accessLog(t)
	for _, want := range []string{
		`"operator":"admin1","role":"administrator","function":"dead_letters","result":"ok","channel":"console"`,
		`"action":"retry_dead_letter","result":"ok"`, `"action":"discard_dead_letter","result":"ok"`,
		`"action":"retry_dead_letter","result":"not_found"`,
		`"operator":"reception1","role":"reception","function":"dead_letters","result":"not_allowed","channel":"console"`,
	} {
		if !strings.Contains(log, want) {
			t.Errorf("the access log lacks %s", want)
		}
	}
}

func TestRevisitRoutesWithoutRevisitSayNotConfigured(t *testing.T) {
	r := newRig(t)
	if code, _ := apiErr(t, r.get(t, r.admin, "/api/revisit/dead-letters", 503)); code != "not_configured" {
		t.Errorf("dead letters: %s", code)
	}
	if code, _ := apiErr(t, r.post(t, r.admin, "/api/revisit/unlink", `{"patient_number":"A-1"}`, 503)); code != "not_configured" {
		t.Errorf("unlink: %s", code)
	}
}

// The administrator's page in headless chromium: a dead letter listed and
// retried, a patient unlinked by number through the form (the number
// cleared from the screen afterwards).
func TestRevisitSectionInABrowser(t *testing.T) {
	r := newRevisitRig(t)
	ctx := context.Background()
	code := revisit.Code{KeyID: "code-1"}
	rec, err := revisit.NewVisitRecord(revisit.VisitRecord{Facility: "1312345678", Kiosk: "kiosk-01",
		Time: time.Now(), Code: code, Auth: revisit.AuthPinless, Reception: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.db.Enqueue(ctx, rec, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := r.db.DeadLetter(ctx, rec.ID, (&revisit.RefusedError{Status: 409, Reason: "conflict"}).Error(), time.Now()); err != nil {
		t.Fatal(err)
	}
	admin := startBrowser(t, r.pki, &r.admin)
	if err := chromedp.Do(admin, chromedp.Navigate(r.url+"/")); err != nil {
		t.Fatal(err)
	}
	id := hex.EncodeToString(rec.ID[:])
	waitText(t, admin, map[string]string{"dead-count": "1", "retry-" + id: "再送", "discard-" + id: "破棄"})
	screenshot(t, admin, "console-revisit-dead-letter")
	if err := chromedp.Do(admin, chromedp.Click(chromedp.ID("retry-"+id))); err != nil {
		t.Fatal(err)
	}
	waitText(t, admin, map[string]string{"dead-result": "再送の待ち行列に戻しました。", "dead-count": "0"})
	if p, _ := r.db.Pending(ctx, 10); len(p) != 1 {
		t.Fatalf("pending after the page's retry: %d", len(p))
	}

	// The page asks before it unlinks; the browser's dialog is answered yes.
	if _, err := chromedp.Run(admin, chromedp.Evaluate[bool](`(window.confirm = () => true, true)`)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(admin,
		chromedp.SetValue(chromedp.ID("unlink-patient-number"), "A-000042"),
		chromedp.Click(chromedp.ID("unlink-submit"))); err != nil {
		t.Fatal(err)
	}
	waitText(t, admin, map[string]string{"unlink-result": "解除しました。"})
	if _, err := r.book.Find(ctx, card(t, "1001")); !errors.Is(err, revisit.ErrNotLinked) {
		t.Fatalf("after the page's unlink: %v", err)
	}
	left, err := chromedp.Run(admin, chromedp.Evaluate[string](`document.getElementById("unlink-patient-number").value`))
	if err != nil || left != "" {
		t.Errorf("the number stays on the screen: %q (%v)", left, err)
	}
	screenshot(t, admin, "console-revisit-unlinked")
}
