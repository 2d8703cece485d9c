package wire

import (
	"context"
	"errors"
	"os/exec"
	"testing"

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
