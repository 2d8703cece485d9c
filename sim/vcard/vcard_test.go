package vcard_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/app/apdu"
	"github.com/uketsuke/uketsuke/app/mynacard"
	"github.com/uketsuke/uketsuke/app/secret"
	"github.com/uketsuke/uketsuke/sim/jlis"
	"github.com/uketsuke/uketsuke/sim/onshi/pinless"
	"github.com/uketsuke/uketsuke/sim/profile"
	"github.com/uketsuke/uketsuke/sim/vcard"
)

// fakePhoto stands in for a JPEG 2000 codestream: the card never decodes it.
var fakePhoto = append([]byte{0xFF, 0x4F, 0xFF, 0x51}, make([]byte, 3000)...)

func newCard(t *testing.T, edit func(*profile.Profile, *vcard.Options)) (*vcard.Card, *profile.Profile) {
	t.Helper()
	p := profile.Default()
	opts := vcard.Options{PhotoJP2: fakePhoto}
	if edit != nil {
		edit(p, &opts)
	}
	c, err := vcard.New(p, opts)
	if err != nil {
		t.Fatal(err)
	}
	return c, p
}

func code(s string) *secret.Buffer {
	b, err := secret.Take([]byte(s))
	if err != nil {
		panic(err)
	}
	return b
}

var ctx = context.Background()

func anchors() *mynacard.TrustAnchors { return jlis.New(jlis.DefaultSeed).Anchors() }

func TestCodeBOfTheDocumentedExample(t *testing.T) {
	got, err := vcard.CodeB(profile.Default())
	if err != nil || got != "55021720352285" {
		t.Fatalf("照合番号B %q, %v", got, err)
	}
	p := profile.Default()
	p.Birth = "1989-01-08" // 平成元年
	if got, _ := vcard.CodeB(p); got[:6] != "010108" {
		t.Fatalf("平成元年 gives %q", got[:6])
	}
	p.Foreign = true
	if got, _ := vcard.CodeB(p); got[:6] != "890108" {
		t.Fatalf("Gregorian card gives %q", got[:6])
	}
}

func TestFaceAuthenticationPathVerifies(t *testing.T) {
	vc, p := newCard(t, nil)
	card := mynacard.Open(vc)
	kind, err := card.Detect(ctx)
	if err != nil || kind != mynacard.KindMyNumberCard {
		t.Fatalf("detect: %v %v", kind, err)
	}
	if _, err := card.ReadFaceRecord(ctx); !errors.Is(err, apdu.ErrSecurityStatus) {
		t.Fatalf("read before 照合番号B: %v", err)
	}
	if err := card.VerifyCodeB(ctx, code("55021720352285")); err != nil {
		t.Fatal(err)
	}
	rec, err := card.ReadVerifiedFaceRecord(ctx, anchors())
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Destroy()
	birth, _ := rec.BirthDate()
	expiry, _ := rec.ExpiryDate()
	if birth.Format(time.DateOnly) != p.Birth || expiry.Format(time.DateOnly) != p.Expiry || string(rec.Sex) != p.Sex {
		t.Fatalf("record says %v %v %s", birth, expiry, rec.Sex)
	}
	if len(rec.Photo) != len(fakePhoto) || len(rec.NameImage) == 0 || len(rec.CodeImage) == 0 {
		t.Fatalf("photo %d bytes, name image %d", len(rec.Photo), len(rec.NameImage))
	}
	if vc.ForbiddenAccesses() != 0 {
		t.Fatal("the client touched a 個人番号 file or 照合番号A")
	}
}

func TestTamperedPhotoFailsVerification(t *testing.T) {
	vc, _ := newCard(t, func(_ *profile.Profile, o *vcard.Options) { o.TamperPhoto = true })
	card := mynacard.Open(vc)
	if err := card.VerifyCodeB(ctx, code("55021720352285")); err != nil {
		t.Fatal(err)
	}
	if _, err := card.ReadVerifiedFaceRecord(ctx, anchors()); !errors.Is(err, mynacard.ErrVerification) {
		t.Fatalf("tampered photo: %v", err)
	}
}

func TestForeignTrustAnchorsRejectTheRecord(t *testing.T) {
	vc, _ := newCard(t, nil)
	card := mynacard.Open(vc)
	if err := card.VerifyCodeB(ctx, code("55021720352285")); err != nil {
		t.Fatal(err)
	}
	foreign := jlis.New(jlis.DefaultSeed + 1).Anchors()
	if _, err := card.ReadVerifiedFaceRecord(ctx, foreign); !errors.Is(err, mynacard.ErrUntrustedIssuer) {
		t.Fatalf("foreign anchors: %v", err)
	}
}

func TestCodeBCounterDecrementsResetsAndLocks(t *testing.T) {
	vc, _ := newCard(t, nil)
	card := mynacard.Open(vc)
	left, err := card.CodeBTriesLeft(ctx)
	if err != nil || left != 10 {
		t.Fatalf("fresh card: %d %v", left, err)
	}
	err = card.VerifyCodeB(ctx, code("55021720350000"))
	if l, ok := apdu.TriesLeft(err); !ok || l != 9 {
		t.Fatalf("wrong code: %v", err)
	}
	if err := card.VerifyCodeB(ctx, code("55021720352285")); err != nil {
		t.Fatal(err)
	}
	if left, _ := card.CodeBTriesLeft(ctx); left != 10 {
		t.Fatalf("correct code did not reset the counter: %d", left)
	}
	for i := 9; i >= 0; i-- {
		err = card.VerifyCodeB(ctx, code("55021720350000"))
		if l, _ := apdu.TriesLeft(err); l != i {
			t.Fatalf("after wrong try: %v, want %d left", err, i)
		}
	}
	if err := card.VerifyCodeB(ctx, code("55021720352285")); !errors.Is(err, apdu.ErrBlocked) {
		t.Fatalf("correct code on a blocked card: %v", err)
	}
	if left, err := card.CodeBTriesLeft(ctx); left != 0 || err != nil {
		t.Fatalf("blocked query: %d %v", left, err)
	}
}

func TestMalformedCredentialsNeverReachTheCard(t *testing.T) {
	vc, _ := newCard(t, nil)
	card := mynacard.Open(vc)
	for _, bad := range []string{"5502172035228", "550217203522851", "5502172035228a", ""} {
		if err := card.VerifyCodeB(ctx, code(bad)); !errors.Is(err, mynacard.ErrCredentialFormat) {
			t.Errorf("code %q: %v", bad, err)
		}
	}
	for _, bad := range []string{"123", "12345", "12a4"} {
		if err := card.VerifyAuthPIN(ctx, code(bad)); !errors.Is(err, mynacard.ErrCredentialFormat) {
			t.Errorf("PIN %q: %v", bad, err)
		}
	}
	if vc.TriesLeft(vcard.CredCodeB) != 10 || vc.TriesLeft(vcard.CredAuthPIN) != 3 {
		t.Fatal("a malformed credential used a try")
	}
}

func TestPINPathSignsAndLocksAfterThree(t *testing.T) {
	vc, _ := newCard(t, nil)
	card := mynacard.Open(vc)
	if left, err := card.AuthPINTriesLeft(ctx); left != 3 || err != nil {
		t.Fatalf("fresh PIN: %d %v", left, err)
	}
	if err := card.VerifyAuthPIN(ctx, code("1234")); err != nil {
		t.Fatal(err)
	}
	cert, err := card.AuthCertificate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := mynacard.VerifyAuthChain(cert, anchors(), time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	ca, err := card.AuthCACertificate(ctx)
	if err != nil || !ca.Equal(jlis.New(jlis.DefaultSeed).JPKIAuthCA) {
		t.Fatalf("CA certificate from EF 000B: %v", err)
	}
	if err := cert.CheckSignatureFrom(ca); err != nil {
		t.Fatalf("user certificate not issued by the card's CA: %v", err)
	}
	digest := sha256.Sum256([]byte("challenge from the eligibility service"))
	sig, err := card.SignWithAuthKey(ctx, digest)
	if err != nil {
		t.Fatal(err)
	}
	if err := rsa.VerifyPKCS1v15(cert.PublicKey.(*rsa.PublicKey), crypto.SHA256, digest[:], sig); err != nil {
		t.Fatalf("card signature does not verify with its certificate: %v", err)
	}
	vc.Reset()
	card.Forget()
	if _, err := card.SignWithAuthKey(ctx, digest); !errors.Is(err, apdu.ErrSecurityStatus) {
		t.Fatalf("signing without the PIN: %v", err)
	}
	for want := 2; want >= 0; want-- {
		err := card.VerifyAuthPIN(ctx, code("9999"))
		if l, _ := apdu.TriesLeft(err); l != want {
			t.Fatalf("wrong PIN: %v, want %d left", err, want)
		}
	}
	if err := card.VerifyAuthPIN(ctx, code("1234")); !errors.Is(err, apdu.ErrBlocked) {
		t.Fatalf("right PIN after lock-out: %v", err)
	}
}

func TestCardWithoutPINAllowsOnlyFace(t *testing.T) {
	vc, _ := newCard(t, func(p *profile.Profile, _ *vcard.Options) { p.PIN = "" })
	card := mynacard.Open(vc)
	if _, err := card.AuthPINTriesLeft(ctx); !errors.Is(err, mynacard.ErrCredentialMissing) {
		t.Fatalf("PIN-less card: %v", err)
	}
	if err := card.VerifyCodeB(ctx, code("55021720352285")); err != nil {
		t.Fatal(err)
	}
	if _, err := card.AuthCertificate(ctx); err != nil {
		t.Fatalf("a PIN-less card still holds its 利用者証明用 certificate: %v", err)
	}
	if _, err := card.SignWithAuthKey(ctx, [32]byte{}); !errors.Is(err, apdu.ErrSecurityStatus) {
		t.Fatalf("a PIN-less card signed without 特定機関認証: %v", err)
	}
}

func TestAttributesWithAndWithoutPrefix(t *testing.T) {
	for _, prefix := range []bool{false, true} {
		vc, p := newCard(t, func(_ *profile.Profile, o *vcard.Options) { o.HojoPrefix = prefix })
		card := mynacard.Open(vc)
		if left, err := card.HojoPINTriesLeft(ctx); left != 3 || err != nil {
			t.Fatalf("hojo PIN: %d %v", left, err)
		}
		if err := card.VerifyHojoPIN(ctx, code("1234")); err != nil {
			t.Fatal(err)
		}
		a, err := card.ReadAttributes(ctx, anchors())
		if err != nil {
			t.Fatalf("prefix %v: %v", prefix, err)
		}
		if string(a.Name) != p.Name || string(a.Address) != p.Address || string(a.Birth) != "19800217" {
			t.Fatalf("attributes %s / %s / %s", a.Name, a.Address, a.Birth)
		}
		a.Destroy()
		if vc.ForbiddenAccesses() != 0 {
			t.Fatal("read the 個人番号")
		}
	}
}

func TestTokenKinds(t *testing.T) {
	for token, want := range map[string]mynacard.Kind{
		vcard.TokenSmartphone: mynacard.KindSmartphone,
		vcard.TokenJukiCard:   mynacard.KindJukiCard,
		"SOMETHINGELSE":       mynacard.KindUnknown,
	} {
		vc, _ := newCard(t, func(_ *profile.Profile, o *vcard.Options) { o.Token = token })
		kind, _ := mynacard.Open(vc).Detect(ctx)
		if kind != want {
			t.Errorf("token %s: %v", token, kind)
		}
	}
}

// pullAfter pulls the card after n commands, as a patient might; it counts
// the commands it passed on.
type pullAfter struct {
	*vcard.Card
	n, sent int
}

func (p *pullAfter) Transmit(ctx context.Context, cmd []byte) ([]byte, error) {
	if p.sent == p.n {
		p.Card.Pull()
	}
	p.sent++
	return p.Card.Transmit(ctx, cmd)
}

func faceRead(card *mynacard.Card) error {
	if err := card.VerifyCodeB(ctx, code("55021720352285")); err != nil {
		return err
	}
	rec, err := card.ReadVerifiedFaceRecord(ctx, anchors())
	rec.Destroy()
	return err
}

func TestCardPulledAtEveryStepGivesACleanError(t *testing.T) {
	vc, _ := newCard(t, nil)
	whole := &pullAfter{Card: vc, n: -1}
	if err := faceRead(mynacard.Open(whole)); err != nil {
		t.Fatal(err)
	}
	for n := 0; n < whole.sent; n++ {
		vc, _ := newCard(t, nil)
		err := faceRead(mynacard.Open(&pullAfter{Card: vc, n: n}))
		if !errors.Is(err, apdu.ErrCardRemoved) {
			t.Fatalf("pulled after %d of %d commands: %v", n, whole.sent, err)
		}
	}
}

func TestLatencyModel(t *testing.T) {
	vc, _ := newCard(t, func(_ *profile.Profile, o *vcard.Options) { o.Latency = vcard.RealLatency })
	start := time.Now()
	if _, err := mynacard.Open(vc).Detect(ctx); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < 3*vcard.RealLatency.PerAPDU {
		t.Fatalf("three APDUs at real latency took only %v", took)
	}
}

func TestRelayReachesOnlyJPKIAndNeverSpendsTries(t *testing.T) {
	vc, _ := newCard(t, nil)
	card := mynacard.Open(vc)
	raw := func(c apdu.Command) []byte { b, _ := c.Encode(); return b }
	refused := [][]byte{
		raw(apdu.ReadBinary(0, 16)), // nothing selected yet
		raw(apdu.SelectDF(vcard.AIDKenmen)),
		raw(apdu.SelectDF(vcard.AIDHojo)),
		{0x00, 0xA4},
	}
	for _, cmd := range refused {
		if _, err := card.Relay(ctx, cmd); !errors.Is(err, mynacard.ErrRelayRefused) {
			t.Errorf("% X relayed: %v", cmd, err)
		}
	}
	if resp, err := card.Relay(ctx, raw(apdu.SelectDF(vcard.AIDJPKI))); err != nil || resp[len(resp)-2] != 0x90 {
		t.Fatalf("select JPKI-AP: % X %v", resp, err)
	}
	for _, cmd := range [][]byte{raw(apdu.SelectEF(0x0018)), raw(apdu.Verify([]byte("9999"))), raw(apdu.Verify(nil))} {
		if _, err := card.Relay(ctx, cmd); !errors.Is(err, mynacard.ErrRelayRefused) {
			t.Fatalf("% X through the relay: %v", cmd, err)
		}
	}
	if vc.TriesLeft(vcard.CredAuthPIN) != 3 || vc.ForbiddenAccesses() != 0 {
		t.Fatal("the relay spent a try or reached a forbidden file")
	}
	// the card's own clients still work after relayed traffic
	if left, err := card.CodeBTriesLeft(ctx); err != nil || left != 10 {
		t.Fatalf("after relay: %d %v", left, err)
	}
}

// recording keeps what reached the virtual card.
type recording struct {
	card *vcard.Card
	sent [][]byte
}

func (r *recording) Transmit(ctx context.Context, raw []byte) ([]byte, error) {
	r.sent = append(r.sent, bytes.Clone(raw))
	return r.card.Transmit(ctx, raw)
}

// exchangeCommand are the classes and instructions of the PIN-less exchange
// besides SELECT, which the attack's bodies never make valid.
var exchangeCommand = map[[2]byte]bool{
	{0x00, 0xB0}: true, {0x00, 0x84}: true, {0x00, 0x82}: true, {0x10, 0x82}: true,
	{0x80, 0xA2}: true, {0x90, 0xA2}: true, {0x00, 0x88}: true,
}

// A hostile service sends every instruction in every class, with and
// without data naming the forbidden files and applications and carrying
// PINs, in each state the relay can reach; the card sees only the
// exchange's commands, no file it must not touch, no try spent, and the
// real PIN-less exchange still runs afterwards.
func TestRelayUnderAttackOnTheVirtualCard(t *testing.T) {
	inst, err := pinless.NewHierarchy("relay attack")
	if err != nil {
		t.Fatal(err)
	}
	vc, _ := newCard(t, nil)
	vc.EnableInstitutionAuth(&inst.CAKey.PublicKey)
	rec := &recording{card: vc}
	card := mynacard.Open(rec)
	raw := func(c apdu.Command) []byte { b, _ := c.Encode(); return b }
	bodies := [][]byte{nil, {0x08}, {0x02, 0x00, 0x05}, {0x02, 0x00, 0x13}, {0x02, 0x00, 0x01}, {0x02, 0x00, 0x18}, {0x02, 0x00, 0x1B},
		append([]byte{0x0A}, vcard.AIDKenmen...), append([]byte{0x0A}, vcard.AIDHojo...), {0x04, '1', '2', '3', '4'},
		{0x08, 0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01}}
	clas := []byte{0x00, 0x01, 0x02, 0x03, 0x04, 0x08, 0x0C, 0x10, 0x80, 0x90, 0x41, 0x4F, 0x61, 0x6F}
	var forwarded int
	for _, setup := range [][][]byte{nil, {raw(apdu.SelectDF(vcard.AIDJPKI)), raw(apdu.SelectEF(0x000A))}, {raw(apdu.SelectDF(vcard.AIDJPKI)), raw(apdu.SelectEF(0x0017))}} {
		card = mynacard.Open(rec) // a fresh session, so the cap does not stop the attack early
		for _, cmd := range setup {
			if _, err := card.Relay(ctx, cmd); err != nil {
				t.Fatal(err)
			}
		}
		rec.sent = nil
		for _, cla := range clas {
			for ins := 0; ins <= 0xFF; ins++ {
				for _, p := range [][2]byte{{0, 0}, {0x04, 0x0C}, {0x02, 0x0C}, {0x08, 0x0C}, {0x00, 0x80}, {0x03, 0x80}} {
					for _, body := range bodies {
						cmd := append([]byte{cla, byte(ins), p[0], p[1]}, body...)
						n := len(rec.sent)
						if _, err := card.Relay(ctx, cmd); err == nil && len(rec.sent) > n {
							forwarded++
							if c := rec.sent[n]; !exchangeCommand[[2]byte{c[0], c[1]}] {
								t.Errorf("% X reached the card", c)
							}
						}
					}
				}
			}
		}
	}
	if forwarded == 0 {
		t.Error("not even READ BINARY or GET CHALLENGE was forwarded")
	}
	if vc.ForbiddenAccesses() != 0 {
		t.Fatalf("%d forbidden accesses", vc.ForbiddenAccesses())
	}
	for _, cred := range []vcard.Credential{vcard.CredCodeB, vcard.CredBirthCode, vcard.CredHojoPIN, vcard.CredHojoCodeB, vcard.CredAuthPIN, vcard.CredSignPass} {
		if left := vc.TriesLeft(cred); left != 10 && left != 3 && left != 5 {
			t.Errorf("%s: %d tries left", cred, left)
		}
	}
	// The exchange itself still runs through the relay, on a fresh session
	// (the attack left half a chained command in the card).
	vc.Reset()
	card = mynacard.Open(rec)
	cert, err := card.AuthCertificate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	relay := func(cmds [][]byte) (resps [][]byte) {
		for _, cmd := range cmds {
			resp, rerr := card.Relay(ctx, cmd)
			if rerr != nil {
				t.Fatalf("% X: %v", cmd[:4], rerr)
			}
			resps = append(resps, resp)
		}
		return resps
	}
	run, cmds, err := pinless.Simulated{H: inst}.Begin(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	batch, err := run.Step(ctx, relay(cmds))
	if err != nil {
		t.Fatal(err)
	}
	if err := run.Finish(ctx, append(relay(batch.Commands), relay(batch.Final)...), cert.Raw); err != nil {
		t.Fatal(err)
	}
}

type countingExtension struct{ resets int }

func (c *countingExtension) Handle(*vcard.State, apdu.Command) ([]byte, bool) { return nil, false }
func (c *countingExtension) Reset()                                           { c.resets++ }

func TestExtensionsResetWithTheCard(t *testing.T) {
	vc, _ := newCard(t, nil)
	ext := &countingExtension{}
	vc.AddExtension(ext)
	vc.Reset()
	vc.Pull()
	vc.Insert()
	if ext.resets != 3 {
		t.Fatalf("extension reset %d times, want 3 (reset, pull, insert)", ext.resets)
	}
}

// The next-generation stand-in answers SELECT by its placeholder AIDs, whole
// or partial, and nothing else; the kiosk's card stack recognises it and
// sends it nothing that costs a try.
func TestNextGenerationCard(t *testing.T) {
	vc, _ := newCard(t, func(_ *profile.Profile, o *vcard.Options) { o.NextGeneration = true; o.PhotoJP2 = nil })
	ch := apdu.NewChannel(vc)
	for _, tc := range []struct {
		cmd  apdu.Command
		want []byte // the name in the FCI; nil: no FCI
		err  error
	}{
		{apdu.SelectDF(vcard.AIDJPKI), nil, apdu.ErrNotFound},
		{apdu.SelectDF(vcard.AIDKenmen), nil, apdu.ErrNotFound},
		{apdu.SelectDF(vcard.AIDNextFace), nil, nil},
		{apdu.Command{INS: 0xA4, P1: 0x04, P2: 0x00, Data: vcard.AIDNextAuth, Le: 256}, vcard.AIDNextAuth, nil},
		{apdu.Command{INS: 0xA4, P1: 0x04, P2: 0x00, Data: []byte{0xD3, 0x92}, Le: 256}, vcard.AIDNextAuth, nil},
		{apdu.Command{INS: 0xA4, P1: 0x04, P2: 0x02, Data: []byte{0xD3, 0x92}, Le: 256}, vcard.AIDNextFace, nil},
		{apdu.Command{INS: 0xA4, P1: 0x04, P2: 0x02, Data: []byte{0xD3, 0x92}, Le: 256}, nil, apdu.ErrNotFound},
		{apdu.Command{INS: 0xA4, P1: 0x04, P2: 0x00, Data: vcard.AIDNextFace[:5], Le: 256}, vcard.AIDNextFace, nil},
		{apdu.SelectEF(0x0006), nil, apdu.ErrNotFound},
		{apdu.Verify(nil), nil, apdu.ErrBadParameters},
	} {
		got, err := ch.Do(ctx, tc.cmd)
		if !errors.Is(err, tc.err) || (tc.err == nil && err != nil) {
			t.Fatalf("%v % X: %v", tc.cmd, tc.cmd.Data, err)
		}
		if tc.want != nil && !bytes.Contains(got, tc.want) || tc.want == nil && len(got) != 0 {
			t.Fatalf("%v % X answered % X", tc.cmd, tc.cmd.Data, got)
		}
	}
	kind, err := mynacard.Open(vc).Detect(ctx)
	var newer *mynacard.UnsupportedGenerationError
	if !errors.As(err, &newer) || !bytes.Equal(newer.App.AID, vcard.AIDNextAuth) || kind != mynacard.KindUnknown {
		t.Fatalf("detect: %v %v", kind, err)
	}
}

// Today's card is never taken for a newer one, and answers a partial
// SELECT like any other.
func TestTodaysCardAnswersPartialSelect(t *testing.T) {
	vc, _ := newCard(t, nil)
	got, err := apdu.NewChannel(vc).Do(ctx, apdu.Command{INS: 0xA4, P1: 0x04, P2: 0x00, Data: vcard.AIDKenmen[:5], Le: 256})
	if err != nil || !bytes.Contains(got, vcard.AIDKenmen) {
		t.Fatalf("% X %v", got, err)
	}
	if kind, err := mynacard.Open(vc).Detect(ctx); err != nil || kind != mynacard.KindMyNumberCard {
		t.Fatalf("%v %v", kind, err)
	}
}

// send transmits raw and splits the answer.
func send(t *testing.T, c *vcard.Card, raw ...byte) ([]byte, uint16) {
	t.Helper()
	resp, err := c.Transmit(ctx, raw)
	if err != nil {
		t.Fatal(err)
	}
	r, err := apdu.ParseResponse(resp)
	if err != nil {
		t.Fatal(err)
	}
	return r.Data, r.SW
}

func selectTokenInfo(t *testing.T, c *vcard.Card) {
	t.Helper()
	for _, raw := range [][]byte{append([]byte{0x00, 0xA4, 0x04, 0x0C, 0x0A}, vcard.AIDJPKI...), {0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x06}} {
		if _, sw := send(t, c, raw...); sw != 0x9000 {
			t.Fatalf("select % X: %04X", raw, sw)
		}
	}
}

func TestExtendedReadBinaryAnswersAllThereIs(t *testing.T) {
	vc, _ := newCard(t, nil)
	selectTokenInfo(t, vc)
	for _, tc := range []struct {
		raw  []byte
		want int
	}{
		{[]byte{0x00, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x00}, 32}, // Le 65536
		{[]byte{0x00, 0xB0, 0x00, 0x04, 0x00, 0x01, 0x2C}, 28}, // Le 300 from offset 4
		{[]byte{0x00, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x10}, 16}, // extended form of a short Le
	} {
		if data, sw := send(t, vc, tc.raw...); sw != 0x9000 || len(data) != tc.want {
			t.Errorf("% X: %d bytes, %04X", tc.raw, len(data), sw)
		}
	}
}

func TestShortOnlyCardRefusesExtendedLength(t *testing.T) {
	vc, _ := newCard(t, func(_ *profile.Profile, o *vcard.Options) { o.ShortAPDUsOnly = true })
	selectTokenInfo(t, vc)
	for _, raw := range [][]byte{
		{0x00, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x00},
		{0x00, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x10},
		{0x00, 0x20, 0x00, 0x80, 0x00, 0x00, 0x04, '1', '2', '3', '4'},
	} {
		if _, sw := send(t, vc, raw...); sw != 0x6700 {
			t.Errorf("% X: %04X", raw, sw)
		}
	}
	if data, sw := send(t, vc, 0x00, 0xB0, 0x00, 0x00, 0x00); sw != 0x9000 || len(data) != 32 {
		t.Fatalf("short read: %d bytes, %04X", len(data), sw)
	}
}
