package onshi

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// TLSPKI is the test PKI of the service's HTTPS link: a CA that issues the
// server's certificate (for 127.0.0.1, ::1 and localhost) and the kiosks'
// client certificates (CN = kiosk id, OU = 医療機関コード). Its keys are
// derived from a seed, so the same seed gives the same keys everywhere.
// It is for tests and demos, never for a real deployment.
type TLSPKI struct {
	CA     *x509.Certificate
	CAKey  *ecdsa.PrivateKey
	Server tls.Certificate
}

var pkiEpoch = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// File names inside a certificate folder (`uketsuke onshi init`).
const (
	FileCA        = "ca.pem"
	FileCAKey     = "ca-key.pem"
	FileServer    = "server.pem"
	FileServerKey = "server-key.pem"
	FileKiosk     = "kiosk.pem"
	FileKioskKey  = "kiosk-key.pem"
)

// seededKey derives a P-256 key from a label.
func seededKey(label string) (*ecdsa.PrivateKey, error) {
	h := sha256.Sum256([]byte("uketsuke onshi tls/" + label))
	for range 16 {
		if k, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), h[:]); err == nil {
			return k, nil
		}
		h = sha256.Sum256(h[:]) // out of range: rare, try the next hash
	}
	return nil, errors.New("onshi: no usable key from seed")
}

// NewTLSPKI builds the PKI for seed.
func NewTLSPKI(seed string) (*TLSPKI, error) {
	caKey, err := seededKey(seed + "/ca")
	if err != nil {
		return nil, err
	}
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "uketsuke onshi test CA"},
		NotBefore: pkiEpoch, NotAfter: pkiEpoch.AddDate(20, 0, 0),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	ca, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	p := &TLSPKI{CA: ca, CAKey: caKey}
	srvKey, err := seededKey(seed + "/server")
	if err != nil {
		return nil, err
	}
	p.Server, err = p.issue(&x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "onshi.localhost"},
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}, srvKey)
	return p, err
}

func (p *TLSPKI) issue(tmpl *x509.Certificate, key *ecdsa.PrivateKey) (tls.Certificate, error) {
	tmpl.NotBefore, tmpl.NotAfter = pkiEpoch, pkiEpoch.AddDate(20, 0, 0)
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.CA, &key.PublicKey, p.CAKey)
	if err != nil {
		return tls.Certificate{}, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, nil
}

// KioskCert issues a client certificate for one kiosk of an institution.
func (p *TLSPKI) KioskCert(id, institution string) (tls.Certificate, error) {
	key, err := seededKey("kiosk/" + id + "/" + institution)
	if err != nil {
		return tls.Certificate{}, err
	}
	sum := sha256.Sum256([]byte(id + "/" + institution))
	serial := new(big.Int).SetBytes(sum[:16])
	return p.issue(&x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: id, OrganizationalUnit: []string{institution}},
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}, key)
}

// CAPool is a pool holding the CA.
func (p *TLSPKI) CAPool() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(p.CA)
	return pool
}

// ServerConfig is the service's TLS configuration.
func (p *TLSPKI) ServerConfig() *tls.Config { return ServerTLSConfig(p.Server, p.CAPool()) }

// KioskConfig is a kiosk's TLS configuration with its client certificate.
func (p *TLSPKI) KioskConfig(cert tls.Certificate) *tls.Config {
	return &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: p.CAPool(), Certificates: []tls.Certificate{cert}}
}

// WriteFiles writes the CA, the server's and one kiosk's certificate and key
// as PEM files into dir (created 0700; keys 0600).
func (p *TLSPKI) WriteFiles(dir, kioskID, institution string) error {
	kiosk, err := p.KioskCert(kioskID, institution)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	files := []struct {
		name string
		fn   func() ([]byte, error)
	}{
		{FileCA, func() ([]byte, error) { return pemCert(p.CA.Raw), nil }},
		{FileCAKey, func() ([]byte, error) { return pemKey(p.CAKey) }},
		{FileServer, func() ([]byte, error) { return pemCert(p.Server.Certificate[0]), nil }},
		{FileServerKey, func() ([]byte, error) { return pemKey(p.Server.PrivateKey.(*ecdsa.PrivateKey)) }},
		{FileKiosk, func() ([]byte, error) { return pemCert(kiosk.Certificate[0]), nil }},
		{FileKioskKey, func() ([]byte, error) { return pemKey(kiosk.PrivateKey.(*ecdsa.PrivateKey)) }},
	}
	for _, f := range files {
		data, err := f.fn()
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, f.name), data, 0o600); err != nil {
			return err
		}
	}
	return nil
}

func pemCert(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func pemKey(k *ecdsa.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// LoadTLSPKI reads a folder written by WriteFiles (CA, its key, the server).
func LoadTLSPKI(dir string) (*TLSPKI, error) {
	ca, err := tls.LoadX509KeyPair(filepath.Join(dir, FileCA), filepath.Join(dir, FileCAKey))
	if err != nil {
		return nil, fmt.Errorf("onshi: CA in %s: %w", dir, err)
	}
	srv, err := tls.LoadX509KeyPair(filepath.Join(dir, FileServer), filepath.Join(dir, FileServerKey))
	if err != nil {
		return nil, fmt.Errorf("onshi: server certificate in %s: %w", dir, err)
	}
	caKey, ok := ca.PrivateKey.(*ecdsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("onshi: CA key in %s is not ECDSA", dir)
	}
	return &TLSPKI{CA: ca.Leaf, CAKey: caKey, Server: srv}, nil
}

// LoadKioskTLS reads the CA and the kiosk certificate from a folder written by
// WriteFiles, as a kiosk's TLS configuration.
func LoadKioskTLS(dir string) (*tls.Config, error) {
	caPEM, err := os.ReadFile(filepath.Join(dir, FileCA))
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return nil, fmt.Errorf("onshi: no certificate in %s", FileCA)
	}
	cert, err := tls.LoadX509KeyPair(filepath.Join(dir, FileKiosk), filepath.Join(dir, FileKioskKey))
	if err != nil {
		return nil, err
	}
	return &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: pool, Certificates: []tls.Certificate{cert}}, nil
}
