package chime

import (
	"context"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// slowPlayer records what it was given and plays until released.
type slowPlayer struct {
	mu     sync.Mutex
	played [][]byte
	hold   chan struct{}
}

func (p *slowPlayer) Play(ctx context.Context, wav []byte, _ func()) error {
	p.mu.Lock()
	p.played = append(p.played, wav)
	p.mu.Unlock()
	select {
	case <-p.hold:
	case <-ctx.Done():
	}
	return nil
}

func (p *slowPlayer) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.played)
}

func TestToneIsAShortAudibleWAV(t *testing.T) {
	w := Tone()
	if string(w[:4]) != "RIFF" || string(w[8:16]) != "WAVEfmt " || string(w[36:40]) != "data" {
		t.Fatalf("header %q", w[:44])
	}
	if rate := binary.LittleEndian.Uint32(w[24:28]); rate != SampleRate {
		t.Fatalf("rate %d", rate)
	}
	n := int(binary.LittleEndian.Uint32(w[40:44])) / 2
	if len(w) != 44+2*n {
		t.Fatalf("%d bytes for %d samples", len(w), n)
	}
	if d := time.Duration(n) * time.Second / SampleRate; d < 500*time.Millisecond || d > time.Second {
		t.Fatalf("lasts %v", d)
	}
	peak := 0
	for i := 0; i < n; i++ {
		s := int(int16(binary.LittleEndian.Uint16(w[44+2*i:])))
		peak = max(peak, s, -s)
	}
	if peak < 8000 || peak > 32767 {
		t.Fatalf("peak %d: silent or clipped", peak)
	}
}

// sox, where installed, reads the file as audio of the expected length.
func TestSoxReadsTheTone(t *testing.T) {
	if _, err := exec.LookPath("soxi"); err != nil {
		t.Skip("soxi (sox) is not installed: the header is checked by TestToneIsAShortAudibleWAV")
	}
	path := filepath.Join(t.TempDir(), "bell.wav")
	if err := os.WriteFile(path, Tone(), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("soxi", "-D", path).Output()
	if err != nil {
		t.Fatal(err)
	}
	d, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
	if err != nil || d < 0.5 || d > 1 {
		t.Fatalf("sox says %q (%v)", out, err)
	}
}

func waitUntil(t *testing.T, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Second); !ok(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
	}
}

func TestRingPlaysOnceAtATime(t *testing.T) {
	p := &slowPlayer{hold: make(chan struct{})}
	b := New(p, nil)
	b.Ring()
	waitUntil(t, func() bool { return p.count() == 1 })
	b.Ring() // still ringing: dropped
	b.Ring()
	if p.count() != 1 {
		t.Fatalf("played %d times while the first still sounded", p.count())
	}
	close(p.hold)
	waitUntil(t, func() bool { return !b.busy.Load() })
	b.Ring()
	waitUntil(t, func() bool { return p.count() == 2 })
}
