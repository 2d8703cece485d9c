package wire

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/app/guidance"
	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/hardware/speech"
	"github.com/uketsuke/uketsuke/i18n"
	"github.com/uketsuke/uketsuke/sim/standin/standintest"
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
	h := standintest.DefaultHolder(t)
	spoken := func(lang i18n.Lang, cat *i18n.Catalog) []string {
		eng := &recordingEngine{}
		sp, err := speech.NewSpeaker(speech.Options{Engine: eng, Catalog: cat, Keys: guidance.Keys()})
		if err != nil {
			t.Fatal(err)
		}
		narrator := guidance.NewNarrator(sp, guidance.NarratorOptions{})
		standintest.Run(t, h, standintest.Script{
			Follow: func(v session.View) { narrator.Show(lang, v) },
			Settle: eng.settle,
			AtDone: func() { narrator.Repeat(); eng.settle() },
		})
		narrator.Close()
		sp.Close()
		eng.mu.Lock()
		defer eng.mu.Unlock()
		return eng.texts
	}
	leaks := func(texts []string) []string {
		var out []string
		for _, text := range texts {
			out = append(out, h.Leaks(text)...)
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
	p := h.Profile
	bad, err := cat.WithOverrides(map[i18n.Lang]map[i18n.Key]string{
		i18n.English: {i18n.PINTitle: "PIN " + p.PIN + " for " + p.Name}})
	if err != nil {
		t.Fatal(err)
	}
	if got := leaks(spoken(i18n.English, bad)); len(got) < 2 {
		t.Fatalf("a spoken PIN and name went unnoticed: %v", got)
	}
}
