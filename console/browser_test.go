package console_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/uketsuke/uketsuke/app/audit"
	"github.com/uketsuke/uketsuke/app/config"
	appconsole "github.com/uketsuke/uketsuke/app/console"
	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/console/chrometest"
	"github.com/uketsuke/uketsuke/console/consoletest"
	"github.com/uketsuke/uketsuke/i18n"
	"github.com/uketsuke/uketsuke/sim/world"
	"github.com/uketsuke/uketsuke/wire"
)

// browserSerial is the configuration serial the page should show.
const browserSerial = 7

// browserKiosk is a simulated kiosk, built by wire with its console on and
// running, and one headless chromium per operator.
type browserKiosk struct {
	w         *wire.World
	k         *session.Kiosk
	base      string
	admin     context.Context // the administrator's browser
	reception context.Context // the reception operator's browser
	languages chan i18n.Lang  // default languages the screen heard of
	bundleKey ed25519.PrivateKey
}

func startBrowserKiosk(t *testing.T) *browserKiosk {
	t.Helper()
	pki := consoletest.New(t)
	receptionCert, adminCert := pki.Issue(t, "reception"), pki.Issue(t, "admin")
	// The browsers first: without chromium the test skips before building a kiosk.
	admin := startBrowser(t, pki, &adminCert)
	reception := startBrowser(t, pki, &receptionCert)
	dir := t.TempDir()
	cfg := wire.SimulatedConfig(wire.Simulated{Dir: dir, Fast: true, Console: pki.Console,
		Operators: []config.Operator{
			{ID: "reception1", Name: "受付　一子", Role: "reception",
				Fingerprint: strings.Repeat("ab", 32), ConsoleFingerprint: consoletest.Fingerprint(receptionCert)},
			{ID: "admin1", Name: "管理　二郎", Role: "administrator",
				Fingerprint: strings.Repeat("cd", 32), ConsoleFingerprint: consoletest.Fingerprint(adminCert)}}})
	cfg.Serial = browserSerial
	pub, bundleKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Parts.Updates = config.Updates{Dir: filepath.Join(dir, "updates"), State: filepath.Join(dir, "updstate"),
		Keys: []string{base64.StdEncoding.EncodeToString(pub)}}
	w, err := wire.Build(cfg, wire.Options{Version: audit.Version{Minor: 2}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	k, err := session.New(session.Options{Devices: w.Devices, Settings: w.Settings, Audit: w.Audit})
	if err != nil {
		t.Fatal(err)
	}
	b := &browserKiosk{w: w, k: k, bundleKey: bundleKey, base: "https://" + w.ConsoleAddr(),
		admin: admin, reception: reception, languages: make(chan i18n.Lang, 4)}
	w.OnFacilityChange(func(_ *i18n.Catalog, l i18n.Lang) {
		select { // never hold up the console; the test reads the first change
		case b.languages <- l:
		default:
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go k.Run(ctx)
	go w.Run(ctx, k)

	for _, browser := range []context.Context{admin, reception} {
		if err := chromedp.Do(browser, chromedp.Navigate(b.base+"/")); err != nil {
			t.Fatalf("opening the console: %v", err)
		}
	}
	return b
}

// startBrowser starts a browser that trusts the console and presents cert.
func startBrowser(t *testing.T, pki *consoletest.PKI, cert *tls.Certificate) context.Context {
	t.Helper()
	return chrometest.Start(t, chrometest.Options{ClientCert: cert, TrustedCAs: []*x509.Certificate{pki.CA}})
}

// text is an element's text, "" when the page has no such element.
func text(ctx context.Context, id string) (string, error) {
	return chromedp.Run(ctx, chromedp.Evaluate[string](
		fmt.Sprintf(`(document.getElementById(%q) || {textContent: ""}).textContent`, id)))
}

// waitText waits until each element shows its wanted text (the page polls
// the API every 1.5 s) and fails the test naming what differs.
func waitText(t *testing.T, ctx context.Context, want map[string]string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		var wrong []string
		for id, w := range want {
			got, err := text(ctx, id)
			if err != nil {
				t.Fatalf("reading #%s: %v", id, err)
			}
			if got != w {
				wrong = append(wrong, fmt.Sprintf("#%s shows %q, want %q", id, got, w))
			}
		}
		if len(wrong) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the page does not show what it should:\n%s", strings.Join(wrong, "\n"))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	path, err := chrometest.Screenshot(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot %s", path)
}

// waitFor waits until the kiosk shows the state.
func (b *browserKiosk) waitFor(t *testing.T, state session.State) session.View {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if v := b.k.View(); v.State == state {
			return v
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("the kiosk is in %s, not %s", b.k.View().State, state)
	return session.View{}
}

// placeCard puts a fresh virtual card on the reader and waits for the
// kiosk to offer the ways to confirm the patient.
func (b *browserKiosk) placeCard(t *testing.T) func() {
	t.Helper()
	card, err := b.w.Sim.Issue(world.PersonStandard)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.k.CardPlaced(card); err != nil {
		t.Fatal(err)
	}
	b.waitFor(t, session.StateMethod)
	return func() {
		card.Pull()
		b.k.CardRemoved()
		b.waitFor(t, session.StateIdle)
	}
}

// fetchStatus posts from inside the page, as its own script does, and
// returns the HTTP status the console answered.
func fetchStatus(t *testing.T, ctx context.Context, path, body string) int {
	t.Helper()
	js := fmt.Sprintf(`fetch(%q, {method: "POST", headers: {"Content-Type": "application/json", "X-Uketsuke-Console": "1"}, body: %q}).then(r => r.status)`, path, body)
	status, err := chromedp.Run(ctx, chromedp.Evaluate[int](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("fetch %s from the page: %v", path, err)
	}
	return status
}

// The staff console in real headless chromium against a simulated kiosk
// built by wire: both operators' pages load with their certificates and
// show the kiosk's status; reception approves a waiting visual check and
// the kiosk's session moves on; the administrator changes settings (a bad
// value first, named on the page) and the next session takes them, while
// reception's page offers no settings and the API refuses its change; a
// signed bundle uploaded through the page reaches the next session too.
func TestConsoleInABrowser(t *testing.T) {
	b := startBrowserKiosk(t)

	t.Run("status", func(t *testing.T) {
		status := map[string]string{
			"status-state": "待機中", "status-reader": "正常", "status-face-camera": "正常",
			"status-card-camera": "正常", "status-results": "正常", "status-eligibility": "不明",
			"status-software": "0.2.0", "status-serial": fmt.Sprint(browserSerial),
			"counts-sessions": "0",
		}
		status["operator-id"] = "admin1 (administrator)"
		waitText(t, b.admin, status)
		screenshot(t, b.admin, "console-status-admin")
		status["operator-id"] = "reception1 (reception)"
		waitText(t, b.reception, status)
		screenshot(t, b.reception, "console-status-reception")
	})

	t.Run("approval", func(t *testing.T) {
		remove := b.placeCard(t)
		if err := b.k.Press(session.EvRequestStaff); err != nil {
			t.Fatal(err)
		}
		waiting := b.waitFor(t, session.StateStaffCheck)
		check := fmt.Sprintf("check-%d", waiting.Session)
		approve := fmt.Sprintf("approve-%d", waiting.Session)
		waitText(t, b.reception, map[string]string{"status-state": "目視確認待ち",
			approve: "承認", fmt.Sprintf("refuse-%d", waiting.Session): "不承認"})
		if got, err := text(b.reception, check); err != nil || !strings.HasPrefix(got, fmt.Sprintf("受付 %d (", waiting.Session)) {
			t.Errorf("#%s shows %q (%v)", check, got, err)
		}
		code, err := chromedp.Run(b.reception, chromedp.Evaluate[string](`document.getElementById("status-state").dataset.state`))
		if err != nil || code != "staff_check" {
			t.Errorf("#status-state carries the code %q (%v), want staff_check for integrations", code, err)
		}
		screenshot(t, b.reception, "console-check-waiting")
		if err := chromedp.Do(b.reception, chromedp.Click(chromedp.ID(approve))); err != nil {
			t.Fatalf("clicking %s: %v", approve, err)
		}
		v := b.waitFor(t, session.StateConsent)
		if v.Session != waiting.Session || v.Result.Method != session.MethodStaff || v.Result.Validity != session.ValidityValid {
			t.Errorf("after the approval the kiosk shows session %d with %+v", v.Session, v.Result)
		}
		waitText(t, b.reception, map[string]string{"checks-result": "承認しました。", check: "", approve: "",
			"status-state": "同意の選択"})
		screenshot(t, b.reception, "console-check-approved")
		// The day's counts take a session when it ends.
		remove()
		waitText(t, b.reception, map[string]string{"counts-sessions": "1", "counts-visual-approved": "1"})
	})

	t.Run("help", func(t *testing.T) {
		remove := b.placeCard(t)
		defer remove()
		calling := b.waitFor(t, session.StateMethod)
		if err := b.k.Press(session.EvHelp); err != nil {
			t.Fatal(err)
		}
		answer := fmt.Sprintf("answer-%d", calling.Session)
		waitText(t, b.reception, map[string]string{answer: "対応します"})
		if got, err := text(b.reception, fmt.Sprintf("help-%d", calling.Session)); err != nil || !strings.Contains(got, "認証方法の選択") {
			t.Errorf("the call shows %q (%v), want the patient's screen", got, err)
		}
		screenshot(t, b.reception, "console-help-called")
		if err := chromedp.Do(b.reception, chromedp.Click(chromedp.ID(answer))); err != nil {
			t.Fatalf("clicking %s: %v", answer, err)
		}
		waitText(t, b.reception, map[string]string{"help-result": "対応中にしました。キオスクへ向かってください。", answer: ""})
		if v := b.k.View(); v.HelpCalled || v.Session != calling.Session {
			t.Errorf("after the answer: help %v in session %d", v.HelpCalled, v.Session)
		}
	})

	t.Run("settings", func(t *testing.T) {
		hidden, err := chromedp.Run(b.reception, chromedp.Evaluate[bool](`document.getElementById("section-settings").hidden`))
		if err != nil {
			t.Fatal(err)
		}
		if !hidden {
			t.Error("reception's page shows the settings")
		}
		if code := fetchStatus(t, b.reception, "/api/settings", `{"face_attempts":2}`); code != 403 {
			t.Errorf("reception's settings change from its browser: HTTP %d, want 403", code)
		}

		// A face-attempt limit outside 1..5 is refused with the field named.
		if err := chromedp.Do(b.admin,
			chromedp.WaitVisible(chromedp.ID("settings-form")),
			chromedp.SetValue(chromedp.ID("settings-face-attempts"), "9"),
			chromedp.Click(chromedp.ID("settings-save"))); err != nil {
			t.Fatal(err)
		}
		waitField(t, b.admin, "face.attempts")
		screenshot(t, b.admin, "console-settings-refused")

		if err := chromedp.Do(b.admin,
			chromedp.SetValue(chromedp.ID("settings-face-attempts"), "2"),
			chromedp.SetValue(chromedp.ID("settings-language"), "en"),
			chromedp.Click(chromedp.ID("settings-save"))); err != nil {
			t.Fatal(err)
		}
		waitText(t, b.admin, map[string]string{"settings-result": "保存しました。次の受付から有効です。"})
		screenshot(t, b.admin, "console-settings-saved")

		select {
		case l := <-b.languages:
			if l != i18n.English {
				t.Errorf("the screen heard of default language %s, want en", l)
			}
		case <-time.After(5 * time.Second):
			t.Error("the screen did not hear of the new default language")
		}
		saved, err := appconsole.LoadOverrides(b.w.Config, filepath.Join(b.w.Config.Parts.Results.State, appconsole.OverridesFile))
		if err != nil || saved.Face.Attempts != 2 || saved.Facility.DefaultLanguage != "en" {
			t.Errorf("the saved settings a restart takes: %+v %q %v", saved.Face, saved.Facility.DefaultLanguage, err)
		}
		remove := b.placeCard(t)
		if v := b.k.View(); v.Face.MaxAttempts != 2 {
			t.Errorf("the next session allows %d face attempts, want 2", v.Face.MaxAttempts)
		}
		remove()
	})

	t.Run("bundle", func(t *testing.T) {
		path := b.signedBundle(t, browserSerial+1, 4)
		if err := chromedp.Do(b.admin,
			chromedp.SetUploadFiles(chromedp.ID("bundle-file"), []string{path}),
			chromedp.Click(chromedp.ID("bundle-apply"))); err != nil {
			t.Fatal(err)
		}
		waitText(t, b.admin, map[string]string{
			"bundle-result": fmt.Sprintf("保存しました。次の受付から有効です。 (設定の版 %d)", browserSerial+1),
			"status-serial": fmt.Sprint(browserSerial + 1)})
		if got, err := chromedp.Run(b.admin, chromedp.Evaluate[string](`document.getElementById("settings-face-attempts").value`)); err != nil || got != "4" {
			t.Errorf("the settings form shows %q face attempts after the bundle, want 4 (%v)", got, err)
		}
		screenshot(t, b.admin, "console-bundle-applied")
		remove := b.placeCard(t)
		if v := b.k.View(); v.Face.MaxAttempts != 4 {
			t.Errorf("after the bundle the next session allows %d face attempts, want 4", v.Face.MaxAttempts)
		}
		remove()
	})
}

// signedBundle writes a bundle of the running configuration's policy with
// a new serial and face-attempt limit, signed with the kiosk's update key.
func (b *browserKiosk) signedBundle(t *testing.T, serial uint64, attempts int) string {
	t.Helper()
	doc := *b.w.Config
	doc.Parts = nil
	doc.Serial = serial
	doc.Face.Attempts = attempts
	data, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	signed, err := config.SignBundle(data, config.Claims{NotAfter: time.Now().Add(time.Hour), Facility: doc.Facility.Code}, b.bundleKey)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "policy.bundle")
	if err := os.WriteFile(path, signed, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// waitField waits until the settings' result names the refused field.
func waitField(t *testing.T, ctx context.Context, field string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("settings-result").dataset.field || ""`))
		if err != nil {
			t.Fatal(err)
		}
		shown, err := text(ctx, "settings-result")
		if err != nil {
			t.Fatal(err)
		}
		if got == field && strings.Contains(shown, field) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the page names field %q and says %q, want %q named", got, shown, field)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
