//go:build integration

package pcsc_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/app/apdu"
	"github.com/uketsuke/uketsuke/app/mynacard"
	"github.com/uketsuke/uketsuke/app/secret"
	"github.com/uketsuke/uketsuke/hardware/pcsc"
	"github.com/uketsuke/uketsuke/sim/jlis"
	"github.com/uketsuke/uketsuke/sim/profile"
	"github.com/uketsuke/uketsuke/sim/vcard"
	"github.com/uketsuke/uketsuke/sim/vpcd"
)

const reader = "Virtual PCD 00 00"

var fakePhoto = append([]byte{0xFF, 0x4F, 0xFF, 0x51}, make([]byte, 4000)...)

// withVirtualCard starts pcscd's view of a virtual card and returns the PC/SC
// context, the card and its vpcd link. Without pcscd it skips, unless
// UKETSUKE_REQUIRE_PCSC=1 (set by `make test`), where it fails.
func withVirtualCard(t *testing.T, edit func(*profile.Profile, *vcard.Options)) (*pcsc.Context, *vcard.Card, *vpcd.Client) {
	t.Helper()
	pc, err := pcsc.Establish(pcsc.AllowList{"Virtual PCD*"})
	if err == nil {
		var readers []string
		readers, err = pc.Readers()
		if err == nil && !contains(readers, reader) {
			err = errors.New("vpcd reader not listed: is vsmartcard-vpcd installed?")
		}
	}
	if err != nil {
		if os.Getenv("UKETSUKE_REQUIRE_PCSC") == "1" {
			t.Fatalf("pcscd with vpcd required: %v", err)
		}
		t.Skipf("no pcscd with vpcd here (%v); `make test` runs this with a real pcscd", err)
	}
	p := profile.Default()
	opts := vcard.Options{PhotoJP2: fakePhoto}
	if edit != nil {
		edit(p, &opts)
	}
	card, err := vcard.New(p, opts)
	if err != nil {
		t.Fatal(err)
	}
	client := vpcd.New(vpcd.DefaultAddr, card)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { client.Run(ctx); close(done) }()
	t.Cleanup(func() {
		cancel()
		<-done
		// The next test's card must not arrive before pcscd has seen this one leave.
		waitCtx, stop := context.WithTimeout(context.Background(), 15*time.Second)
		defer stop()
		if err := pc.WaitFor(waitCtx, reader, false); err != nil {
			t.Errorf("pcscd still sees the card after it left: %v", err)
		}
		pc.Close()
	})
	waitCtx, stop := context.WithTimeout(context.Background(), 10*time.Second)
	defer stop()
	if err := pc.WaitFor(waitCtx, reader, true); err != nil {
		t.Fatalf("virtual card never appeared on %q: %v", reader, err)
	}
	return pc, card, client
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestIntegrationFaceAndPINPathsThroughPcscd(t *testing.T) {
	pc, card, _ := withVirtualCard(t, nil)
	conn, err := pc.Connect(reader)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if string(conn.ATR()) != string(vcard.ATR) {
		t.Fatalf("ATR % X", conn.ATR())
	}
	ctx := context.Background()
	c := mynacard.Open(conn)
	if kind, err := c.Detect(ctx); err != nil || kind != mynacard.KindMyNumberCard {
		t.Fatalf("detect: %v %v", kind, err)
	}
	if err := c.VerifyCodeB(ctx, take([]byte("55021720352285"))); err != nil {
		t.Fatal(err)
	}
	anchors := jlis.New(jlis.DefaultSeed).Anchors()
	rec, err := c.ReadVerifiedFaceRecord(ctx, anchors)
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Photo) != len(fakePhoto) {
		t.Fatalf("photo of %d bytes", len(rec.Photo))
	}
	rec.Destroy()

	err = c.VerifyAuthPIN(ctx, take([]byte("0000")))
	if left, ok := apdu.TriesLeft(err); !ok || left != 2 || card.TriesLeft(vcard.CredAuthPIN) != 2 {
		t.Fatalf("wrong PIN through pcscd: %v", err)
	}
	if err := c.VerifyAuthPIN(ctx, take([]byte("1234"))); err != nil {
		t.Fatal(err)
	}
	cert, err := c.AuthCertificate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256([]byte("integration"))
	sig, err := c.SignWithAuthKey(ctx, digest)
	if err != nil {
		t.Fatal(err)
	}
	if err := rsa.VerifyPKCS1v15(cert.PublicKey.(*rsa.PublicKey), crypto.SHA256, digest[:], sig); err != nil {
		t.Fatal(err)
	}
	if card.ForbiddenAccesses() != 0 {
		t.Fatal("touched the 個人番号 or 照合番号A")
	}
}

// pullingTransport pulls the card after n commands.
type pullingTransport struct {
	apdu.Transport
	client *vpcd.Client
	n      int
}

func (p *pullingTransport) Transmit(ctx context.Context, cmd []byte) ([]byte, error) {
	if p.n == 0 {
		p.client.Pull()
	}
	p.n--
	return p.Transport.Transmit(ctx, cmd)
}

func TestIntegrationCardPulledMidReadIsACleanError(t *testing.T) {
	pc, _, client := withVirtualCard(t, nil)
	conn, err := pc.Connect(reader)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx := context.Background()
	// SELECT DF, SELECT EF, VERIFY; SELECT, READ the certificate; SELECT:
	// the card leaves as the face record's READ goes out.
	pulling := &pullingTransport{Transport: conn, client: client, n: 6}
	c := mynacard.Open(pulling)
	if err := c.VerifyCodeB(ctx, take([]byte("55021720352285"))); err != nil {
		t.Fatal(err)
	}
	_, err = c.ReadVerifiedFaceRecord(ctx, jlis.New(jlis.DefaultSeed).Anchors())
	if !errors.Is(err, apdu.ErrCardRemoved) {
		t.Fatalf("pulled mid-read: %v", err)
	}
	if sentAfter := -pulling.n; sentAfter != 1 {
		t.Fatalf("%d commands after the pull: the removal was taken for a refusal of extended length", sentAfter)
	}
}

func TestIntegrationUnknownReaderIsRefused(t *testing.T) {
	withVirtualCard(t, nil)
	strict, err := pcsc.Establish(pcsc.AllowList{"ACS ACR1252*"})
	if err != nil {
		t.Fatal(err)
	}
	defer strict.Close()
	if _, err := strict.Connect(reader); !errors.Is(err, pcsc.ErrReaderNotAllowed) {
		t.Fatalf("reader outside the allow-list: %v", err)
	}
}

// OpenSC is an independent client: its JPKI driver must list the virtual
// card's certificates and sign with the user-authentication key after the PIN.
func TestIntegrationOpenSCAgreesWithTheVirtualCard(t *testing.T) {
	for _, tool := range []string{"pkcs15-tool", "pkcs11-tool", "openssl"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s missing: the Makefile installs opensc and openssl", tool)
		}
	}
	withVirtualCard(t, nil)
	out, err := exec.Command("pkcs15-tool", "--reader", reader, "--list-certificates").CombinedOutput()
	if err != nil {
		t.Fatalf("pkcs15-tool: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "X.509 Certificate") {
		t.Fatalf("pkcs15-tool listed no certificate:\n%s", out)
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	os.WriteFile(data, []byte("signed by the virtual card through OpenSC"), 0o600)
	sig, certDER, certPEM := filepath.Join(dir, "sig"), filepath.Join(dir, "cert.der"), filepath.Join(dir, "cert.pem")
	module := "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so"
	run := func(name string, args ...string) string {
		t.Helper()
		out, err := exec.Command(name, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("%s %v: %v\n%s", name, args, err, out)
		}
		return string(out)
	}
	run("pkcs11-tool", "--module", module, "--read-object", "--type", "cert", "--id", "01", "-o", certDER)
	run("pkcs11-tool", "--module", module, "--login", "--pin", "1234", "--sign", "--id", "01",
		"--mechanism", "SHA256-RSA-PKCS", "-i", data, "-o", sig)
	run("openssl", "x509", "-inform", "DER", "-in", certDER, "-out", certPEM)
	pub := filepath.Join(dir, "pub.pem")
	run("openssl", "x509", "-in", certPEM, "-pubkey", "-noout", "-out", pub)
	if out := run("openssl", "dgst", "-sha256", "-verify", pub, "-signature", sig, data); !strings.Contains(out, "Verified OK") {
		t.Fatalf("signature made through OpenSC does not verify: %s", out)
	}
}

// readCounter counts the READ BINARY commands a card session sends, and
// those in extended length; it keeps the reader's length limits.
type readCounter struct {
	*pcsc.Conn
	reads, extended int
}

func (r *readCounter) Transmit(ctx context.Context, cmd []byte) ([]byte, error) {
	if len(cmd) >= 5 && cmd[1] == 0xB0 {
		r.reads++
		if len(cmd) == 7 && cmd[4] == 0 {
			r.extended++
		}
	}
	return r.Conn.Transmit(ctx, cmd)
}

// faceInProcess is the digest of the virtual card's face record read in
// process, as readFaceThroughPcscd makes it.
func faceInProcess(t *testing.T) [32]byte {
	t.Helper()
	card, err := vcard.New(profile.Default(), vcard.Options{PhotoJP2: fakePhoto})
	if err != nil {
		t.Fatal(err)
	}
	return verifiedFace(t, card)
}

// verifiedFace verifies 照合番号B over t and digests the verified face record.
func verifiedFace(t *testing.T, tr apdu.Transport) [32]byte {
	t.Helper()
	ctx := context.Background()
	c := mynacard.Open(tr)
	if err := c.VerifyCodeB(ctx, take([]byte("55021720352285"))); err != nil {
		t.Fatal(err)
	}
	rec, err := c.ReadVerifiedFaceRecord(ctx, jlis.New(jlis.DefaultSeed).Anchors())
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Destroy()
	// The signature covers the fields it signs (it was verified); the
	// expiry and the code image it does not.
	return sha256.Sum256(bytes.Join([][]byte{rec.Signature, rec.Expiry, rec.CodeImage}, nil))
}

// readFaceThroughPcscd reads the verified face record through pcscd and
// returns a digest of it with the counter of the reads it took.
func readFaceThroughPcscd(t *testing.T, edit func(*profile.Profile, *vcard.Options)) ([32]byte, *readCounter) {
	t.Helper()
	pc, _, _ := withVirtualCard(t, edit)
	conn, err := pc.Connect(reader)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	t.Logf("the reader says it carries answers of %d bytes (0: it does not say)", conn.MaxResponse())
	link := &readCounter{Conn: conn}
	return verifiedFace(t, link), link
}

// pcscd and vpcd carry extended APDUs: the signer's certificate and the
// face record take one READ BINARY each.
func TestIntegrationFaceRecordInExtendedLength(t *testing.T) {
	got, link := readFaceThroughPcscd(t, nil)
	if got != faceInProcess(t) {
		t.Fatal("pcscd gave another record")
	}
	if link.reads != 2 || link.extended != 2 {
		t.Fatalf("%d reads, %d extended", link.reads, link.extended)
	}
}

// A card that refuses extended length is read in short chunks after one
// refusal, and gives the same record.
func TestIntegrationShortOnlyCardThroughPcscd(t *testing.T) {
	want := faceInProcess(t)
	got, link := readFaceThroughPcscd(t, func(_ *profile.Profile, o *vcard.Options) { o.ShortAPDUsOnly = true })
	if got != want {
		t.Fatal("the short reads gave another record")
	}
	if link.extended != 1 || link.reads < 20 {
		t.Fatalf("%d reads, %d extended", link.reads, link.extended)
	}
}

// take moves b into locked memory; tests run far below the lock limit.
func take(b []byte) *secret.Buffer {
	buf, err := secret.Take(b)
	if err != nil {
		panic(err)
	}
	return buf
}
