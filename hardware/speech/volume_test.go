package speech

import (
	"context"
	"encoding/binary"
	"testing"

	"github.com/uketsuke/uketsuke/i18n"
)

// loudEngine renders two samples, +1000 and -1000.
type loudEngine struct{ fakeEngine }

func (e *loudEngine) Render(context.Context, string, string) ([]byte, error) {
	pcm := make([]byte, 4)
	hi, lo := int16(1000), int16(-1000)
	binary.LittleEndian.PutUint16(pcm[0:], uint16(hi))
	binary.LittleEndian.PutUint16(pcm[2:], uint16(lo))
	return fixWAVSizes(wavOf(pcm))
}

// keepPlayer keeps what it was given to play.
type keepPlayer struct{ wav *[]byte }

func (p keepPlayer) Play(_ context.Context, wav []byte, _ func()) error {
	*p.wav = append([]byte(nil), wav...)
	return nil
}

func TestVolumeScalesTheSamples(t *testing.T) {
	for volume, want := range map[int]int16{0: 1000, 100: 1000, 40: 400, 1: 10} {
		var played []byte
		s, err := NewSpeaker(Options{Engine: &loudEngine{}, Catalog: i18n.MustLoad(), Player: keepPlayer{&played},
			Keys: []i18n.Key{i18n.PlaceCardTitle}, Volume: volume})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Say(context.Background(), i18n.English, i18n.PlaceCardTitle); err != nil {
			t.Fatal(err)
		}
		s.Close()
		data, ok := pcm16(played)
		if !ok || len(data) != 4 {
			t.Fatalf("volume %d: played %d bytes that are not 16-bit PCM", volume, len(played))
		}
		hi, lo := int16(binary.LittleEndian.Uint16(data[0:])), int16(binary.LittleEndian.Uint16(data[2:]))
		if hi != want || lo != -want {
			t.Errorf("volume %d: samples %d, %d; want ±%d", volume, hi, lo, want)
		}
	}
}

func TestVolumeLeavesOtherFormatsAlone(t *testing.T) {
	notWAV := []byte("not a wav file at all")
	if got := scaleVolume(append([]byte(nil), notWAV...), 10); string(got) != string(notWAV) {
		t.Fatalf("changed a file that is not WAV: %q", got)
	}
}

func TestUseCatalogSpeaksTheNewWords(t *testing.T) {
	eng := &fakeEngine{}
	cat := i18n.MustLoad()
	s, err := NewSpeaker(Options{Engine: eng, Catalog: cat, Keys: []i18n.Key{i18n.PlaceCardTitle}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if err := s.Say(ctx, i18n.English, i18n.PlaceCardTitle); err != nil {
		t.Fatal(err)
	}
	changed, err := cat.WithOverrides(map[i18n.Lang]map[i18n.Key]string{i18n.English: {i18n.PlaceCardTitle: "Welcome to the clinic"}})
	if err != nil {
		t.Fatal(err)
	}
	s.UseCatalog(changed)
	if err := s.Say(ctx, i18n.English, i18n.PlaceCardTitle); err != nil {
		t.Fatal(err)
	}
	eng.mu.Lock()
	defer eng.mu.Unlock()
	if len(eng.texts) != 2 || eng.texts[0] != cat.T(i18n.English, i18n.PlaceCardTitle) || eng.texts[1] != "Welcome to the clinic" {
		t.Fatalf("rendered %q", eng.texts)
	}
}
