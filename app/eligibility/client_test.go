package eligibility

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// attempts records the idempotency key of every request a stub received.
type attempts struct {
	mu   sync.Mutex
	keys []string
}

func (a *attempts) add(key string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.keys = append(a.keys, key)
	return len(a.keys)
}

func (a *attempts) all() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.keys...)
}

// stub is an HTTPS server whose answers a test scripts per attempt.
func stub(t *testing.T, answer func(attempt int, w http.ResponseWriter, r *http.Request)) (*Client, *attempts) {
	seen := &attempts{}
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		answer(seen.add(r.Header.Get(HeaderIdempotencyKey)), w, r)
	}))
	t.Cleanup(srv.Close)
	c, err := NewClient(Config{BaseURL: srv.URL, TLS: pinnedTLS(t, srv), Transport: srv.Client().Transport,
		AttemptTimeout: 200 * time.Millisecond, Backoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c, seen
}

func TestClientRetriesServerFailuresWithTheSameKey(t *testing.T) {
	c, keys := stub(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n < 3 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte(`{"ConsentID":7,"RecordedAt":"x"}`))
	})
	got, err := c.RecordConsent(context.Background(), "", "s", Consent{})
	if err != nil || got.ConsentID != 7 {
		t.Fatalf("%+v %v", got, err)
	}
	if k := keys.all(); len(k) != 3 || k[0] == "" || k[0] != k[1] || k[1] != k[2] {
		t.Fatalf("idempotency keys across attempts: %q", k)
	}
}

func TestClientDoesNotRetryARefusal(t *testing.T) {
	c, keys := stub(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"Error":{"Code":"bad_signature","Message":"no"}}`))
	})
	_, err := c.CheckByCard(context.Background(), CardCheckRequest{})
	var api *APIError
	if !errors.Is(err, ErrBadSignature) || !errors.As(err, &api) || api.Status != 401 {
		t.Fatalf("got %v", err)
	}
	if n := len(keys.all()); n != 1 {
		t.Fatalf("a refusal was retried %d times", n)
	}
}

func TestClientGivesUpOnASilentService(t *testing.T) {
	c, keys := stub(t, func(_ int, _ http.ResponseWriter, r *http.Request) {
		select { // answers too late for the attempt time-out
		case <-r.Context().Done():
		case <-time.After(time.Second):
		}
	})
	start := time.Now()
	_, err := c.CheckByInsurance(context.Background(), InsuranceQuery{})
	if !errors.Is(err, ErrTransport) {
		t.Fatalf("got %v", err)
	}
	if n := len(keys.all()); n != 3 || time.Since(start) > 3*time.Second {
		t.Fatalf("%d attempts in %v", n, time.Since(start))
	}
}

func TestClientMapsAnUndecodableErrorBody(t *testing.T) {
	c, _ := stub(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte("<html>"))
	})
	_, err := c.Challenge(context.Background())
	var api *APIError
	if !errors.As(err, &api) || api.Status != 404 {
		t.Fatalf("got %v", err)
	}
}

// pinnedTLS trusts only the test server's certificate and carries a
// throwaway client certificate.
func pinnedTLS(t *testing.T, srv *httptest.Server) *tls.Config {
	t.Helper()
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "kiosk-test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Config{RootCAs: roots, Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
}

func selfSigned(t *testing.T, ip net.IP) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "another CA"},
		IPAddresses: []net.IP{ip}, IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

func TestClientRefusesAnUnpinnedTLSConfiguration(t *testing.T) {
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	defer srv.Close()
	good := pinnedTLS(t, srv)
	skip := good.Clone()
	skip.InsecureSkipVerify = true
	systemRoots := good.Clone()
	systemRoots.RootCAs = nil
	noCert := good.Clone()
	noCert.Certificates = nil
	for name, tc := range map[string]*tls.Config{"nil": nil, "skip verify": skip, "system roots": systemRoots,
		"no client certificate": noCert} {
		if _, err := NewClient(Config{BaseURL: srv.URL, TLS: tc}); !errors.Is(err, ErrUnpinned) {
			t.Errorf("%s: %v, want ErrUnpinned", name, err)
		}
		if _, err := NewClient(Config{BaseURL: srv.URL, TLS: tc, Transport: http.DefaultTransport}); !errors.Is(err, ErrUnpinned) {
			t.Errorf("%s with a transport of its own: %v, want ErrUnpinned", name, err)
		}
	}
	if _, err := NewClient(Config{BaseURL: srv.URL, TLS: good}); err != nil {
		t.Fatalf("pinned configuration refused: %v", err)
	}
}

func TestClientRefusesAnotherCAAndAnotherName(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"challenge_id":"x","nonce":"AAAA"}`))
	}))
	defer srv.Close()
	opts := func(base string, tc *tls.Config) Config {
		return Config{BaseURL: base, TLS: tc, Attempts: 1, AttemptTimeout: time.Second}
	}
	right := pinnedTLS(t, srv)
	c, err := NewClient(opts(srv.URL, right))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Challenge(context.Background()); err != nil {
		t.Fatalf("the pinned server itself: %v", err)
	}
	// Every httptest server shows the same built-in certificate, so another
	// CA is made here: one that also names 127.0.0.1.
	foreign := right.Clone()
	foreign.RootCAs = x509.NewCertPool()
	foreign.RootCAs.AddCert(selfSigned(t, net.ParseIP("127.0.0.1")))
	c, _ = NewClient(opts(srv.URL, foreign))
	if _, err := c.Challenge(context.Background()); err == nil {
		t.Fatal("a server with a certificate from another CA was trusted")
	}
	// The test certificate names 127.0.0.1 and example.com, not localhost.
	byName := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	c, _ = NewClient(opts(byName, right))
	if _, err := c.Challenge(context.Background()); err == nil {
		t.Fatal("a certificate of the right CA for another name was trusted")
	}
}

func TestNewClientWantsHTTPS(t *testing.T) {
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	defer srv.Close()
	for _, u := range []string{"http://127.0.0.1:1", "127.0.0.1:1", "https://"} {
		if _, err := NewClient(Config{BaseURL: u, TLS: pinnedTLS(t, srv), Transport: http.DefaultTransport}); err == nil {
			t.Fatalf("%q accepted", u)
		}
	}
}
