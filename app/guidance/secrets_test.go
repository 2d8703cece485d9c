package guidance_test

import (
	"context"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/uketsuke/uketsuke/app/guidance"
	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/i18n"
	"github.com/uketsuke/uketsuke/sim/profile"
	"github.com/uketsuke/uketsuke/sim/standin"
)

// keyBOf is the holder's 照合番号B: birth date YYMMDD, expiry year, security code.
func keyBOf(t *testing.T, p *profile.Profile) string {
	t.Helper()
	birth, err := p.BirthDate()
	if err != nil {
		t.Fatal(err)
	}
	expiry, err := p.ExpiryDate()
	if err != nil {
		t.Fatal(err)
	}
	return birth.Format("060102") + expiry.Format("2006") + p.SecurityCode
}

// sessionViews runs whole sessions for the holder (a wrong PIN, the right
// PIN, a face match with its quality hints) and returns every View shown.
func sessionViews(t *testing.T, p *profile.Profile, keyB string) []session.View {
	t.Helper()
	w := standin.NewWorld(standin.Fast)
	set := session.DefaultSettings()
	set.FaceAttemptTime = 10 * time.Second // the hint, then the match, even on a busy machine
	k, err := session.New(session.Options{Devices: w.Devices(), Settings: set})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { k.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	views := k.Watch(ctx)
	var seen []session.View
	awaitView := func(st session.State, ok func(session.View) bool) {
		t.Helper()
		deadline := time.After(10 * time.Second)
		for {
			select {
			case v := <-views:
				seen = append(seen, v)
				if v.State == st && (ok == nil || ok(v)) {
					return
				}
			case <-deadline:
				t.Fatalf("waiting for %s", st)
			}
		}
	}
	await := func(st session.State) { t.Helper(); awaitView(st, nil) }
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	typePIN := func(digits string) {
		for i := range len(digits) {
			must(k.Digit(digits[i] - '0'))
		}
	}
	holder := standin.Holder{Person: 7, PIN: []byte(p.PIN), KeyB: []byte(keyB)}

	// PIN: one wrong try, then the right one.
	must(k.CardPlaced(w.Card(holder)))
	await(session.StateMethod)
	must(k.Press(session.EvChoosePIN))
	await(session.StatePIN)
	typePIN("0000")
	must(k.Press(session.EvSubmitPIN))
	awaitView(session.StatePIN, func(v session.View) bool { return v.Error == session.ErrCodePINWrong && v.PIN.Digits == 0 })
	typePIN(p.PIN)
	must(k.Press(session.EvSubmitPIN))
	await(session.StateConsent)
	must(k.Press(session.EvConsentAll))
	await(session.StateDone)
	must(k.CardRemoved())
	await(session.StateIdle)

	// Face: the camera first sees the holder too far away.
	w.Scene.Show(7, session.GuidanceCloser)
	must(k.CardPlaced(w.Card(holder)))
	await(session.StateMethod)
	must(k.Press(session.EvChooseFace))
	await(session.StateFace)
	w.Scene.Show(7, session.GuidanceNone)
	await(session.StateConsent)
	must(k.Press(session.EvConsentAll))
	await(session.StateDone)
	must(k.CardRemoved())
	await(session.StateIdle)
	return seen
}

// TestNothingSensitiveIsSpoken speaks every View of a known holder's
// sessions in every language and looks for the holder's secrets in what
// would be said.
func TestNothingSensitiveIsSpoken(t *testing.T) {
	p := profile.Default()
	keyB := keyBOf(t, p)
	birth, _ := p.BirthDate()
	forbidden := []string{p.PIN, keyB, p.SecurityCode, keyB[:6], birth.Format("2006"), birth.Format("20060102")}
	forbidden = append(forbidden, strings.Fields(strings.ReplaceAll(p.Name, "　", " "))...)
	forbidden = append(forbidden, strings.Fields(strings.ReplaceAll(p.Kana, "　", " "))...)
	forbidden = append(forbidden, p.Name, p.Kana)

	cat := i18n.MustLoad()
	views := sessionViews(t, p, keyB)
	states := map[session.State]bool{}
	spoken := 0
	for _, v := range views {
		states[v.State] = true
		for _, l := range i18n.All() {
			for _, k := range guidance.ForView(v) {
				text, ok := cat.Reading(l.Code, k)
				if !ok {
					t.Fatalf("%s: %s cannot be spoken", l.Code, k)
				}
				spoken++
				for _, secret := range forbidden {
					if secret != "" && strings.Contains(text, secret) {
						t.Errorf("%s %s says %q, which holds the holder's %q", l.Code, k, text, secret)
					}
				}
				if run := longestDigitRun(text); run >= 4 {
					t.Errorf("%s %s says a run of %d digits: %q", l.Code, k, run, text)
				}
			}
		}
	}
	for _, st := range []session.State{session.StateMethod, session.StatePIN, session.StateFace, session.StateConsent, session.StateDone, session.StateIdle} {
		if !states[st] {
			t.Errorf("the sessions never showed %s", st)
		}
	}
	if spoken < 200 {
		t.Fatalf("only %d utterances checked", spoken)
	}
}

// longestDigitRun counts digits in any script (Devanagari, Myanmar, …).
func longestDigitRun(s string) int {
	best, run := 0, 0
	for _, r := range s {
		if unicode.IsDigit(r) {
			run++
			best = max(best, run)
		} else {
			run = 0
		}
	}
	return best
}

func TestLongestDigitRun(t *testing.T) {
	for text, want := range map[string]int{
		"あと いっかいです。": 0, "PIN 1234": 4, "१२३४५ ab 12": 5, "၁၂ ၃": 2,
	} {
		if got := longestDigitRun(text); got != want {
			t.Errorf("%q: %d, want %d", text, got, want)
		}
	}
}
