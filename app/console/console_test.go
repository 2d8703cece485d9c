package console

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/app/config"
	"github.com/uketsuke/uketsuke/app/session"
)

// kiosk records what the console sent (the session machine is tested in
// app/session; here only what reaches it matters).
type kiosk struct {
	view   session.View
	events []session.EventKind
	ids    []uint64
	limits []session.Settings
}

func (k *kiosk) View() session.View { return k.view }
func (k *kiosk) StaffIn(id uint64, e session.EventKind) error {
	k.events, k.ids = append(k.events, e), append(k.ids, id)
	return nil
}
func (k *kiosk) UseSettings(s session.Settings) error { k.limits = append(k.limits, s); return nil }

func TestADecisionReachesOnlyTheSessionItNames(t *testing.T) {
	k := &kiosk{view: session.View{State: session.StateStaffCheck, Session: 4}}
	if err := Decide(k, Decision{Session: 3}, true); !errors.Is(err, ErrStale) {
		t.Errorf("another session: %v", err)
	}
	k.view.State = session.StateConsent
	if err := Decide(k, Decision{Session: 4}, true); !errors.Is(err, ErrStale) {
		t.Errorf("no longer waiting: %v", err)
	}
	if len(k.events) != 0 {
		t.Fatalf("sent %v", k.events)
	}
	k.view.State = session.StateStaffCheck
	if err := Decide(k, Decision{Session: 4}, false); err != nil {
		t.Fatal(err)
	}
	if len(k.events) != 2 || k.events[1] != session.EvStaffReject || k.ids[0] != 4 || k.ids[1] != 4 {
		t.Errorf("sent %v to %v", k.events, k.ids)
	}
}

func TestPendingKeepsWhenTheCheckWasFirstSeen(t *testing.T) {
	var c Checks
	t0 := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	v := session.View{State: session.StateStaffCheck, Session: 2}
	if p := c.Pending(v, t0); len(p) != 1 || !p[0].Since.Equal(t0) {
		t.Fatalf("%+v", p)
	}
	if p := c.Pending(v, t0.Add(time.Minute)); !p[0].Since.Equal(t0) {
		t.Errorf("since moved: %+v", p)
	}
	if p := c.Pending(session.View{State: session.StateIdle}, t0); len(p) != 0 {
		t.Errorf("idle: %+v", p)
	}
}

const opLog = `{"time":"2026-12-05T23:50:00+09:00","level":"INFO","msg":"end","session":"a0","outcome":"completed","method":"pin","ok":true,"face_attempts":0,"validity":1}
{"time":"2026-12-06T09:00:00+09:00","level":"INFO","msg":"start","app":"0.2.0"}
{"time":"2026-12-06T09:01:00+09:00","level":"INFO","msg":"end","session":"a1","outcome":"completed","method":"face","ok":true,"face_attempts":1,"validity":1}
{"time":"2026-12-06T09:02:00+09:00","level":"WARN","msg":"error","session":"a2","code":"staff.rejected"}
{"time":"2026-12-06T09:03:00+09:00","level":"INFO","msg":"end","session":"a2","outcome":"session.card_removed","method":"none","ok":false,"face_attempts":2,"validity":0}
{"time":"2026-12-06T09:04:00+09:00","level":"INFO","msg":"end","session":"a3","outcome":"completed","method":"staff","ok":true,"face_attempts":0,"validity":1}
{"time":"2026-12-06T09:05:00+09:00","level":"INFO","msg":"end","session":"a4","outcome":"elig.unavailable","method":"pin","ok":false,"face_attempts":0,"validity":0}
{"time":"2026-12-06T09:06:00+09:00","level":"INFO","msg":"access","operator":"admin1"}
not json
`

func TestTodaysCountsFromTheOperationLog(t *testing.T) {
	jst := time.FixedZone("JST", 9*3600)
	tally := NewTally(jst)
	for _, line := range strings.Split(opLog, "\n") {
		tally.AddOperation([]byte(line))
	}
	c := tally.Counts(time.Date(2026, 12, 6, 12, 0, 0, 0, jst))
	if c.Day != "2026-12-06" || c.Sessions != 4 || c.Completed != 2 || c.PIN != 1 ||
		c.Face.Tried != 2 || c.Face.Succeeded != 1 || c.Face.SuccessRate != 0.5 ||
		c.VisualChecks.Approved != 1 || c.VisualChecks.Refused != 1 {
		t.Errorf("counts %+v", c)
	}
	if len(c.Refusals) != 2 || c.Refusals[0].Code != "elig.unavailable" || c.Refusals[1].Code != "staff.rejected" {
		t.Errorf("refusals %+v", c.Refusals)
	}
	if tally.Eligibility() != "unavailable" {
		t.Errorf("eligibility %q", tally.Eligibility())
	}
	if c := tally.Counts(time.Date(2026, 12, 7, 8, 0, 0, 0, jst)); c.Sessions != 0 || c.Day != "2026-12-07" {
		t.Errorf("the next day: %+v", c)
	}
}

func TestLastErrorsNewestFirst(t *testing.T) {
	tally := NewTally(time.UTC)
	for i := range 12 {
		tally.AddError([]byte(`{"time":"2026-12-06T09:00:0` + string(rune('0'+i%10)) + `Z","level":"ERROR","msg":"card.error` + strings.Repeat("x", i) + `","session":"s","state":"reading"}`))
	}
	e := tally.LastErrors()
	if len(e) != lastErrors || e[0].Code != "card.error"+strings.Repeat("x", 11) || e[0].State != "reading" {
		t.Errorf("%+v", e)
	}
}

func testConfig(t *testing.T) *config.Config {
	c := config.Default()
	c.Facility.Wording = map[string]map[string]string{"ja": {"screen.idle": "ようこそ"}}
	return c
}

func TestAChangeIsValidatedOnACopy(t *testing.T) {
	c := testConfig(t)
	two, en := 2, "en"
	out, err := Change{FaceAttempts: &two, DefaultLanguage: &en, Wording: map[string]map[string]string{}}.Apply(c)
	if err != nil {
		t.Fatal(err)
	}
	if out.Face.Attempts != 2 || out.Facility.DefaultLanguage != "en" || len(out.Facility.Wording) != 0 {
		t.Errorf("%+v", out)
	}
	if c.Face.Attempts != 3 || c.Facility.Wording["ja"]["screen.idle"] != "ようこそ" {
		t.Error("the running configuration changed")
	}
	nine := 9
	_, err = Change{FaceAttempts: &nine}.Apply(c)
	var v *config.ValidationError
	if !errors.As(err, &v) || v.Field != "face.attempts" {
		t.Errorf("9 attempts: %v", err)
	}
}

func TestSavedSettingsOutliveARestartButNotANewerBundle(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state", OverridesFile)
	c := testConfig(t)
	k := &kiosk{}
	s := NewSettings(c, path, k)
	four := 4
	if _, err := s.Change(Change{FaceAttempts: &four}); err != nil {
		t.Fatal(err)
	}
	if len(k.limits) != 1 || k.limits[0].FaceAttempts != 4 {
		t.Errorf("limits %+v", k.limits)
	}
	again, err := LoadOverrides(c, path)
	if err != nil || again.Face.Attempts != 4 || again.Facility.Wording["ja"]["screen.idle"] != "ようこそ" {
		t.Fatalf("%+v %v", again, err)
	}
	newer := *c
	newer.Serial = 9
	if got, err := LoadOverrides(&newer, path); err != nil || got != &newer {
		t.Errorf("a newer serial kept the old settings: %v", err)
	}
	os.WriteFile(path, []byte(`{"base_serial":0,"face_attempts":99}`), 0o600)
	if _, err := LoadOverrides(c, path); !errors.Is(err, ErrOverrides) {
		t.Errorf("an invalid file: %v", err)
	}
}

func TestLogFileNames(t *testing.T) {
	for name, want := range map[string]bool{"operation.jsonl": true, "error.jsonl.3": true,
		"operation.jsonl.1234": false, "../operation.jsonl": false, "console-settings.json": false, "": false} {
		if IsLogFile(name) != want {
			t.Errorf("%q: %v", name, !want)
		}
	}
}

func TestACallForStaffDuringThePINPadIsWaiting(t *testing.T) {
	k := &kiosk{view: session.View{State: session.StatePIN, Session: 5}}
	if Waiting(k.view) {
		t.Error("a PIN pad nobody called staff from is waiting")
	}
	k.view.StaffAsked = true
	if !Waiting(k.view) {
		t.Fatal("the patient's call is not waiting")
	}
	if err := Decide(k, Decision{Session: 5}, true); err != nil {
		t.Fatal(err)
	}
	if len(k.events) != 2 || k.events[0] != session.EvStaffStart || k.events[1] != session.EvStaffApprove {
		t.Errorf("sent %v", k.events)
	}
	k.view.State = session.StateChecking
	if Waiting(k.view) {
		t.Error("a session past the check is still waiting")
	}
}
