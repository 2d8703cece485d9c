package console_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/uketsuke/uketsuke/app/config"
	appconsole "github.com/uketsuke/uketsuke/app/console"
	"github.com/uketsuke/uketsuke/app/operator"
	"github.com/uketsuke/uketsuke/app/revisit"
	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/console"
	"github.com/uketsuke/uketsuke/console/consoletest"
)

// anyAdmin lets every certificate in as an administrator: the fuzz is
// about what a body can do once past the door.
type anyAdmin struct{}

func (anyAdmin) ConsoleUse(operator.Fingerprint, operator.Function) (operator.Operator, error) {
	return operator.Operator{ID: "admin.fuzz", Role: operator.RoleAdministrator}, nil
}

// Whatever body arrives at the POST endpoints, the answer is JSON with a
// typed error or success, never a panic or a 500, and the kiosk only ever
// receives a valid configuration's limits.
func FuzzPOSTBodies(f *testing.F) {
	for _, s := range []string{`{"session":1}`, `{"face_attempts":2}`, `{"wording":{"ja":{"a.b":"x"}}}`,
		`{"default_language":"en"}`, `{"face_attempt_time":"9s"}`, `{}`, `[]`, `{"format":"uketsuke-config/2"}`, ``} {
		f.Add(uint8(0), []byte(s))
		f.Add(uint8(1), []byte(s))
		f.Add(uint8(2), []byte(s))
	}
	for _, s := range []string{`{"patient_number":"A-1"}`, `{"insured":{"insurer":"138222","number":"1"}}`,
		`{"patient_number":"A-1","insured":{}}`, `{"id":"00112233445566778899aabbccddeeff"}`, `{"id":"zz"}`} {
		f.Add(uint8(3), []byte(s))
		f.Add(uint8(4), []byte(s))
		f.Add(uint8(5), []byte(s))
	}
	pki := consoletest.New(f)
	cert, err := tls.LoadX509KeyPair(pki.Console.CertFile, pki.Console.KeyFile)
	if err != nil {
		f.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		f.Fatal(err)
	}
	defer ln.Close()
	dir := f.TempDir()
	cfg := config.Default()
	cfg.Parts = &config.Parts{KioskID: "k1", Audit: filepath.Join(dir, "log"),
		Reader: config.Reader{Kind: config.KindVirtual}, FaceCamera: config.Camera{Kind: config.KindVirtual},
		CardCamera: config.Camera{Kind: config.KindVirtual}, OCR: config.OCR{Kind: config.KindStandIn},
		FaceEngine: config.FaceEngine{Kind: config.KindStandIn}, Eligibility: config.Eligibility{Kind: config.KindVirtual},
		Results: config.Results{Dir: filepath.Join(dir, "results"), State: filepath.Join(dir, "state")}}
	k := &fakeKiosk{view: session.View{State: session.StateStaffCheck, Session: 1}}
	srv, err := console.New(console.Options{Listener: ln, Certificate: cert, ClientCAs: pki.Roots, Auth: anyAdmin{},
		Kiosk: k, Settings: appconsole.NewSettings(cfg, filepath.Join(dir, "state", appconsole.OverridesFile), k),
		Unlinker: validatingUnlinker{}, DeadLetters: noDeadLetters{}})
	if err != nil {
		f.Fatal(err)
	}
	h := srv.Handler()
	peer, err := x509.ParseCertificate(pki.Issue(f, "fuzz").Certificate[0])
	if err != nil {
		f.Fatal(err)
	}
	paths := []string{"/api/checks/approve", "/api/settings", "/api/bundle", "/api/revisit/unlink",
		"/api/revisit/dead-letters/retry", "/api/revisit/dead-letters/discard"}
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		req := httptest.NewRequest(http.MethodPost, paths[int(which)%len(paths)], bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(console.CSRFHeader, "1")
		req.TLS = &tls.ConnectionState{PeerCertificates: []*x509.Certificate{peer}}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s: %d %s", req.URL.Path, rec.Code, rec.Body)
		}
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("not JSON: %q", rec.Body)
		}
		k.mu.Lock()
		defer k.mu.Unlock()
		for _, l := range k.limits {
			if l.FaceAttempts < 1 || l.FaceAttempts > 5 {
				t.Fatalf("the kiosk got %d face attempts", l.FaceAttempts)
			}
		}
	})
}

// validatingUnlinker checks what reaches it the way the Book does, and
// finds nothing.
type validatingUnlinker struct{}

func (validatingUnlinker) UnlinkPatient(_ context.Context, n revisit.PatientNumber) error {
	if n == "" {
		return &revisit.InvalidError{Field: "patient number", Reason: "empty"}
	}
	if err := n.Validate(); err != nil {
		return err
	}
	return revisit.ErrNotLinked
}

func (validatingUnlinker) UnlinkInsured(_ context.Context, n revisit.InsuredNumber) error {
	if err := n.Validate(); err != nil {
		return err
	}
	return revisit.ErrNotLinked
}

type noDeadLetters struct{}

func (noDeadLetters) DeadLetters(context.Context) ([]revisit.DeadVisit, error) { return nil, nil }
func (noDeadLetters) RetryDead(context.Context, revisit.VisitID) error {
	return revisit.ErrNoDeadLetter
}
func (noDeadLetters) DiscardDead(context.Context, revisit.VisitID) error {
	return revisit.ErrNoDeadLetter
}
