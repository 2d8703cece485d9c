package speech

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/i18n"
)

// fakeEngine renders a short silent WAV per text and counts renderings.
type fakeEngine struct {
	renders atomic.Int32
	delay   time.Duration
	mu      sync.Mutex
	texts   []string
}

func (f *fakeEngine) Voice(lang i18n.Lang) (string, bool) {
	v, ok := EspeakVoices[lang]
	return v, ok
}

func (f *fakeEngine) Render(ctx context.Context, _, text string) ([]byte, error) {
	f.renders.Add(1)
	f.mu.Lock()
	f.texts = append(f.texts, text)
	f.mu.Unlock()
	select {
	case <-time.After(f.delay):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return wavOf(make([]byte, 100)), nil
}

// wavOf wraps PCM in a 16-bit mono 22050 Hz WAV header with sizes unknown,
// as a program writing to a pipe leaves them.
func wavOf(pcm []byte) []byte {
	var b bytes.Buffer
	b.WriteString("RIFF")
	binary.Write(&b, binary.LittleEndian, uint32(0xFFFFFFFF))
	b.WriteString("WAVEfmt ")
	for _, v := range []any{uint32(16), uint16(1), uint16(1), uint32(22050), uint32(44100), uint16(2), uint16(16)} {
		binary.Write(&b, binary.LittleEndian, v)
	}
	b.WriteString("data")
	binary.Write(&b, binary.LittleEndian, uint32(0xFFFFFFFF))
	b.Write(pcm)
	return b.Bytes()
}

func TestFixWAVSizes(t *testing.T) {
	wav, err := fixWAVSizes(wavOf(make([]byte, 10)))
	if err != nil {
		t.Fatal(err)
	}
	if got := binary.LittleEndian.Uint32(wav[4:8]); got != uint32(len(wav)-8) {
		t.Errorf("RIFF size %d, want %d", got, len(wav)-8)
	}
	if got := binary.LittleEndian.Uint32(wav[40:44]); got != 10 {
		t.Errorf("data size %d, want 10", got)
	}
	if _, err := fixWAVSizes([]byte("not a wav file at all")); !errors.Is(err, ErrNotWAV) {
		t.Errorf("err %v, want ErrNotWAV", err)
	}
}

func newTestSpeaker(t *testing.T, eng Engine, keys ...i18n.Key) *Speaker {
	t.Helper()
	s, err := NewSpeaker(Options{Engine: eng, Catalog: i18n.MustLoad(), Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func TestWarmRendersEachPromptOnce(t *testing.T) {
	eng := &fakeEngine{delay: 5 * time.Millisecond}
	keys := []i18n.Key{i18n.PlaceCardTitle, i18n.PlaceCardHow, i18n.ReadingTitle}
	s := newTestSpeaker(t, eng, keys...)
	s.Warm(i18n.Japanese)
	s.Warm(i18n.Japanese) // already warming: nothing more
	ctx := context.Background()
	if err := s.Ready(ctx, i18n.Japanese); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := s.Say(ctx, i18n.Japanese, i18n.PlaceCardHow); err != nil {
			t.Fatal(err)
		}
	}
	if got := eng.renders.Load(); got != 3 {
		t.Fatalf("%d renderings for 3 prompts", got)
	}
	for _, text := range eng.texts {
		if err := i18n.CheckReading(i18n.ReadKana, text); err != nil {
			t.Errorf("the engine was given %q, not the kana reading: %v", text, err)
		}
	}
}

func TestLanguagesWithoutAVoice(t *testing.T) {
	s := newTestSpeaker(t, &fakeEngine{}, i18n.PlaceCardTitle)
	for _, l := range []i18n.Lang{i18n.Tagalog, i18n.Khmer, i18n.Mongolian} {
		if s.Available(l) {
			t.Errorf("%s available", l)
		}
		if err := s.Say(context.Background(), l, i18n.PlaceCardTitle); !errors.Is(err, ErrNoVoice) {
			t.Errorf("%s: err %v, want ErrNoVoice", l, err)
		}
	}
	if n := len(EspeakVoices); n != 13 {
		t.Errorf("%d voices, want 13", n)
	}
	for l := range EspeakDoubtful {
		if _, ok := (Espeak{}).Voice(l); ok {
			t.Errorf("%s speaks without the clinic asking", l)
		}
		if _, ok := (Espeak{Doubtful: true}).Voice(l); !ok {
			t.Errorf("%s does not speak when asked", l)
		}
	}
	if err := s.Say(context.Background(), i18n.English, i18n.PINTriesLeft); !errors.Is(err, ErrNoText) {
		t.Errorf("a message with {count} spoken: err %v", err)
	}
}

// slowPlayer plays until its context ends.
type slowPlayer struct{ started chan struct{} }

func (p slowPlayer) Play(ctx context.Context, _ []byte, firstByte func()) error {
	firstByte()
	close(p.started)
	<-ctx.Done()
	return ctx.Err()
}

func TestStopCutsTheUtterance(t *testing.T) {
	p := slowPlayer{started: make(chan struct{})}
	s, err := NewSpeaker(Options{Engine: &fakeEngine{}, Catalog: i18n.MustLoad(), Player: p,
		OnFirstByte: func(i18n.Lang, i18n.Key, time.Duration) {}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	done := make(chan error, 1)
	go func() { done <- s.Say(context.Background(), i18n.English, i18n.PlaceCardTitle) }()
	<-p.started
	s.Stop()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Stop did not end the utterance")
	}
}

// TestTextGoesOnStdinNotArgv runs Espeak against a stand-in program that
// records its arguments and its input.
func TestTextGoesOnStdinNotArgv(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "espeak-ng")
	body := "#!/bin/sh\necho \"$@\" > " + dir + "/argv\ncat > " + dir + "/stdin\nprintf 'RIFF\\377\\377\\377\\377WAVEdata\\377\\377\\377\\377xx'\n"
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	wav, err := Espeak{Binary: script}.Render(context.Background(), "ja", "カードを おいて ください。")
	if err != nil {
		t.Fatal(err)
	}
	if len(wav) != 22 || binary.LittleEndian.Uint32(wav[16:20]) != 2 {
		t.Errorf("wav %q: sizes not fixed", wav)
	}
	argv, _ := os.ReadFile(filepath.Join(dir, "argv"))
	stdin, _ := os.ReadFile(filepath.Join(dir, "stdin"))
	if strings.Contains(string(argv), "カード") {
		t.Errorf("the text is on the command line: %s", argv)
	}
	if string(stdin) != "カードを おいて ください。" {
		t.Errorf("stdin %q", stdin)
	}
	if !strings.Contains(string(argv), "-v ja") || !strings.Contains(string(argv), "--stdout") {
		t.Errorf("argv %s", argv)
	}
}
