package chime

import (
	"context"
	"log/slog"
	"math"
	"sync/atomic"
	"time"

	"github.com/uketsuke/uketsuke/hardware/speech"
)

// The physical keypad's confirmation (ui.KeyFeedback): a short high tick
// for a key taken and a low buzz for a key that does nothing there. The same
// tick for every key, so a listener learns that a digit was taken, never
// which one.
const (
	clickLength  = 40 * time.Millisecond
	clickPitch   = 1760.0 // A6: short and bright, heard over a waiting room
	refuseLength = 180 * time.Millisecond
	refusePitch  = 196.0 // G3: low, unlike any tick
	keyAmplitude = 0.35
)

// Keys plays the keypad's confirmations through a player. A tone asked for
// while the last still plays is dropped: a fast typist hears fewer ticks,
// never a queue that outlasts the typing.
type Keys struct {
	player         speech.Player
	click, refused []byte
	log            *slog.Logger
	busy           atomic.Bool
}

// NewKeys makes the keypad's confirmations, played through p; log (may be
// nil) hears a player's failure.
func NewKeys(p speech.Player, log *slog.Logger) *Keys {
	return &Keys{player: p, click: ClickTone(), refused: RefusedTone(), log: log}
}

// Click says a key was taken; it returns at once.
func (k *Keys) Click() { k.play(k.click) }

// Refused says a key does nothing here; it returns at once.
func (k *Keys) Refused() { k.play(k.refused) }

func (k *Keys) play(wavFile []byte) {
	if !k.busy.CompareAndSwap(false, true) {
		return
	}
	go func() {
		defer k.busy.Store(false)
		ctx, cancel := context.WithTimeout(context.Background(), playTimeout)
		defer cancel()
		if err := k.player.Play(ctx, wavFile, nil); err != nil && k.log != nil {
			k.log.Warn("the keypad's tone did not play", "err", err)
		}
	}()
}

// ClickTone is the tick for a key taken, as a 16-bit mono WAV file.
func ClickTone() []byte { return wav(tone(clickPitch, clickLength, 0.003)) }

// RefusedTone is the buzz for a key refused, as a 16-bit mono WAV file.
func RefusedTone() []byte { return wav(tone(refusePitch, refuseLength, 0.01)) }

// tone is one note with a linear attack and release of the given time, so
// it starts and stops without a click of its own.
func tone(pitch float64, length time.Duration, ramp float64) []int16 {
	n := int(length.Seconds() * SampleRate)
	total := length.Seconds()
	pcm := make([]int16, n)
	for i := range pcm {
		t := float64(i) / SampleRate
		env := math.Min(1, math.Min(t/ramp, (total-t)/ramp))
		pcm[i] = int16(keyAmplitude * env * math.Sin(2*math.Pi*pitch*t) * math.MaxInt16)
	}
	return pcm
}
