//go:build integration

package wire

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/app/audit"
	"github.com/uketsuke/uketsuke/app/config"
	"github.com/uketsuke/uketsuke/app/mynacard"
	"github.com/uketsuke/uketsuke/app/operator"
	"github.com/uketsuke/uketsuke/app/secret"
	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/hardware/pcsc"
	"github.com/uketsuke/uketsuke/hardware/usb"
	"github.com/uketsuke/uketsuke/sim/profile"
	"github.com/uketsuke/uketsuke/sim/vcard"
	"github.com/uketsuke/uketsuke/sim/vpcd"
	"github.com/uketsuke/uketsuke/sim/world"
)

const vpcdReader = "Virtual PCD 00 00"

// needVPCD is pcscd with vsmartcard's reader; without it the test skips,
// unless UKETSUKE_REQUIRE_PCSC=1 (`make test`), where it fails.
func needVPCD(t *testing.T) *pcsc.Context {
	t.Helper()
	pc, err := pcsc.Establish(pcsc.AllowList{"Virtual PCD*"})
	if err == nil {
		var names []string
		if names, err = pc.Readers(); err == nil && !strings.Contains(strings.Join(names, "\n"), vpcdReader) {
			err = errors.New("vpcd's reader is not listed: is vsmartcard-vpcd installed?")
		}
	}
	if err != nil {
		if os.Getenv("UKETSUKE_REQUIRE_PCSC") == "1" {
			t.Fatalf("pcscd with vpcd required: %v", err)
		}
		t.Skipf("no pcscd with vpcd here (%v); `make integration` runs this with a real pcscd", err)
	}
	t.Cleanup(func() { pc.Close() })
	return pc
}

// insert puts a virtual card into vpcd's reader; the returned func pulls
// it and waits until pcscd has seen it leave.
func insert(t *testing.T, pc *pcsc.Context, vc *vcard.Card) (pull func()) {
	t.Helper()
	client := vpcd.New(vpcd.DefaultAddr, vc)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { client.Run(ctx); close(done) }()
	pulled := false
	pull = func() {
		if pulled {
			return
		}
		pulled = true
		cancel()
		<-done
		wait, stop := context.WithTimeout(context.Background(), 15*time.Second)
		defer stop()
		if err := pc.WaitFor(wait, vpcdReader, false); err != nil {
			t.Errorf("pcscd still sees the card: %v", err)
		}
	}
	t.Cleanup(pull)
	return pull
}

var testPhoto = append([]byte{0xFF, 0x4F, 0xFF, 0x51}, bytes.Repeat([]byte{1}, 400)...)

func issue(t *testing.T, p *profile.Profile) *vcard.Card {
	t.Helper()
	vc, err := world.IssueCard(p, vcard.Options{PhotoJP2: testPhoto})
	if err != nil {
		t.Fatal(err)
	}
	return vc
}

// awaitEvent waits for the desk's next report of the staff card.
func awaitEvent(t *testing.T, events <-chan bool, want bool) {
	t.Helper()
	select {
	case got := <-events:
		if got != want {
			t.Fatalf("the desk reported present=%v, want %v", got, want)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("the desk never reported present=%v", want)
	}
}

func loginWith(t *testing.T, d *StaffDesk, pin string) (operator.Session, error) {
	t.Helper()
	buf, err := secret.Take([]byte(pin))
	if err != nil {
		t.Fatal(err)
	}
	defer buf.Destroy()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return d.Login(ctx, operator.SchemeJPKI, buf)
}

// TestIntegrationStaffCardLogsInThroughTheKiosksReader drives the kiosk's
// own reader path (pcscReader over a real pcscd, the virtual cards on
// vsmartcard's vpcd) with the StaffDesk that kiosk.go hands the staff
// pages: the staff card goes to the login and never to the session, its
// removal ends the operator session, a card that is not an operator's is
// refused without spending a PIN try, and without a login waiting a card
// starts a patient session as before.
func TestIntegrationStaffCardLogsInThroughTheKiosksReader(t *testing.T) {
	pc := needVPCD(t)
	staffCard := issue(t, profile.Staff())
	cfg := SimulatedConfig(Simulated{Dir: t.TempDir(), Fast: true})
	cfg.Parts.Staff.Operators = []config.Operator{{ID: "reception.uketsuke", Name: "受付 太郎", Role: "reception",
		Fingerprint: authFingerprint(t, staffCard)}}
	w, err := Build(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if w.Desk == nil {
		t.Fatal("no staff desk with operators registered")
	}
	k, ctx, stop := runKiosk(t, w)
	defer stop()
	// The kiosk's reader, as cardReader builds it for a PC/SC reader; vpcd's
	// has no USB device behind it, which a test rig's allow_virtual admits.
	gate := usbGate{cfg: &config.Config{Parts: &config.Parts{Reader: config.Reader{AllowVirtual: true}}},
		bus: usb.Sysfs{Root: t.TempDir()}, log: slog.Default()}
	r := newPCSCReader(pcsc.AllowList{"Virtual PCD*"}, gate, w.Anchors, slog.Default())
	r.desk = w.Desk
	readerDone := make(chan struct{})
	go func() { r.run(ctx, k, newFaultBoard(k)); close(readerDone) }()
	defer func() { stop(); <-readerDone }()

	events := make(chan bool, 4)
	listen := func(present bool) { events <- present }

	t.Run("staff card", func(t *testing.T) {
		if !w.Desk.AwaitCard(listen) {
			t.Fatal("the desk says a patient's card is on an empty reader")
		}
		pull := insert(t, pc, staffCard)
		awaitEvent(t, events, true)
		var wrong *operator.WrongPINError
		if _, err := loginWith(t, w.Desk, "0000"); !errors.As(err, &wrong) || wrong.Left != 2 {
			t.Fatalf("wrong PIN: %v", err)
		}
		s, err := loginWith(t, w.Desk, "5678")
		if err != nil || s.Role != operator.RoleReception || s.Name != "受付 太郎" {
			t.Fatalf("login %+v, %v", s, err)
		}
		if _, err := w.Desk.Use(operator.FuncVisualCheck); err != nil {
			t.Errorf("reception's visual check: %v", err)
		}
		if _, err := w.Desk.Use(operator.FuncLeaveKiosk); !errors.Is(err, operator.ErrNotAllowed) {
			t.Errorf("reception leaving kiosk mode: %v", err)
		}
		if v := k.View(); v.State != session.StateIdle {
			t.Errorf("the staff card reached the patient's session: %s", v.State)
		}
		pull()
		awaitEvent(t, events, false)
		if _, ok := w.Operators.Current(); ok {
			t.Error("the operator session outlived the card")
		}
		if _, err := w.Desk.Use(operator.FuncVisualCheck); !errors.Is(err, operator.ErrNoSession) {
			t.Errorf("a use after the card left: %v", err)
		}
		w.Desk.StopAwaiting()
	})

	t.Run("not an operator's card", func(t *testing.T) {
		patient := issue(t, profile.Default())
		if !w.Desk.AwaitCard(listen) {
			t.Fatal("the reader is not free")
		}
		pull := insert(t, pc, patient)
		awaitEvent(t, events, true)
		if _, err := loginWith(t, w.Desk, "9999"); !errors.Is(err, operator.ErrNotRegistered) {
			t.Fatalf("a patient's card: %v", err)
		}
		pull()
		awaitEvent(t, events, false)
		w.Desk.StopAwaiting()
		left, err := mynacard.Open(patient).AuthPINTriesLeft(context.Background())
		if err != nil || left != 3 {
			t.Errorf("the refused card has %d PIN tries left (%v), want all 3", left, err)
		}
	})

	t.Run("no login waiting", func(t *testing.T) {
		watch := k.Watch(ctx)
		pull := insert(t, pc, issue(t, profile.Default()))
		deadline := time.After(20 * time.Second)
		for started := false; !started; {
			select {
			case v := <-watch:
				started = v.State != session.StateIdle
			case <-deadline:
				t.Fatal("a card placed with no login waiting started no patient session")
			}
		}
		pull()
		select {
		case present := <-events:
			t.Errorf("the desk heard of a patient's card (present=%v)", present)
		default:
		}
	})

	logs, err := os.ReadFile(filepath.Join(cfg.Parts.Audit, audit.OperationFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"function":"login","result":"wrong_pin","tries_left":2`,
		`"operator":"reception.uketsuke","role":"reception","function":"login","result":"ok"`,
		`"session_end":"card_removed"`, `"operator":"unregistered","role":"none","function":"login","result":"not_registered"`} {
		if !strings.Contains(string(logs), want) {
			t.Errorf("the audit log lacks %s:\n%s", want, logs)
		}
	}
}
