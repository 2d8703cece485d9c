package wire

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/uketsuke/uketsuke/app/guidance"
	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/hardware/speech"
	"github.com/uketsuke/uketsuke/i18n"
	"github.com/uketsuke/uketsuke/sim/profile"
	"github.com/uketsuke/uketsuke/sim/standin"
)

// recordingEngine keeps every text it is asked to render: what the
// loudspeaker would say. It renders a short silent WAV.
type recordingEngine struct {
	mu    sync.Mutex
	texts []string
	last  time.Time
}

func (e *recordingEngine) Voice(lang i18n.Lang) (string, bool) {
	return speech.Espeak{}.Voice(lang)
}

func (e *recordingEngine) Render(_ context.Context, _, text string) ([]byte, error) {
	e.mu.Lock()
	e.texts, e.last = append(e.texts, text), time.Now()
	e.mu.Unlock()
	wav := append([]byte("RIFF\x00\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x22\x56\x00\x00\x44\xac\x00\x00\x02\x00\x10\x00data\x00\x00\x00\x00"), make([]byte, 64)...)
	return wav, nil
}

// settle waits until nothing has been rendered for a moment: the
// narrator has said the screen before the patient touches it.
func (e *recordingEngine) settle() {
	for range 100 {
		time.Sleep(20 * time.Millisecond)
		e.mu.Lock()
		quiet := time.Since(e.last) > 60*time.Millisecond
		e.mu.Unlock()
		if quiet {
			return
		}
	}
}

// TestNothingSensitiveReachesTheLoudspeaker runs a known holder's sessions
// (a wrong PIN then the right one, a face match after a hint, a card
// pulled during the PIN) with the kiosk's voice guidance following the
// screen, as the UI does, and checks every text rendered for the
// loudspeaker: no PIN, 照合番号B or its security code, no name in kanji or
// kana, no run of four digits in any script.
func TestNothingSensitiveReachesTheLoudspeaker(t *testing.T) {
	p := profile.Default()
	birth, err := p.BirthDate()
	if err != nil {
		t.Fatal(err)
	}
	expiry, err := p.ExpiryDate()
	if err != nil {
		t.Fatal(err)
	}
	keyB := birth.Format("060102") + expiry.Format("2006") + p.SecurityCode
	if len(keyB) != 14 || len(p.SecurityCode) != 4 || len(p.PIN) != 4 {
		t.Fatalf("the holder's credentials are not the card's shapes: %d, %d, %d", len(keyB), len(p.SecurityCode), len(p.PIN))
	}
	forbidden := []string{p.PIN, keyB, p.SecurityCode, p.Name, p.Kana}
	forbidden = append(forbidden, strings.Fields(strings.ReplaceAll(p.Name, "　", " "))...)
	forbidden = append(forbidden, strings.Fields(strings.ReplaceAll(p.Kana, "　", " "))...)

	spoken := func(lang i18n.Lang, cat *i18n.Catalog) []string {
		eng := &recordingEngine{}
		sp, err := speech.NewSpeaker(speech.Options{Engine: eng, Catalog: cat, Keys: guidance.Keys()})
		if err != nil {
			t.Fatal(err)
		}
		narrator := guidance.NewNarrator(sp, guidance.NarratorOptions{})
		runVoicedSessions(t, narrator, lang, eng, p, keyB)
		narrator.Close()
		sp.Close()
		eng.mu.Lock()
		defer eng.mu.Unlock()
		return eng.texts
	}
	leaks := func(texts []string) []string {
		var out []string
		for _, text := range texts {
			for _, s := range forbidden {
				if s != "" && strings.Contains(text, s) {
					out = append(out, fmt.Sprintf("%q holds the holder's %q", text, s))
				}
			}
			if run := digitRun(text); run >= 4 {
				out = append(out, fmt.Sprintf("%q has a run of %d digits", text, run))
			}
		}
		return out
	}

	cat := i18n.MustLoad()
	for _, lang := range []i18n.Lang{i18n.Japanese, i18n.EasyJapanese, i18n.English, i18n.ChineseSimplified, i18n.Vietnamese} {
		texts := spoken(lang, cat)
		if len(texts) < 15 {
			t.Fatalf("%s: only %d texts rendered: the narrator did not follow the sessions", lang, len(texts))
		}
		for _, l := range leaks(texts) {
			t.Errorf("%s: the loudspeaker says %s", lang, l)
		}
	}

	// The check can fail: a wording override that puts the PIN and the
	// name into the PIN screen's title is caught.
	bad, err := cat.WithOverrides(map[i18n.Lang]map[i18n.Key]string{
		i18n.English: {i18n.PINTitle: "PIN " + p.PIN + " for " + p.Name}})
	if err != nil {
		t.Fatal(err)
	}
	if got := leaks(spoken(i18n.English, bad)); len(got) < 2 {
		t.Fatalf("a spoken PIN and name went unnoticed: %v", got)
	}
}

// runVoicedSessions drives the sessions while the narrator hears every View.
func runVoicedSessions(t *testing.T, n *guidance.Narrator, lang i18n.Lang, eng *recordingEngine, p *profile.Profile, keyB string) {
	t.Helper()
	w := standin.NewWorld(standin.Fast)
	set := session.DefaultSettings()
	set.FaceAttemptTime = 10 * time.Second
	k, err := session.New(session.Options{Devices: w.Devices(), Settings: set})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { k.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	go func() {
		for v := range k.Watch(ctx) {
			n.Show(lang, v)
		}
	}()
	views := k.Watch(ctx)
	await := func(st session.State, ok func(session.View) bool) {
		t.Helper()
		deadline := time.After(10 * time.Second)
		for {
			select {
			case v := <-views:
				if v.State == st && (ok == nil || ok(v)) {
					eng.settle()
					return
				}
			case <-deadline:
				t.Fatalf("%s: waiting for %s", lang, st)
			}
		}
	}
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

	// The PIN: one wrong try, then the right one; consent; done.
	must(k.CardPlaced(w.Card(holder)))
	await(session.StateMethod, nil)
	must(k.Press(session.EvChoosePIN))
	await(session.StatePIN, nil)
	typePIN("0000")
	must(k.Press(session.EvSubmitPIN))
	await(session.StatePIN, func(v session.View) bool { return v.Error == session.ErrCodePINWrong && v.PIN.Digits == 0 })
	typePIN(p.PIN)
	must(k.Press(session.EvSubmitPIN))
	await(session.StateConsent, nil)
	must(k.Press(session.EvConsentAll))
	await(session.StateDone, nil)
	n.Repeat()
	eng.settle()
	must(k.CardRemoved())
	await(session.StateIdle, nil)

	// The face, after the camera saw the holder too far away.
	w.Scene.Show(7, session.GuidanceCloser)
	must(k.CardPlaced(w.Card(holder)))
	await(session.StateMethod, nil)
	must(k.Press(session.EvChooseFace))
	await(session.StateFace, nil)
	w.Scene.Show(7, session.GuidanceNone)
	await(session.StateConsent, nil)
	must(k.Press(session.EvConsentAll))
	await(session.StateDone, nil)
	must(k.CardRemoved())
	await(session.StateIdle, nil)

	// An error: the card pulled while the PIN is typed.
	must(k.CardPlaced(w.Card(holder)))
	await(session.StateMethod, nil)
	must(k.Press(session.EvChoosePIN))
	await(session.StatePIN, nil)
	typePIN(p.PIN[:2])
	must(k.CardRemoved())
	await(session.StateIdle, nil)
}

// digitRun is the longest run of digits in any script.
func digitRun(s string) int {
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
