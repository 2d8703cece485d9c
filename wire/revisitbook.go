package wire

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/uketsuke/uketsuke/app/revisit"
	"github.com/uketsuke/uketsuke/app/secret"
	"github.com/uketsuke/uketsuke/store"
)

// RevisitBookFiles name what the correspondence table needs: the database
// and the two key files (one key a line, "ID BASE64", the current first;
// readable by the owner only). The same three the kiosk's re-visit parts
// name.
type RevisitBookFiles struct {
	DatabaseURL  string
	CodeKeysFile string
	DataKeysFile string
}

// RevisitBook is an open correspondence table for an administrator's
// command (the CSV import): the Book, and Close to release the database
// and wipe the keys.
type RevisitBook struct {
	*revisit.Book
	close func()
}

// Close releases the database and wipes the keys.
func (b *RevisitBook) Close() { b.close() }

// ErrRevisitFiles is a database URL or key file the book cannot use.
var ErrRevisitFiles = errors.New("wire: re-visit database or keys")

// OpenRevisitBook opens the correspondence table outside the kiosk, with
// the same keys and database the kiosk uses (applying any missing
// migration, as the kiosk would at start).
func OpenRevisitBook(ctx context.Context, f RevisitBookFiles) (*RevisitBook, error) {
	codeKeys, err := readRevisitKeys("code keys", f.CodeKeysFile)
	if err != nil {
		return nil, err
	}
	codes, err := revisit.NewCodeKeys(codeKeys)
	if err != nil {
		return nil, fmt.Errorf("%w: code keys %s: %v", ErrRevisitFiles, f.CodeKeysFile, err)
	}
	dataKeys, err := readRevisitKeys("data keys", f.DataKeysFile)
	if err != nil {
		codes.Destroy()
		return nil, err
	}
	sealer, err := revisit.NewSealer(dataKeys)
	if err != nil {
		codes.Destroy()
		return nil, fmt.Errorf("%w: data keys %s: %v", ErrRevisitFiles, f.DataKeysFile, err)
	}
	db, err := store.Open(ctx, f.DatabaseURL)
	if err != nil {
		codes.Destroy()
		sealer.Destroy()
		return nil, fmt.Errorf("%w: %w", ErrRevisitFiles, err)
	}
	return &RevisitBook{Book: revisit.NewBook(db, codes, sealer, time.Now), close: func() {
		db.Close()
		codes.Destroy()
		sealer.Destroy()
	}}, nil
}

// maxRevisitKeyFile bounds a key file: a few dozen keys.
const maxRevisitKeyFile = 16 << 10

// readRevisitKeys reads "ID BASE64" lines (blank lines and # comments
// skipped) from a file only its owner may read. The file's bytes are
// wiped; the keys are wiped by NewCodeKeys or NewSealer. Errors name the
// file and line, never a key.
func readRevisitKeys(what, path string) ([]revisit.KeyMaterial, error) {
	bad := func(line int, reason string) error {
		if line == 0 {
			return fmt.Errorf("%w: %s %s: %s", ErrRevisitFiles, what, path, reason)
		}
		return fmt.Errorf("%w: %s %s line %d: %s", ErrRevisitFiles, what, path, line, reason)
	}
	if path == "" {
		return nil, bad(0, "no file given")
	}
	st, err := os.Stat(path)
	switch {
	case err != nil:
		return nil, bad(0, err.Error())
	case !st.Mode().IsRegular() || st.Size() > maxRevisitKeyFile:
		return nil, bad(0, "not a key file")
	case st.Mode().Perm()&0o077 != 0:
		return nil, bad(0, fmt.Sprintf("mode %04o lets others read it; want 0600", st.Mode().Perm()))
	}
	data, err := os.ReadFile(path)
	defer secret.Wipe(data)
	if err != nil {
		return nil, bad(0, err.Error())
	}
	var keys []revisit.KeyMaterial
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		id, encoded, ok := bytes.Cut(line, []byte(" "))
		key := make([]byte, base64.StdEncoding.DecodedLen(len(encoded)))
		size, err := base64.StdEncoding.Decode(key, bytes.TrimSpace(encoded))
		if !ok || err != nil || strings.TrimSpace(string(id)) == "" {
			secret.Wipe(key)
			for _, k := range keys {
				secret.Wipe(k.Secret)
			}
			return nil, bad(n, `want "ID BASE64"`)
		}
		keys = append(keys, revisit.KeyMaterial{ID: string(id), Secret: key[:size]})
	}
	if len(keys) == 0 {
		return nil, bad(0, "no key in it")
	}
	return keys, nil
}
