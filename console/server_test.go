package console_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/app/audit"
	"github.com/uketsuke/uketsuke/app/config"
	appconsole "github.com/uketsuke/uketsuke/app/console"
	"github.com/uketsuke/uketsuke/app/operator"
	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/console"
	"github.com/uketsuke/uketsuke/console/consoletest"
)

// fakeKiosk stands for the session machine below the real HTTPS server,
// certificates, authenticator, audit log and settings.
type fakeKiosk struct {
	mu       sync.Mutex
	view     session.View
	events   []session.EventKind
	sessions []uint64
	limits   []session.Settings
}

func (k *fakeKiosk) View() session.View { k.mu.Lock(); defer k.mu.Unlock(); return k.view }

func (k *fakeKiosk) StaffIn(id uint64, kind session.EventKind) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.events, k.sessions = append(k.events, kind), append(k.sessions, id)
	return nil
}

func (k *fakeKiosk) UseSettings(s session.Settings) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.limits = append(k.limits, s)
	return nil
}

func (k *fakeKiosk) sent() []session.EventKind {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]session.EventKind(nil), k.events...)
}

type rig struct {
	pki        *consoletest.PKI
	url        string
	kiosk      *fakeKiosk
	logDir     string
	state      string
	bundleKey  ed25519.PrivateKey
	reception  tls.Certificate
	admin      tls.Certificate
	unknown    tls.Certificate
	audit      *audit.Logger
	cfg        *config.Config
	overrides  string
	updatesDir string
}

func newRig(t *testing.T, extra ...func(*console.Options)) *rig {
	t.Helper()
	dir := t.TempDir()
	r := &rig{pki: consoletest.New(t), kiosk: &fakeKiosk{}, logDir: filepath.Join(dir, "log"), state: filepath.Join(dir, "state")}
	r.reception, r.admin, r.unknown = r.pki.Issue(t, "reception"), r.pki.Issue(t, "admin"), r.pki.Issue(t, "unknown")
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	r.bundleKey = priv
	r.cfg = config.Default()
	r.cfg.Parts = &config.Parts{KioskID: "k1", Audit: r.logDir,
		Reader: config.Reader{Kind: config.KindVirtual}, FaceCamera: config.Camera{Kind: config.KindVirtual},
		CardCamera: config.Camera{Kind: config.KindVirtual}, OCR: config.OCR{Kind: config.KindStandIn},
		FaceEngine: config.FaceEngine{Kind: config.KindStandIn}, Eligibility: config.Eligibility{Kind: config.KindVirtual},
		Results: config.Results{Dir: filepath.Join(dir, "results"), State: r.state},
		Updates: config.Updates{Dir: filepath.Join(dir, "updates"), State: filepath.Join(dir, "updstate"),
			Keys: []string{base64.StdEncoding.EncodeToString(pub)}}}
	if err := r.cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	r.audit, err = audit.Open(audit.Options{Dir: r.logDir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.audit.Close() })
	ops := []operator.Operator{
		{ID: "reception1", Name: "受付　一子", Role: operator.RoleReception, Fingerprint: operator.Fingerprint{1}, Console: fp(t, r.reception)},
		{ID: "admin1", Name: "管理　二郎", Role: operator.RoleAdministrator, Fingerprint: operator.Fingerprint{2}, Console: fp(t, r.admin)},
	}
	auth, err := operator.New(operator.Config{Operators: ops, Log: r.audit})
	if err != nil {
		t.Fatal(err)
	}
	cert, err := tls.LoadX509KeyPair(r.pki.Console.CertFile, r.pki.Console.KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r.overrides = filepath.Join(r.state, appconsole.OverridesFile)
	settings := appconsole.NewSettings(r.cfg, r.overrides, r.kiosk)
	opts := console.Options{Listener: ln, Certificate: cert, ClientCAs: r.pki.Roots,
		Auth: auth, Kiosk: r.kiosk, Settings: settings, LogDir: r.logDir, Record: r.audit,
		Facts: func() appconsole.Facts {
			return appconsole.Facts{Software: "0.2.0", Faults: []session.ErrorCode{session.ErrCodeNoCardCamera}}
		}}
	for _, f := range extra {
		f(&opts)
	}
	srv, err := console.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	r.url = "https://" + srv.Addr()
	return r
}

func fp(t *testing.T, c tls.Certificate) operator.Fingerprint {
	f, err := operator.ParseFingerprint(consoletest.Fingerprint(c))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (r *rig) as(c tls.Certificate) *consoletest.Client { return r.pki.HTTPClient(&c) }

func (r *rig) accessLog(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(r.logDir, audit.OperationFile))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func (r *rig) get(t *testing.T, c tls.Certificate, path string, status int) consoletest.Response {
	t.Helper()
	resp, err := r.as(c).Get(r.url + path)
	return expect(t, resp, err, status)
}

func (r *rig) post(t *testing.T, c tls.Certificate, path, body string, status int) consoletest.Response {
	t.Helper()
	resp, err := r.as(c).Post(r.url+path, "", []byte(body))
	return expect(t, resp, err, status)
}

func expect(t *testing.T, resp consoletest.Response, err error, status int) consoletest.Response {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != status {
		t.Fatalf("status %d, want %d: %s", resp.Status, status, resp.Body)
	}
	return resp
}

func apiErr(t *testing.T, resp consoletest.Response) (code, field string) {
	t.Helper()
	var e struct{ Error, Field string }
	if err := resp.JSON(&e); err != nil {
		t.Fatalf("%v: %s", err, resp.Body)
	}
	return e.Error, e.Field
}

func TestTheConsoleRefusesClientsWithoutTheRightCertificate(t *testing.T) {
	r := newRig(t)
	if _, err := r.pki.HTTPClient(nil).Get(r.url + "/api/status"); err == nil {
		t.Error("a client without a certificate got an answer")
	}
	stranger := consoletest.Stranger(t)
	if _, err := r.pki.HTTPClient(&stranger).Get(r.url + "/api/status"); err == nil {
		t.Error("a certificate from another CA got an answer")
	}
	expired := r.pki.IssueExpired(t, "expired")
	if _, err := r.pki.HTTPClient(&expired).Get(r.url + "/api/status"); err == nil {
		t.Error("an expired certificate got an answer")
	}
	// TLS 1.2 is refused too.
	c := r.admin
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: r.pki.Roots, Certificates: []tls.Certificate{c},
		MaxVersion: tls.VersionTLS12}}
	if _, err := (&http.Client{Transport: tr, Timeout: 5 * time.Second}).Get(r.url + "/api/status"); err == nil {
		t.Error("TLS 1.2 was accepted")
	}
}

func TestAnUnregisteredCertificateGets403AndAnAccessRecord(t *testing.T) {
	r := newRig(t)
	for range 3 { // a polling page is recorded once
		resp := r.get(t, r.unknown, "/api/status", 403)
		if code, _ := apiErr(t, resp); code != "not_registered" {
			t.Errorf("error %q", code)
		}
	}
	log := r.accessLog(t)
	want := `"msg":"access","operator":"unregistered","role":"none","function":"view_status","result":"not_registered","channel":"console"`
	if n := strings.Count(log, want); n != 1 {
		t.Errorf("%d refusal records, want 1:\n%s", n, log)
	}
}

func TestReceptionMayDecideButNotChangeSettings(t *testing.T) {
	r := newRig(t)
	r.kiosk.view = session.View{State: session.StateStaffCheck, Session: 7}
	var st appconsole.Status
	if err := r.get(t, r.reception, "/api/status", 200).JSON(&st); err != nil {
		t.Fatal(err)
	}
	if st.State != "staff_check" || st.CardCamera.State != "fault" || st.Reader.State != "ok" || st.Software != "0.2.0" {
		t.Errorf("status %+v", st)
	}
	var checks struct{ Checks []appconsole.Check }
	if err := r.get(t, r.reception, "/api/checks", 200).JSON(&checks); err != nil || len(checks.Checks) != 1 || checks.Checks[0].Session != 7 {
		t.Fatalf("checks %+v (%v)", checks, err)
	}
	r.post(t, r.reception, "/api/checks/approve", `{"session":7}`, 200)
	if got := r.kiosk.sent(); len(got) != 2 || got[0] != session.EvStaffStart || got[1] != session.EvStaffApprove ||
		r.kiosk.sessions[1] != 7 {
		t.Errorf("sent %v to %v", got, r.kiosk.sessions)
	}
	for _, path := range []string{"/api/settings", "/api/logs"} {
		if code, _ := apiErr(t, r.get(t, r.reception, path, 403)); code != "not_allowed" {
			t.Errorf("%s: %s", path, code)
		}
	}
	r.post(t, r.reception, "/api/settings", `{"face_attempts":2}`, 403)
	if len(r.kiosk.limits) != 0 {
		t.Error("reception changed a setting")
	}
	log := r.accessLog(t)
	for _, want := range []string{
		`"operator":"reception1","role":"reception","function":"visual_check","result":"ok","channel":"console"`,
		`"operator":"reception1","role":"reception","channel":"console","action":"approve","result":"ok"`,
		`"operator":"reception1","role":"reception","function":"apply_settings","result":"not_allowed","channel":"console"`,
	} {
		if !strings.Contains(log, want) {
			t.Errorf("no record %s in\n%s", want, log)
		}
	}
	if strings.Contains(log, "view_status\",\"result\":\"ok") {
		t.Error("a status poll was recorded")
	}
	if strings.Contains(log, "受付") {
		t.Error("an operator's name reached the log")
	}
}

func TestAStaleApprovalDoesNothing(t *testing.T) {
	r := newRig(t)
	r.kiosk.view = session.View{State: session.StateStaffCheck, Session: 8}
	if code, _ := apiErr(t, r.post(t, r.reception, "/api/checks/approve", `{"session":7}`, 409)); code != "stale" {
		t.Errorf("error %s", code)
	}
	r.kiosk.view = session.View{State: session.StateChecking, Session: 8}
	r.post(t, r.reception, "/api/checks/refuse", `{"session":8}`, 409)
	if got := r.kiosk.sent(); len(got) != 0 {
		t.Errorf("sent %v", got)
	}
	if code, field := apiErr(t, r.post(t, r.reception, "/api/checks/approve", `{"session":0}`, 400)); code != "bad_request" || field != "session" {
		t.Errorf("error %s %s", code, field)
	}
	if !strings.Contains(r.accessLog(t), `"action":"approve","result":"stale"`) {
		t.Error("the stale approval is not on record")
	}
}

func TestAnAdministratorChangesSettingsThatAreValidatedAndKept(t *testing.T) {
	r := newRig(t)
	var v appconsole.View
	if err := r.get(t, r.admin, "/api/settings", 200).JSON(&v); err != nil || v.FaceAttempts != 3 || v.DefaultLanguage != "ja" {
		t.Fatalf("settings %+v (%v)", v, err)
	}
	for body, field := range map[string]string{
		`{"face_attempts":9}`:                     "face.attempts",
		`{"face_attempt_time":"1s"}`:              "face.attempt_time",
		`{"face_attempt_time":"soon"}`:            "face.attempt_time",
		`{"default_language":"xx"}`:               "facility.default_language",
		`{"wording":{"en":{"Not A Key":"x"}}}`:    "facility.wording.en.Not A Key",
		`{"face.threshold":0.5}`:                  "face.threshold",
		`{"face_attempts":"3"}`:                   "face_attempts",
		`{"parts":{"console":{"address":":1"}}}`:  "parts",
		`{"face_attempts":2} {"face_attempts":4}`: "",
		`{"face_attempts":2,"face_attempts_x":1}`: "face_attempts_x",
	} {
		resp, err := r.as(r.admin).Post(r.url+"/api/settings", "", []byte(body))
		if err != nil {
			t.Fatal(err)
		}
		if resp.Status != 400 && resp.Status != 422 {
			t.Errorf("%s: status %d", body, resp.Status)
		}
		if _, got := apiErr(t, resp); got != field {
			t.Errorf("%s: field %q, want %q (%s)", body, got, field, resp.Body)
		}
	}
	if len(r.kiosk.limits) != 0 {
		t.Fatal("an invalid change reached the kiosk")
	}
	r.post(t, r.admin, "/api/settings", `{"face_attempts":2,"face_attempt_time":"8s","default_language":"en","wording":{"ja":{"screen.idle":"カードを置いてください"}}}`, 200)
	if len(r.kiosk.limits) != 1 || r.kiosk.limits[0].FaceAttempts != 2 || r.kiosk.limits[0].FaceAttemptTime != 8*time.Second {
		t.Fatalf("limits %+v", r.kiosk.limits)
	}
	if err := r.get(t, r.admin, "/api/settings", 200).JSON(&v); err != nil || v.FaceAttempts != 2 || v.DefaultLanguage != "en" {
		t.Errorf("settings after the change %+v", v)
	}
	// Kept: the running configuration with the saved settings, as at a restart.
	again, err := appconsole.LoadOverrides(r.cfg, r.overrides)
	if err != nil || again.Face.Attempts != 2 || again.Facility.DefaultLanguage != "en" ||
		again.Facility.Wording["ja"]["screen.idle"] != "カードを置いてください" {
		t.Fatalf("after a restart: %+v (%v)", again, err)
	}
	if r.cfg.Face.Attempts != 3 {
		t.Error("the change modified the configuration it was applied to")
	}
	log := r.accessLog(t)
	if !strings.Contains(log, `"operator":"admin1","role":"administrator","channel":"console","action":"settings","result":"ok","field_1":"facility.default_language"`) {
		t.Errorf("the change is not on record:\n%s", log)
	}
	if !strings.Contains(log, `"action":"settings","result":"invalid","field_1":"face.attempts"`) {
		t.Errorf("the refused change is not on record:\n%s", log)
	}
	if strings.Contains(log, "カードを置いて") {
		t.Error("a setting's value reached the log")
	}
}

func TestPOSTsNeedTheConsoleHeaderAndOrigin(t *testing.T) {
	r := newRig(t)
	r.kiosk.view = session.View{State: session.StateStaffCheck, Session: 3}
	cases := map[string]http.Header{
		"no header":    {"Content-Type": {"application/json"}},
		"other origin": {"Content-Type": {"application/json"}, "X-Uketsuke-Console": {"1"}, "Origin": {"https://evil.example"}},
		"cross-site":   {"Content-Type": {"application/json"}, "X-Uketsuke-Console": {"1"}, "Sec-Fetch-Site": {"cross-site"}},
		"form post":    {"Content-Type": {"application/x-www-form-urlencoded"}, "X-Uketsuke-Console": {"1"}},
	}
	for name, h := range cases {
		req, _ := http.NewRequest(http.MethodPost, r.url+"/api/checks/approve", strings.NewReader(`{"session":3}`))
		req.Header = h
		resp, err := r.as(r.admin).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if resp.Status != 403 && resp.Status != 415 {
			t.Errorf("%s: status %d", name, resp.Status)
		}
	}
	if got := r.kiosk.sent(); len(got) != 0 {
		t.Errorf("a cross-origin request reached the kiosk: %v", got)
	}
	req, _ := http.NewRequest(http.MethodPost, r.url+"/api/checks/approve", strings.NewReader(`{"session":3}`))
	req.Header = http.Header{"Content-Type": {"application/json"}, "X-Uketsuke-Console": {"1"}, "Origin": {r.url}}
	if resp, err := r.as(r.admin).Do(req); err != nil || resp.Status != 200 {
		t.Errorf("same origin: %d %v %s", resp.Status, err, resp.Body)
	}
}

func TestTheAnswersCarrySecurityHeadersAndBoundedBodies(t *testing.T) {
	r := newRig(t)
	for _, path := range []string{"/", "/console.js", "/api/status", "/api/logs"} {
		resp, err := r.as(r.admin).Get(r.url + path)
		if err != nil {
			t.Fatal(err)
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.HasPrefix(csp, "default-src 'self'") {
			t.Errorf("%s: CSP %q", path, csp)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: headers %v", path, resp.Header)
		}
	}
	page := r.get(t, r.admin, "/", 200)
	for _, id := range []string{`id="status-reader"`, `id="settings-save"`, `id="checks-list"`, `id="logs-list"`} {
		if !bytes.Contains(page.Body, []byte(id)) {
			t.Errorf("the page has no %s", id)
		}
	}
	if bytes.Contains(page.Body, []byte("http://")) || bytes.Contains(page.Body, []byte("https://")) {
		t.Error("the page loads something from elsewhere")
	}
	big := `{"wording":{"ja":{"a":"` + strings.Repeat("x", appconsole.MaxBody) + `"}}}`
	r.post(t, r.admin, "/api/settings", big, 413)
}

func TestABundleWithABadSignatureIsRefused(t *testing.T) {
	r := newRig(t)
	doc := config.Default()
	doc.Serial = 5
	doc.Face.Attempts = 4
	data, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	signed, err := config.SignBundle(data, config.Claims{NotAfter: time.Now().Add(time.Hour), Facility: doc.Facility.Code}, r.bundleKey)
	if err != nil {
		t.Fatal(err)
	}
	var b map[string]any
	if err := json.Unmarshal(signed, &b); err != nil {
		t.Fatal(err)
	}
	sig, _ := base64.StdEncoding.DecodeString(b["signature"].(string))
	sig[0] ^= 1
	b["signature"] = base64.StdEncoding.EncodeToString(sig)
	forged, _ := json.Marshal(b)
	resp, err := r.as(r.admin).Post(r.url+"/api/bundle", "application/octet-stream", forged)
	if err != nil || resp.Status != 422 {
		t.Fatalf("forged bundle: %d %v %s", resp.Status, err, resp.Body)
	}
	if code, _ := apiErr(t, resp); code != "bad_signature" {
		t.Errorf("error %s", code)
	}
	if len(r.kiosk.limits) != 0 {
		t.Fatal("a forged bundle reached the kiosk")
	}
	// Reception may not apply one, even a good one; an administrator may.
	resp, _ = r.as(r.reception).Post(r.url+"/api/bundle", "application/octet-stream", signed)
	if resp.Status != 403 {
		t.Errorf("reception applied a bundle: %d", resp.Status)
	}
	resp, err = r.as(r.admin).Post(r.url+"/api/bundle", "application/octet-stream", signed)
	if err != nil || resp.Status != 200 {
		t.Fatalf("signed bundle: %d %v %s", resp.Status, err, resp.Body)
	}
	if len(r.kiosk.limits) != 1 || r.kiosk.limits[0].FaceAttempts != 4 {
		t.Errorf("limits %+v", r.kiosk.limits)
	}
	resp, _ = r.as(r.admin).Post(r.url+"/api/bundle", "application/octet-stream", signed)
	if code, _ := apiErr(t, resp); resp.Status != 422 || code != "rollback" {
		t.Errorf("the same bundle again: %d %s", resp.Status, code)
	}
	if !strings.Contains(r.accessLog(t), `"action":"bundle","result":"bad_signature"`) {
		t.Error("the refused bundle is not on record")
	}
}

func TestLogsAreListedAndDownloadable(t *testing.T) {
	r := newRig(t)
	r.get(t, r.unknown, "/api/status", 403) // something in the log
	var list struct {
		Files []struct {
			Name string
			Size int64
		}
	}
	if err := r.get(t, r.admin, "/api/logs", 200).JSON(&list); err != nil {
		t.Fatal(err)
	}
	names := []string{}
	for _, f := range list.Files {
		names = append(names, f.Name)
	}
	if strings.Join(names, ",") != "error.jsonl,operation.jsonl" {
		t.Errorf("files %v", names)
	}
	resp := r.get(t, r.admin, "/api/logs/operation.jsonl", 200)
	if !bytes.Contains(resp.Body, []byte(`"result":"not_registered"`)) ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("download: %s %v", resp.Body, resp.Header)
	}
	for _, bad := range []string{"..%2Fstate", "operation.jsonl.x", "%2Fetc%2Fpasswd", "console-settings.json"} {
		resp, err := r.as(r.admin).Get(r.url + "/api/logs/" + bad)
		if err != nil || resp.Status != 404 {
			t.Errorf("%s: %d %v", bad, resp.Status, err)
		}
	}
}

func TestReceptionAnswersAHelpCall(t *testing.T) {
	r := newRig(t)
	r.kiosk.mu.Lock()
	r.kiosk.view = session.View{State: session.StatePIN, Session: 9, HelpCalled: true}
	r.kiosk.mu.Unlock()
	var help struct{ Calls []appconsole.Call }
	if err := r.get(t, r.reception, "/api/help", 200).JSON(&help); err != nil || len(help.Calls) != 1 ||
		help.Calls[0].Session != 9 || help.Calls[0].State != "pin" {
		t.Fatalf("calls %+v (%v)", help, err)
	}
	if code, _ := apiErr(t, r.post(t, r.reception, "/api/help/answer", `{"session":8}`, 409)); code != "stale" {
		t.Errorf("another session's call: %s", code)
	}
	r.post(t, r.reception, "/api/help/answer", `{"session":9}`, 200)
	if got := r.kiosk.sent(); len(got) != 1 || got[0] != session.EvHelpAnswered || r.kiosk.sessions[0] != 9 {
		t.Errorf("sent %v to %v", got, r.kiosk.sessions)
	}
	if !strings.Contains(r.accessLog(t), `"action":"answer_help","result":"ok"`) {
		t.Error("the answer is not on record")
	}
}
