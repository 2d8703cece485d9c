package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uketsuke/uketsuke/app/revisit"
)

// Import runs f in one transaction (revisit.Book.Import): committed when f
// returns nil, rolled back otherwise.
func (db *DB) Import(ctx context.Context, f func(revisit.ImportTx) error) error {
	return db.inTx(ctx, func(tx *sql.Tx) error { return f(importTx{db: db, tx: tx}) })
}

// importTx is the store inside an import's transaction.
type importTx struct {
	db *DB
	tx *sql.Tx
}

func (t importTx) LookupInsured(ctx context.Context, tags []revisit.Code) (revisit.Link, error) {
	return t.db.lookupInsured(ctx, t.tx, tags)
}

func (t importTx) LookupPatient(ctx context.Context, tags []revisit.Code) (revisit.LinkID, error) {
	ids, err := t.db.idsByTag(ctx, t.tx, "patient", tags)
	switch {
	case err != nil:
		return revisit.LinkID{}, err
	case len(ids) == 0:
		return revisit.LinkID{}, revisit.ErrNotLinked
	case len(ids) > 1:
		return revisit.LinkID{}, revisit.ErrAmbiguous
	}
	return ids[0], nil
}

func (t importTx) Add(ctx context.Context, l revisit.Link) error {
	return t.db.insertLink(ctx, t.tx, l)
}

func (t importTx) SetPatient(ctx context.Context, id revisit.LinkID, number []byte, tag revisit.Code, at time.Time) error {
	res, err := t.tx.ExecContext(ctx, t.db.dialect.bind(`UPDATE patient_link
		SET patient = ?, patient_key = ?, patient_tag = ?, updated_at = ? WHERE id = ?`),
		number, tag.KeyID, tagBytes(tag), micros(at), id[:])
	if err != nil {
		return fmt.Errorf("store: set patient number: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return revisit.ErrNotLinked
	}
	return nil
}

// Attach gives an imported row its first code.
func (db *DB) Attach(ctx context.Context, id revisit.LinkID, code, tag revisit.Code, at time.Time) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if err := db.codeFree(ctx, tx, code); err != nil {
			return err
		}
		var one int
		err := tx.QueryRowContext(ctx, db.dialect.bind(`SELECT 1 FROM converted_code
			WHERE link_id = ? AND replaced_at IS NULL`), id[:]).Scan(&one)
		switch {
		case err == nil:
			return revisit.ErrAlreadyLinked // another kiosk's card came first
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("store: find the row's code: %w", err)
		}
		res, err := tx.ExecContext(ctx, db.dialect.bind(`UPDATE patient_link
			SET insured_key = ?, insured_tag = ?, updated_at = ?, last_visit = ? WHERE id = ?`),
			tag.KeyID, tag.Sum[:], micros(at), micros(at), id[:])
		if err != nil {
			return fmt.Errorf("store: attach: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return revisit.ErrNotLinked // unlinked meanwhile
		}
		// The unique index on current codes stops a second kiosk racing here.
		return db.insertCode(ctx, tx, code, id, at)
	})
}

// UnlinkPatient erases the rows with one of the patient tags.
func (db *DB) UnlinkPatient(ctx context.Context, tags []revisit.Code) error {
	return db.unlinkTagged(ctx, "patient", tags)
}

// UnlinkInsured erases the rows with one of the insured tags.
func (db *DB) UnlinkInsured(ctx context.Context, tags []revisit.Code) error {
	return db.unlinkTagged(ctx, "insured", tags)
}

func (db *DB) unlinkTagged(ctx context.Context, kind string, tags []revisit.Code) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		ids, err := db.idsByTag(ctx, tx, kind, tags)
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			return revisit.ErrNotLinked
		}
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, db.dialect.bind(`DELETE FROM converted_code WHERE link_id = ?`), id[:]); err != nil {
				return fmt.Errorf("store: unlink codes: %w", err)
			}
			if _, err := tx.ExecContext(ctx, db.dialect.bind(`DELETE FROM patient_link WHERE id = ?`), id[:]); err != nil {
				return fmt.Errorf("store: unlink: %w", err)
			}
		}
		return nil
	})
}

// idsByTag lists the rows with one of the tags; kind is "insured" or
// "patient", the columns' prefix (never input).
func (db *DB) idsByTag(ctx context.Context, q querier, kind string, tags []revisit.Code) ([]revisit.LinkID, error) {
	if kind != "insured" && kind != "patient" {
		return nil, fmt.Errorf("store: no %s tag", kind)
	}
	seen := map[revisit.LinkID]bool{}
	var out []revisit.LinkID
	for _, tag := range tags {
		rows, err := q.QueryContext(ctx, db.dialect.bind(`SELECT id FROM patient_link
			WHERE `+kind+`_key = ? AND `+kind+`_tag = ?`), tag.KeyID, tag.Sum[:])
		if err != nil {
			return nil, fmt.Errorf("store: find by %s tag: %w", kind, err)
		}
		for rows.Next() {
			var raw []byte
			if err := rows.Scan(&raw); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: find by %s tag: %w", kind, err)
			}
			id, err := linkID(raw)
			if err != nil {
				rows.Close()
				return nil, err
			}
			if !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("store: find by %s tag: %w", kind, err)
		}
	}
	return out, nil
}
