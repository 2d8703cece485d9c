package store

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// migrations holds numbered SQL files per dialect: NNNN_name.sql, applied
// in order, each once, recorded in schema_version.
//
//go:embed migrations
var migrations embed.FS

// ErrSchemaTooNew means the database was migrated by a newer uketsuke: this
// one does not know its schema and will not touch it.
var ErrSchemaTooNew = errors.New("store: database schema is newer than this program")

type migration struct {
	version int
	name    string
	sql     string
}

func loadMigrations(dialectName string) ([]migration, error) {
	dir := path.Join("migrations", dialectName)
	entries, err := fs.ReadDir(migrations, dir)
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 || !strings.HasSuffix(e.Name(), ".sql") {
			return nil, fmt.Errorf("store: migration file %s is not NNNN_name.sql", e.Name())
		}
		text, err := fs.ReadFile(migrations, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: e.Name(), sql: string(text)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("store: migrations of %s skip or repeat a number at %s", dialectName, m.name)
		}
	}
	return out, nil
}

// migrate applies the missing migrations in one transaction, so a kiosk
// that dies half-way leaves the schema as it was.
func (db *DB) migrate(ctx context.Context) error {
	all, err := loadMigrations(db.dialect.name)
	if err != nil {
		return err
	}
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin migration: %w", err)
	}
	defer tx.Rollback()
	if err := db.dialect.lockMigrations(ctx, tx); err != nil {
		return fmt.Errorf("store: lock for migration: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (
		version    INTEGER PRIMARY KEY,
		applied_at BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("store: schema_version: %w", err)
	}
	var have int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&have); err != nil {
		return fmt.Errorf("store: read schema version: %w", err)
	}
	if have > len(all) {
		return fmt.Errorf("%w: database at %d, this program knows %d", ErrSchemaTooNew, have, len(all))
	}
	for _, m := range all[have:] {
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			return fmt.Errorf("store: migration %s: %w", m.name, err)
		}
		if _, err := tx.ExecContext(ctx, db.dialect.bind(`INSERT INTO schema_version (version, applied_at) VALUES (?, ?)`),
			m.version, time.Now().UnixMicro()); err != nil {
			return fmt.Errorf("store: record migration %s: %w", m.name, err)
		}
	}
	return tx.Commit()
}

// SchemaVersion is the highest migration applied.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := db.sql.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&v)
	return v, err
}
