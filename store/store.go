// Package store keeps the re-visit correspondence table and the reception
// number counter (revisit.Store), and the outbox of visit records
// (revisit.VisitQueue, outbox.go), in SQLite or PostgreSQL, chosen by a
// database URL. One implementation over database/sql serves both; the
// dialects differ only in placeholders, column types (migrations/<dialect>)
// and how a migration is kept from running twice at once.
//
// SQLite (the embedded default) suits one kiosk; PostgreSQL lets several
// kiosks of one clinic share one table and one ticket counter.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	moderncsqlite "modernc.org/sqlite" // registers the pure-Go "sqlite" driver

	"github.com/uketsuke/uketsuke/app/revisit"
)

// ErrURL is a database URL this package cannot open.
var ErrURL = errors.New("store: database URL must be sqlite:PATH, postgres://… or postgresql://…")

// DB is one handle on the database: a kiosk's. Several handles (kiosks, or
// processes) may share one database.
type DB struct {
	sql     *sql.DB
	dialect dialect
}

var _ revisit.Store = (*DB)(nil)

// Open connects to the database the URL names and brings its schema up to
// date:
//
//	sqlite:/var/lib/uketsuke/revisit.db   (also sqlite:///abs/path, sqlite:relative.db)
//	postgres://kiosk@db.clinic.lan/uketsuke?sslmode=verify-full
//	postgres:///uketsuke?host=/run/postgresql
func Open(ctx context.Context, databaseURL string) (*DB, error) {
	d, dsn, err := parseURL(databaseURL)
	if err != nil {
		return nil, err
	}
	conn, err := sql.Open(d.driver, dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", d.name, err)
	}
	d.configure(conn)
	db := &DB{sql: conn, dialect: d}
	if err := connect(ctx, conn); err != nil {
		conn.Close()
		return nil, fmt.Errorf("store: connect to %s: %w", d.name, err)
	}
	if err := db.migrate(ctx); err != nil {
		conn.Close()
		return nil, err
	}
	return db, nil
}

// busyWait bounds connect's retries, as busy_timeout bounds a statement's.
const busyWait = 10 * time.Second

// connect opens the first connection. Handles that open a new SQLite file
// at once all switch it to WAL, and SQLite answers SQLITE_BUSY to the
// losers at once, without waiting out busy_timeout (four kiosks' handles
// starting together failed so one time in forty): those try again.
func connect(ctx context.Context, conn *sql.DB) error {
	deadline := time.Now().Add(busyWait)
	for {
		err := conn.PingContext(ctx)
		var lite *moderncsqlite.Error
		if err == nil || !errors.As(err, &lite) || lite.Code() != sqliteBusy || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// sqliteBusy is SQLITE_BUSY's result code.
const sqliteBusy = 5

// Close releases the handle's connections.
func (db *DB) Close() error { return db.sql.Close() }

// Dialect names the database behind the handle: "sqlite" or "postgres".
func (db *DB) Dialect() string { return db.dialect.name }

func parseURL(raw string) (dialect, string, error) {
	scheme, rest, ok := strings.Cut(raw, ":")
	if !ok {
		return dialect{}, "", fmt.Errorf("%w (no scheme)", ErrURL)
	}
	switch strings.ToLower(scheme) {
	case "sqlite":
		return sqliteDSN(rest)
	case "postgres", "postgresql":
		if _, err := url.Parse(raw); err != nil {
			return dialect{}, "", fmt.Errorf("%w: %v", ErrURL, err)
		}
		return postgres, raw, nil
	}
	return dialect{}, "", fmt.Errorf("%w (scheme %q)", ErrURL, scheme)
}

// sqliteDSN turns the path into modernc's file: URI with the pragmas every
// handle needs: WAL so readers run beside the writer, a busy timeout so a
// second handle waits instead of failing, and BEGIN IMMEDIATE so a
// transaction takes the write lock before it reads.
func sqliteDSN(rest string) (dialect, string, error) {
	path := strings.TrimPrefix(rest, "//")
	if path == "" || strings.ContainsAny(path, "?#") {
		return dialect{}, "", fmt.Errorf("%w: sqlite wants a file path without query", ErrURL)
	}
	v := url.Values{"_txlock": {"immediate"}}
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(FULL)", "foreign_keys(1)"} {
		v.Add("_pragma", p)
	}
	return sqlite, "file:" + path + "?" + v.Encode(), nil
}
