package revisit_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/app/audit"
	"github.com/uketsuke/uketsuke/app/mynacard"
	"github.com/uketsuke/uketsuke/app/operator"
	"github.com/uketsuke/uketsuke/app/revisit"
	"github.com/uketsuke/uketsuke/app/secret"
	"github.com/uketsuke/uketsuke/sim/jlis"
	"github.com/uketsuke/uketsuke/sim/profile"
	"github.com/uketsuke/uketsuke/sim/vcard"
)

// fakeClock is the lock's clock, moved by the test.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// host is a probe the test turns on and off.
type host struct {
	mu sync.Mutex
	up bool
}

func (h *host) Reachable(context.Context) bool { h.mu.Lock(); defer h.mu.Unlock(); return h.up }
func (h *host) set(up bool)                    { h.mu.Lock(); h.up = up; h.mu.Unlock() }

// door is an enclosure switch the test opens and closes.
type door struct {
	mu     sync.Mutex
	opened bool
	err    error
}

func (d *door) Opened() (bool, error) { d.mu.Lock(); defer d.mu.Unlock(); return d.opened, d.err }
func (d *door) set(opened bool, err error) {
	d.mu.Lock()
	d.opened, d.err = opened, err
	d.mu.Unlock()
}

type lockRig struct {
	clock   *fakeClock
	gateway *host
	console *host
	door    *door
	state   string
	log     *audit.Logger
	logDir  string
}

func newLockRig(t *testing.T) *lockRig {
	t.Helper()
	logDir := t.TempDir()
	log, err := audit.Open(audit.Options{Dir: logDir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { log.Close() })
	return &lockRig{clock: &fakeClock{t: time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)},
		gateway: &host{up: true}, console: &host{up: true}, door: &door{},
		state: filepath.Join(t.TempDir(), "state"), log: log, logDir: logDir}
}

func (r *lockRig) open(t *testing.T) *revisit.TheftLock {
	t.Helper()
	l, err := revisit.NewTheftLock(revisit.TheftLockConfig{Probes: []revisit.Probe{r.gateway, r.console},
		UnreachableFor: 10 * time.Minute, Enclosure: r.door, StateDir: r.state, Log: r.log, Now: r.clock.now})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// step moves the clock and checks once, as the monitor does.
func (r *lockRig) step(l *revisit.TheftLock, d time.Duration) bool {
	r.clock.advance(d)
	return l.Check(context.Background())
}

// records are the operation log's access records.
func (r *lockRig) records(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(r.logDir, audit.OperationFile))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(string(data), "\n") {
		if strings.Contains(l, `"msg":"access"`) {
			out = append(out, l)
		}
	}
	return out
}

func TestTheftLockEngagesOnlyAfterEveryProbeFailedForTheSetTime(t *testing.T) {
	r := newLockRig(t)
	l := r.open(t)
	if r.step(l, time.Minute) {
		t.Fatal("locked with every host reachable")
	}
	r.gateway.set(false)
	if r.step(l, 30*time.Minute) {
		t.Fatal("locked while the console still answered (one host down is maintenance)")
	}
	r.console.set(false)
	// Silence counts from the first check that found every host silent.
	first := r.clock.now().Add(time.Minute)
	for range 10 {
		if r.step(l, time.Minute) {
			t.Fatalf("locked after %v of silence, before the 10 minutes", r.clock.now().Sub(first))
		}
	}
	if l.Locked() {
		t.Fatal("Locked before the set time")
	}
	if !r.step(l, time.Minute) || !l.Locked() || l.Reason() != revisit.ReasonNetwork {
		t.Fatalf("not locked after 10 minutes of silence: %v %q", l.Locked(), l.Reason())
	}
	r.gateway.set(true)
	r.console.set(true)
	if !r.step(l, time.Minute) || !l.Locked() {
		t.Fatal("the lock let go when the network came back")
	}
	if recs := r.records(t); len(recs) != 1 || !strings.Contains(recs[0], `"theft_lock":"engaged"`) ||
		!strings.Contains(recs[0], `"reason":"network"`) || !strings.Contains(recs[0], `"saved":true`) {
		t.Fatalf("records: %q", recs)
	}
}

func TestTheftLockSilenceMustBeUnbroken(t *testing.T) {
	r := newLockRig(t)
	l := r.open(t)
	r.gateway.set(false)
	r.console.set(false)
	r.step(l, time.Second)
	r.step(l, 9*time.Minute)
	r.console.set(true)
	r.step(l, time.Minute) // one answer resets the count
	r.console.set(false)
	if r.step(l, time.Minute) || r.step(l, 8*time.Minute) {
		t.Fatal("silence before an answer was counted")
	}
	if !r.step(l, 2*time.Minute) {
		t.Fatal("not locked after 10 unbroken minutes")
	}
}

func TestTheftLockSurvivesARestart(t *testing.T) {
	r := newLockRig(t)
	l := r.open(t)
	r.door.set(true, nil)
	if !r.step(l, time.Second) || l.Reason() != revisit.ReasonEnclosure {
		t.Fatalf("an opened enclosure did not lock: %q", l.Reason())
	}
	r.door.set(false, nil)
	again := r.open(t) // the kiosk restarts with everything back in place
	if !again.Locked() || again.Reason() != revisit.ReasonEnclosure {
		t.Fatal("a restart released the lock")
	}
	if r.step(again, time.Minute); !again.Locked() {
		t.Fatal("a check after the restart released the lock")
	}
}

func TestTheftLockAnUnreadableStateLocks(t *testing.T) {
	r := newLockRig(t)
	if err := os.MkdirAll(r.state, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(r.state, revisit.TheftLockFile), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := revisit.NewTheftLock(revisit.TheftLockConfig{Enclosure: r.door, StateDir: r.state, Now: r.clock.now})
	if err == nil || l == nil || !l.Locked() || l.Reason() != revisit.ReasonState {
		t.Fatalf("a damaged state file: %v, lock %v", err, l)
	}
}

func TestTheftLockUnreadableSwitchCountsAsOpened(t *testing.T) {
	r := newLockRig(t)
	l := r.open(t)
	r.door.set(false, errors.New("gpio gone"))
	if !r.step(l, time.Second) || l.Reason() != revisit.ReasonEnclosure {
		t.Fatal("a switch that cannot be read did not lock")
	}
}

func TestTheftLockConfigurationIsChecked(t *testing.T) {
	dir := t.TempDir()
	for name, cfg := range map[string]revisit.TheftLockConfig{
		"no state":          {Enclosure: &door{}},
		"nothing to watch":  {StateDir: dir},
		"probes, no period": {StateDir: dir, Probes: []revisit.Probe{&host{}}},
	} {
		if _, err := revisit.NewTheftLock(cfg); !errors.Is(err, revisit.ErrTheftLockConfig) {
			t.Errorf("%s: %v, want ErrTheftLockConfig", name, err)
		}
	}
}

// staff logs a staff card in with role and returns the authenticator.
func staff(t *testing.T, r *lockRig, role operator.Role) *operator.Authenticator {
	t.Helper()
	vc, err := vcard.New(profile.Staff(), vcard.Options{PhotoJP2: append([]byte{0xFF, 0x4F, 0xFF, 0x51}, bytes.Repeat([]byte{0x3C}, 400)...)})
	if err != nil {
		t.Fatal(err)
	}
	cred := operator.MyNumberCard{Card: mynacard.Open(vc)}
	cert, err := cred.Certificate(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	a, err := operator.New(operator.Config{
		Operators: []operator.Operator{{ID: "staff.uketsuke", Name: "受付 太郎", Role: role, Fingerprint: operator.FingerprintOf(cert.Raw)}},
		Roots:     map[operator.Scheme]*x509.CertPool{operator.SchemeJPKI: jlis.New(jlis.DefaultSeed).Anchors().JPKI},
		Log:       r.log, Now: r.clock.now,
	})
	if err != nil {
		t.Fatal(err)
	}
	pin, err := secret.Take([]byte("5678"))
	if err != nil {
		t.Fatal(err)
	}
	defer pin.Destroy()
	if _, err := a.Login(context.Background(), cred, pin); err != nil {
		t.Fatal(err)
	}
	return a
}

func TestTheftLockOnlyAnAdministratorUnlocks(t *testing.T) {
	r := newLockRig(t)
	l := r.open(t)
	r.door.set(true, nil)
	r.step(l, time.Second)

	if err := l.Unlock(staff(t, r, operator.RoleReception)); !errors.Is(err, operator.ErrNotAllowed) {
		t.Fatalf("reception unlocking: %v, want ErrNotAllowed", err)
	}
	if !l.Locked() {
		t.Fatal("reception released the lock")
	}
	none, err := operator.New(operator.Config{Log: r.log, Now: r.clock.now})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Unlock(none); !errors.Is(err, operator.ErrNoSession) || !l.Locked() {
		t.Fatalf("no one logged in: %v", err)
	}
	if err := l.Unlock(staff(t, r, operator.RoleAdministrator)); err != nil {
		t.Fatalf("administrator: %v", err)
	}
	if l.Locked() {
		t.Fatal("still locked after the administrator's unlock")
	}
	if again := r.open(t); again.Locked() {
		t.Fatal("the unlock was not saved: a restart locked again")
	}
	// The door is still open (maintenance): it locks again only once it
	// has been closed and opened.
	if r.step(l, time.Second) {
		t.Fatal("re-locked at once on a door left open for maintenance")
	}
	r.door.set(false, nil)
	r.step(l, time.Second)
	r.door.set(true, nil)
	if !r.step(l, time.Second) {
		t.Fatal("the door opened again did not lock")
	}

	var uses []string
	for _, rec := range r.records(t) {
		if strings.Contains(rec, `"function":"unlock_revisit"`) || strings.Contains(rec, `"theft_lock":`) {
			uses = append(uses, rec)
		}
	}
	want := []string{`"theft_lock":"engaged"`, `"role":"reception","function":"unlock_revisit","result":"not_allowed"`,
		`"function":"unlock_revisit","result":"no_session"`,
		`"role":"administrator","function":"unlock_revisit","result":"ok"`,
		`"theft_lock":"released"`, `"theft_lock":"engaged"`}
	if len(uses) != len(want) {
		t.Fatalf("records:\n%s", strings.Join(uses, "\n"))
	}
	for i, w := range want {
		if !strings.Contains(uses[i], w) {
			t.Errorf("record %d: %s, want %s", i, uses[i], w)
		}
	}
	if !strings.Contains(uses[4], `"operator":"staff.uketsuke"`) {
		t.Errorf("the release does not name who: %s", uses[4])
	}
}
