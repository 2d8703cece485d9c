package operator_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/app/audit"
	"github.com/uketsuke/uketsuke/app/mynacard"
	"github.com/uketsuke/uketsuke/app/operator"
	"github.com/uketsuke/uketsuke/app/secret"
	"github.com/uketsuke/uketsuke/sim/jlis"
	"github.com/uketsuke/uketsuke/sim/profile"
	"github.com/uketsuke/uketsuke/sim/vcard"
)

var chipPhoto = append([]byte{0xFF, 0x4F, 0xFF, 0x51}, bytes.Repeat([]byte{0x3C}, 400)...)

func pin(t *testing.T, s string) *secret.Buffer {
	t.Helper()
	b, err := secret.Take([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Destroy)
	return b
}

func card(t *testing.T, p *profile.Profile) *vcard.Card {
	t.Helper()
	vc, err := vcard.New(p, vcard.Options{PhotoJP2: chipPhoto})
	if err != nil {
		t.Fatal(err)
	}
	return vc
}

func credential(vc *vcard.Card) operator.MyNumberCard {
	return operator.MyNumberCard{Card: mynacard.Open(vc)}
}

func fingerprint(t *testing.T, vc *vcard.Card) operator.Fingerprint {
	t.Helper()
	cert, err := credential(vc).Certificate(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return operator.FingerprintOf(cert.Raw)
}

// clock is a settable time.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

type rig struct {
	auth  *operator.Authenticator
	clock *clock
	logs  string
	staff *vcard.Card
}

// newRig registers the staff card as reception and opens an audit log.
func newRig(t *testing.T, role operator.Role) *rig {
	t.Helper()
	staff := card(t, profile.Staff())
	dir := t.TempDir()
	log, err := audit.Open(audit.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { log.Close() })
	c := &clock{t: time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)}
	a, err := operator.New(operator.Config{
		Operators: []operator.Operator{{ID: "staff.uketsuke", Name: "受付 太郎", Role: role, Fingerprint: fingerprint(t, staff)}},
		Roots:     map[operator.Scheme]*x509.CertPool{operator.SchemeJPKI: jlis.New(jlis.DefaultSeed).Anchors().JPKI},
		Timeout:   2 * time.Minute, Log: log, Now: c.now,
	})
	if err != nil {
		t.Fatal(err)
	}
	return &rig{auth: a, clock: c, logs: filepath.Join(dir, audit.OperationFile), staff: staff}
}

// accesses are the access records written so far.
func (r *rig) accesses(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(r.logs)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(string(data), "\n") {
		if strings.Contains(l, `"msg":"access"`) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func TestRegisteredStaffCardLogsIn(t *testing.T) {
	r := newRig(t, operator.RoleReception)
	s, err := r.auth.Login(context.Background(), credential(r.staff), pin(t, "5678"))
	if err != nil {
		t.Fatal(err)
	}
	if s.OperatorID != "staff.uketsuke" || s.Role != operator.RoleReception || !s.Expires.Equal(r.clock.t.Add(2*time.Minute)) {
		t.Fatalf("session %+v", s)
	}
	if _, err := r.auth.Use(operator.FuncVisualCheck); err != nil {
		t.Fatalf("reception approving a visual check: %v", err)
	}
	if _, err := r.auth.Use(operator.FuncLeaveKiosk); !errors.Is(err, operator.ErrNotAllowed) {
		t.Fatalf("reception leaving kiosk mode: %v, want ErrNotAllowed", err)
	}
	if _, ok := r.auth.Current(); !ok {
		t.Fatal("a refused use ended the session")
	}
	logs := r.accesses(t)
	for _, want := range []string{
		`"operator":"staff.uketsuke","role":"reception","function":"login","result":"ok"`,
		`"function":"visual_check","result":"ok"`,
		`"function":"leave_kiosk","result":"not_allowed"`,
	} {
		if !strings.Contains(logs, want) {
			t.Errorf("access log lacks %s:\n%s", want, logs)
		}
	}
	fp := fingerprint(t, r.staff)
	for _, leak := range []string{"5678", "受付", hex.EncodeToString(fp[:])} {
		if strings.Contains(logs, leak) {
			t.Errorf("access log holds %q", leak)
		}
	}
}

func TestUnregisteredCardIsRefusedBeforeThePIN(t *testing.T) {
	r := newRig(t, operator.RoleAdministrator)
	patient := card(t, profile.Default())
	before := patient.TriesLeft(vcard.CredAuthPIN)
	// A wrong PIN: had the kiosk presented it, the card's counter would show it.
	_, err := r.auth.Login(context.Background(), credential(patient), pin(t, "9999"))
	if !errors.Is(err, operator.ErrNotRegistered) {
		t.Fatalf("patient's card: %v, want ErrNotRegistered", err)
	}
	if after := patient.TriesLeft(vcard.CredAuthPIN); after != before {
		t.Errorf("PIN tries %d → %d: an unregistered card's PIN was tried", before, after)
	}
	if _, err := r.auth.Use(operator.FuncVisualCheck); !errors.Is(err, operator.ErrNoSession) {
		t.Fatalf("use without a session: %v", err)
	}
	logs := r.accesses(t)
	for _, want := range []string{`"operator":"unregistered","role":"none","function":"login","result":"not_registered"`,
		`"operator":"none","role":"none","function":"visual_check","result":"no_session"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("access log lacks %s:\n%s", want, logs)
		}
	}
}

func TestWrongPINSpendsExactlyOneTry(t *testing.T) {
	r := newRig(t, operator.RoleReception)
	before := r.staff.TriesLeft(vcard.CredAuthPIN)
	_, err := r.auth.Login(context.Background(), credential(r.staff), pin(t, "0000"))
	var wrong *operator.WrongPINError
	if !errors.As(err, &wrong) || wrong.Left != before-1 {
		t.Fatalf("wrong PIN: %v, want %d tries left", err, before-1)
	}
	if after := r.staff.TriesLeft(vcard.CredAuthPIN); after != before-1 {
		t.Fatalf("card's counter %d → %d, want one less", before, after)
	}
	if _, ok := r.auth.Current(); ok {
		t.Fatal("a wrong PIN opened a session")
	}
	if !strings.Contains(r.accesses(t), `"result":"wrong_pin","tries_left":2`) {
		t.Errorf("access log: %s", r.accesses(t))
	}
	// The right PIN next time resets the card's counter.
	if _, err := r.auth.Login(context.Background(), credential(r.staff), pin(t, "5678")); err != nil {
		t.Fatal(err)
	}
	if n := r.staff.TriesLeft(vcard.CredAuthPIN); n != before {
		t.Fatalf("tries after the right PIN: %d", n)
	}
}

func TestLastWrongPINBlocks(t *testing.T) {
	r := newRig(t, operator.RoleReception)
	var err error
	for i := 0; i < 3; i++ {
		_, err = r.auth.Login(context.Background(), credential(r.staff), pin(t, "0000"))
	}
	if !errors.Is(err, operator.ErrPINBlocked) {
		t.Fatalf("third wrong PIN: %v", err)
	}
	if _, err = r.auth.Login(context.Background(), credential(r.staff), pin(t, "5678")); !errors.Is(err, operator.ErrPINBlocked) {
		t.Fatalf("right PIN on a blocked card: %v", err)
	}
}

func TestSessionEndsOnTimeoutAndCardRemoval(t *testing.T) {
	r := newRig(t, operator.RoleAdministrator)
	ctx := context.Background()
	if _, err := r.auth.Login(ctx, credential(r.staff), pin(t, "5678")); err != nil {
		t.Fatal(err)
	}
	if _, err := r.auth.Use(operator.FuncDownloadLogs); err != nil {
		t.Fatal(err)
	}
	r.clock.t = r.clock.t.Add(2 * time.Minute)
	if _, err := r.auth.Use(operator.FuncApplySettings); !errors.Is(err, operator.ErrExpired) {
		t.Fatalf("after the timeout: %v, want ErrExpired", err)
	}
	if _, err := r.auth.Use(operator.FuncApplySettings); !errors.Is(err, operator.ErrNoSession) {
		t.Fatalf("after expiry: %v, want ErrNoSession", err)
	}
	if _, err := r.auth.Login(ctx, credential(r.staff), pin(t, "5678")); err != nil {
		t.Fatal(err)
	}
	r.auth.CardRemoved()
	if _, err := r.auth.Use(operator.FuncLeaveKiosk); !errors.Is(err, operator.ErrNoSession) {
		t.Fatalf("after the card left: %v, want ErrNoSession", err)
	}
	logs := r.accesses(t)
	for _, want := range []string{`"function":"apply_settings","result":"expired"`, `"session_end":"timeout"`, `"session_end":"card_removed"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("access log lacks %s:\n%s", want, logs)
		}
	}
}

// A session that times out unused ends in the log when the kiosk next asks.
func TestAnUnusedSessionThatTimesOutIsRecordedAsEnded(t *testing.T) {
	r := newRig(t, operator.RoleReception)
	if _, err := r.auth.Login(context.Background(), credential(r.staff), pin(t, "5678")); err != nil {
		t.Fatal(err)
	}
	r.clock.t = r.clock.t.Add(2 * time.Minute)
	if _, ok := r.auth.Current(); ok {
		t.Fatal("an expired session is still current")
	}
	if _, ok := r.auth.Current(); ok {
		t.Fatal("an expired session came back")
	}
	if logs := r.accesses(t); strings.Count(logs, `"session_end":"timeout"`) != 1 {
		t.Fatalf("want one session end by timeout:\n%s", logs)
	}
}

func TestCertificateOfAnotherHierarchyIsUntrusted(t *testing.T) {
	other := card(t, profile.Staff())
	a, err := operator.New(operator.Config{
		Operators: []operator.Operator{{ID: "staff.a", Role: operator.RoleReception, Fingerprint: fingerprint(t, other)}},
		Roots:     map[operator.Scheme]*x509.CertPool{operator.SchemeJPKI: jlis.New(7).Anchors().JPKI},
	})
	if err != nil {
		t.Fatal(err)
	}
	before := other.TriesLeft(vcard.CredAuthPIN)
	if _, err := a.Login(context.Background(), credential(other), pin(t, "9999")); !errors.Is(err, operator.ErrUntrusted) {
		t.Fatalf("card of another hierarchy: %v, want ErrUntrusted", err)
	}
	if other.TriesLeft(vcard.CredAuthPIN) != before {
		t.Fatal("an untrusted card's PIN was tried")
	}
	// No roots for the card's scheme: no one logs in.
	a, _ = operator.New(operator.Config{Roots: nil,
		Operators: []operator.Operator{{ID: "staff.a", Role: operator.RoleReception, Fingerprint: fingerprint(t, other)}}})
	if _, err := a.Login(context.Background(), credential(other), pin(t, "5678")); !errors.Is(err, operator.ErrUntrusted) {
		t.Fatalf("no roots: %v", err)
	}
}

// swapped shows one card's certificate and signs with another card's key.
type swapped struct{ show, sign operator.MyNumberCard }

func (s swapped) Scheme() operator.Scheme { return operator.SchemeJPKI }
func (s swapped) Certificate(ctx context.Context) (*x509.Certificate, error) {
	return s.show.Certificate(ctx)
}
func (s swapped) Sign(ctx context.Context, p *secret.Buffer, d [32]byte) ([]byte, error) {
	return s.sign.Sign(ctx, p, d)
}

func TestSignatureByAnotherKeyIsRefused(t *testing.T) {
	r := newRig(t, operator.RoleAdministrator)
	cred := swapped{show: credential(r.staff), sign: credential(card(t, profile.Default()))}
	if _, err := r.auth.Login(context.Background(), cred, pin(t, "1234")); !errors.Is(err, operator.ErrBadSignature) {
		t.Fatalf("another card's signature: %v, want ErrBadSignature", err)
	}
	if _, ok := r.auth.Current(); ok {
		t.Fatal("a bad signature opened a session")
	}
}

func TestRolesAndFunctions(t *testing.T) {
	cases := []struct {
		role operator.Role
		f    operator.Function
		want bool
	}{
		{operator.RoleReception, operator.FuncVisualCheck, true},
		{operator.RoleReception, operator.FuncLeaveKiosk, false},
		{operator.RoleReception, operator.FuncApplySettings, false},
		{operator.RoleReception, operator.FuncDownloadLogs, false},
		{operator.RoleAdministrator, operator.FuncVisualCheck, true},
		{operator.RoleAdministrator, operator.FuncLeaveKiosk, true},
		{operator.RoleAdministrator, operator.FuncApplySettings, true},
		{operator.RoleAdministrator, operator.FuncDownloadLogs, true},
		{operator.RoleReception, operator.FuncUnlockRevisit, false},
		{operator.RoleAdministrator, operator.FuncUnlockRevisit, true},
		{operator.RoleNone, operator.FuncVisualCheck, false},
	}
	for _, c := range cases {
		if got := c.role.Allowed(c.f); got != c.want {
			t.Errorf("%s may %s: %v, want %v", c.role, c.f, got, c.want)
		}
	}
	for _, s := range []string{"reception", "administrator"} {
		if r, err := operator.ParseRole(s); err != nil || r.String() != s {
			t.Errorf("ParseRole(%q) = %v, %v", s, r, err)
		}
	}
	if _, err := operator.ParseRole("admin"); err == nil {
		t.Error("ParseRole accepted admin")
	}
}

func TestFingerprintsAndIDs(t *testing.T) {
	want := operator.FingerprintOf([]byte("certificate"))
	lower := hex.EncodeToString(want[:])
	var pairs []string
	for i := 0; i < len(lower); i += 2 {
		pairs = append(pairs, strings.ToUpper(lower[i:i+2]))
	}
	for _, s := range []string{lower, strings.ToUpper(lower), strings.Join(pairs, ":")} {
		if got, err := operator.ParseFingerprint(s); err != nil || got != want {
			t.Errorf("ParseFingerprint(%q) = %x, %v", s, got, err)
		}
	}
	for _, s := range []string{"", lower[:62], lower + "00", "zz" + lower[2:]} {
		if _, err := operator.ParseFingerprint(s); err == nil {
			t.Errorf("ParseFingerprint(%q) accepted", s)
		}
	}
	for _, id := range []string{"tanaka", "reception.a", "dr_sato2"} {
		if err := operator.CheckID(id); err != nil {
			t.Errorf("CheckID(%q): %v", id, err)
		}
	}
	for _, id := range []string{"", "Tanaka", "田中", "staff1234", "none", "unregistered", strings.Repeat("a", 33)} {
		if err := operator.CheckID(id); err == nil {
			t.Errorf("CheckID(%q) accepted", id)
		}
	}
}

func TestRegistryRefusesDuplicates(t *testing.T) {
	fp := operator.FingerprintOf([]byte("a"))
	for name, ops := range map[string][]operator.Operator{
		"same id":          {{ID: "a", Role: operator.RoleReception}, {ID: "a", Role: operator.RoleReception, Fingerprint: fp}},
		"same certificate": {{ID: "a", Role: operator.RoleReception, Fingerprint: fp}, {ID: "b", Role: operator.RoleReception, Fingerprint: fp}},
		"no role":          {{ID: "a", Fingerprint: fp}},
	} {
		if _, err := operator.New(operator.Config{Operators: ops}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
