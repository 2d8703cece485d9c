package chime

import (
	"bytes"
	"encoding/binary"
	"testing"
	"time"
)

// samples reads a WAV file's 16-bit samples back.
func samples(t *testing.T, w []byte) []int16 {
	t.Helper()
	if string(w[:4]) != "RIFF" || string(w[36:40]) != "data" {
		t.Fatalf("header %q", w[:44])
	}
	n := int(binary.LittleEndian.Uint32(w[40:44])) / 2
	pcm := make([]int16, n)
	for i := range pcm {
		pcm[i] = int16(binary.LittleEndian.Uint16(w[44+2*i:]))
	}
	return pcm
}

// The tick is short, the buzz longer; both are heard, neither clips, and
// both start and end near silence (no crack at the edges).
func TestKeyTonesAreShortAndAudible(t *testing.T) {
	for _, c := range []struct {
		name     string
		wav      []byte
		min, max time.Duration
	}{{"click", ClickTone(), 20 * time.Millisecond, 80 * time.Millisecond},
		{"refused", RefusedTone(), 100 * time.Millisecond, 300 * time.Millisecond}} {
		pcm := samples(t, c.wav)
		if d := time.Duration(len(pcm)) * time.Second / SampleRate; d < c.min || d > c.max {
			t.Errorf("%s lasts %v", c.name, d)
		}
		peak := 0
		for _, s := range pcm {
			peak = max(peak, int(s), -int(s))
		}
		if peak < 5000 || peak > 32767 {
			t.Errorf("%s peak %d: silent or clipped", c.name, peak)
		}
		for _, edge := range []int16{pcm[0], pcm[len(pcm)-1]} {
			if edge > 2000 || edge < -2000 {
				t.Errorf("%s edge sample %d: it would crack", c.name, edge)
			}
		}
	}
	if bytes.Equal(ClickTone(), RefusedTone()) {
		t.Fatal("a taken key and a refused key sound the same")
	}
}

// Every key taken plays the same tick (a listener cannot tell digits
// apart), a refused key the buzz, and a tone asked for while another
// plays is dropped.
func TestKeysPlayOneTonePerKeyAndDropWhileBusy(t *testing.T) {
	p := &slowPlayer{hold: make(chan struct{})}
	k := NewKeys(p, nil)
	k.Click()
	waitUntil(t, func() bool { return p.count() == 1 })
	k.Click()
	k.Refused()
	close(p.hold)
	waitUntil(t, func() bool { return !k.busy.Load() })
	if p.count() != 1 {
		t.Fatalf("%d tones while busy, want the later ones dropped", p.count())
	}
	k.Refused()
	waitUntil(t, func() bool { return p.count() == 2 && !k.busy.Load() })
	k.Click()
	waitUntil(t, func() bool { return p.count() == 3 && !k.busy.Load() })
	p.mu.Lock()
	defer p.mu.Unlock()
	if !bytes.Equal(p.played[0], ClickTone()) || !bytes.Equal(p.played[1], RefusedTone()) || !bytes.Equal(p.played[2], p.played[0]) {
		t.Fatal("the tones played are not tick, buzz, tick")
	}
}
