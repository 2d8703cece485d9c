// Package consoletest makes the certificates a console test needs, fresh
// for each test: a CA for operators' console certificates, the console's
// server certificate for 127.0.0.1, and client certificates from that CA
// or from a stranger CA.
package consoletest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/app/config"
)

// PKI is a console CA and the files of the console's own certificate.
type PKI struct {
	Dir     string
	CA      *x509.Certificate
	caKey   *ecdsa.PrivateKey
	Roots   *x509.CertPool // for clients: trusts the console's server certificate
	Console config.Console // cert, key and client CA files; Address 127.0.0.1:0
}

// New makes the CA and the server certificate under t.TempDir().
func New(t testing.TB) *PKI {
	t.Helper()
	dir := t.TempDir()
	ca, caKey := newCA(t, "uketsuke console test CA")
	p := &PKI{Dir: dir, CA: ca, caKey: caKey, Roots: x509.NewCertPool()}
	p.Roots.AddCert(ca)
	server := p.issue(t, "console", true)
	p.Console = config.Console{Address: "127.0.0.1:0",
		CertFile: filepath.Join(dir, "console.pem"), KeyFile: filepath.Join(dir, "console-key.pem"),
		ClientCAFile: filepath.Join(dir, "ca.pem")}
	writePEM(t, p.Console.ClientCAFile, "CERTIFICATE", ca.Raw)
	writePEM(t, p.Console.CertFile, "CERTIFICATE", server.Certificate[0])
	der, err := x509.MarshalECPrivateKey(server.PrivateKey.(*ecdsa.PrivateKey))
	if err != nil {
		t.Fatal(err)
	}
	writePEM(t, p.Console.KeyFile, "EC PRIVATE KEY", der)
	return p
}

// Issue issues an operator's console certificate from the console's CA.
func (p *PKI) Issue(t testing.TB, name string) tls.Certificate {
	t.Helper()
	return p.issue(t, name, false)
}

// IssueExpired issues an operator's certificate from the console's CA
// that expired an hour ago.
func (p *PKI) IssueExpired(t testing.TB, name string) tls.Certificate {
	t.Helper()
	return p.issueFor(t, name, false, time.Now().Add(-48*time.Hour), time.Now().Add(-time.Hour))
}

// Stranger issues a client certificate from a CA the console does not know.
func Stranger(t testing.TB) tls.Certificate {
	t.Helper()
	ca, key := newCA(t, "someone else's CA")
	other := &PKI{CA: ca, caKey: key}
	return other.issue(t, "stranger", false)
}

// Fingerprint is the certificate's SHA-256 as console_fingerprint takes it.
func Fingerprint(c tls.Certificate) string {
	sum := sha256Sum(c.Certificate[0])
	return hex.EncodeToString(sum[:])
}

// HTTPClient is a client that trusts the console and presents cert (none
// when cert is nil).
func (p *PKI) HTTPClient(cert *tls.Certificate) *Client {
	cfg := &tls.Config{RootCAs: p.Roots, MinVersion: tls.VersionTLS12}
	if cert != nil {
		// Sent whatever CAs the server names, so a stranger's certificate
		// reaches the server's check instead of being held back here.
		c := *cert
		cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &c, nil }
	}
	return newClient(cfg)
}

func newCA(t testing.TB, name string) (*x509.Certificate, *ecdsa.PrivateKey) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: serial(t), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return ca, key
}

func (p *PKI) issue(t testing.TB, name string, server bool) tls.Certificate {
	return p.issueFor(t, name, server, time.Now().Add(-time.Hour), time.Now().Add(24*time.Hour))
}

func (p *PKI) issueFor(t testing.TB, name string, server bool, from, until time.Time) tls.Certificate {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: serial(t), Subject: pkix.Name{CommonName: name},
		NotBefore: from, NotAfter: until,
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	if server {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1)}
		tmpl.DNSNames = []string{"localhost"}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.CA, &key.PublicKey, p.caKey)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func serial(t testing.TB) *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func writePEM(t testing.TB, path, kind string, der []byte) {
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}
