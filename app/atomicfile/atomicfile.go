// Package atomicfile writes files that appear whole or not at all, and that
// survive a crash or power loss once reported written: the bytes go to a
// hidden temporary file in the target folder, which is synced, renamed (or
// linked) into place, and the folder is synced.
//
// Readers of a folder written this way must take only the final names: the
// temporary files start with TempPrefix and end in TempSuffix.
//
// Two steps are exposed for callers that must know, after a crash, whether a
// file was published: Stage writes and syncs the temporary file, Publish
// moves it into place. A staged file whose temporary file is gone has been
// published (the rename removes it in the same step).
package atomicfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Temporary files are named TempPrefix + random + TempSuffix.
const (
	TempPrefix = ".uketsuke-"
	TempSuffix = ".tmp"
)

// StaleAge is the age after which RemoveStaleTemps deletes a temporary file
// that a killed writer left behind.
const StaleAge = time.Hour

// ErrExist is returned by Create and Publish(noClobber) when the name is taken.
var ErrExist = os.ErrExist

// Staged is a synced temporary file waiting to be published.
type Staged struct {
	Dir  string // the folder of the temporary and the final file
	Temp string // full path of the temporary file
}

// Stage writes data to a new temporary file in dir, syncs it and closes it.
func Stage(dir string, data []byte, perm os.FileMode) (st *Staged, err error) {
	f, err := os.CreateTemp(dir, TempPrefix+"*"+TempSuffix)
	if err != nil {
		return nil, err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err = f.Chmod(perm); err != nil {
		return nil, err
	}
	if _, err = f.Write(data); err != nil {
		return nil, err
	}
	if err = f.Sync(); err != nil {
		return nil, err
	}
	if err = f.Close(); err != nil {
		return nil, err
	}
	return &Staged{Dir: dir, Temp: tmp}, nil
}

// Publish moves the staged file to dir/name and syncs the folder. With
// noClobber an existing dir/name is never replaced: Publish returns an error
// matching ErrExist and leaves the staged file in place for another name.
func (s *Staged) Publish(name string, noClobber bool) (string, error) {
	final := filepath.Join(s.Dir, name)
	if noClobber {
		if err := linkNoClobber(s.Temp, final); err != nil {
			return "", err
		}
	} else if err := os.Rename(s.Temp, final); err != nil {
		return "", err
	}
	return final, SyncDir(s.Dir)
}

// linkNoClobber publishes without replacing: a hard link fails if the name
// exists, then the temporary name is removed. A file system without hard
// links (some SMB shares) falls back to a check and a rename, which is
// exclusive against every writer that uses unique names.
func linkNoClobber(tmp, final string) error {
	err := os.Link(tmp, final)
	if err == nil {
		return os.Remove(tmp)
	}
	if errors.Is(err, os.ErrExist) {
		return err
	}
	var le *os.LinkError
	if errors.As(err, &le) && (errors.Is(le.Err, syscall.EPERM) || errors.Is(le.Err, syscall.ENOTSUP) ||
		errors.Is(le.Err, syscall.EOPNOTSUPP) || errors.Is(le.Err, syscall.EXDEV) || errors.Is(le.Err, syscall.EMLINK)) {
		if _, serr := os.Lstat(final); serr == nil {
			return &os.LinkError{Op: "publish", Old: tmp, New: final, Err: os.ErrExist}
		}
		return os.Rename(tmp, final)
	}
	return err
}

// Discard removes the staged file (after a failed publish).
func (s *Staged) Discard() { os.Remove(s.Temp) }

// Write puts data at dir/name, replacing any file of that name.
func Write(dir, name string, data []byte, perm os.FileMode) (string, error) {
	return put(dir, name, data, perm, false)
}

// Create puts data at dir/name only if no file has that name yet; an error
// matching os.ErrExist says one has.
func Create(dir, name string, data []byte, perm os.FileMode) (string, error) {
	return put(dir, name, data, perm, true)
}

func put(dir, name string, data []byte, perm os.FileMode, noClobber bool) (string, error) {
	st, err := Stage(dir, data, perm)
	if err != nil {
		return "", err
	}
	path, err := st.Publish(name, noClobber)
	if err != nil {
		st.Discard()
	}
	return path, err
}

// SyncDir makes a folder's entries (a rename, a removal) durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) && !errors.Is(err, syscall.ENOTSUP) {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

// IsTemp reports whether a file name is one of this package's temporary files.
func IsTemp(name string) bool {
	return strings.HasPrefix(name, TempPrefix) && strings.HasSuffix(name, TempSuffix)
}

// RemoveStaleTemps deletes temporary files in dir older than age (a writer
// that was killed mid-write leaves one) and returns how many it removed.
func RemoveStaleTemps(dir string, age time.Duration, now time.Time) int {
	matches, _ := filepath.Glob(filepath.Join(dir, TempPrefix+"*"+TempSuffix))
	n := 0
	for _, m := range matches {
		if st, err := os.Stat(m); err == nil && now.Sub(st.ModTime()) > age && os.Remove(m) == nil {
			n++
		}
	}
	return n
}
