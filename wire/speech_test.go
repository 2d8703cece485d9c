package wire

import (
	"context"
	"errors"
	"os/exec"
	"testing"

	"github.com/uketsuke/uketsuke/app/config"
	"github.com/uketsuke/uketsuke/hardware/speech"
	"github.com/uketsuke/uketsuke/i18n"
)

func TestNewSpeakerRefusesABadRate(t *testing.T) {
	for _, rate := range []int{-1, 79, 451} {
		if _, err := NewSpeaker(SpeakerOptions{Rate: rate, Player: []string{PlayerNone}}); !errors.Is(err, ErrConfig) {
			t.Errorf("rate %d: err %v, want ErrConfig", rate, err)
		}
	}
}

func TestNewSpeakerRendersWithoutAPlayer(t *testing.T) {
	if _, err := exec.LookPath("espeak-ng"); err != nil {
		if _, err := NewSpeaker(SpeakerOptions{Player: []string{PlayerNone}}); !errors.Is(err, speech.ErrNoEngine) {
			t.Fatalf("without espeak-ng: err %v, want ErrNoEngine", err)
		}
		return
	}
	sp, err := NewSpeaker(SpeakerOptions{Player: []string{PlayerNone}})
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	if sp.Available(i18n.Khmer) || !sp.Available(i18n.EasyJapanese) {
		t.Fatal("voices: Khmer has one or Easy Japanese has none")
	}
	if err := sp.Say(context.Background(), i18n.EasyJapanese, i18n.PlaceCardTitle); err != nil {
		t.Fatal(err)
	}
}

func TestSpeakerOfFollowsTheConfiguration(t *testing.T) {
	cfg := config.Default()
	for _, s := range []config.Speech{{Enabled: false, Volume: 100}, {Enabled: true, Volume: 0}} {
		cfg.Parts = &config.Parts{Speech: &s}
		sp, err := SpeakerOf(cfg, nil)
		if sp != nil || err != nil {
			t.Errorf("%+v: a speaker (%v, %v) for voice guidance that is off", s, sp, err)
		}
	}
	if _, err := exec.LookPath("espeak-ng"); err != nil {
		t.Skip("espeak-ng is not installed (Debian package espeak-ng): the speaker itself is not built")
	}
	cfg.Parts = &config.Parts{Speech: &config.Speech{Enabled: true, Volume: 30, Player: []string{PlayerNone}, DoubtfulVoices: true}}
	sp, err := SpeakerOf(cfg, nil)
	if err != nil || sp == nil {
		t.Fatalf("voice guidance on: %v, %v", sp, err)
	}
	defer sp.Close()
	if !sp.Available(i18n.Thai) {
		t.Fatal("doubtful_voices did not reach the engine")
	}
	cfg.Parts.Speech.Player = []string{"/nonexistent/player"}
	sp2, err := SpeakerOf(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sp2.Close()
	if err := sp2.Say(context.Background(), i18n.English, i18n.PlaceCardTitle); err == nil {
		t.Fatal("a player that does not exist played")
	}
}
