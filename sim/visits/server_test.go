package visits

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/app/revisit"
	"github.com/uketsuke/uketsuke/sim/onshi"
)

// running is the service on a loopback port over real HTTPS with the test
// PKI: kiosk certificates required.
type running struct {
	srv  *Server
	url  string
	pki  *onshi.TLSPKI
	http *http.Client
}

func start(t *testing.T) *running {
	t.Helper()
	pki, err := onshi.NewTLSPKI("visits-test")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := Open(context.Background(), Config{DB: filepath.Join(t.TempDir(), "visits.db"), ClientCAs: pki.CAPool()})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln, srv.TLSConfig(pki.Server)) }()
	t.Cleanup(func() { cancel(); <-done; srv.Close() })
	kiosk, err := pki.KioskCert("kiosk-01", "1312345678")
	if err != nil {
		t.Fatal(err)
	}
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: pki.KioskConfig(kiosk)}, Timeout: 10 * time.Second}
	t.Cleanup(hc.CloseIdleConnections)
	return &running{srv: srv, url: "https://" + ln.Addr().String(), pki: pki, http: hc}
}

func (r *running) post(t *testing.T, contentType string, body []byte) (int, revisit.VisitError) {
	t.Helper()
	resp, err := r.http.Post(r.url+revisit.VisitPath, contentType, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e revisit.VisitError
	data, _ := io.ReadAll(resp.Body)
	json.Unmarshal(data, &e)
	return resp.StatusCode, e
}

func record(t *testing.T, reception int, dept revisit.Department) revisit.VisitRecord {
	t.Helper()
	c := revisit.Code{KeyID: "k1"}
	c.Sum[0], c.Sum[31] = 0xab, byte(reception)
	v, err := revisit.NewVisitRecord(revisit.VisitRecord{Facility: "1312345678", Kiosk: "kiosk-01",
		Time: time.Date(2026, 12, 6, 9, 30, 0, 0, time.FixedZone("JST", 9*3600)), Code: c,
		Auth: revisit.AuthFace, EligibilityResult: "res-1", Department: dept, Reception: reception})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestRegistersEachRecordOnce(t *testing.T) {
	r := start(t)
	rec := record(t, 7, "naika")
	body, _ := json.Marshal(rec)
	if status, e := r.post(t, "application/json", body); status != http.StatusCreated {
		t.Fatalf("first post: %d %+v, want 201", status, e)
	}
	// The answer was lost; the kiosk sends again.
	if status, e := r.post(t, "application/json; charset=utf-8", body); status != http.StatusOK {
		t.Fatalf("resend: %d %+v, want 200", status, e)
	}
	other := rec
	other.Reception = 8
	otherBody, _ := json.Marshal(other)
	if status, e := r.post(t, "application/json", otherBody); status != http.StatusConflict || e.Error.Code != codeConflict {
		t.Fatalf("same id, other content: %d %+v, want 409 conflict", status, e)
	}
	regs, err := r.srv.Records(context.Background())
	if err != nil || len(regs) != 1 || regs[0].Record.ID != rec.ID || regs[0].Record.Reception != 7 {
		t.Fatalf("records: %+v, %v; want the first one once", regs, err)
	}
}

func TestRefusesBadRequestsWithTypedErrors(t *testing.T) {
	r := start(t)
	good, _ := json.Marshal(record(t, 1, ""))
	cases := []struct {
		name, contentType string
		body              []byte
		status            int
		code              string
	}{
		{"text body", "text/plain", good, 415, codeContentType},
		{"not JSON", "application/json", []byte("hello"), 400, codeMalformed},
		{"a name field", "application/json", bytes.Replace(good, []byte(`"v":1`), []byte(`"v":1,"name":"山田"`), 1), 400, codeMalformed},
		{"bad facility", "application/json", bytes.Replace(good, []byte(`"1312345678"`), []byte(`"13"`), 1), 400, codeMalformed},
		{"too large", "application/json", append(good, bytes.Repeat([]byte(" "), revisit.MaxVisitJSON)...), 413, codeTooLarge},
	}
	for _, c := range cases {
		status, e := r.post(t, c.contentType, c.body)
		if status != c.status || e.Error.Code != c.code {
			t.Errorf("%s: %d %+v, want %d %s", c.name, status, e, c.status, c.code)
		}
		if strings.Contains(e.Error.Message, "山田") {
			t.Errorf("%s: the error quotes the request: %q", c.name, e.Error.Message)
		}
	}
	if regs, _ := r.srv.Records(context.Background()); len(regs) != 0 {
		t.Fatalf("%d bad records registered", len(regs))
	}
}

func TestRequiresAKioskCertificate(t *testing.T) {
	r := start(t)
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: r.pki.CAPool()}}}
	defer hc.CloseIdleConnections()
	body, _ := json.Marshal(record(t, 1, ""))
	resp, err := hc.Post(r.url+revisit.VisitPath, "application/json", bytes.NewReader(body))
	if err == nil {
		resp.Body.Close()
		t.Fatalf("a client without a certificate got HTTP %d", resp.StatusCode)
	}
}

func TestListsRecordsAsJSONAndOnThePage(t *testing.T) {
	r := start(t)
	client, err := revisit.NewVisitClient(revisit.VisitClientConfig{BaseURL: r.url,
		TLS: r.http.Transport.(*http.Transport).TLSClientConfig})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	recs := []revisit.VisitRecord{record(t, 1, "naika"), record(t, 2, "geka"), record(t, 0, "")}
	for _, rec := range recs {
		body, _ := json.Marshal(rec)
		if err := client.PostVisit(context.Background(), body); err != nil {
			t.Fatal(err)
		}
	}

	resp, err := r.http.Get(r.url + revisit.VisitPath)
	if err != nil {
		t.Fatal(err)
	}
	var list struct {
		Visits []struct {
			Received string              `json:"received"`
			Record   revisit.VisitRecord `json:"record"`
		} `json:"visits"`
	}
	err = json.NewDecoder(resp.Body).Decode(&list)
	resp.Body.Close()
	if err != nil || len(list.Visits) != 3 {
		t.Fatalf("JSON list: %d, %v", len(list.Visits), err)
	}
	for i, v := range list.Visits {
		if v.Record.ID != recs[i].ID || v.Received == "" {
			t.Errorf("list[%d] = %s, want %s", i, v.Record.ID, recs[i].ID)
		}
	}

	resp, err = r.http.Get(r.url + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Fatalf("page content type %q", ct)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("page CSP %q", csp)
	}
	text := string(page)
	if !strings.Contains(text, `<p id="count">3 record(s)</p>`) {
		t.Errorf("page does not count 3 records:\n%s", text)
	}
	for _, rec := range recs {
		if !strings.Contains(text, rec.ID.String()) {
			t.Errorf("page does not list %s", rec.ID)
		}
	}
	for _, want := range []string{"naika", "geka", "face", "kiosk-01", "k1:ab00"} {
		if !strings.Contains(text, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	for _, outside := range []string{"<script", "src=", "href=", "http://", "@import"} {
		if strings.Contains(text, outside) {
			t.Errorf("page loads or runs something: %q", outside)
		}
	}
}

func TestPageEscapes(t *testing.T) {
	var buf bytes.Buffer
	err := pageTemplate.Execute(&buf, []pageRow{{Kiosk: `<script>alert(1)</script>`, Eligibility: `"><img src=x>`}})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "<script>alert") || strings.Contains(buf.String(), "<img") {
		t.Fatalf("page did not escape:\n%s", buf.String())
	}
}

func TestOpenNeedsADatabase(t *testing.T) {
	if _, err := Open(context.Background(), Config{}); err == nil {
		t.Fatal("opened without a database file")
	}
}
