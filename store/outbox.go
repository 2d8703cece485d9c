package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/uketsuke/uketsuke/app/revisit"
)

// The outbox of visit records (revisit.VisitQueue) lives in the table
// visit_outbox of whichever database the handle opened. A kiosk should give
// it a database of its own on its own disk (a local sqlite: URL, which may be
// its re-visit database where that is SQLite too): records must be written
// while the network is down, which is when a shared PostgreSQL is out of
// reach as well. On PostgreSQL it works all the same, and several senders on
// one table only cost duplicate posts, which the service ignores.
var _ revisit.VisitQueue = (*DB)(nil)

// Enqueue stores the record's JSON form; a second Enqueue of the same id
// changes nothing. The write is committed (synchronous=FULL on SQLite)
// before it returns.
func (db *DB) Enqueue(ctx context.Context, r revisit.VisitRecord, at time.Time) error {
	payload, err := r.MarshalJSON()
	if err != nil {
		return err
	}
	_, err = db.sql.ExecContext(ctx, db.dialect.bind(`INSERT INTO visit_outbox (id, payload, queued_at)
		VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING`), r.ID[:], payload, micros(at))
	if err != nil {
		return fmt.Errorf("store: queue visit record: %w", err)
	}
	return nil
}

// Pending lists records not set aside, oldest first.
func (db *DB) Pending(ctx context.Context, limit int) ([]revisit.QueuedVisit, error) {
	rows, err := db.sql.QueryContext(ctx, db.dialect.bind(`SELECT id, payload, queued_at, attempts
		FROM visit_outbox WHERE dead_at IS NULL ORDER BY queued_at, id LIMIT ?`), limit)
	if err != nil {
		return nil, fmt.Errorf("store: pending visit records: %w", err)
	}
	defer rows.Close()
	var out []revisit.QueuedVisit
	for rows.Next() {
		var q revisit.QueuedVisit
		var id []byte
		var queued int64
		if err := rows.Scan(&id, &q.Payload, &queued, &q.Attempts); err != nil {
			return nil, fmt.Errorf("store: pending visit records: %w", err)
		}
		if err := visitID(&q.ID, id); err != nil {
			return nil, err
		}
		q.Queued = fromMicros(queued)
		out = append(out, q)
	}
	return out, rows.Err()
}

// Sent deletes a delivered record.
func (db *DB) Sent(ctx context.Context, id revisit.VisitID) error {
	return db.execOutbox(ctx, "delete delivered visit record", `DELETE FROM visit_outbox WHERE id = ?`, id[:])
}

// Failed counts a failed try.
func (db *DB) Failed(ctx context.Context, id revisit.VisitID) error {
	return db.execOutbox(ctx, "count failed try", `UPDATE visit_outbox SET attempts = attempts + 1 WHERE id = ?`, id[:])
}

// DeadLetter sets a record aside; Pending no longer lists it.
func (db *DB) DeadLetter(ctx context.Context, id revisit.VisitID, reason string, at time.Time) error {
	return db.execOutbox(ctx, "set visit record aside",
		`UPDATE visit_outbox SET dead_at = ?, dead_reason = ?, attempts = attempts + 1 WHERE id = ?`,
		micros(at), reason, id[:])
}

// DeadLetters lists the records set aside, oldest first.
func (db *DB) DeadLetters(ctx context.Context) ([]revisit.DeadVisit, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT id, payload, queued_at, attempts, dead_at, dead_reason
		FROM visit_outbox WHERE dead_at IS NOT NULL ORDER BY dead_at, id`)
	if err != nil {
		return nil, fmt.Errorf("store: dead visit records: %w", err)
	}
	defer rows.Close()
	var out []revisit.DeadVisit
	for rows.Next() {
		var d revisit.DeadVisit
		var id []byte
		var queued, dead int64
		var reason sql.NullString
		if err := rows.Scan(&id, &d.Payload, &queued, &d.Attempts, &dead, &reason); err != nil {
			return nil, fmt.Errorf("store: dead visit records: %w", err)
		}
		if err := visitID(&d.ID, id); err != nil {
			return nil, err
		}
		d.Queued, d.Set, d.Reason = fromMicros(queued), fromMicros(dead), reason.String
		out = append(out, d)
	}
	return out, rows.Err()
}

var _ revisit.DeadLetterQueue = (*DB)(nil)

// RetryDead puts a dead letter back in the queue; the sender's next pass
// sends it (the same bytes and id as before).
func (db *DB) RetryDead(ctx context.Context, id revisit.VisitID) error {
	return db.execDead(ctx, "retry dead visit record",
		`UPDATE visit_outbox SET dead_at = NULL, dead_reason = NULL, attempts = 0 WHERE id = ? AND dead_at IS NOT NULL`, id[:])
}

// DiscardDead deletes a dead letter.
func (db *DB) DiscardDead(ctx context.Context, id revisit.VisitID) error {
	return db.execDead(ctx, "discard dead visit record",
		`DELETE FROM visit_outbox WHERE id = ? AND dead_at IS NOT NULL`, id[:])
}

// execDead changes one dead letter, or says there is none.
func (db *DB) execDead(ctx context.Context, what, query string, args ...any) error {
	res, err := db.sql.ExecContext(ctx, db.dialect.bind(query), args...)
	if err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return revisit.ErrNoDeadLetter
	}
	return nil
}

func (db *DB) execOutbox(ctx context.Context, what, query string, args ...any) error {
	if _, err := db.sql.ExecContext(ctx, db.dialect.bind(query), args...); err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	return nil
}

func visitID(dst *revisit.VisitID, b []byte) error {
	if len(b) != len(dst) {
		return fmt.Errorf("store: visit record id of %d bytes", len(b))
	}
	copy(dst[:], b)
	return nil
}
