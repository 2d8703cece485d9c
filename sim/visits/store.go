package visits

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"time"

	_ "modernc.org/sqlite" // the pure-Go "sqlite" driver

	"github.com/uketsuke/uketsuke/app/revisit"
)

// schema is the service's one table: each record id once, with the
// canonical JSON form it was registered with.
const schema = `CREATE TABLE IF NOT EXISTS visit (
	seq                INTEGER PRIMARY KEY AUTOINCREMENT,
	id                 TEXT NOT NULL UNIQUE,
	payload            TEXT NOT NULL,
	facility           TEXT NOT NULL,
	kiosk              TEXT NOT NULL,
	visited_at         INTEGER NOT NULL,   -- Unix microseconds
	auth               TEXT NOT NULL,
	department         TEXT NOT NULL,
	reception          INTEGER NOT NULL,
	received_at        INTEGER NOT NULL    -- Unix microseconds
)`

// openDB opens (and creates) the service's SQLite file: WAL, every commit
// synced, so a killed service keeps every record it answered 2xx for.
func openDB(ctx context.Context, path string) (*sql.DB, error) {
	if path == "" {
		return nil, errors.New("visits: no database file")
	}
	v := url.Values{"_txlock": {"immediate"}}
	for _, p := range []string{"journal_mode(WAL)", "busy_timeout(10000)", "synchronous(FULL)"} {
		v.Add("_pragma", p)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?"+v.Encode())
	if err != nil {
		return nil, fmt.Errorf("visits: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("visits: schema of %s: %w", path, err)
	}
	return db, nil
}

// outcome of registering one record.
type outcome int

const (
	registered outcome = iota // new
	duplicate                 // the same record again (a resend)
	conflict                  // the id with other content
)

// register inserts the record unless its id is known; a known id is a
// duplicate when its stored form is the same, a conflict otherwise.
func register(ctx context.Context, db *sql.DB, r revisit.VisitRecord, now time.Time) (outcome, error) {
	payload, err := r.MarshalJSON()
	if err != nil {
		return 0, err
	}
	res, err := db.ExecContext(ctx, `INSERT INTO visit
		(id, payload, facility, kiosk, visited_at, auth, department, reception, received_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
		r.ID.String(), string(payload), r.Facility, r.Kiosk, r.Time.UnixMicro(), string(r.Auth),
		string(r.Department), r.Reception, now.UnixMicro())
	if err != nil {
		return 0, fmt.Errorf("visits: insert: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return registered, err
	}
	var stored string
	if err := db.QueryRowContext(ctx, `SELECT payload FROM visit WHERE id = ?`, r.ID.String()).Scan(&stored); err != nil {
		return 0, fmt.Errorf("visits: read known record: %w", err)
	}
	if stored == string(payload) {
		return duplicate, nil
	}
	return conflict, nil
}

// Registered is one record as the service holds it.
type Registered struct {
	Record   revisit.VisitRecord
	Received time.Time
}

// list returns up to limit records in the order they were registered.
func list(ctx context.Context, db *sql.DB, limit int) ([]Registered, error) {
	rows, err := db.QueryContext(ctx, `SELECT payload, received_at FROM visit ORDER BY seq LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("visits: list: %w", err)
	}
	defer rows.Close()
	var out []Registered
	for rows.Next() {
		var payload string
		var received int64
		if err := rows.Scan(&payload, &received); err != nil {
			return nil, fmt.Errorf("visits: list: %w", err)
		}
		r, err := revisit.ParseVisitRecord([]byte(payload))
		if err != nil {
			return nil, fmt.Errorf("visits: stored record: %w", err)
		}
		out = append(out, Registered{Record: r, Received: time.UnixMicro(received)})
	}
	return out, rows.Err()
}
