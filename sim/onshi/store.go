package onshi

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver
)

const schema = `
CREATE TABLE IF NOT EXISTS insurer (
	number TEXT PRIMARY KEY,
	name   TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS person (
	id      INTEGER PRIMARY KEY,
	name    TEXT NOT NULL,
	kana    TEXT NOT NULL,
	sex     TEXT NOT NULL,
	birth   TEXT NOT NULL,
	address TEXT NOT NULL,
	post    TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS qualification (
	id           INTEGER PRIMARY KEY,
	person_id    INTEGER NOT NULL REFERENCES person(id),
	insurer      TEXT NOT NULL REFERENCES insurer(number),
	symbol       TEXT NOT NULL,
	number       TEXT NOT NULL,
	branch       TEXT NOT NULL,
	card_class   TEXT NOT NULL,
	family_class TEXT NOT NULL,
	qual_date    TEXT NOT NULL,
	disq_date    TEXT NOT NULL DEFAULT '',
	ratio        TEXT NOT NULL DEFAULT '',
	elderly      TEXT NOT NULL DEFAULT '',
	limit_class  TEXT NOT NULL DEFAULT '',
	diseases     TEXT NOT NULL DEFAULT '',
	linkable     INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS qualification_number ON qualification(insurer, number, symbol, branch);
CREATE INDEX IF NOT EXISTS qualification_person ON qualification(person_id);
CREATE TABLE IF NOT EXISTS card_link (
	card_key  BLOB PRIMARY KEY,
	person_id INTEGER NOT NULL REFERENCES person(id),
	linked_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS consent (
	id          INTEGER PRIMARY KEY,
	person_id   INTEGER NOT NULL REFERENCES person(id),
	institution TEXT NOT NULL,
	checkups    TEXT NOT NULL,
	pharmacist  TEXT NOT NULL,
	treatment   TEXT NOT NULL,
	operation   TEXT NOT NULL,
	recorded_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS consent_person ON consent(person_id, institution, id);
CREATE TABLE IF NOT EXISTS idempotency (
	kiosk        TEXT NOT NULL,
	key          TEXT NOT NULL,
	request_hash BLOB NOT NULL,
	status       INTEGER NOT NULL,
	response     BLOB NOT NULL,
	created_at   TEXT NOT NULL,
	PRIMARY KEY (kiosk, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS reference_number (
	institution   TEXT NOT NULL,
	insurer       TEXT NOT NULL,
	symbol        TEXT NOT NULL,
	number        TEXT NOT NULL,
	branch        TEXT NOT NULL,
	person_id     INTEGER NOT NULL REFERENCES person(id),
	reference     TEXT NOT NULL,
	registered_at TEXT NOT NULL,
	PRIMARY KEY (institution, insurer, symbol, number, branch)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS reference_number_reference ON reference_number(institution, reference);
CREATE TABLE IF NOT EXISTS revoked (
	issuer_key BLOB NOT NULL,
	serial     TEXT NOT NULL,
	revoked_at TEXT NOT NULL,
	PRIMARY KEY (issuer_key, serial)
) WITHOUT ROWID;
`

// Store is the service's SQLite database: a pool of readers and one writer,
// since SQLite serialises writers anyway and WAL lets readers run beside it.
type Store struct {
	rd, wr *sql.DB
	q      map[string]*sql.Stmt // on the readers
	w      map[string]*sql.Stmt // on the writer, used through tx.StmtContext
}

const qualColumns = `p.id, p.name, p.kana, p.sex, p.birth, p.address, p.post,
	q.insurer, i.name, q.symbol, q.number, q.branch, q.card_class, q.family_class,
	q.qual_date, q.disq_date, q.ratio, q.elderly, q.limit_class, q.diseases, q.linkable`

var readQueries = map[string]string{
	"byPerson": `SELECT ` + qualColumns + ` FROM qualification q
		JOIN person p ON p.id = q.person_id JOIN insurer i ON i.number = q.insurer
		WHERE q.person_id = ? ORDER BY q.qual_date DESC, q.id DESC`,
	"byNumber": `SELECT ` + qualColumns + ` FROM qualification q
		JOIN person p ON p.id = q.person_id JOIN insurer i ON i.number = q.insurer
		WHERE q.insurer = ? AND q.number = ? AND q.symbol = ? AND q.branch = ? AND p.birth = ?
		ORDER BY q.id`,
	"cardPerson": `SELECT person_id FROM card_link WHERE card_key = ?`,
	"consent": `SELECT checkups, pharmacist, treatment, operation, recorded_at FROM consent
		WHERE person_id = ? AND institution = ? ORDER BY id DESC LIMIT 1`,
	"revoked": `SELECT 1 FROM revoked WHERE issuer_key = ? AND serial = ?`,
	"insuredPersons": `SELECT DISTINCT person_id FROM qualification
		WHERE insurer = ? AND number = ? AND symbol = ? AND branch = ? LIMIT 2`,
	"reference": `SELECT reference FROM reference_number
		WHERE institution = ? AND insurer = ? AND symbol = ? AND number = ? AND branch = ?`,
}

var writeQueries = map[string]string{
	"idemGet": `SELECT request_hash, status, response FROM idempotency WHERE kiosk = ? AND key = ?`,
	"idemPut": `INSERT INTO idempotency(kiosk, key, request_hash, status, response, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`,
	"consentPut": `INSERT INTO consent(person_id, institution, checkups, pharmacist, treatment, operation, recorded_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`,
	"linkGet": `SELECT person_id FROM card_link WHERE card_key = ?`,
	"linkPut": `INSERT INTO card_link(card_key, person_id, linked_at) VALUES (?, ?, ?)`,
	"referenceTaken": `SELECT 1 FROM reference_number
		WHERE institution = ? AND reference = ? AND person_id <> ? LIMIT 1`,
	"referencePut": `INSERT INTO reference_number(institution, insurer, symbol, number, branch, person_id, reference, registered_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(institution, insurer, symbol, number, branch) DO UPDATE SET
		person_id = excluded.person_id, reference = excluded.reference, registered_at = excluded.registered_at`,
	"referenceDelete": `DELETE FROM reference_number WHERE institution = ? AND reference = ?`,
}

// OpenStore opens (creating if needed) the database at path.
func OpenStore(path string) (*Store, error) {
	rd, err := openPool(path, max(2, runtime.GOMAXPROCS(0)*2))
	if err != nil {
		return nil, err
	}
	wr, err := openPool(path, 1)
	if err != nil {
		rd.Close()
		return nil, err
	}
	s := &Store{rd: rd, wr: wr, q: map[string]*sql.Stmt{}, w: map[string]*sql.Stmt{}}
	if _, err := wr.Exec(schema); err != nil {
		s.Close()
		return nil, fmt.Errorf("onshi: create schema: %w", err)
	}
	for name, text := range readQueries {
		st, err := rd.Prepare(text)
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("onshi: prepare %s: %w", name, err)
		}
		s.q[name] = st
	}
	for name, text := range writeQueries {
		st, err := wr.Prepare(text)
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("onshi: prepare %s: %w", name, err)
		}
		s.w[name] = st
	}
	return s, nil
}

func openPool(path string, conns int) (*sql.DB, error) {
	pragmas := []string{"journal_mode(WAL)", "busy_timeout(10000)", "synchronous(NORMAL)", "foreign_keys(1)"}
	v := url.Values{"_txlock": {"immediate"}}
	for _, p := range pragmas {
		v.Add("_pragma", p)
	}
	db, err := sql.Open("sqlite", "file:"+strings.ReplaceAll(path, "?", "%3F")+"?"+v.Encode())
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("onshi: open %s: %w", path, err)
	}
	return db, nil
}

// Close releases both pools.
func (s *Store) Close() error {
	for _, st := range s.q {
		st.Close()
	}
	for _, st := range s.w {
		st.Close()
	}
	return errors.Join(s.rd.Close(), s.wr.Close())
}

// record is one qualification joined with its holder and insurer.
type record struct {
	PersonID                                     int64
	Name, Kana, Sex, Birth, Address, Post        string
	Insurer, InsurerName, Symbol, Number, Branch string
	CardClass, FamilyClass, QualDate, DisqDate   string
	Ratio, Elderly, LimitClass, Diseases         string
	Linkable                                     bool
}

// activeOn reports whether the record is in force on day (YYYYMMDD).
func (r record) activeOn(day string) bool {
	return r.QualDate <= day && (r.DisqDate == "" || r.DisqDate > day)
}

func scanRecords(rows *sql.Rows) ([]record, error) {
	defer rows.Close()
	var out []record
	for rows.Next() {
		var r record
		if err := rows.Scan(&r.PersonID, &r.Name, &r.Kana, &r.Sex, &r.Birth, &r.Address, &r.Post,
			&r.Insurer, &r.InsurerName, &r.Symbol, &r.Number, &r.Branch, &r.CardClass, &r.FamilyClass,
			&r.QualDate, &r.DisqDate, &r.Ratio, &r.Elderly, &r.LimitClass, &r.Diseases, &r.Linkable); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func (s *Store) recordsOfPerson(ctx context.Context, id int64) ([]record, error) {
	rows, err := s.q["byPerson"].QueryContext(ctx, id)
	if err != nil {
		return nil, err
	}
	return scanRecords(rows)
}

func (s *Store) recordsByNumber(ctx context.Context, insurer, number, symbol, branch, birth string) ([]record, error) {
	rows, err := s.q["byNumber"].QueryContext(ctx, insurer, number, symbol, branch, birth)
	if err != nil {
		return nil, err
	}
	return scanRecords(rows)
}

// personOfCard returns the holder linked to a card key, or 0 when unlinked.
func (s *Store) personOfCard(ctx context.Context, cardKey []byte) (int64, error) {
	var id int64
	err := s.q["cardPerson"].QueryRowContext(ctx, cardKey).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

// personsOfInsured returns the holders of the records an insured number
// names (at most two: one is the answer, two means it is ambiguous).
func (s *Store) personsOfInsured(ctx context.Context, insurer, symbol, number, branch string) ([]int64, error) {
	rows, err := s.q["insuredPersons"].QueryContext(ctx, insurer, number, symbol, branch)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// referenceOf is the reference number institution registered for the
// record's insured number, or "".
func (s *Store) referenceOf(ctx context.Context, institution string, r record) (string, error) {
	var ref string
	err := s.q["reference"].QueryRowContext(ctx, institution, r.Insurer, r.Symbol, r.Number, r.Branch).Scan(&ref)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return ref, err
}

type consentRow struct {
	Checkups, Pharmacist, Treatment, Operation, RecordedAt string
}

func (s *Store) latestConsent(ctx context.Context, person int64, institution string) (*consentRow, error) {
	var c consentRow
	err := s.q["consent"].QueryRowContext(ctx, person, institution).
		Scan(&c.Checkups, &c.Pharmacist, &c.Treatment, &c.Operation, &c.RecordedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return &c, err
}

func (s *Store) isRevoked(ctx context.Context, issuerKey []byte, serial string) (bool, error) {
	var one int
	err := s.q["revoked"].QueryRowContext(ctx, issuerKey, serial).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// Revoke adds a certificate (by its issuer's key hash and serial) to the
// revocation list the service keeps.
func (s *Store) Revoke(ctx context.Context, issuerKey []byte, serial string, at string) error {
	_, err := s.wr.ExecContext(ctx,
		`INSERT OR IGNORE INTO revoked(issuer_key, serial, revoked_at) VALUES (?, ?, ?)`, issuerKey, serial, at)
	return err
}

func (s *Store) revokeAll(ctx context.Context, issuerKey []byte, serials []string, at string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for _, serial := range serials {
			if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO revoked(issuer_key, serial, revoked_at)
				VALUES (?, ?, ?)`, issuerKey, serial, at); err != nil {
				return err
			}
		}
		return nil
	})
}

// PruneIdempotency forgets stored answers created before cutoff: a kiosk
// retries for seconds, not days.
func (s *Store) PruneIdempotency(ctx context.Context, cutoff time.Time) (int64, error) {
	res, err := s.wr.ExecContext(ctx, `DELETE FROM idempotency WHERE created_at < ?`, rfc3339(cutoff))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// CountConsents is the number of consent rows recorded for a holder; for tests
// and operators checking that retries recorded nothing twice.
func (s *Store) CountConsents(ctx context.Context, person int64) (int, error) {
	var n int
	err := s.rd.QueryRowContext(ctx, `SELECT count(*) FROM consent WHERE person_id = ?`, person).Scan(&n)
	return n, err
}

// CountRows is the row count of one of the service's tables.
func (s *Store) CountRows(ctx context.Context, table string) (int, error) {
	switch table {
	case "person", "qualification", "card_link", "consent", "idempotency", "revoked", "insurer", "reference_number":
	default:
		return 0, fmt.Errorf("onshi: no table %q", table)
	}
	var n int
	err := s.rd.QueryRowContext(ctx, `SELECT count(*) FROM `+table).Scan(&n)
	return n, err
}
