// Package chime is the kiosk's call bell: a short two-note tone (a falling
// major third, the sound of a shop's door chime), made in memory as a WAV
// file and played through the speech package's players (paplay or aplay).
// It fills ui.Bell; a ring while the last one still sounds is dropped, so a
// patient pressing help five times does not queue five bells.
package chime

import (
	"bytes"
	"context"
	"encoding/binary"
	"log/slog"
	"math"
	"sync/atomic"
	"time"

	"github.com/uketsuke/uketsuke/hardware/speech"
)

// The tone: two notes with a soft attack and a decay, loud enough to hear
// across a waiting room and short enough not to startle.
const (
	SampleRate = 16000
	noteLength = 350 * time.Millisecond
	firstNote  = 880.0 // A5
	secondNote = 698.5 // F5
	amplitude  = 0.5   // of full scale
)

// playTimeout bounds one ring: a player that hangs does not keep the bell busy.
const playTimeout = 5 * time.Second

// Bell rings the tone through a player.
type Bell struct {
	player speech.Player
	wav    []byte
	log    *slog.Logger
	busy   atomic.Bool
}

// New makes a bell that plays through p; log (may be nil) hears a player's
// failure.
func New(p speech.Player, log *slog.Logger) *Bell {
	return &Bell{player: p, wav: Tone(), log: log}
}

// Ring plays the tone without waiting for it; it returns at once.
func (b *Bell) Ring() {
	if !b.busy.CompareAndSwap(false, true) {
		return
	}
	go func() {
		defer b.busy.Store(false)
		ctx, cancel := context.WithTimeout(context.Background(), playTimeout)
		defer cancel()
		if err := b.player.Play(ctx, b.wav, nil); err != nil && b.log != nil {
			b.log.Warn("the call bell did not ring", "err", err)
		}
	}()
}

// Tone is the bell's sound as a 16-bit mono WAV file.
func Tone() []byte {
	n := int(noteLength.Seconds() * SampleRate)
	pcm := make([]int16, 0, 2*n)
	for _, f := range []float64{firstNote, secondNote} {
		for i := 0; i < n; i++ {
			t := float64(i) / SampleRate
			env := math.Min(1, t/0.01) * math.Exp(-4*t) // 10 ms attack, then decay
			pcm = append(pcm, int16(amplitude*env*math.Sin(2*math.Pi*f*t)*math.MaxInt16))
		}
	}
	return wav(pcm)
}

// wav wraps 16-bit mono samples in a RIFF header.
func wav(pcm []int16) []byte {
	var b bytes.Buffer
	data := uint32(2 * len(pcm))
	b.WriteString("RIFF")
	binary.Write(&b, binary.LittleEndian, 36+data)
	b.WriteString("WAVEfmt ")
	binary.Write(&b, binary.LittleEndian, struct {
		Size                      uint32
		Format, Channels          uint16
		Rate, ByteRate            uint32
		BlockAlign, BitsPerSample uint16
	}{16, 1, 1, SampleRate, 2 * SampleRate, 2, 16})
	b.WriteString("data")
	binary.Write(&b, binary.LittleEndian, data)
	binary.Write(&b, binary.LittleEndian, pcm)
	return b.Bytes()
}
