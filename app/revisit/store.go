package revisit

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// LinkID names one row of the correspondence table. It is random, never
// reused, and is the associated data of the row's sealed fields, so a
// sealed value copied to another row does not open there.
type LinkID [16]byte

// Link is one row of the correspondence table as the store keeps it: the
// personal fields only sealed.
type Link struct {
	ID         LinkID
	Code       Code   // the card's current converted code; zero (no KeyID) for an imported row no card has reached yet
	InsuredTag Code   // a keyed hash of the insured number, to find a renewed card's row
	PatientTag Code   // a keyed hash of the patient number, to unlink by it; zero when there is none
	Insured    []byte // sealed InsuredNumber
	Number     []byte // sealed PatientNumber
	Created    time.Time
	Updated    time.Time
	LastVisit  time.Time // zero until a visit is recorded
}

// Errors a Store returns.
var (
	ErrNotLinked     = errors.New("revisit: card not linked")
	ErrReplaced      = errors.New("revisit: converted code was replaced by a newer card's (history only)")
	ErrAlreadyLinked = errors.New("revisit: converted code already linked")
	ErrAmbiguous     = errors.New("revisit: more than one row has this insured number")
)

// Store is the correspondence table and the ticket counter. store/ fills it
// with SQLite or PostgreSQL; several kiosks may share one.
type Store interface {
	// Link adds a row with its first code; ErrAlreadyLinked when the code
	// is in the table (current or history).
	Link(ctx context.Context, l Link) error
	// Lookup finds the row whose current code is c; ErrReplaced when c is
	// only history, ErrNotLinked when it is unknown.
	Lookup(ctx context.Context, c Code) (Link, error)
	// LookupInsured finds the row with one of the given insured tags (one
	// per configured key); ErrNotLinked or ErrAmbiguous.
	LookupInsured(ctx context.Context, tags []Code) (Link, error)
	// Relink makes next the current code of old's row, keeps old as
	// history, and stores the row's insured tag under next's key.
	Relink(ctx context.Context, old, next, tag Code, at time.Time) error
	// Unlink erases the row of c (current code) with its history.
	Unlink(ctx context.Context, c Code) error
	// Attach gives an imported row (no code yet) its first code and stores
	// its insured tag under code's key; ErrAlreadyLinked when the code is
	// in the table or the row got a code meanwhile.
	Attach(ctx context.Context, id LinkID, code, tag Code, at time.Time) error
	// UnlinkPatient and UnlinkInsured erase every row with one of the given
	// patient (or insured) tags, with all their codes; ErrNotLinked when
	// none has one.
	UnlinkPatient(ctx context.Context, tags []Code) error
	UnlinkInsured(ctx context.Context, tags []Code) error
	// Import runs f in one transaction: committed when f returns nil,
	// rolled back otherwise.
	Import(ctx context.Context, f func(ImportTx) error) error
	// RecordVisit sets the row's last visit.
	RecordVisit(ctx context.Context, id LinkID, at time.Time) error
	// NextTicket issues the next reception number of day and department,
	// from 1, atomically across every handle on the database.
	NextTicket(ctx context.Context, day Day, department Department) (int, error)
	Close() error
}

// ImportTx is the store inside an import's transaction.
type ImportTx interface {
	// LookupInsured is Store.LookupInsured, imported rows included.
	LookupInsured(ctx context.Context, tags []Code) (Link, error)
	// LookupPatient finds the row with one of the patient tags;
	// ErrNotLinked or ErrAmbiguous.
	LookupPatient(ctx context.Context, tags []Code) (LinkID, error)
	// Add inserts a row without a code (l.Code is not used).
	Add(ctx context.Context, l Link) error
	// SetPatient replaces a row's sealed patient number and its tag.
	SetPatient(ctx context.Context, id LinkID, number []byte, tag Code, at time.Time) error
}

// Day is a calendar day in the clinic's time zone, YYYY-MM-DD.
type Day string

// DayOf is t's day in t's location.
func DayOf(t time.Time) Day { return Day(t.Format(time.DateOnly)) }

// Validate checks the form.
func (d Day) Validate() error {
	if _, err := time.Parse(time.DateOnly, string(d)); err != nil {
		return &InvalidError{"day", "want YYYY-MM-DD"}
	}
	return nil
}

// Department is a 診療科 code from the configuration, or empty where one
// counter serves the whole clinic.
type Department string

// Validate allows up to 32 ASCII letters, digits, '-' and '_'.
func (d Department) Validate() error {
	if len(d) > 32 {
		return &InvalidError{"department", "longer than 32 characters"}
	}
	for _, r := range string(d) {
		if !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r == '-' || r == '_') {
			return &InvalidError{"department", fmt.Sprintf("character %q not allowed", r)}
		}
	}
	return nil
}
