package mynacard_test

// Round trips to the virtual card: extended-length reads, their fallback,
// the selection the Card remembers and the answers it keeps.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"testing"

	"github.com/uketsuke/uketsuke/app/apdu"
	"github.com/uketsuke/uketsuke/app/mynacard"
	"github.com/uketsuke/uketsuke/app/secret"
	"github.com/uketsuke/uketsuke/sim/jlis"
	"github.com/uketsuke/uketsuke/sim/profile"
	"github.com/uketsuke/uketsuke/sim/vcard"
)

// A photo of a real card's size makes a face record of about 5.3 KB.
var cardPhoto = append([]byte{0xFF, 0x4F, 0xFF, 0x51}, bytes.Repeat([]byte{0x3C}, 4000)...)

const codeB = "55021720352285"

func virtualCard(t *testing.T, edit func(*vcard.Options)) *vcard.Card {
	t.Helper()
	opts := vcard.Options{PhotoJP2: cardPhoto}
	if edit != nil {
		edit(&opts)
	}
	vc, err := vcard.New(profile.Default(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return vc
}

// sent is what the counting link saw of one command: no data but a SELECT's.
type sent struct {
	ins, p1  byte
	le       int
	extended bool
	fid      []byte
}

// counting passes commands on to next and notes each; intercept, when
// set, may answer instead of next.
type counting struct {
	next      apdu.Transport
	sent      []sent
	intercept func(ctx context.Context, raw []byte) ([]byte, error, bool)
}

func (c *counting) Transmit(ctx context.Context, raw []byte) ([]byte, error) {
	cmd, err := apdu.ParseCommand(raw)
	if err != nil {
		return nil, err
	}
	s := sent{ins: cmd.INS, p1: cmd.P1, le: cmd.Le, extended: len(raw) > 6 && raw[4] == 0 && cmd.Le > 0 && len(cmd.Data) == 0}
	if cmd.INS == 0xA4 {
		s.fid = bytes.Clone(cmd.Data)
	}
	c.sent = append(c.sent, s)
	if c.intercept != nil {
		if resp, err, done := c.intercept(ctx, raw); done {
			return resp, err
		}
	}
	return c.next.Transmit(ctx, raw)
}

func (c *counting) take() []sent {
	out := c.sent
	c.sent = nil
	return out
}

func count(s []sent, match func(sent) bool) int {
	n := 0
	for _, x := range s {
		if match(x) {
			n++
		}
	}
	return n
}

func isRead(s sent) bool     { return s.ins == 0xB0 }
func isSelect(s sent) bool   { return s.ins == 0xA4 }
func isExtended(s sent) bool { return s.extended }

func secretOf(s string) *secret.Buffer {
	b, err := secret.Take([]byte(s))
	if err != nil {
		panic(err)
	}
	return b
}

var (
	hierarchy = jlis.New(jlis.DefaultSeed)
	anchors   = hierarchy.Anchors()
)

// freshAnchors have verified no signer yet, so a read fetches the signer's certificate.
func freshAnchors() *mynacard.TrustAnchors { return hierarchy.Anchors() }

// readFace verifies 照合番号B and reads the verified face record; it returns
// a digest of every field and the commands the read itself took.
func readFace(t *testing.T, link *counting) ([32]byte, []sent) {
	t.Helper()
	rec, err := verifiedRead(t, mynacard.Open(link), link, freshAnchors())
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Destroy()
	return digestOf(rec), link.take()
}

// verifiedRead verifies 照合番号B on c and reads the verified face record;
// the commands before the read are dropped from link's count.
func verifiedRead(t *testing.T, c *mynacard.Card, link *counting, a *mynacard.TrustAnchors) (*mynacard.FaceRecord, error) {
	t.Helper()
	ctx := context.Background()
	if err := c.VerifyCodeB(ctx, secretOf(codeB)); err != nil {
		t.Fatal(err)
	}
	link.take()
	return c.ReadVerifiedFaceRecord(ctx, a)
}

func digestOf(rec *mynacard.FaceRecord) [32]byte {
	h := sha256.New()
	for _, f := range [][]byte{rec.Birth, rec.Sex, rec.NameImage, rec.AddressImage, rec.Photo, rec.Signature, rec.Expiry, rec.CodeImage} {
		h.Write(f)
	}
	var sum [32]byte
	copy(sum[:], h.Sum(nil))
	return sum
}

func TestFaceRecordReadsInOneCommandPerFile(t *testing.T) {
	link := &counting{next: virtualCard(t, nil)}
	_, cmds := readFace(t, link)
	// SELECT EF 0004, READ, SELECT EF 0002, READ, INTERNAL AUTHENTICATE.
	if len(cmds) != 5 || count(cmds, isRead) != 2 || count(cmds, isExtended) != 2 {
		t.Fatalf("%d commands, %d reads (%d extended): %+v", len(cmds), count(cmds, isRead), count(cmds, isExtended), cmds)
	}
}

func TestShortOnlyCardGivesTheSameRecord(t *testing.T) {
	want, _ := readFace(t, &counting{next: virtualCard(t, nil)})
	link := &counting{next: virtualCard(t, func(o *vcard.Options) { o.ShortAPDUsOnly = true })}
	got, cmds := readFace(t, link)
	if got != want {
		t.Fatal("the short reads gave another record")
	}
	// One extended read is refused, and the Card never tries again.
	if n := count(cmds, isExtended); n != 1 {
		t.Fatalf("%d extended commands: %+v", n, cmds)
	}
	if n := count(cmds, isRead); n < 20 {
		t.Fatalf("a 5 KB record in %d short reads", n)
	}
}

// extendedRead reports whether raw is an extended READ BINARY.
func extendedRead(raw []byte) bool {
	return len(raw) == 7 && raw[1] == 0xB0 && raw[4] == 0
}

func TestReaderRefusingExtendedFallsBack(t *testing.T) {
	want, _ := readFace(t, &counting{next: virtualCard(t, nil)})
	link := &counting{next: virtualCard(t, nil)}
	refused := 0
	link.intercept = func(_ context.Context, raw []byte) ([]byte, error, bool) {
		if extendedRead(raw) {
			refused++
			return nil, errors.New("reader: command not supported"), true
		}
		return nil, nil, false
	}
	got, _ := readFace(t, link)
	if got != want || refused != 1 {
		t.Fatalf("same record %v, %d refusals", got == want, refused)
	}
}

func TestCardPulledDuringExtendedReadIsRemovedNotShort(t *testing.T) {
	vc := virtualCard(t, nil)
	link := &counting{next: vc}
	pulled := false
	link.intercept = func(_ context.Context, raw []byte) ([]byte, error, bool) {
		if extendedRead(raw) && !pulled {
			pulled = true
			vc.Pull()
		}
		return nil, nil, false
	}
	c := mynacard.Open(link)
	if _, err := verifiedRead(t, c, link, freshAnchors()); !errors.Is(err, apdu.ErrCardRemoved) {
		t.Fatalf("pulled during the read: %v", err)
	}
	if cmds := link.take(); len(cmds) != 2 || !cmds[1].extended {
		t.Fatalf("a short retry after the pull: %+v", cmds)
	}
	// Back on the reader, the same Card still reads in extended length.
	vc.Insert()
	c.Forget()
	rec, err := verifiedRead(t, c, link, freshAnchors())
	if err != nil {
		t.Fatal(err)
	}
	rec.Destroy()
	if n := count(link.take(), isRead); n != 2 {
		t.Fatalf("%d reads after the card came back", n)
	}
}

func TestCancelDuringExtendedReadIsNoFallback(t *testing.T) {
	link := &counting{next: virtualCard(t, nil)}
	ctx, cancel := context.WithCancel(context.Background())
	link.intercept = func(ctx context.Context, raw []byte) ([]byte, error, bool) {
		if extendedRead(raw) {
			cancel()
			return nil, ctx.Err(), true
		}
		return nil, nil, false
	}
	c := mynacard.Open(link)
	if err := c.VerifyCodeB(ctx, secretOf(codeB)); err != nil {
		t.Fatal(err)
	}
	link.take()
	if _, err := c.ReadFaceRecord(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled read: %v", err)
	}
	if n := count(link.take(), isRead); n != 1 {
		t.Fatalf("%d reads: a cancelled read was retried", n)
	}
	link.intercept = nil
	rec, err := c.ReadFaceRecord(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	rec.Destroy()
	if cmds := link.take(); count(cmds, isRead) != 1 || count(cmds, isExtended) != 1 {
		t.Fatalf("a cancel made the Card read short: %+v", cmds)
	}
}

// limited is a link that says how long an answer it carries.
type limited struct {
	*counting
	max int
}

func (l limited) MaxResponse() int { return l.max }

func TestLinkLimitsAreHonoured(t *testing.T) {
	want, _ := readFace(t, &counting{next: virtualCard(t, nil)})
	for _, tc := range []struct{ max, reads int }{{256, 26}, {1000, 7}, {0, 2}, {1 << 20, 2}} {
		link := &counting{next: virtualCard(t, nil)}
		rec, err := verifiedRead(t, mynacard.Open(limited{link, tc.max}), link, freshAnchors())
		if err != nil {
			t.Fatal(err)
		}
		got := digestOf(rec)
		rec.Destroy()
		cmds := link.take()
		if got != want {
			t.Errorf("limit %d: another record", tc.max)
		}
		for _, s := range cmds {
			if s.ins == 0xB0 && tc.max > 0 && s.le > max(tc.max, 256) {
				t.Errorf("limit %d: asked for %d", tc.max, s.le)
			}
		}
		if n := count(cmds, isRead); n != tc.reads {
			t.Errorf("limit %d: %d reads, want %d", tc.max, n, tc.reads)
		}
	}
}

func TestCodeBTriesThenVerifySelectOnce(t *testing.T) {
	vc := virtualCard(t, nil)
	link := &counting{next: vc}
	ctx := context.Background()
	c := mynacard.Open(link)
	if left, err := c.CodeBTriesLeft(ctx); err != nil || left != 10 {
		t.Fatalf("%d left, %v", left, err)
	}
	err := c.VerifyCodeB(ctx, secretOf("55021720350000"))
	if left, ok := apdu.TriesLeft(err); !ok || left != 9 {
		t.Fatalf("wrong code: %v", err)
	}
	// Tries left change: asked again, the card answers again.
	if left, err := c.CodeBTriesLeft(ctx); err != nil || left != 9 {
		t.Fatalf("%d left after a wrong code, %v", left, err)
	}
	if err := c.VerifyCodeB(ctx, secretOf(codeB)); err != nil {
		t.Fatal(err)
	}
	cmds := link.take()
	if n := count(cmds, isSelect); n != 2 || len(cmds) != 6 {
		t.Fatalf("%d SELECTs in %d commands: %+v", n, len(cmds), cmds)
	}
}

func TestKindAndCertificateAreReadOnce(t *testing.T) {
	link := &counting{next: virtualCard(t, nil)}
	ctx := context.Background()
	c := mynacard.Open(link)
	for range 2 {
		if k, err := c.Detect(ctx); err != nil || k != mynacard.KindMyNumberCard {
			t.Fatalf("%v %v", k, err)
		}
	}
	if n := len(link.take()); n != 3 { // SELECT AP, SELECT EF 0006, READ
		t.Fatalf("Detect twice took %d commands", n)
	}
	first, err := c.AuthCertificate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.AuthPINTriesLeft(ctx); err != nil {
		t.Fatal(err)
	}
	again, err := c.AuthCertificate(ctx)
	if err != nil || !bytes.Equal(first.Raw, again.Raw) {
		t.Fatalf("again: %v", err)
	}
	cmds := link.take()
	if n := count(cmds, isRead); n != 1 {
		t.Fatalf("the certificate read %d times: %+v", n, cmds)
	}
	c.Forget()
	if _, err := c.Detect(ctx); err != nil {
		t.Fatal(err)
	}
	if n := count(link.take(), isRead); n != 1 {
		t.Fatal("Forget kept the kind")
	}
}

// The relay moves the card's selection: the Card selects again after it.
func TestRelayedSelectMakesTheCardSelectAgain(t *testing.T) {
	link := &counting{next: virtualCard(t, nil)}
	ctx := context.Background()
	c := mynacard.Open(link)
	ca, err := c.AuthCACertificate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, raw := range [][]byte{
		{0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x0A}, // the user certificate
		{0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01},
	} {
		if resp, err := c.Relay(ctx, raw); err != nil || !bytes.Equal(resp, []byte{0x90, 0x00}) {
			t.Fatalf("relay: % X %v", resp, err)
		}
		again, err := c.AuthCACertificate(ctx)
		if err != nil || !bytes.Equal(again.Raw, ca.Raw) {
			t.Fatalf("after a relayed SELECT %X: %v", raw[2:], err)
		}
	}
}

// The 入力補助AP attributes, their certificate and their integrity record
// take one read each, with or without the two bytes some cards put first,
// and the same in short reads.
func TestAttributesReadInOneCommandPerFile(t *testing.T) {
	for _, tc := range []struct {
		prefix, short bool
	}{{false, false}, {true, false}, {true, true}} {
		link := &counting{next: virtualCard(t, func(o *vcard.Options) { o.HojoPrefix, o.ShortAPDUsOnly = tc.prefix, tc.short })}
		ctx := context.Background()
		c := mynacard.Open(link)
		if err := c.VerifyHojoPIN(ctx, secretOf("1234")); err != nil {
			t.Fatal(err)
		}
		link.take()
		a, err := c.ReadAttributes(ctx, anchors)
		if err != nil {
			t.Fatalf("%+v: %v", tc, err)
		}
		if !bytes.Equal(a.Birth, []byte("19800217")) {
			t.Errorf("%+v: birth %q", tc, a.Birth)
		}
		a.Destroy()
		if n := count(link.take(), isRead); !tc.short && n != 3 || tc.short && n <= 3 {
			t.Errorf("%+v: %d reads", tc, n)
		}
	}
}

// The signer's certificate is the same on every card one J-LIS key signed:
// once verified, the next card's record is checked with the key and EF 0004
// is not read. A record the key does not verify still is refused.
func TestAVerifiedSignerSparesTheNextCardsCertificateRead(t *testing.T) {
	shared := freshAnchors()
	readWith := func(vc *vcard.Card) ([]sent, error) {
		link := &counting{next: vc}
		rec, err := verifiedRead(t, mynacard.Open(link), link, shared)
		rec.Destroy()
		return link.take(), err
	}
	first, err := readWith(virtualCard(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	second, err := readWith(virtualCard(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	if count(first, isRead) != 2 || count(second, isRead) != 1 {
		t.Fatalf("%d reads on the first card, %d on the next; want 2 and 1", count(first, isRead), count(second, isRead))
	}
	if _, err := readWith(virtualCard(t, func(o *vcard.Options) { o.TamperPhoto = true })); !errors.Is(err, mynacard.ErrVerification) {
		t.Fatalf("a tampered record with a remembered signer: %v", err)
	}
}
