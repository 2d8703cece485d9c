package wire

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/uketsuke/uketsuke/app/config"
	"github.com/uketsuke/uketsuke/app/revisit"
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
	codeKeys, err := readRevisitKeys(f.CodeKeysFile)
	if err != nil {
		return nil, err
	}
	codes, err := revisit.NewCodeKeys(codeKeys)
	if err != nil {
		return nil, fmt.Errorf("%w: code keys %s: %v", ErrRevisitFiles, f.CodeKeysFile, err)
	}
	dataKeys, err := readRevisitKeys(f.DataKeysFile)
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

// RevisitBookFilesOf names the kiosk's re-visit database and key files
// from its configuration (parts.revisit).
func RevisitBookFilesOf(c *config.Config) (RevisitBookFiles, error) {
	if c.Parts == nil || c.Parts.Revisit == nil {
		return RevisitBookFiles{}, bad("parts.revisit", "re-visit reception is not configured on this kiosk")
	}
	r := c.Parts.Revisit
	return RevisitBookFiles{DatabaseURL: r.DatabaseURL, CodeKeysFile: r.CodeKeysFile, DataKeysFile: r.DataKeysFile}, nil
}

// readRevisitKeys reads a key file (revisit.ReadKeyFile: 0600, the
// current key first); errors name the file and line, never a key.
func readRevisitKeys(path string) ([]revisit.KeyMaterial, error) {
	keys, err := revisit.ReadKeyFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrRevisitFiles, err)
	}
	return keys, nil
}
