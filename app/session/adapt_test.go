package session_test

import (
	"bytes"
	"context"
	"errors"
	"math"
	"testing"

	"github.com/uketsuke/uketsuke/app/secret"
	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/sim/jlis"
	"github.com/uketsuke/uketsuke/sim/profile"
	"github.com/uketsuke/uketsuke/sim/vcard"
)

// A JPEG 2000 codestream header is enough for the card's logic.
var chipPhoto = append([]byte{0xFF, 0x4F, 0xFF, 0x51}, bytes.Repeat([]byte{0x5A}, 2000)...)

func virtualCard(t *testing.T, mod func(*profile.Profile, *vcard.Options)) (*vcard.Card, *session.MynaCard) {
	t.Helper()
	p := profile.Default()
	opts := vcard.Options{PhotoJP2: chipPhoto}
	if mod != nil {
		mod(p, &opts)
	}
	vc, err := vcard.New(p, opts)
	if err != nil {
		t.Fatal(err)
	}
	return vc, session.NewMynaCard(vc, jlis.New(jlis.DefaultSeed).Anchors())
}

func digits(s string) *secret.Buffer { return secret.Take([]byte(s)) }

// The adapter over the real card stack and the virtual card: kinds, PIN
// counters and errors arrive as the session's own.
func TestMynaCardAdapter(t *testing.T) {
	ctx := context.Background()
	vc, c := virtualCard(t, nil)
	if k, err := c.Detect(ctx); err != nil || k != session.CardMyNumber {
		t.Fatalf("detect %v %v", k, err)
	}
	if n, err := c.PINTriesLeft(ctx); err != nil || n != 3 {
		t.Fatalf("tries %d %v", n, err)
	}
	var wrong *session.WrongCredentialError
	if err := c.VerifyPIN(ctx, digits("0000")); !errors.As(err, &wrong) || wrong.Left != 2 {
		t.Fatalf("wrong PIN: %v", err)
	}
	if err := c.VerifyPIN(ctx, digits("1234")); err != nil {
		t.Fatal(err)
	}
	if sig, err := c.SignDigest(ctx, [32]byte{1}); err != nil || len(sig) != 256 {
		t.Fatalf("sign %d %v", len(sig), err)
	}
	if cert, err := c.AuthCertificate(ctx); err != nil || len(cert) < 500 {
		t.Fatalf("certificate %d %v", len(cert), err)
	}
	if err := c.VerifyKeyB(ctx, digits("55021720352285")); err != nil {
		t.Fatal(err)
	}
	photo, err := c.ReadPhoto(ctx)
	if err != nil || !bytes.Equal(photo.Bytes(), chipPhoto) {
		t.Fatalf("photo %d bytes, %v", photo.Len(), err)
	}
	photo.Destroy()
	vc.Pull()
	if _, err := c.PINTriesLeft(ctx); !errors.Is(err, session.ErrCardRemoved) {
		t.Fatalf("pulled card: %v", err)
	}
}

func TestMynaCardAdapterKindsAndFailures(t *testing.T) {
	ctx := context.Background()
	_, phone := virtualCard(t, func(_ *profile.Profile, o *vcard.Options) { o.Token = vcard.TokenSmartphone })
	if k, err := phone.Detect(ctx); err != nil || k != session.CardSmartphone {
		t.Fatalf("smartphone: %v %v", k, err)
	}
	_, noPIN := virtualCard(t, func(p *profile.Profile, _ *vcard.Options) { p.PIN = "" })
	if _, err := noPIN.PINTriesLeft(ctx); !errors.Is(err, session.ErrNoPIN) {
		t.Fatalf("card without PIN: %v", err)
	}
	_, tampered := virtualCard(t, func(_ *profile.Profile, o *vcard.Options) { o.TamperPhoto = true })
	if err := tampered.VerifyKeyB(ctx, digits("55021720352285")); err != nil {
		t.Fatal(err)
	}
	if _, err := tampered.ReadPhoto(ctx); !errors.Is(err, session.ErrRecordInvalid) {
		t.Fatalf("tampered photo: %v", err)
	}
	_, c := virtualCard(t, nil)
	if _, err := c.ReadPhoto(ctx); err == nil {
		t.Fatal("photo read without 照合番号B")
	}
	var wrong *session.WrongCredentialError
	if err := c.VerifyKeyB(ctx, digits("55021720350000")); !errors.As(err, &wrong) || wrong.Left != 9 {
		t.Fatalf("wrong key: %v", err)
	}
}

func TestFaceAdapterSimilarity(t *testing.T) {
	a := session.FaceAdapter{}
	unit := func(v ...float32) *secret.Buffer {
		b := secret.New(4 * len(v))
		for i, x := range v {
			bits := math.Float32bits(x)
			b.Bytes()[4*i], b.Bytes()[4*i+1], b.Bytes()[4*i+2], b.Bytes()[4*i+3] = byte(bits), byte(bits>>8), byte(bits>>16), byte(bits>>24)
		}
		return b
	}
	s, err := a.Similarity(unit(0.6, 0.8), unit(0.6, 0.8))
	if err != nil || s < 0.9999 || s > 1.0001 {
		t.Fatalf("same vector %v %v", s, err)
	}
	if s, _ := a.Similarity(unit(1, 0), unit(0, 1)); s != 0 {
		t.Fatalf("orthogonal %v", s)
	}
	if _, err := a.Similarity(unit(1, 0), unit(1)); err == nil {
		t.Fatal("different sizes compared")
	}
}
