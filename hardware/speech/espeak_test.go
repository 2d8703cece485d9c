package speech_test

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/app/guidance"
	"github.com/uketsuke/uketsuke/hardware/speech"
	"github.com/uketsuke/uketsuke/i18n"
)

// Bounds every rendered prompt must keep: long enough to be a sentence,
// short enough to be a prompt, and loud enough not to be silence.
const (
	minSeconds = 0.3
	maxSeconds = 15
	minRMS     = 0.01 // sox stat's RMS amplitude, full scale 1
)

// needTools skips without espeak-ng and sox, or fails under
// UKETSUKE_REQUIRE_SPEECH=1 (make speech-test), so make test never passes
// without having spoken.
func needTools(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"espeak-ng", "sox"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("UKETSUKE_REQUIRE_SPEECH") != "" {
				t.Fatalf("%s is not installed (Debian packages espeak-ng and sox; make apt)", tool)
			}
			t.Skipf("%s is not installed: the real-speech tests need Debian's espeak-ng and sox", tool)
		}
	}
}

func spokenLanguages() []i18n.Lang {
	var out []i18n.Lang
	for _, l := range i18n.All() {
		if _, ok := (speech.Espeak{Doubtful: true}).Voice(l.Code); ok {
			out = append(out, l.Code)
		}
	}
	return out
}

// soxStat returns a WAV file's length in seconds and RMS amplitude.
func soxStat(t *testing.T, path string) (seconds, rms float64) {
	t.Helper()
	out, err := exec.Command("sox", path, "-n", "stat").CombinedOutput()
	if err != nil {
		t.Fatalf("sox stat %s: %v\n%s", path, err, out)
	}
	seconds, rms = -1, -1
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil {
			continue
		}
		switch strings.Join(strings.Fields(name), " ") {
		case "Length (seconds)":
			seconds = v
		case "RMS amplitude":
			rms = v
		}
	}
	if seconds < 0 || rms < 0 {
		t.Fatalf("sox stat %s: no length or RMS in\n%s", path, out)
	}
	return seconds, rms
}

// soxDuration is `sox --i -D`: the header's own length, which must agree.
func soxDuration(t *testing.T, path string) float64 {
	t.Helper()
	out, err := exec.Command("sox", "--i", "-D", path).Output()
	if err != nil {
		t.Fatalf("sox --i -D %s: %v", path, err)
	}
	d, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
	if err != nil {
		t.Fatalf("sox --i -D %s: %q", path, out)
	}
	return d
}

func TestRenderEveryPromptInEveryLanguage(t *testing.T) {
	needTools(t)
	langs := spokenLanguages()
	if len(langs) != 13 {
		t.Fatalf("%d spoken languages, want 13: %v", len(langs), langs)
	}
	keys := guidance.Keys()
	if os.Getenv("UKETSUKE_REQUIRE_SPEECH") == "" {
		// go test ./... checks a sample; make speech-test every prompt.
		keys = sample(keys, 6)
	}
	// Every voice, the doubtful ones too: they must render, even if a
	// clinic must choose to let them speak.
	s, err := speech.NewSpeaker(speech.Options{Engine: speech.Espeak{Doubtful: true}, Catalog: i18n.MustLoad(), Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	dir := t.TempDir()
	var mu sync.Mutex
	var wg sync.WaitGroup
	work := make(chan i18n.Lang)
	for range 2 { // the machine's two cores
		wg.Add(1)
		go func() {
			defer wg.Done()
			for l := range work {
				checkLanguage(t, s, l, keys, dir, &mu)
			}
		}()
	}
	for _, l := range langs {
		work <- l
	}
	close(work)
	wg.Wait()
}

// sample takes n keys spread over keys.
func sample(keys []i18n.Key, n int) []i18n.Key {
	var out []i18n.Key
	for i := 0; i < len(keys); i += max(1, len(keys)/n) {
		out = append(out, keys[i])
	}
	return out
}

func checkLanguage(t *testing.T, s *speech.Speaker, lang i18n.Lang, keys []i18n.Key, dir string, mu *sync.Mutex) {
	ctx := context.Background()
	for _, k := range keys {
		wav, err := s.Sound(ctx, lang, k)
		if err != nil {
			t.Errorf("%s %s: %v", lang, k, err)
			continue
		}
		path := filepath.Join(dir, string(lang)+"-"+string(k)+".wav")
		if err := os.WriteFile(path, wav, 0o600); err != nil {
			t.Fatal(err)
		}
		seconds, rms := soxStat(t, path)
		header := soxDuration(t, path)
		mu.Lock()
		if seconds < minSeconds || seconds > maxSeconds {
			t.Errorf("%s %s: %.2f s, want %.1f–%.0f s", lang, k, seconds, minSeconds, float64(maxSeconds))
		}
		if rms < minRMS {
			t.Errorf("%s %s: silent (RMS amplitude %.4f)", lang, k, rms)
		}
		if d := header - seconds; d > 0.01 || d < -0.01 {
			t.Errorf("%s %s: the header says %.3f s, the samples %.3f s", lang, k, header, seconds)
		}
		mu.Unlock()
	}
}

// TestWarmSpeechStartsQuickly: with the cache warm, the player has the
// first bytes within 200 ms of the request (the player here is cat, so no
// sound card is needed).
func TestWarmSpeechStartsQuickly(t *testing.T) {
	needTools(t)
	var mu sync.Mutex
	var waits []time.Duration
	keys := []i18n.Key{i18n.PlaceCardTitle, i18n.PINTitle, i18n.FaceTitle, i18n.DoneTitle}
	s, err := speech.NewSpeaker(speech.Options{Engine: speech.Espeak{}, Catalog: i18n.MustLoad(), Keys: keys,
		Player: speech.CommandPlayer{Argv: []string{"cat"}},
		OnFirstByte: func(_ i18n.Lang, _ i18n.Key, d time.Duration) {
			mu.Lock()
			waits = append(waits, d)
			mu.Unlock()
		}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	s.Warm(i18n.Japanese)
	if err := s.Ready(ctx, i18n.Japanese); err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		if err := s.Say(ctx, i18n.Japanese, keys[i%len(keys)]); err != nil {
			t.Fatal(err)
		}
	}
	slices.Sort(waits)
	if len(waits) != 20 {
		t.Fatalf("%d first bytes for 20 utterances", len(waits))
	}
	if median := waits[len(waits)/2]; median > 200*time.Millisecond {
		t.Fatalf("median %v from request to first byte, want under 200 ms (all: %v)", median, waits)
	}
}
