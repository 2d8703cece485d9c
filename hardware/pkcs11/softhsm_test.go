package pkcs11_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/app/operator"
	"github.com/uketsuke/uketsuke/app/secret"
	"github.com/uketsuke/uketsuke/hardware/pkcs11"
)

// SoftHSMModule is where Debian 12's softhsm2 package puts the module.
const SoftHSMModule = "/usr/lib/softhsm/libsofthsm2.so"

const (
	tokenLabel = "hpki-test"
	userPIN    = "246810"
	soPIN      = "13579246"
	objectID   = "4f50"
)

// needSoftHSM skips without SoftHSM2 and its tools, or fails when
// UKETSUKE_REQUIRE_SOFTHSM=1 (`make test` sets it).
func needSoftHSM(t *testing.T) {
	t.Helper()
	var missing []string
	if _, err := os.Stat(SoftHSMModule); err != nil {
		missing = append(missing, SoftHSMModule)
	}
	for _, tool := range []string{"softhsm2-util", "pkcs11-tool"} {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool)
		}
	}
	if len(missing) == 0 {
		return
	}
	if os.Getenv("UKETSUKE_REQUIRE_SOFTHSM") == "1" {
		t.Fatalf("SoftHSM2 is required (UKETSUKE_REQUIRE_SOFTHSM=1) but %v is missing: apt-get install softhsm2 opensc", missing)
	}
	t.Skipf("SoftHSM2 is not installed (%v missing): `apt-get install softhsm2`, or `make test`, runs this test", missing)
}

func run(t *testing.T, name string, args ...string) {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}

// hpki is a test HPKI-style hierarchy: a CA and an operator's
// authentication certificate with its key.
type hpki struct {
	ca       *x509.Certificate
	cert     *x509.Certificate
	key      *rsa.PrivateKey
	otherCA  *x509.Certificate
	otherKey *rsa.PrivateKey
}

func issue(t *testing.T, name string, key *rsa.PrivateKey, parent *x509.Certificate, parentKey *rsa.PrivateKey, ca bool) *x509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	if ca {
		tmpl.IsCA, tmpl.BasicConstraintsValid, tmpl.KeyUsage, tmpl.ExtKeyUsage = true, true, x509.KeyUsageCertSign, nil
	}
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

func rsaKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// token makes a SoftHSM2 token in a temporary folder holding the
// operator's key and certificate under one CKA_ID.
func token(t *testing.T) hpki {
	t.Helper()
	dir := t.TempDir()
	tokens := filepath.Join(dir, "tokens")
	if err := os.Mkdir(tokens, 0o700); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "softhsm2.conf")
	if err := os.WriteFile(conf, []byte("directories.tokendir = "+tokens+"\nobjectstore.backend = file\nlog.level = ERROR\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SOFTHSM2_CONF", conf)

	caKey, opKey, otherKey := rsaKey(t), rsaKey(t), rsaKey(t)
	h := hpki{key: opKey, otherKey: otherKey}
	h.ca = issue(t, "HPKI Test CA", caKey, nil, nil, true)
	h.cert = issue(t, "HPKI Test Operator", opKey, h.ca, caKey, false)
	h.otherCA = issue(t, "Another CA", otherKey, nil, nil, true)

	pkcs8, err := x509.MarshalPKCS8PrivateKey(opKey)
	if err != nil {
		t.Fatal(err)
	}
	keyFile, certFile := filepath.Join(dir, "key.pem"), filepath.Join(dir, "cert.der")
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(certFile, h.cert.Raw, 0o600); err != nil {
		t.Fatal(err)
	}
	run(t, "softhsm2-util", "--init-token", "--free", "--label", tokenLabel, "--pin", userPIN, "--so-pin", soPIN)
	run(t, "softhsm2-util", "--import", keyFile, "--token", tokenLabel, "--label", "operator", "--id", objectID, "--pin", userPIN)
	run(t, "pkcs11-tool", "--module", SoftHSMModule, "--token-label", tokenLabel, "--login", "--pin", userPIN,
		"--write-object", certFile, "--type", "cert", "--id", objectID, "--label", "operator")
	return h
}

// pins are the test's wrong and right PINs in locked memory.
func pins(t *testing.T) (wrong, right *secret.Buffer) {
	t.Helper()
	var err error
	if wrong, err = secret.Take([]byte("000000")); err == nil {
		right, err = secret.Take([]byte(userPIN))
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { wrong.Destroy(); right.Destroy() })
	return wrong, right
}

func pool(certs ...*x509.Certificate) *x509.CertPool {
	p := x509.NewCertPool()
	for _, c := range certs {
		p.AddCert(c)
	}
	return p
}

func TestHPKILoginThroughSoftHSM(t *testing.T) {
	needSoftHSM(t)
	h := token(t)
	m, err := pkcs11.Open(SoftHSMModule)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	card, err := m.Card()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	wrongPIN, rightPIN := pins(t)
	cert, err := card.Certificate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !cert.Equal(h.cert) {
		t.Fatal("the token's certificate is not the one imported")
	}
	registered := []operator.Operator{{ID: "dr.hpki", Name: "HPKI 医師", Role: operator.RoleAdministrator,
		Fingerprint: operator.FingerprintOf(h.cert.Raw)}}
	auth, err := operator.New(operator.Config{Operators: registered,
		Roots: map[operator.Scheme]*x509.CertPool{operator.SchemeHPKI: pool(h.ca)}})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("wrong PIN", func(t *testing.T) {
		_, err := auth.Login(ctx, card, wrongPIN)
		var wrong *operator.WrongPINError
		if !errors.As(err, &wrong) {
			t.Fatalf("wrong PIN: %v, want a WrongPINError", err)
		}
		if _, ok := auth.Current(); ok {
			t.Fatal("a wrong PIN opened a session")
		}
	})
	t.Run("right PIN", func(t *testing.T) {
		s, err := auth.Login(ctx, card, rightPIN)
		if err != nil {
			t.Fatal(err)
		}
		if s.OperatorID != "dr.hpki" || s.Role != operator.RoleAdministrator {
			t.Fatalf("session %+v", s)
		}
		if _, err := auth.Use(operator.FuncApplySettings); err != nil {
			t.Fatal(err)
		}
		auth.CardRemoved()
		if _, err := auth.Use(operator.FuncApplySettings); !errors.Is(err, operator.ErrNoSession) {
			t.Fatalf("after removal: %v", err)
		}
	})
	t.Run("signature verifies with the certificate", func(t *testing.T) {
		digest := [32]byte{1, 2, 3}
		sig, err := card.Sign(ctx, rightPIN, digest)
		if err != nil {
			t.Fatal(err)
		}
		if err := rsa.VerifyPKCS1v15(&h.key.PublicKey, crypto.SHA256, digest[:], sig); err != nil {
			t.Fatalf("token's signature: %v", err)
		}
		digest[0]++
		if err := rsa.VerifyPKCS1v15(&h.key.PublicKey, crypto.SHA256, digest[:], sig); err == nil {
			t.Fatal("the signature verifies over another digest too")
		}
	})
	t.Run("not registered", func(t *testing.T) {
		other, _ := operator.New(operator.Config{Roots: map[operator.Scheme]*x509.CertPool{operator.SchemeHPKI: pool(h.ca)},
			Operators: []operator.Operator{{ID: "someone", Name: "x", Role: operator.RoleReception, Fingerprint: operator.FingerprintOf(h.ca.Raw)}}})
		if _, err := other.Login(ctx, card, rightPIN); !errors.Is(err, operator.ErrNotRegistered) {
			t.Fatalf("unregistered token: %v", err)
		}
	})
	t.Run("another CA", func(t *testing.T) {
		other, _ := operator.New(operator.Config{Operators: registered,
			Roots: map[operator.Scheme]*x509.CertPool{operator.SchemeHPKI: pool(h.otherCA)}})
		if _, err := other.Login(ctx, card, rightPIN); !errors.Is(err, operator.ErrUntrusted) {
			t.Fatalf("certificate of another CA: %v", err)
		}
	})
}

func TestOpenRefusesWhatIsNotAModule(t *testing.T) {
	if _, err := pkcs11.Open(filepath.Join(t.TempDir(), "missing.so")); !errors.Is(err, pkcs11.ErrModule) {
		t.Fatalf("missing module: %v", err)
	}
	notSO := filepath.Join(t.TempDir(), "text.so")
	if err := os.WriteFile(notSO, []byte("not a library"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := pkcs11.Open(notSO); !errors.Is(err, pkcs11.ErrModule) {
		t.Fatalf("not a library: %v", err)
	}
}
