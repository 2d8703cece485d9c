package guidance_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/uketsuke/uketsuke/app/guidance"
	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/i18n"
)

func TestEverySpokenKeyHasAReadingInEveryLanguage(t *testing.T) {
	cat := i18n.MustLoad()
	keys := guidance.Keys()
	if len(keys) < 60 {
		t.Fatalf("only %d spoken keys: the views are not covered", len(keys))
	}
	for _, l := range i18n.All() {
		for _, k := range keys {
			text, ok := cat.Reading(l.Code, k)
			if !ok {
				t.Errorf("%s: %s has no reading", l.Code, k)
				continue
			}
			if err := i18n.CheckReading(i18n.ReadingOf(l.Code), text); err != nil {
				t.Errorf("%s: %s: %v", l.Code, k, err)
			}
		}
	}
}

// espeak-ng reads kana as written, so the topic particle は comes out as
// "ha" and the direction particle へ as "he": a spoken Japanese reading
// writes them わ and え. In these readings words are spaced, so a word that
// ends in は or へ ends in a particle.
func TestJapaneseReadingsSpellParticlesAsSaid(t *testing.T) {
	cat := i18n.MustLoad()
	for _, lang := range []i18n.Lang{i18n.Japanese, i18n.EasyJapanese} {
		for _, k := range guidance.Keys() {
			text, _ := cat.Reading(lang, k)
			for _, word := range strings.FieldsFunc(text, isKanaBreak) {
				if strings.HasSuffix(word, "は") || strings.HasSuffix(word, "へ") {
					t.Errorf("%s: %s reads %q: write the particle as it is said (わ, え)", lang, k, word)
				}
			}
		}
	}
}

// An easy-Japanese text already in kana has a reading only to respell its
// particles; that reading must say the text's words, not older ones.
func TestEasyJapaneseReadingsFollowTheirText(t *testing.T) {
	cat := i18n.MustLoad()
	for _, k := range guidance.Keys() {
		text := cat.T(i18n.EasyJapanese, k)
		if i18n.CheckReading(i18n.ReadKana, text) != nil {
			continue // digits or kanji: read by hand
		}
		if got, _ := cat.Reading(i18n.EasyJapanese, k); got != respellParticles(text) {
			t.Errorf("%s: text %q is read %q", k, text, got)
		}
	}
}

func isKanaBreak(r rune) bool { return strings.ContainsRune(" 　、。？！：", r) }

// respellParticles writes a word-final は as わ and へ as え.
func respellParticles(text string) string {
	runes := []rune(text)
	for i, r := range runes {
		if i+1 < len(runes) && !isKanaBreak(runes[i+1]) {
			continue
		}
		switch r {
		case 'は':
			runes[i] = 'わ'
		case 'へ':
			runes[i] = 'え'
		}
	}
	return string(runes)
}

func TestKeysStartWithTheIdleScreen(t *testing.T) {
	keys := guidance.Keys()
	if keys[0] != i18n.PlaceCardTitle || keys[1] != i18n.PlaceCardHow {
		t.Fatalf("the first prompts rendered are %v, not the idle screen's", keys[:2])
	}
	seen := map[i18n.Key]bool{}
	for _, k := range keys {
		if seen[k] {
			t.Errorf("%s twice", k)
		}
		seen[k] = true
	}
	for _, k := range []i18n.Key{i18n.StillThere, i18n.StillThereBody, i18n.DoneTakeCard} {
		if !seen[k] {
			t.Errorf("%s is not among the spoken keys", k)
		}
	}
}

func TestForView(t *testing.T) {
	idle := session.View{State: session.StateIdle, Message: "screen.idle"}
	pinWrong := session.View{State: session.StatePIN, Message: "screen.pin", Error: session.ErrCodePINWrong}
	hint := session.View{State: session.StateFace, Message: "screen.face", Guidance: session.GuidanceCloser}
	fault := session.View{State: session.StateIdle, Message: "screen.idle", Fault: session.ErrCodeNoReader}
	done := session.View{State: session.StateDone, Message: "screen.done"}
	done.Result.Validity = session.ValidityValid
	doneMultiple := done
	doneMultiple.Result.Validity = session.ValidityMultiple
	rejected := session.View{State: session.StateRejected, Message: "screen.rejected", Error: session.ErrCodeSmartphone}
	stillThere := session.View{State: session.StatePIN, Message: "screen.pin", Prompt: session.MsgStillThere}
	cardLeft := done
	cardLeft.Prompt, cardLeft.Reminders = session.MsgCardLeft, 2
	help := session.View{State: session.StateMethod, Message: "screen.method", HelpCalled: true}
	for _, c := range []struct {
		name string
		v    session.View
		want []i18n.Key
	}{
		{"idle", idle, []i18n.Key{i18n.PlaceCardTitle, i18n.PlaceCardHow}},
		{"wrong PIN: the count is shown, not said", pinWrong, []i18n.Key{i18n.PINWrong, i18n.PINTitle, i18n.PINBody}},
		{"a hint replaces the instruction", hint, []i18n.Key{i18n.FaceGuideCloser}},
		{"fault", fault, []i18n.Key{i18n.FaultNoReaderTitle, i18n.FaultNoReaderBody}},
		{"done: the screen's words", done, []i18n.Key{i18n.DoneTitle, i18n.ResultValid, i18n.DoneBody, i18n.DoneTakeCard}},
		{"done with another answer", doneMultiple, []i18n.Key{i18n.ResultMultipleTitle, i18n.ResultMultipleBody, i18n.DoneTakeCard}},
		{"rejected", rejected, []i18n.Key{i18n.ErrSmartphoneTitle, i18n.ErrSmartphoneBody, i18n.DoneTakeCard}},
		{"the timeout's question alone", stillThere, []i18n.Key{i18n.StillThere, i18n.StillThereBody}},
		{"a card left on the reader", cardLeft, []i18n.Key{i18n.CardLeft}},
		{"help called: the screen, then staff are coming", help, []i18n.Key{i18n.MethodTitle, i18n.StaffCalled}},
	} {
		if got := guidance.ForView(c.v); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

func TestEveryViewSaysSomething(t *testing.T) {
	for _, v := range guidance.Views() {
		if len(guidance.ForView(v)) == 0 {
			t.Errorf("silent view: %s %q %q %q", v.State, v.Message, v.Error, v.Guidance)
		}
	}
}

// recorder is a Speaker that keeps what it was asked to say.
type recorder struct {
	langs map[i18n.Lang]bool
	said  []i18n.Key
	fail  error
}

func (r *recorder) Say(_ context.Context, _ i18n.Lang, k i18n.Key) error {
	if r.fail != nil {
		return r.fail
	}
	r.said = append(r.said, k)
	return nil
}
func (r *recorder) Stop()                      {}
func (r *recorder) Available(l i18n.Lang) bool { return r.langs[l] }
func (r *recorder) reset()                     { r.said = nil }
func (r *recorder) keys() string               { return strings.Join(toStrings(r.said), " ") }
func toStrings(keys []i18n.Key) (out []string) {
	for _, k := range keys {
		out = append(out, string(k))
	}
	return out
}

func TestSpeak(t *testing.T) {
	r := &recorder{langs: map[i18n.Lang]bool{i18n.Japanese: true}}
	keys := []i18n.Key{i18n.PlaceCardTitle, i18n.PlaceCardHow}
	if err := guidance.Speak(context.Background(), r, i18n.Japanese, keys); err != nil || r.keys() != "place_card.title place_card.how" {
		t.Fatalf("said %q, err %v", r.keys(), err)
	}
	r.reset()
	if err := guidance.Speak(context.Background(), r, i18n.Khmer, keys); err != nil || len(r.said) != 0 {
		t.Fatalf("a language without a voice said %q (err %v)", r.keys(), err)
	}
	r.fail = context.Canceled
	if err := guidance.Speak(context.Background(), r, i18n.Japanese, keys); !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v", err)
	}
}
