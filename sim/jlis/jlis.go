// Package jlis is a test stand-in for J-LIS's certification hierarchy: the CA
// keys that certify card-face records (券面AP, 入力補助AP) and the JPKI CAs,
// all derived from a seed so every machine builds the same test cards.
// Its keys are published by construction: never trust them in production.
package jlis

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"sync"
	"time"

	"github.com/uketsuke/uketsuke/app/mynacard"
)

// DefaultSeed is the demo's and the tests' hierarchy.
const DefaultSeed = 20260401

// Authority is a CA key named by a 16-byte key ID (the form CV certificates use).
type Authority struct {
	ID  mynacard.KeyID
	Key *rsa.PrivateKey
}

// Signer is a record-signing key certified by an Authority.
type Signer struct {
	Authority
	CVCert []byte // EF 0004 content
}

// Hierarchy holds every key of the test J-LIS.
type Hierarchy struct {
	Seed          int64
	KenmenCA      Authority // 券面AP CA, ID 6000023… like J-LIS's test cards
	KenmenSign    Signer
	HojoCA        Authority
	HojoSign      Signer
	JPKIAuthCA    *x509.Certificate // 利用者証明用 root
	JPKIAuthCAKey *rsa.PrivateKey
	JPKISignCA    *x509.Certificate // 署名用 root
	JPKISignCAKey *rsa.PrivateKey
}

var (
	cacheMu     sync.Mutex
	hierarchies = map[int64]*Hierarchy{}
)

// New returns the hierarchy for seed (built once per process).
func New(seed int64) *Hierarchy {
	cacheMu.Lock()
	defer cacheMu.Unlock()
	if h, ok := hierarchies[seed]; ok {
		return h
	}
	h := build(seed)
	hierarchies[seed] = h
	return h
}

func build(seed int64) *Hierarchy {
	h := &Hierarchy{Seed: seed}
	h.KenmenCA = authority(seed, "kenmen-ca", 0x60)
	h.KenmenSign = signer(seed, "kenmen-signer", h.KenmenCA)
	h.HojoCA = authority(seed, "hojo-ca", 0x61)
	h.HojoSign = signer(seed, "hojo-signer", h.HojoCA)
	h.JPKIAuthCAKey = rsaKey(seed, "jpki-auth-ca")
	h.JPKIAuthCA = rootCert(seed, h.JPKIAuthCAKey, "JPKI Test User Authentication CA")
	h.JPKISignCAKey = rsaKey(seed, "jpki-sign-ca")
	h.JPKISignCA = rootCert(seed, h.JPKISignCAKey, "JPKI Test Digital Signature CA")
	return h
}

func authority(seed int64, label string, lead byte) Authority {
	var id mynacard.KeyID
	newStream(seed, label+"/id").Read(id[4:])
	copy(id[:4], []byte{lead, 0x00, 0x00, 0x23})
	return Authority{ID: id, Key: rsaKey(seed, label)}
}

func signer(seed int64, label string, ca Authority) Signer {
	s := Signer{Authority: authority(seed, label, ca.ID[0])}
	cert, err := mynacard.EncodeCVCertificate(ca.ID, s.ID, &s.Key.PublicKey, func(d []byte) ([]byte, error) {
		return rsa.SignPKCS1v15(nil, ca.Key, crypto.SHA256, d)
	})
	if err != nil {
		panic(fmt.Sprintf("jlis: CV certificate: %v", err)) // only on a broken key, impossible here
	}
	s.CVCert = cert
	return s
}

// validFrom is fixed so certificates are reproducible.
var validFrom = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

func rootCert(seed int64, key *rsa.PrivateKey, cn string) *x509.Certificate {
	tmpl := &x509.Certificate{
		SerialNumber:          serial(seed, cn),
		Subject:               pkix.Name{Country: []string{"JP"}, Organization: []string{"JPKI (test)"}, CommonName: cn},
		NotBefore:             validFrom,
		NotAfter:              validFrom.AddDate(30, 0, 0),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	return mustCert(tmpl, tmpl, &key.PublicKey, key)
}

func serial(seed int64, label string) *big.Int {
	b := make([]byte, 12)
	newStream(seed, "serial/"+label).Read(b)
	return new(big.Int).SetBytes(b)
}

func mustCert(tmpl, parent *x509.Certificate, pub *rsa.PublicKey, signer *rsa.PrivateKey) *x509.Certificate {
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
	if err != nil {
		panic(fmt.Sprintf("jlis: certificate %q: %v", tmpl.Subject.CommonName, err))
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		panic(err)
	}
	return cert
}

// Anchors is the trust configuration a kiosk needs for this hierarchy.
func (h *Hierarchy) Anchors() *mynacard.TrustAnchors {
	t := mynacard.NewTrustAnchors()
	t.Kenmen[h.KenmenCA.ID] = &h.KenmenCA.Key.PublicKey
	t.Hojo[h.HojoCA.ID] = &h.HojoCA.Key.PublicKey
	t.AddJPKIRoot(h.JPKIAuthCA)
	return t
}

// CardKeys are one card's keys and JPKI certificates.
type CardKeys struct {
	CardKey  *rsa.PrivateKey // DF24: proves card presence
	AuthKey  *rsa.PrivateKey // 利用者証明用
	AuthCert *x509.Certificate
	SignKey  *rsa.PrivateKey // 署名用
	SignCert *x509.Certificate
}

var cardCache = map[string]*CardKeys{}

// IssueCard derives the keys of the card named by cardSeed, with certificates
// valid until expiry. subject is the 署名用 certificate's holder name; the
// 利用者証明用 certificate carries no name, as on real cards.
func (h *Hierarchy) IssueCard(cardSeed int64, subject string, expiry time.Time) *CardKeys {
	key := fmt.Sprintf("%d/%d/%s/%s", h.Seed, cardSeed, subject, expiry.Format(time.DateOnly))
	cacheMu.Lock()
	defer cacheMu.Unlock()
	if k, ok := cardCache[key]; ok {
		return k
	}
	label := fmt.Sprintf("card/%d", cardSeed)
	k := &CardKeys{
		CardKey: rsaKey(h.Seed, label+"/df24"),
		AuthKey: rsaKey(h.Seed, label+"/auth"),
		SignKey: rsaKey(h.Seed, label+"/sign"),
	}
	k.AuthCert = h.leaf(label+"/auth", pkix.Name{Country: []string{"JP"}}, k.AuthKey, expiry,
		h.JPKIAuthCA, h.JPKIAuthCAKey, x509.KeyUsageDigitalSignature, x509.ExtKeyUsageClientAuth)
	k.SignCert = h.leaf(label+"/sign", pkix.Name{Country: []string{"JP"}, CommonName: subject}, k.SignKey, expiry,
		h.JPKISignCA, h.JPKISignCAKey, x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment, x509.ExtKeyUsageAny)
	cardCache[key] = k
	return k
}

func (h *Hierarchy) leaf(label string, subject pkix.Name, key *rsa.PrivateKey, expiry time.Time,
	ca *x509.Certificate, caKey *rsa.PrivateKey, usage x509.KeyUsage, ext x509.ExtKeyUsage) *x509.Certificate {
	tmpl := &x509.Certificate{
		SerialNumber: serial(h.Seed, label),
		Subject:      subject,
		NotBefore:    validFrom,
		NotAfter:     expiry,
		KeyUsage:     usage,
		ExtKeyUsage:  []x509.ExtKeyUsage{ext},
	}
	return mustCert(tmpl, ca, &key.PublicKey, caKey)
}

// CardSeed derives a card's key seed from stable holder facts.
func CardSeed(facts ...string) int64 {
	h := sha256.New()
	for _, f := range facts {
		h.Write([]byte(f))
		h.Write([]byte{0})
	}
	sum := h.Sum(nil)
	return int64(new(big.Int).SetBytes(sum[:7]).Uint64())
}
