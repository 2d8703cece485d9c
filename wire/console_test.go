package wire

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/app/audit"
	"github.com/uketsuke/uketsuke/app/config"
	appconsole "github.com/uketsuke/uketsuke/app/console"
	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/console/consoletest"
	"github.com/uketsuke/uketsuke/i18n"
	"github.com/uketsuke/uketsuke/sim/world"
)

// consoleKiosk is a simulated kiosk with its console on, running.
type consoleKiosk struct {
	w      *World
	k      *session.Kiosk
	client *consoletest.Client // reception
	admin  *consoletest.Client
	base   string
}

func startConsoleKiosk(t *testing.T, extra ...func(*Simulated)) *consoleKiosk {
	t.Helper()
	pki := consoletest.New(t)
	cert, admin := pki.Issue(t, "reception"), pki.Issue(t, "admin")
	sim := Simulated{Dir: t.TempDir(), Fast: true, Console: pki.Console,
		Operators: []config.Operator{{ID: "reception1", Name: "受付　一子", Role: "reception",
			Fingerprint: strings.Repeat("ab", 32), ConsoleFingerprint: consoletest.Fingerprint(cert)},
			{ID: "admin1", Name: "管理　二郎", Role: "administrator",
				Fingerprint: strings.Repeat("cd", 32), ConsoleFingerprint: consoletest.Fingerprint(admin)}}}
	for _, f := range extra {
		f(&sim)
	}
	cfg := SimulatedConfig(sim)
	w, err := Build(cfg, Options{Version: audit.Version{Minor: 2}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	k, err := session.New(session.Options{Devices: w.Devices, Settings: w.Settings, Audit: w.Audit})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go k.Run(ctx)
	go w.Run(ctx, k)
	return &consoleKiosk{w: w, k: k, client: pki.HTTPClient(&cert), admin: pki.HTTPClient(&admin), base: "https://" + w.ConsoleAddr()}
}

// waitFor waits until the kiosk shows one of the states.
func (c *consoleKiosk) waitFor(t *testing.T, states ...session.State) session.View {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		v := c.k.View()
		for _, s := range states {
			if v.State == s {
				return v
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("the kiosk is in %s, not %v", c.k.View().State, states)
	return session.View{}
}

// pending polls the console, as its page does, until a check is listed.
func (c *consoleKiosk) pending(t *testing.T) appconsole.Check {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		var got struct{ Checks []appconsole.Check }
		resp, err := c.client.Get(c.base + "/api/checks")
		if err == nil && resp.Status == 200 && resp.JSON(&got) == nil && len(got.Checks) == 1 {
			return got.Checks[0]
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("the console lists no waiting check")
	return appconsole.Check{}
}

func (c *consoleKiosk) decide(t *testing.T, verdict string, id uint64) consoletest.Response {
	t.Helper()
	resp, err := c.client.Post(c.base+"/api/checks/"+verdict, "", []byte(fmt.Sprintf(`{"session":%d}`, id)))
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// A patient with the virtual card asks for staff at the kiosk; reception
// approves from the console; the session goes on to the eligibility check
// and its result. A second approval, and one for an earlier patient, do
// nothing; the day's counts and the downloadable log show it all without
// personal data.
func TestAVisualCheckApprovedFromTheConsoleWhileThePatientWaits(t *testing.T) {
	c := startConsoleKiosk(t)
	card, err := c.w.Sim.Issue(world.PersonStandard)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.k.CardPlaced(card); err != nil {
		t.Fatal(err)
	}
	c.waitFor(t, session.StateMethod)
	if err := c.k.Press(session.EvRequestStaff); err != nil {
		t.Fatal(err)
	}
	first := c.waitFor(t, session.StateStaffCheck)
	check := c.pending(t)
	if check.Session != first.Session {
		t.Fatalf("the console lists session %d, the kiosk runs %d", check.Session, first.Session)
	}
	if resp := c.decide(t, "approve", check.Session); resp.Status != 200 {
		t.Fatalf("approve: %d %s", resp.Status, resp.Body)
	}
	v := c.waitFor(t, session.StateConsent)
	if v.Result.Method != session.MethodStaff || v.Result.Validity != session.ValidityValid {
		t.Errorf("result %+v", v.Result)
	}
	if resp := c.decide(t, "approve", check.Session); resp.Status != 409 {
		t.Errorf("a second approval: %d %s", resp.Status, resp.Body)
	}
	card.Pull()
	c.k.CardRemoved()
	c.waitFor(t, session.StateIdle)

	// The next patient asks for staff too; the first patient's approval,
	// arriving late, does nothing, at the console or at the kiosk itself.
	next, err := c.w.Sim.Issue(world.PersonStandard)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.k.CardPlaced(next); err != nil {
		t.Fatal(err)
	}
	c.waitFor(t, session.StateMethod)
	c.k.Press(session.EvRequestStaff)
	second := c.waitFor(t, session.StateStaffCheck)
	if second.Session == first.Session {
		t.Fatal("the second patient has the first one's session number")
	}
	if resp := c.decide(t, "approve", first.Session); resp.Status != 409 {
		t.Errorf("a stale approval: %d %s", resp.Status, resp.Body)
	}
	c.k.StaffIn(first.Session, session.EvStaffApprove)
	c.k.Sync(context.Background())
	if v := c.k.View(); v.State != session.StateStaffCheck {
		t.Errorf("a stale approval moved the kiosk to %s", v.State)
	}
	if resp := c.decide(t, "refuse", second.Session); resp.Status != 200 {
		t.Fatalf("refuse: %d %s", resp.Status, resp.Body)
	}
	c.waitFor(t, session.StateError)
	next.Pull()
	c.k.CardRemoved()
	c.waitFor(t, session.StateIdle)

	var counts appconsole.Counts
	resp, err := c.client.Get(c.base + "/api/counts")
	if err != nil || resp.JSON(&counts) != nil {
		t.Fatalf("counts: %v %s", err, resp.Body)
	}
	if counts.Sessions != 2 || counts.VisualChecks.Approved != 1 || counts.VisualChecks.Refused != 1 {
		t.Errorf("counts %+v", counts)
	}
	var status appconsole.Status
	if resp, err = c.client.Get(c.base + "/api/status"); err != nil || resp.JSON(&status) != nil {
		t.Fatalf("status: %v", err)
	}
	if status.Software != "0.2.0" || status.Reader.State != "ok" || status.Eligibility.State != "ok" {
		t.Errorf("status %+v", status)
	}
	// Reception may not download logs; the file itself carries no names
	// (the audit log is ASCII terms only; names are Japanese).
	if resp, _ = c.client.Get(c.base + "/api/logs/operation.jsonl"); resp.Status != 403 {
		t.Errorf("reception downloaded a log: %d", resp.Status)
	}
	for _, name := range []string{"operation.jsonl", "error.jsonl"} {
		resp, err := c.admin.Get(c.base + "/api/logs/" + name)
		if err != nil || resp.Status != 200 || len(resp.Body) == 0 {
			t.Fatalf("%s: %v %d", name, err, resp.Status)
		}
		for i, b := range resp.Body {
			if b >= 0x80 {
				t.Fatalf("%s holds non-ASCII text at %d: %q", name, i, resp.Body[max(0, i-40):min(len(resp.Body), i+40)])
			}
		}
		if name == "operation.jsonl" && !strings.Contains(string(resp.Body), `"operator":"reception1","role":"reception","channel":"console","action":"approve","result":"ok"`) {
			t.Errorf("the approval is not in the downloaded log")
		}
	}
}

// Settings from the console: the wording is checked against the message
// catalogue (an unknown message is refused with its name, so a restart
// cannot fail on it), and a good change reaches the screen's listener and
// the next session's limits.
func TestConsoleSettingsReachTheScreenAndTheNextSession(t *testing.T) {
	c := startConsoleKiosk(t)
	heard := make(chan i18n.Lang, 1)
	var text string
	c.w.OnFacilityChange(func(cat *i18n.Catalog, l i18n.Lang) {
		text = cat.T(i18n.English, i18n.PlaceCardTitle)
		heard <- l
	})
	post := func(body string) (int, string) {
		t.Helper()
		resp, err := c.admin.Post(c.base+"/api/settings", "", []byte(body))
		if err != nil {
			t.Fatal(err)
		}
		var e struct{ Field string }
		resp.JSON(&e)
		return resp.Status, e.Field
	}
	if status, field := post(`{"wording":{"en":{"no_such.message":"x"}}}`); status != 422 || field != "facility.wording.en.no_such.message" {
		t.Errorf("an unknown message: %d %q", status, field)
	}
	if status, _ := post(`{"default_language":"en","face_attempts":1,"wording":{"en":{"place_card.title":"Card here, please"}}}`); status != 200 {
		t.Fatalf("a good change: %d", status)
	}
	select {
	case l := <-heard:
		if l != i18n.English || text != "Card here, please" {
			t.Errorf("heard %s %q", l, text)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the screen did not hear of the change")
	}
	card, err := c.w.Sim.Issue(world.PersonStandard)
	if err != nil {
		t.Fatal(err)
	}
	c.k.CardPlaced(card)
	if v := c.waitFor(t, session.StateMethod); v.Face.MaxAttempts != 1 {
		t.Errorf("the next session has %d face attempts, want 1", v.Face.MaxAttempts)
	}
	// A restart keeps it: the configuration built again takes the saved settings.
	again, err := withConsoleSettings(c.w.Config)
	if err != nil || again.Face.Attempts != 1 || again.Facility.DefaultLanguage != "en" {
		t.Errorf("after a restart: %+v %v", again.Face, err)
	}
}

// The patient calls staff from the PIN pad, where the kiosk does not move
// to the check by itself: the console lists it, and its approval starts
// the check and approves it.
func TestACallForStaffFromThePINPadIsApprovedFromTheConsole(t *testing.T) {
	c := startConsoleKiosk(t)
	card, err := c.w.Sim.Issue(world.PersonStandard)
	if err != nil {
		t.Fatal(err)
	}
	c.k.CardPlaced(card)
	c.waitFor(t, session.StateMethod)
	c.k.Press(session.EvChoosePIN)
	c.waitFor(t, session.StatePIN)
	c.k.Press(session.EvRequestStaff)
	check := c.pending(t)
	if resp := c.decide(t, "approve", check.Session); resp.Status != 200 {
		t.Fatalf("approve: %d %s", resp.Status, resp.Body)
	}
	if v := c.waitFor(t, session.StateConsent); v.Result.Method != session.MethodStaff {
		t.Errorf("result %+v", v.Result)
	}
}
