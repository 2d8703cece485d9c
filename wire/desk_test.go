package wire

import (
	"errors"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/app/config"
	"github.com/uketsuke/uketsuke/app/operator"
	"github.com/uketsuke/uketsuke/app/secret"
	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/sim/profile"
	"github.com/uketsuke/uketsuke/sim/vcard"
	"github.com/uketsuke/uketsuke/sim/world"
)

// The desk with the card in process (the pcscd path is
// TestIntegrationStaffCardLogsInThroughTheKiosksReader).
func TestTheDeskRoutesTheWaitingLoginsCardAwayFromTheSession(t *testing.T) {
	staffCard, err := world.IssueCard(profile.Staff(), vcard.Options{PhotoJP2: []byte{0xFF, 0x4F, 0xFF, 0x51, 0, 0}})
	if err != nil {
		t.Fatal(err)
	}
	cfg := SimulatedConfig(Simulated{Dir: t.TempDir(), Fast: true})
	cfg.Parts.Staff.Operators = []config.Operator{{ID: "admin", Name: "管理 花子", Role: "administrator",
		Fingerprint: authFingerprint(t, staffCard)}}
	w, err := Build(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	k, ctx, stop := runKiosk(t, w)
	defer stop()

	var heard []bool
	if !w.Desk.AwaitCard(func(p bool) { heard = append(heard, p) }) {
		t.Fatal("an empty reader is busy")
	}
	pin, _ := secret.Take([]byte("5678"))
	defer pin.Destroy()
	if _, err := w.Desk.Login(ctx, operator.SchemeJPKI, pin); !errors.Is(err, ErrNoOperatorCard) {
		t.Fatalf("a login before the card: %v", err)
	}
	if err := w.Desk.placed(k, staffCard, func() session.Card { return session.NewMynaCard(staffCard, w.Anchors) }); err != nil {
		t.Fatal(err)
	}
	pin2, _ := secret.Take([]byte("5678"))
	defer pin2.Destroy()
	if s, err := w.Desk.Login(ctx, operator.SchemeJPKI, pin2); err != nil || s.Role != operator.RoleAdministrator {
		t.Fatalf("login %+v, %v", s, err)
	}
	if _, err := w.Desk.Login(ctx, operator.SchemeHPKI, pin2); !errors.Is(err, ErrNoHPKI) {
		t.Errorf("HPKI without a module: %v", err)
	}
	if err := w.Desk.removed(k); err != nil {
		t.Fatal(err)
	}
	if _, ok := w.Operators.Current(); ok {
		t.Error("the session outlived the card")
	}
	if len(heard) != 2 || !heard[0] || heard[1] {
		t.Errorf("the login heard %v, want arrival then removal", heard)
	}
	if v := k.View(); v.State != session.StateIdle {
		t.Errorf("the staff card reached the session: %s", v.State)
	}
}

// The demo's hand (`uketsuke demo --staff-card`): the world's staff card,
// registered by RegisterDemoStaff, logs in through PlaceCard; a patient's
// card with no login waiting starts a session.
func TestTheDemosStaffCardLogsIn(t *testing.T) {
	cfg := SimulatedConfig(Simulated{Dir: t.TempDir(), Fast: true})
	if err := RegisterDemoStaff(cfg); err != nil {
		t.Fatal(err)
	}
	w, err := Build(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	k, ctx, stop := runKiosk(t, w)
	defer stop()

	var heard []bool
	w.Desk.AwaitCard(func(p bool) { heard = append(heard, p) })
	staffCard, err := w.Sim.Issue(world.PersonStaff)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.PlaceCard(k, staffCard); err != nil {
		t.Fatal(err)
	}
	pin, _ := secret.Take([]byte("5678"))
	defer pin.Destroy()
	s, err := w.Desk.Login(ctx, operator.SchemeJPKI, pin)
	if err != nil || s.OperatorID != DemoStaffID || s.Role != operator.RoleAdministrator {
		t.Fatalf("login %+v, %v", s, err)
	}
	staffCard.Pull()
	if err := w.CardPulled(k); err != nil {
		t.Fatal(err)
	}
	if len(heard) != 2 || heard[1] {
		t.Errorf("the login heard %v", heard)
	}
	w.Desk.StopAwaiting()

	watch := k.Watch(ctx)
	patient, err := w.Sim.Issue(world.PersonStandard)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.PlaceCard(k, patient); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(20 * time.Second)
	for started := false; !started; {
		select {
		case v := <-watch:
			started = v.State != session.StateIdle
		case <-deadline:
			t.Fatal("a patient's card with no login waiting started no session")
		}
	}
	if len(heard) != 2 {
		t.Errorf("the login heard of the patient's card: %v", heard)
	}
}
