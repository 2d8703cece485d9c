package session_test

import (
	"bytes"
	"context"
	"errors"

	"testing"

	"github.com/uketsuke/uketsuke/app/face"
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

func digits(s string) *secret.Buffer {
	b, err := secret.Take([]byte(s))
	if err != nil {
		panic(err)
	}
	return b
}

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
	_, newer := virtualCard(t, func(_ *profile.Profile, o *vcard.Options) { o.NextGeneration = true })
	var unsupported *session.UnsupportedCardError
	if _, err := newer.Detect(ctx); !errors.As(err, &unsupported) ||
		unsupported.Kind != session.CardNextGeneration || !bytes.Equal(unsupported.AID, vcard.AIDNextAuth) {
		t.Fatalf("next-generation card: %v", err)
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

func TestFaceAdapterDecidesThroughAppFaceVerify(t *testing.T) {
	cfg := face.DefaultConfig(t.TempDir())
	cfg.Embedder.Threshold = 0.9
	cfg.Temporal.RequireLive = false
	a := session.FaceAdapter{Engine: &face.Engine{Config: cfg}}
	probe := func(v ...float32) session.FaceSample {
		e, err := face.NewEmbedding(v)
		if err != nil {
			t.Fatal(err)
		}
		return &face.Probe{Embedding: e}
	}
	photo := probe(0.6, 0.8)
	same := []session.FaceSample{probe(0.6, 0.8), probe(0.6, 0.8), probe(0.6, 0.8)}
	if v, err := a.Verify(photo, same); err != nil || !v.Accepted {
		t.Fatalf("same person: %+v %v", v, err)
	}
	other := []session.FaceSample{probe(1, 0), probe(1, 0), probe(0.6, 0.8)}
	if v, err := a.Verify(photo, other); err != nil || v.Accepted {
		t.Fatalf("one matching frame of three passed: %+v %v", v, err)
	}
	if _, err := a.Verify(digits("00000000"), same); err == nil {
		t.Fatal("a sample of another engine was accepted")
	}
	cfg.Temporal.RequireLive = true
	if v, err := a.Verify(photo, same); err != nil || v.Accepted || !v.NeedMotion {
		t.Fatalf("frames without motion must ask for motion when liveness is required: %+v %v", v, err)
	}
}
