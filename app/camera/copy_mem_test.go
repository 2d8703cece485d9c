//go:build linux && amd64 && !race

// The race detector's shadow memory makes the scan slow and meaningless;
// the registers in question are amd64's.

package camera

import (
	"image"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/app/secret/secrettest"
)

// TestFrameFromLeavesNoPixelsInRegisters: a signal arriving just after
// FrameFrom saves the vector registers on the thread's signal stack, which
// nothing wipes. The row copies leave each row's last 128 bytes there
// unless FrameFrom scrubs them (seven runs of the photo before it did).
func TestFrameFromLeavesNoPixelsInRegisters(t *testing.T) {
	if !secrettest.InChildWithoutPreemption(t, "TestFrameFromLeavesNoPixelsInRegisters") {
		return
	}
	for round := range 5 {
		if n, where := pixelRunsAfterSignal(t); n > 0 {
			t.Errorf("round %d: %d runs of the frame left in memory after Release, e.g. %v", round, n, where)
		}
	}
}

func pixelRunsAfterSignal(t *testing.T) (int, []string) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	src := image.NewRGBA(image.Rect(0, 0, 256, 64))
	r := rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	for i := range src.Pix {
		src.Pix[i] = byte(r.Uint32())
	}
	f, err := FrameFrom(src, time.Now())
	if err := secrettest.SignalThisThread(); err != nil {
		t.Fatal(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	runs := secrettest.NewWindows()
	runs.Add(f.Image.Pix, 16)
	clear(src.Pix)
	f.Release()
	n, where, err := runs.Scan()
	if err != nil {
		t.Skipf("process memory not readable: %v", err)
	}
	return n, where
}
