package chrometest

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"html"
	"image/png"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// testCA is a CA that issues the test server's and operators' certificates.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

func newTestCA(t *testing.T, cn string) testCA {
	t.Helper()
	key := newKey(t)
	template := &x509.Certificate{
		SerialNumber:          randomSerial(t),
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return testCA{cert: cert, key: key}
}

// issue makes a leaf certificate: a server's for 127.0.0.1 and localhost,
// or a client's.
func (ca testCA) issue(t *testing.T, cn string, usage x509.ExtKeyUsage) tls.Certificate {
	t.Helper()
	key := newKey(t)
	template := &x509.Certificate{
		SerialNumber: randomSerial(t),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{usage},
	}
	if usage == x509.ExtKeyUsageServerAuth {
		template.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1)}
		template.DNSNames = []string{"localhost"}
	}
	der, err := x509.CreateCertificate(rand.Reader, template, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func newKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func randomSerial(t *testing.T) *big.Int {
	t.Helper()
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// mtlsServer is an HTTPS server that requires a client certificate from
// its operator CA and echoes the certificate's subject CN into the page.
type mtlsServer struct {
	*httptest.Server
	pages     atomic.Int32
	handshake lockedLog
}

func startMTLSServer(t *testing.T, serverCA, operatorCA testCA) *mtlsServer {
	t.Helper()
	s := &mtlsServer{}
	clientCAs := x509.NewCertPool()
	clientCAs.AddCert(operatorCA.cert)
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.pages.Add(1)
		cn := r.TLS.PeerCertificates[0].Subject.CommonName
		fmt.Fprintf(w, "<!doctype html><title>operator</title><p>signed in as <b id=\"cn\">%s</b></p>", html.EscapeString(cn))
	}))
	s.TLS = &tls.Config{
		Certificates: []tls.Certificate{serverCA.issue(t, "127.0.0.1", x509.ExtKeyUsageServerAuth)},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    clientCAs,
		MinVersion:   tls.VersionTLS12,
	}
	s.Config.ErrorLog = log.New(&s.handshake, "", 0)
	s.StartTLS()
	t.Cleanup(s.Close)
	return s
}

// lockedLog keeps the server's handshake errors for the test to read.
type lockedLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lockedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lockedLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func TestBrowserPresentsOperatorCertificate(t *testing.T) {
	serverCA := newTestCA(t, "chrometest server CA")
	operatorCA := newTestCA(t, "chrometest operator CA")
	srv := startMTLSServer(t, serverCA, operatorCA)
	operator := operatorCA.issue(t, "operator-0042", x509.ExtKeyUsageClientAuth)

	ctx := Start(t, Options{ClientCert: &operator, TrustedCAs: []*x509.Certificate{serverCA.cert}})
	// The policy covers the loopback address by number and by name.
	byName := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	for _, url := range []string{srv.URL, byName} {
		if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
			t.Fatalf("navigate to %s with the operator's certificate: %v\nserver: %s", url, err, srv.handshake.String())
		}
		cn, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("cn")))
		if err != nil {
			t.Fatal(err)
		}
		if cn != "operator-0042" {
			t.Fatalf("%s: the server saw CN %q, want operator-0042", url, cn)
		}
	}

	path, err := Screenshot(ctx, "chrometest-operator")
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join("build", "browser", "chrometest-operator.png"); !strings.HasSuffix(path, want) {
		t.Errorf("screenshot at %s, want it at the module's %s", path, want)
	}
	assertPNG(t, path)
}

// A browser refused by the server sees the connection fail: with TLS 1.3
// the server's alert comes after the client's Finished, so chromium reports a
// socket error (net::ERR_SOCKET_NOT_CONNECTED) or a client-certificate error
// depending on timing; the server's log says why it refused.
func TestBrowserWithoutCertificateIsRefused(t *testing.T) {
	serverCA := newTestCA(t, "chrometest server CA")
	operatorCA := newTestCA(t, "chrometest operator CA")
	strangerCA := newTestCA(t, "chrometest stranger CA")
	stranger := strangerCA.issue(t, "stranger", x509.ExtKeyUsageClientAuth)

	for _, tc := range []struct {
		name string
		cert *tls.Certificate
	}{
		{"no certificate", nil},
		// Chromium offers only certificates from the CAs the server names,
		// so it sends none here either; a server that named no CAs would get
		// the stranger's and refuse it as from an unknown authority.
		{"certificate from another CA", &stranger},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := startMTLSServer(t, serverCA, operatorCA)
			ctx := Start(t, Options{ClientCert: tc.cert, TrustedCAs: []*x509.Certificate{serverCA.cert}, Timeout: time.Minute})
			navigation, cancel := context.WithTimeout(ctx, 20*time.Second)
			defer cancel()
			err := chromedp.Do(navigation, chromedp.Navigate(srv.URL))
			var loadErr *chromedp.LoadError
			if !errors.As(err, &loadErr) || !strings.HasPrefix(loadErr.ErrorText, "net::ERR_") {
				t.Fatalf("navigate: got %v, want a network load error (server: %s)", err, srv.handshake.String())
			}
			if n := srv.pages.Load(); n != 0 {
				t.Fatalf("the server served %d pages to a browser it must refuse", n)
			}
			log := srv.handshake.String()
			if !strings.Contains(log, "didn't provide a certificate") && !strings.Contains(log, "unknown authority") {
				t.Fatalf("the server logged no refused client certificate: %q", log)
			}
		})
	}
}

func TestScreenshotRefusesBadNames(t *testing.T) {
	ctx := context.WithValue(context.Background(), screenshotDirKey{}, t.TempDir())
	for _, name := range []string{"", "../escape", "a/b", ".hidden", "名前"} {
		if _, err := Screenshot(ctx, name); !errors.Is(err, ErrScreenshotName) {
			t.Errorf("Screenshot(%q): %v, want ErrScreenshotName", name, err)
		}
	}
	if _, err := Screenshot(context.Background(), "page"); !errors.Is(err, ErrNotStarted) {
		t.Errorf("Screenshot without Start: %v, want ErrNotStarted", err)
	}
}

func TestPolicySelectsOnlyLoopbackOrigins(t *testing.T) {
	text := string(policyJSON())
	for _, want := range []string{`"AutoSelectCertificateForUrls"`, `https://127.0.0.1:*`} {
		if !strings.Contains(text, want) {
			t.Errorf("policy %s lacks %s", text, want)
		}
	}
	for _, pattern := range autoSelectPatterns {
		if !strings.HasPrefix(pattern, "https://127.0.0.1:") && !strings.HasPrefix(pattern, "https://localhost:") && !strings.HasPrefix(pattern, "https://[::1]:") {
			t.Errorf("pattern %s reaches beyond the loopback address", pattern)
		}
	}
}

func TestStalePoliciesOfDeadProcessesAreRemoved(t *testing.T) {
	if err := os.MkdirAll(PolicyDir, 0o755); err != nil {
		t.Fatalf("needs root to write %s: %v", PolicyDir, err)
	}
	// A pid above the kernel's limit (pid_max is at most 2^22) never runs.
	stale := filepath.Join(PolicyDir, policyPrefix+"99999999-000000.json")
	alive := filepath.Join(PolicyDir, fmt.Sprintf("%s%d-111111.json", policyPrefix, os.Getpid()))
	for _, p := range []string{stale, alive} {
		if err := os.WriteFile(p, policyJSON(), 0o644); err != nil {
			t.Fatalf("needs root to write %s: %v", PolicyDir, err)
		}
		t.Cleanup(func() { os.Remove(p) })
	}
	removeStalePolicies()
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the stale policy is still there: %v", err)
	}
	if _, err := os.Stat(alive); err != nil {
		t.Errorf("the live process's policy was removed: %v", err)
	}
}

func assertPNG(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s is not a PNG: %v", path, err)
	}
	if b := img.Bounds(); b.Dx() < 100 || b.Dy() < 100 {
		t.Fatalf("%s is only %v", path, b)
	}
}
