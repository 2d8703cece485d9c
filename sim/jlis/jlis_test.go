package jlis

import (
	"crypto/rsa"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/app/mynacard"
)

func TestHierarchyIsDeterministicAndConsistent(t *testing.T) {
	a := build(7)
	b := build(7)
	if a.KenmenCA.Key.N.Cmp(b.KenmenCA.Key.N) != 0 || a.KenmenCA.ID != b.KenmenCA.ID {
		t.Fatal("same seed gave different CA keys")
	}
	if c := build(8); c.KenmenCA.Key.N.Cmp(a.KenmenCA.Key.N) == 0 {
		t.Fatal("different seeds gave the same CA key")
	}
	if a.KenmenCA.ID[0] != 0x60 || a.KenmenCA.ID[3] != 0x23 {
		t.Fatalf("test 券面AP CA id % X", a.KenmenCA.ID[:4])
	}
	cert, err := mynacard.ParseCVCertificate(a.KenmenSign.CVCert)
	if err != nil {
		t.Fatal(err)
	}
	if err := cert.Verify(a.Anchors().Kenmen); err != nil {
		t.Fatalf("signer certificate does not verify under its CA: %v", err)
	}
	if cert.SubjectKey.N.Cmp(a.KenmenSign.Key.N) != 0 {
		t.Fatal("CV certificate certifies the wrong key")
	}
}

func TestCardCertificatesChainToRoots(t *testing.T) {
	h := New(DefaultSeed)
	expiry := time.Date(2035, 2, 17, 0, 0, 0, 0, time.UTC)
	k := h.IssueCard(CardSeed("test"), "TEST HOLDER", expiry)
	at := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	if err := mynacard.VerifyAuthChain(k.AuthCert, h.Anchors(), at); err != nil {
		t.Fatal(err)
	}
	if err := mynacard.VerifyAuthChain(k.AuthCert, h.Anchors(), expiry.AddDate(0, 0, 1)); err == nil {
		t.Fatal("an expired certificate verified")
	}
	other := New(DefaultSeed + 1)
	if err := mynacard.VerifyAuthChain(k.AuthCert, other.Anchors(), at); err == nil {
		t.Fatal("a certificate verified under a foreign root")
	}
	if !k.AuthCert.PublicKey.(*rsa.PublicKey).Equal(&k.AuthKey.PublicKey) {
		t.Fatal("certificate does not carry the card's key")
	}
}
