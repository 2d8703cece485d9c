package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
)

// dialect is what differs between SQLite and PostgreSQL.
type dialect struct {
	name   string // also the migrations folder
	driver string
	// numbered placeholders ($1, $2, …) instead of ?
	numbered bool
	// lockMigrations keeps two handles from migrating at once inside tx.
	lockMigrations func(ctx context.Context, tx *sql.Tx) error
	configure      func(*sql.DB)
}

var sqlite = dialect{
	name:   "sqlite",
	driver: "sqlite",
	// BEGIN IMMEDIATE (the DSN's _txlock) already makes the migration's
	// transaction the only writer.
	lockMigrations: func(context.Context, *sql.Tx) error { return nil },
	// One connection: SQLite has one writer anyway, and a kiosk's queries
	// are small; another handle on the file waits out busy_timeout.
	configure: func(db *sql.DB) { db.SetMaxOpenConns(1) },
}

// migrationLockKey is the advisory lock that serialises migrations of
// kiosks starting together ("uketsuke" in ASCII, as an int64).
const migrationLockKey = 0x756b657473756b65

var postgres = dialect{
	name:     "postgres",
	driver:   "pgx",
	numbered: true,
	lockMigrations: func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", int64(migrationLockKey))
		return err
	},
	configure: func(db *sql.DB) { db.SetMaxOpenConns(4) },
}

// bind rewrites ? placeholders for the dialect. The queries here hold no ?
// inside literals.
func (d dialect) bind(query string) string {
	if !d.numbered {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
