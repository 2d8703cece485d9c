package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uketsuke/uketsuke/app/revisit"
)

// Link adds a row and its first code in one transaction.
func (db *DB) Link(ctx context.Context, l revisit.Link) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if err := db.codeFree(ctx, tx, l.Code); err != nil {
			return err
		}
		if err := db.insertLink(ctx, tx, l); err != nil {
			return err
		}
		return db.insertCode(ctx, tx, l.Code, l.ID, l.Created)
	})
}

// insertLink adds the row alone: Link adds its first code with it, an
// import leaves it without one.
func (db *DB) insertLink(ctx context.Context, tx *sql.Tx, l revisit.Link) error {
	if _, err := tx.ExecContext(ctx, db.dialect.bind(`INSERT INTO patient_link
		(id, insured_key, insured_tag, patient_key, patient_tag, insured, patient, created_at, updated_at, last_visit)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		l.ID[:], l.InsuredTag.KeyID, l.InsuredTag.Sum[:], l.PatientTag.KeyID, tagBytes(l.PatientTag),
		l.Insured, l.Number, micros(l.Created), micros(l.Updated), micros(l.LastVisit)); err != nil {
		return fmt.Errorf("store: insert link: %w", err)
	}
	return nil
}

// tagBytes is a tag's column value: NULL for no tag.
func tagBytes(c revisit.Code) []byte {
	if c.KeyID == "" {
		return nil
	}
	return c.Sum[:]
}

const linkColumns = `l.id, l.insured_key, l.insured_tag, l.patient_key, l.patient_tag, l.insured, l.patient, l.created_at, l.updated_at, l.last_visit`

// Lookup finds the row whose current code is c.
func (db *DB) Lookup(ctx context.Context, c revisit.Code) (revisit.Link, error) {
	row := db.sql.QueryRowContext(ctx, db.dialect.bind(`SELECT `+linkColumns+`, c.replaced_at
		FROM converted_code c JOIN patient_link l ON l.id = c.link_id
		WHERE c.key_id = ? AND c.code = ?`), c.KeyID, c.Sum[:])
	var replaced sql.NullInt64
	l, err := scanLink(row, &replaced)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return revisit.Link{}, revisit.ErrNotLinked
	case err != nil:
		return revisit.Link{}, fmt.Errorf("store: lookup: %w", err)
	case replaced.Valid:
		return revisit.Link{}, revisit.ErrReplaced
	}
	l.Code = c
	return l, nil
}

// LookupInsured finds the one row with one of the insured tags; an
// imported row no card has reached yet comes with a zero Code.
func (db *DB) LookupInsured(ctx context.Context, tags []revisit.Code) (revisit.Link, error) {
	return db.lookupInsured(ctx, db.sql, tags)
}

// querier is a handle or a transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func (db *DB) lookupInsured(ctx context.Context, q querier, tags []revisit.Code) (revisit.Link, error) {
	for _, tag := range tags {
		rows, err := q.QueryContext(ctx, db.dialect.bind(`SELECT `+linkColumns+`, c.key_id, c.code
			FROM patient_link l LEFT JOIN converted_code c ON c.link_id = l.id AND c.replaced_at IS NULL
			WHERE l.insured_key = ? AND l.insured_tag = ?`), tag.KeyID, tag.Sum[:])
		if err != nil {
			return revisit.Link{}, fmt.Errorf("store: lookup by insured number: %w", err)
		}
		found, err := scanLinksWithCode(rows)
		if err != nil {
			return revisit.Link{}, err
		}
		switch len(found) {
		case 0:
			continue
		case 1:
			return found[0], nil
		default:
			return revisit.Link{}, revisit.ErrAmbiguous
		}
	}
	return revisit.Link{}, revisit.ErrNotLinked
}

// Relink makes next the current code of old's row; old stays as history.
func (db *DB) Relink(ctx context.Context, old, next, tag revisit.Code, at time.Time) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		id, err := db.currentLink(ctx, tx, old)
		if err != nil {
			return err
		}
		if err := db.codeFree(ctx, tx, next); err != nil {
			return err
		}
		// Still current: on PostgreSQL another kiosk may have retired the
		// code since it was read; this update then waits for it and matches
		// nothing.
		res, err := tx.ExecContext(ctx, db.dialect.bind(`UPDATE converted_code SET replaced_at = ?
			WHERE key_id = ? AND code = ? AND replaced_at IS NULL`), micros(at), old.KeyID, old.Sum[:])
		if err != nil {
			return fmt.Errorf("store: retire code: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return revisit.ErrReplaced
		}
		if err := db.insertCode(ctx, tx, next, id, at); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, db.dialect.bind(`UPDATE patient_link
			SET insured_key = ?, insured_tag = ?, updated_at = ? WHERE id = ?`),
			tag.KeyID, tag.Sum[:], micros(at), id[:])
		return err
	})
}

// Unlink erases the row whose current code is c, with all its codes.
func (db *DB) Unlink(ctx context.Context, c revisit.Code) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		id, err := db.currentLink(ctx, tx, c)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.dialect.bind(`DELETE FROM converted_code WHERE link_id = ?`), id[:]); err != nil {
			return fmt.Errorf("store: unlink codes: %w", err)
		}
		_, err = tx.ExecContext(ctx, db.dialect.bind(`DELETE FROM patient_link WHERE id = ?`), id[:])
		return err
	})
}

// RecordVisit sets the row's last visit.
func (db *DB) RecordVisit(ctx context.Context, id revisit.LinkID, at time.Time) error {
	res, err := db.sql.ExecContext(ctx, db.dialect.bind(`UPDATE patient_link SET last_visit = ? WHERE id = ?`), micros(at), id[:])
	if err != nil {
		return fmt.Errorf("store: record visit: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return revisit.ErrNotLinked
	}
	return nil
}

// NextTicket is one statement, atomic on both databases: the first number
// of a (day, department) inserts its row with 1, every later one adds 1
// under the row's lock and returns the result.
func (db *DB) NextTicket(ctx context.Context, day revisit.Day, department revisit.Department) (int, error) {
	if err := day.Validate(); err != nil {
		return 0, err
	}
	if err := department.Validate(); err != nil {
		return 0, err
	}
	var n int
	err := db.sql.QueryRowContext(ctx, db.dialect.bind(`INSERT INTO ticket_counter (day, department, last_number)
		VALUES (?, ?, 1)
		ON CONFLICT (day, department) DO UPDATE SET last_number = ticket_counter.last_number + 1
		RETURNING last_number`), string(day), string(department)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: next ticket: %w", err)
	}
	return n, nil
}

func (db *DB) inTx(ctx context.Context, f func(*sql.Tx) error) error {
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer tx.Rollback()
	if err := f(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// currentLink is the row whose current code is c.
func (db *DB) currentLink(ctx context.Context, tx *sql.Tx, c revisit.Code) (revisit.LinkID, error) {
	var raw []byte
	var replaced sql.NullInt64
	err := tx.QueryRowContext(ctx, db.dialect.bind(`SELECT link_id, replaced_at FROM converted_code
		WHERE key_id = ? AND code = ?`), c.KeyID, c.Sum[:]).Scan(&raw, &replaced)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return revisit.LinkID{}, revisit.ErrNotLinked
	case err != nil:
		return revisit.LinkID{}, fmt.Errorf("store: find code: %w", err)
	case replaced.Valid:
		return revisit.LinkID{}, revisit.ErrReplaced
	}
	return linkID(raw)
}

func (db *DB) codeFree(ctx context.Context, tx *sql.Tx, c revisit.Code) error {
	var one int
	err := tx.QueryRowContext(ctx, db.dialect.bind(`SELECT 1 FROM converted_code WHERE key_id = ? AND code = ?`),
		c.KeyID, c.Sum[:]).Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return fmt.Errorf("store: find code: %w", err)
	}
	return revisit.ErrAlreadyLinked
}

func (db *DB) insertCode(ctx context.Context, tx *sql.Tx, c revisit.Code, id revisit.LinkID, at time.Time) error {
	if c.KeyID == "" {
		return fmt.Errorf("store: code without key id")
	}
	_, err := tx.ExecContext(ctx, db.dialect.bind(`INSERT INTO converted_code (key_id, code, link_id, created_at)
		VALUES (?, ?, ?, ?)`), c.KeyID, c.Sum[:], id[:], micros(at))
	if err != nil {
		return fmt.Errorf("store: insert code: %w", err)
	}
	return nil
}

type scanner interface{ Scan(...any) error }

func scanLink(row scanner, extra ...any) (revisit.Link, error) {
	var l revisit.Link
	var id, tag, ptag []byte
	var created, updated, visit int64
	dest := append([]any{&id, &l.InsuredTag.KeyID, &tag, &l.PatientTag.KeyID, &ptag, &l.Insured, &l.Number,
		&created, &updated, &visit}, extra...)
	if err := row.Scan(dest...); err != nil {
		return revisit.Link{}, err
	}
	var err error
	if l.ID, err = linkID(id); err != nil {
		return revisit.Link{}, err
	}
	if err := sum(&l.InsuredTag, tag); err != nil {
		return revisit.Link{}, err
	}
	if l.PatientTag.KeyID != "" {
		if err := sum(&l.PatientTag, ptag); err != nil {
			return revisit.Link{}, err
		}
	}
	l.Created, l.Updated, l.LastVisit = fromMicros(created), fromMicros(updated), fromMicros(visit)
	return l, nil
}

func scanLinksWithCode(rows *sql.Rows) ([]revisit.Link, error) {
	defer rows.Close()
	var out []revisit.Link
	for rows.Next() {
		var code []byte
		var keyID sql.NullString
		l, err := scanLink(rows, &keyID, &code)
		if err != nil {
			return nil, fmt.Errorf("store: read link: %w", err)
		}
		if keyID.Valid { // else an imported row without a code yet
			l.Code.KeyID = keyID.String
			if err := sum(&l.Code, code); err != nil {
				return nil, err
			}
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

var errCorrupt = errors.New("store: a stored id or code has the wrong length")

func linkID(b []byte) (revisit.LinkID, error) {
	var id revisit.LinkID
	if len(b) != len(id) {
		return id, errCorrupt
	}
	copy(id[:], b)
	return id, nil
}

func sum(c *revisit.Code, b []byte) error {
	if len(b) != len(c.Sum) {
		return errCorrupt
	}
	copy(c.Sum[:], b)
	return nil
}

// Times are stored as Unix microseconds; 0 stands for "never".
func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

func fromMicros(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us)
}
