package revisit

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"

	"github.com/uketsuke/uketsuke/app/secret"
)

// A key file holds one key a line, "ID BASE64SECRET", the current key
// first: rotating a key is adding a new first line (and dropping an old
// line once no row uses it). Blank lines and lines starting with # are
// skipped. The file must be readable by the kiosk's user only (0600).

// ErrKeyFile is matched by every KeyFileError.
var ErrKeyFile = errors.New("revisit: key file")

// KeyFileError names the file and line that were refused, never a secret.
type KeyFileError struct {
	Path   string
	Line   int // 0: the file as a whole
	Reason string
}

func (e *KeyFileError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("revisit: key file %s: %s", e.Path, e.Reason)
	}
	return fmt.Sprintf("revisit: key file %s line %d: %s", e.Path, e.Line, e.Reason)
}

// Is makes errors.Is(err, ErrKeyFile) true.
func (e *KeyFileError) Is(target error) bool { return target == ErrKeyFile }

// maxKeyFile bounds a key file: a few dozen keys at most.
const maxKeyFile = 16 << 10

// ReadKeyFile reads a key file's keys, the current first. The file's bytes
// are wiped once decoded; the caller hands the keys to NewCodeKeys or
// NewSealer, which move them into locked memory and wipe them.
func ReadKeyFile(path string) ([]KeyMaterial, error) {
	st, err := os.Stat(path)
	switch {
	case err != nil:
		return nil, &KeyFileError{Path: path, Reason: err.Error()}
	case !st.Mode().IsRegular():
		return nil, &KeyFileError{Path: path, Reason: "not a regular file"}
	case st.Mode().Perm()&0o077 != 0:
		return nil, &KeyFileError{Path: path, Reason: fmt.Sprintf("mode %04o lets others read it; want 0600", st.Mode().Perm())}
	case st.Size() > maxKeyFile:
		return nil, &KeyFileError{Path: path, Reason: "too large for a key file"}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &KeyFileError{Path: path, Reason: err.Error()}
	}
	defer secret.Wipe(data)
	keys, err := parseKeyLines(path, data)
	if err != nil {
		wipeMaterial(keys)
		return nil, err
	}
	if len(keys) == 0 {
		return nil, &KeyFileError{Path: path, Reason: "no key in it"}
	}
	return keys, nil
}

func parseKeyLines(path string, data []byte) ([]KeyMaterial, error) {
	var keys []KeyMaterial
	for i, line := range bytes.Split(data, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		fields := bytes.Fields(line)
		if len(fields) != 2 {
			return keys, &KeyFileError{Path: path, Line: i + 1, Reason: "want \"ID BASE64SECRET\""}
		}
		id := string(fields[0])
		if err := checkKeyID(id, idsOf(keys)); err != nil {
			return keys, &KeyFileError{Path: path, Line: i + 1, Reason: err.Error()}
		}
		raw := make([]byte, base64.StdEncoding.DecodedLen(len(fields[1])))
		n, err := base64.StdEncoding.Decode(raw, fields[1])
		if err != nil {
			secret.Wipe(raw)
			return keys, &KeyFileError{Path: path, Line: i + 1, Reason: "the secret is not base64"}
		}
		keys = append(keys, KeyMaterial{ID: id, Secret: raw[:n]})
		if n < MinCodeKeyLen {
			return keys, &KeyFileError{Path: path, Line: i + 1, Reason: fmt.Sprintf("key %q has %d bytes, want at least %d", id, n, MinCodeKeyLen)}
		}
	}
	return keys, nil
}

func idsOf(keys []KeyMaterial) []string {
	ids := make([]string, len(keys))
	for i, k := range keys {
		ids[i] = k.ID
	}
	return ids
}

// NewKeyLine draws a fresh 32-byte key and returns its key-file line. The
// line holds the secret: write it straight into a 0600 file.
func NewKeyLine(id string) ([]byte, error) {
	if err := checkKeyID(id, nil); err != nil {
		return nil, err
	}
	key := make([]byte, SealKeyLen)
	defer secret.Wipe(key)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	line := make([]byte, 0, len(id)+2+base64.StdEncoding.EncodedLen(len(key)))
	line = append(line, id...)
	line = append(line, ' ')
	line = base64.StdEncoding.AppendEncode(line, key)
	return append(line, '\n'), nil
}

// AddKeyFileKey writes a fresh key as the first line of the key file at
// path (made 0600 when missing), so it becomes the current key and the
// older keys still open what they made. A file others can read is refused.
func AddKeyFileKey(path, id string) error {
	var old []byte
	if _, err := os.Stat(path); err == nil {
		keys, err := ReadKeyFile(path)
		if err != nil {
			return err
		}
		ids := idsOf(keys)
		wipeMaterial(keys)
		if err := checkKeyID(id, ids); err != nil {
			return err
		}
		if old, err = os.ReadFile(path); err != nil {
			return err
		}
		defer secret.Wipe(old)
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	line, err := NewKeyLine(id)
	if err != nil {
		return err
	}
	defer secret.Wipe(line)
	return writePrivate(path, append(line, old...))
}

// writePrivate replaces path with data, readable by the owner only, whole
// or not at all.
func writePrivate(path string, data []byte) error {
	defer secret.Wipe(data)
	tmp := path + ".new"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if serr := f.Sync(); err == nil {
		err = serr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}
