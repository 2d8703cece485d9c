package pinless

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"sync"
	"testing"
	"time"
)

var (
	holderOnce sync.Once
	holderKey  *rsa.PrivateKey
	holderCert []byte
)

// holder is a card's user-authentication key and a certificate for it.
func holder(t *testing.T) (*rsa.PrivateKey, []byte) {
	holderOnce.Do(func() {
		holderKey = deterministicKey("test holder", 2048)
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{Country: []string{"JP"}},
			NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1<<33, 0)}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &holderKey.PublicKey, holderKey)
		if err != nil {
			panic(err)
		}
		holderCert = der
	})
	return holderKey, holderCert
}

// fakeCard answers SELECT and READ BINARY for EF 000A and hands every other
// command to the pinless card side.
type fakeCard struct {
	side Card
	cert []byte
}

func (f *fakeCard) transmit(cmd []byte) []byte {
	switch {
	case cmd[1] == 0xA4:
		return SWOK
	case cmd[1] == 0xB0:
		off := int(cmd[2])<<8 | int(cmd[3])
		n := int(cmd[4])
		if off >= len(f.cert) {
			return []byte{0x6B, 0x00}
		}
		end := min(off+n, len(f.cert))
		return append(append([]byte{}, f.cert[off:end]...), SWOK...)
	}
	if resp, ok := f.side.Handle(cmd); ok {
		return resp
	}
	return []byte{0x6D, 0x00}
}

func newFakeCard(t *testing.T, ca *rsa.PublicKey) *fakeCard {
	key, cert := holder(t)
	return &fakeCard{cert: cert, side: Card{InstitutionCA: ca, Sign: func(d []byte) ([]byte, error) {
		return rsa.SignPKCS1v15(nil, key, crypto.SHA256, d)
	}}}
}

// exchange runs an institution against a card until it finishes, holding
// the answers of the batch that comes with final commands as a kiosk does.
func exchange(inst Institution, card func([]byte) []byte, extended bool, cert []byte) error {
	ctx := context.Background()
	run, cmds, err := inst.Begin(ctx, extended)
	if err != nil {
		return err
	}
	relay := func(cmds [][]byte) (resps [][]byte) {
		for _, c := range cmds {
			resps = append(resps, card(c))
		}
		return resps
	}
	for range 10 {
		batch, err := run.Step(ctx, relay(cmds))
		if err != nil {
			return err
		}
		if len(batch.Final) > 0 {
			return run.Finish(ctx, append(relay(batch.Commands), relay(batch.Final)...), cert)
		}
		cmds = batch.Commands
	}
	return errors.New("exchange did not finish")
}

func testHierarchy(t *testing.T) *Hierarchy {
	h, err := NewHierarchy("test")
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestExchangeProvesTheCard(t *testing.T) {
	h := testHierarchy(t)
	for _, extended := range []bool{false, true} {
		card := newFakeCard(t, &h.CAKey.PublicKey)
		if err := exchange(Simulated{H: h}, card.transmit, extended, card.cert); err != nil {
			t.Fatalf("extended %v: %v", extended, err)
		}
	}
}

func TestExtendedLinkSendsTheCertificateInOneCommand(t *testing.T) {
	h := testHierarchy(t)
	_, short, _ := Simulated{H: h}.Begin(context.Background(), false)
	_, long, _ := Simulated{H: h}.Begin(context.Background(), true)
	if len(long) != 3 || len(short) <= len(long) {
		t.Fatalf("%d commands with extended length, %d without; want 3 and more", len(long), len(short))
	}
}

func TestExchangeRefusesAnotherCertificate(t *testing.T) {
	h := testHierarchy(t)
	card := newFakeCard(t, &h.CAKey.PublicKey)
	other := h.CVCert // not even X.509
	if err := exchange(Simulated{H: h}, card.transmit, false, other); !errors.Is(err, ErrCard) {
		t.Fatalf("want ErrCard for a certificate that is not the signer's, got %v", err)
	}
}

func TestHierarchyIsDeterministic(t *testing.T) {
	a, b := testHierarchy(t), testHierarchy(t)
	if a.Key.N.Cmp(b.Key.N) != 0 || !bytes.Equal(a.CVCert, b.CVCert) {
		t.Fatal("same seed gave different institution keys")
	}
	other, err := NewHierarchy("other")
	if err != nil {
		t.Fatal(err)
	}
	if other.CAKey.N.Cmp(a.CAKey.N) == 0 {
		t.Fatal("different seeds gave the same CA key")
	}
}

func TestCardRefusesAnInstitutionOfAnotherCA(t *testing.T) {
	h := testHierarchy(t)
	other, err := NewHierarchy("other")
	if err != nil {
		t.Fatal(err)
	}
	card := newFakeCard(t, &other.CAKey.PublicKey)
	if err := exchange(Simulated{H: h}, card.transmit, false, card.cert); !errors.Is(err, ErrCard) {
		t.Fatalf("want ErrCard, got %v", err)
	}
}

func TestSignatureNeedsExternalAuthentication(t *testing.T) {
	h := testHierarchy(t)
	card := newFakeCard(t, &h.CAKey.PublicKey)
	sign := append([]byte{0x00, InsPinlessSign, 0x00, P2PinlessSign, NonceLen}, make([]byte, NonceLen)...)
	if resp := card.transmit(append(sign, 0x00)); !bytes.Equal(resp, SWSecurityStatus) {
		t.Fatalf("signature without authentication answered % X", resp)
	}
	// A forged external authentication is refused and does not open signing.
	for _, c := range chained(0x80, InsSetPublicKey, 0, 0, h.CVCert) {
		card.transmit(c)
	}
	card.transmit([]byte{0x00, InsGetChallenge, 0, 0, ChallengeLen})
	forged := make([]byte, 256)
	var last []byte
	for _, c := range chained(0x00, InsExternalAuth, 0, 0, forged) {
		last = card.transmit(c)
	}
	if !bytes.Equal(last, SWAuthFailed) {
		t.Fatalf("forged external authentication answered % X", last)
	}
	if resp := card.transmit(append(sign, 0x00)); !bytes.Equal(resp, SWSecurityStatus) {
		t.Fatalf("signature after a failed authentication answered % X", resp)
	}
}

func TestPinlessSignatureIsNotAPINSignature(t *testing.T) {
	h := testHierarchy(t)
	nonce := make([]byte, NonceLen)
	pinDigest := func(n []byte) []byte { d := crypto.SHA256.New(); d.Write(n); return d.Sum(nil) }
	if bytes.Equal(PinlessDigest(h.Code, nonce), pinDigest(nonce)) {
		t.Fatal("a PIN-less digest equals the PIN path's digest of the same nonce")
	}
}

func TestCVRoundTripAndTamper(t *testing.T) {
	h := testHierarchy(t)
	cv, err := ParseCV(h.CVCert, &h.CAKey.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	if cv.Subject != h.Code || cv.Key.N.Cmp(h.Key.N) != 0 {
		t.Fatal("parsed CV certificate differs")
	}
	bad := bytes.Clone(h.CVCert)
	bad[40] ^= 1
	if _, err := ParseCV(bad, &h.CAKey.PublicKey); !errors.Is(err, ErrBadCV) {
		t.Fatalf("tampered CV: %v", err)
	}
}

func FuzzParseCV(f *testing.F) {
	h, err := NewHierarchy("test")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(h.CVCert)
	f.Add([]byte{0x7F, 0x21, 0x00})
	f.Add([]byte{0x7F, 0x21, 0x82, 0xFF, 0xFF})
	f.Fuzz(func(t *testing.T, b []byte) {
		cv, err := ParseCV(b, &h.CAKey.PublicKey)
		if err == nil && cv.Key == nil {
			t.Fatal("nil key without error")
		}
		if err != nil && !errors.Is(err, ErrBadCV) {
			t.Fatalf("untyped error %v", err)
		}
	})
}

func FuzzCardHandle(f *testing.F) {
	h, err := NewHierarchy("test")
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte{0x80, 0xA2, 0, 0, 3, 1, 2, 3})
	f.Add([]byte{0x00, 0x84, 0, 0, 8})
	f.Add([]byte{0x10, 0x82, 0, 0, 1, 0})
	f.Add([]byte{0x00, 0x88, 0, 0x81, 32})
	card := Card{InstitutionCA: &h.CAKey.PublicKey, Sign: func([]byte) ([]byte, error) { return make([]byte, 256), nil }}
	f.Fuzz(func(t *testing.T, cmd []byte) {
		resp, ok := card.Handle(cmd)
		if ok && len(resp) < 2 {
			t.Fatalf("handled % X without a status word", cmd)
		}
	})
}
