package onshi

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/app/eligibility"
	"github.com/uketsuke/uketsuke/sim/jlis"
	"github.com/uketsuke/uketsuke/sim/onshi/pinless"
)

// testNow is the stand-in's clock in tests: mid-2026, JST.
var testNow = time.Date(2026, 6, 1, 10, 0, 0, 0, jst)

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is a real service on a loopback port over a real SQLite file.
type env struct {
	t     *testing.T
	store *Store
	srv   *Server
	url   string
	pki   *TLSPKI
	clock *clock
	pop   Population
	jlis  *jlis.Hierarchy
	inst  *pinless.Hierarchy
}

func newEnv(t *testing.T, n int) *env {
	t.Helper()
	store, err := OpenStore(filepath.Join(t.TempDir(), "onshi.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	pop := Population{Seed: 42, N: n}
	if err := store.Seed(context.Background(), pop); err != nil {
		t.Fatal(err)
	}
	pki, err := NewTLSPKI("test")
	if err != nil {
		t.Fatal(err)
	}
	inst, err := pinless.NewHierarchy("test")
	if err != nil {
		t.Fatal(err)
	}
	h := jlis.New(jlis.DefaultSeed)
	clk := &clock{t: testNow}
	srv := NewServer(Config{Store: store, JPKIRoots: []*x509.Certificate{h.JPKIAuthCA},
		Institution: pinless.Simulated{H: inst}, Now: clk.Now})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln, pki.ServerConfig()) }()
	t.Cleanup(func() { cancel(); <-done })
	return &env{t: t, store: store, srv: srv, url: "https://" + ln.Addr().String(), pki: pki,
		clock: clk, pop: pop, jlis: h, inst: inst}
}

func (e *env) kioskTLS(id string) *http.Client {
	cert, err := e.pki.KioskCert(id, "1312345678")
	if err != nil {
		e.t.Fatal(err)
	}
	return &http.Client{Transport: &http.Transport{TLSClientConfig: e.pki.KioskConfig(cert)}, Timeout: 10 * time.Second}
}

func (e *env) client(id string, rt http.RoundTripper) *eligibility.Client {
	return e.clientAt(id, testInstitution, rt)
}

// testInstitution is the 医療機関コード of the test kiosks' certificates.
const testInstitution = "1312345678"

// clientAt is a kiosk of another institution.
func (e *env) clientAt(id, institution string, rt http.RoundTripper) *eligibility.Client {
	cert, err := e.pki.KioskCert(id, institution)
	if err != nil {
		e.t.Fatal(err)
	}
	cfg := eligibility.Config{BaseURL: e.url, TLS: e.pki.KioskConfig(cert), Backoff: time.Millisecond}
	if rt != nil {
		cfg.Transport = rt
	}
	c, err := eligibility.NewClient(cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// post sends raw bytes and returns the status and the error code, if any.
func (e *env) post(hc *http.Client, path string, body []byte, key string) (int, string, []byte) {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.url+path, bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if key != "" {
		req.Header.Set(eligibility.HeaderIdempotencyKey, key)
	}
	resp, err := hc.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var er eligibility.ErrorResponse
	json.Unmarshal(data, &er)
	return resp.StatusCode, er.Error.Code, data
}

// counts snapshots every table the service writes.
func (e *env) counts() map[string]int {
	out := map[string]int{}
	for _, tbl := range []string{"card_link", "consent", "idempotency", "revoked", "person", "qualification", "reference_number"} {
		n, err := e.store.CountRows(context.Background(), tbl)
		if err != nil {
			e.t.Fatal(err)
		}
		out[tbl] = n
	}
	return out
}

// testCard is a card's JPKI user-authentication key, PIN already verified.
type testCard struct {
	cert *x509.Certificate
	key  *rsa.PrivateKey
}

func (c testCard) AuthCertificate(context.Context) (*x509.Certificate, error) { return c.cert, nil }
func (c testCard) SignWithAuthKey(_ context.Context, d [32]byte) ([]byte, error) {
	return rsa.SignPKCS1v15(nil, c.key, crypto.SHA256, d[:])
}

func (e *env) card(n int, expiry time.Time) testCard {
	k := e.jlis.IssueCard(int64(1000+n), fmt.Sprint("holder ", n), expiry)
	return testCard{cert: k.AuthCert, key: k.AuthKey}
}

// personOfKind finds the first synthetic holder of a kind.
func (e *env) personOfKind(k Kind) (int, SeedPerson) {
	for i := range e.pop.N {
		if p := e.pop.Person(i); p.Kind == k {
			return i, p
		}
	}
	e.t.Fatalf("no person of kind %d", k)
	return 0, SeedPerson{}
}

func queryOf(p SeedPerson, r int) eligibility.InsuranceQuery {
	rec := p.Records[r]
	return eligibility.InsuranceQuery{InsurerNumber: rec.Insurer, InsuredCardSymbol: rec.Symbol,
		InsuredIdentificationNumber: rec.Number, InsuredBranchNumber: rec.Branch, Birthdate: p.Birth}
}

var bg = context.Background()

func (e *env) kioskTLSTransport(cert tls.Certificate) *http.Transport {
	return &http.Transport{TLSClientConfig: e.pki.KioskConfig(cert)}
}
