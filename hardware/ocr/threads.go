package ocr

import (
	"os"
	"syscall"
)

// Tesseract parallelises its LSTM with OpenMP, and libgomp reads
// OMP_THREAD_LIMIT once, when the process loads it: setting the variable
// from Go afterwards changes nothing. On a kiosk's few cores, one thread per
// worker is faster (no spinning helpers) and makes n workers use n cores.
// The service unit and the Makefile set it; commands run by hand call
// RestartWithThreadLimit first.

// ThreadLimited reports whether the process started with OMP_THREAD_LIMIT set.
func ThreadLimited() bool { return os.Getenv("OMP_THREAD_LIMIT") != "" }

// RestartWithThreadLimit re-executes the running program with
// OMP_THREAD_LIMIT=1 added when it is unset. It returns only on failure or
// when nothing needs doing.
func RestartWithThreadLimit() error {
	if ThreadLimited() {
		return nil
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	return syscall.Exec(exe, os.Args, append(os.Environ(), "OMP_THREAD_LIMIT=1"))
}
