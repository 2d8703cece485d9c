//go:build linux && amd64 && !race

// The race detector's shadow memory makes the scan slow and meaningless;
// the registers named are amd64's.

package secret_test

import (
	"crypto/rand"
	"runtime"
	"testing"

	"github.com/uketsuke/uketsuke/app/secret"
	"github.com/uketsuke/uketsuke/app/secret/secrettest"
)

// TestCopyLeavesNoRunInASignalFrame: a signal right after a copy saves the
// registers the copy went through on the signal stack. A plain copy leaves
// its last 128 bytes there (the control, which shows the test can see
// them); secret.Copy leaves none.
func TestCopyLeavesNoRunInASignalFrame(t *testing.T) {
	if !secrettest.InChildWithoutPreemption(t, "TestCopyLeavesNoRunInASignalFrame") {
		return
	}
	plain := func(dst, src []byte) { copy(dst, src) }
	if n, _ := runsAfterSignal(t, plain); n == 0 {
		t.Fatal("control: a plain copy left nothing in the signal frame, so this test cannot see what it looks for")
	} else {
		t.Logf("control: a plain copy left %d runs", n)
	}
	for round := range 5 {
		if n, where := runsAfterSignal(t, func(dst, src []byte) { secret.Copy(dst, src) }); n > 0 {
			t.Errorf("round %d: secret.Copy left %d runs in memory, e.g. %v", round, n, where)
		}
	}
}

// runsAfterSignal copies 4 KiB of noise between locked buffers with cp,
// signals its own thread at once, destroys both buffers and counts the
// noise's 32-byte runs (at every 16-byte offset) left in memory.
func runsAfterSignal(t *testing.T, cp func(dst, src []byte)) (int, []string) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	src, err := secret.New(4096)
	if err != nil {
		t.Fatal(err)
	}
	dst, err := secret.New(4096)
	if err != nil {
		t.Fatal(err)
	}
	rand.Read(src.Bytes())
	runs := secrettest.NewWindows()
	runs.Add(src.Bytes(), 16)
	cp(dst.Bytes(), src.Bytes())
	if err := secrettest.SignalThisThread(); err != nil {
		t.Fatal(err)
	}
	src.Destroy()
	dst.Destroy()
	n, where, err := runs.Scan()
	if err != nil {
		t.Skipf("process memory not readable: %v", err)
	}
	return n, where
}
