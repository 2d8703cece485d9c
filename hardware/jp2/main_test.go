package jp2

import (
	"os"
	"strings"
	"syscall"
	"testing"
)

// TestMain runs the package's tests as the kiosk runs (the unit sets
// GODEBUG=asyncpreemptoff=1): a preemption signal saves the vector
// registers, which memmove fills 32 bytes of a photo at a time, on a signal
// stack that nothing wipes. With preemption signals on, 3 of 20 runs of
// TestDecodeFrameLeavesNoCopyOfThePhoto found up to 8 windows there; with
// them off, none of 40.
func TestMain(m *testing.M) {
	if !strings.Contains(os.Getenv("GODEBUG"), "asyncpreemptoff=1") {
		env := append(os.Environ(), "GODEBUG="+strings.TrimPrefix(os.Getenv("GODEBUG")+",asyncpreemptoff=1", ","))
		if err := syscall.Exec("/proc/self/exe", os.Args, env); err != nil {
			panic(err)
		}
	}
	os.Exit(m.Run())
}
