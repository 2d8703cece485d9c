package audit

import (
	"fmt"
	"os"
	"sync"
	"time"
)

// rotationRetry is how long a file keeps growing after a failed rotation
// before the next attempt: not on every record, which would sync each time.
const rotationRetry = time.Minute

// rotatingFile is an append-only file that moves itself to NAME.1 (and
// NAME.1 to NAME.2, …) before a write would take it past max bytes.
//
// A rotation that fails leaves the current file open and in use: the logs
// must not go silent because a rename failed. The failure is reported
// (report, counted in failures) and rotation is tried again after
// rotationRetry.
type rotatingFile struct {
	mu   sync.Mutex
	path string
	max  int64
	keep int
	f    *os.File
	size int64

	rename   func(oldpath, newpath string) error // os.Rename; tests break it
	now      func() time.Time
	report   func(error)
	failures int       // failed rotations since opening
	retryAt  time.Time // no rotation attempt before this, after a failure
}

func openRotating(path string, max int64, keep int, report func(error)) (*rotatingFile, error) {
	r := &rotatingFile{path: path, max: max, keep: keep, rename: os.Rename, now: time.Now, report: report}
	f, size, err := openAppend(path)
	if err != nil {
		return nil, err
	}
	r.f, r.size = f, size
	return r, nil
}

func openAppend(path string) (*os.File, int64, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, 0, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, st.Size(), nil
}

// Write appends p whole: slog hands over one record per call, so a record is
// never split across files.
func (r *rotatingFile) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.size > 0 && r.size+int64(len(p)) > r.max && !r.now().Before(r.retryAt) {
		if err := r.rotate(); err != nil {
			r.failures++
			r.retryAt = r.now().Add(rotationRetry)
			if r.report != nil {
				r.report(fmt.Errorf("audit: rotating %s failed (%d so far), still writing to it: %w", r.path, r.failures, err))
			}
		}
	}
	n, err := r.f.Write(p)
	r.size += int64(n)
	return n, err
}

// rotate switches to a fresh file only once it is open; until then r.f stays
// the file in use, whatever step failed.
func (r *rotatingFile) rotate() error {
	if err := r.f.Sync(); err != nil {
		return err
	}
	for i := r.keep - 1; i >= 1; i-- {
		old := fmt.Sprintf("%s.%d", r.path, i)
		if _, err := os.Stat(old); err == nil {
			if err := r.rename(old, fmt.Sprintf("%s.%d", r.path, i+1)); err != nil {
				return err
			}
		}
	}
	// The open descriptor follows the rename (or outlives the unlink).
	var undo func() error
	if r.keep > 0 {
		if err := r.rename(r.path, r.path+".1"); err != nil {
			return err
		}
		undo = func() error { return r.rename(r.path+".1", r.path) }
	} else {
		if err := os.Remove(r.path); err != nil {
			return err
		}
		undo = func() error { return nil }
	}
	f, size, err := openAppend(r.path)
	if err != nil {
		return fmt.Errorf("%w (putting the file back: %v)", err, undo())
	}
	old := r.f
	r.f, r.size = f, size
	old.Close() // synced above; nothing was written since
	return nil
}

// rotationFailures counts failed rotations since opening.
func (r *rotatingFile) rotationFailures() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.failures
}

// Sync makes everything written so far durable.
func (r *rotatingFile) Sync() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.f.Sync()
}

func (r *rotatingFile) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.f.Sync(); err != nil {
		r.f.Close()
		return err
	}
	return r.f.Close()
}
