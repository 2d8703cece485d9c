// Package harden makes the kiosk process refuse to leak memory contents:
// no core dumps and no ptrace attach or /proc/PID/mem access by other
// unprivileged processes. Call Apply first thing in main.
package harden

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// ErrNotHardened means a check found the process still dumpable.
var ErrNotHardened = errors.New("harden: process not hardened")

// Apply sets RLIMIT_CORE to 0 (no core file, soft and hard, so it cannot be
// raised again) and PR_SET_DUMPABLE to 0 (no core via a pipe handler either,
// and /proc/self files owned by root).
func Apply() error {
	if err := unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{Cur: 0, Max: 0}); err != nil {
		return fmt.Errorf("harden: RLIMIT_CORE: %w", err)
	}
	if err := unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0); err != nil {
		return fmt.Errorf("harden: PR_SET_DUMPABLE: %w", err)
	}
	return Check()
}

// Check verifies both settings are in force.
func Check() error {
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_CORE, &lim); err != nil {
		return fmt.Errorf("harden: RLIMIT_CORE: %w", err)
	}
	if lim.Cur != 0 || lim.Max != 0 {
		return fmt.Errorf("%w: core limit %d/%d", ErrNotHardened, lim.Cur, lim.Max)
	}
	dumpable, err := unix.PrctlRetInt(unix.PR_GET_DUMPABLE, 0, 0, 0, 0)
	if err != nil {
		return fmt.Errorf("harden: PR_GET_DUMPABLE: %w", err)
	}
	if dumpable != 0 {
		return fmt.Errorf("%w: dumpable is %d", ErrNotHardened, dumpable)
	}
	return nil
}
