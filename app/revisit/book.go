package revisit

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"time"

	"github.com/uketsuke/uketsuke/app/secret"
)

// Book is the correspondence table as the domain uses it: it makes the
// codes, seals and opens the personal fields, and keeps the rows on the
// current keys. The Store below it sees only codes and sealed bytes.
type Book struct {
	store      Store
	codes      *CodeKeys
	sealer     *Sealer
	now        func() time.Time
	references References // nil: unlinking de-registers nothing
}

// NewBook puts the keys over a store. now is the clock (time.Now in a kiosk).
func NewBook(store Store, codes *CodeKeys, sealer *Sealer, now func() time.Time) *Book {
	return &Book{store: store, codes: codes, sealer: sealer, now: now}
}

// Found is a linked card's row, opened.
type Found struct {
	ID        LinkID
	Patient   Patient
	LastVisit time.Time // zero when no visit was recorded yet
}

// Link records the card as the patient's after a first visit that passed
// face or PIN and the eligibility check, with consent. When the insured
// number is already in the table the patient has a renewed or reissued
// card: that row gets the new code and keeps the old one as history.
func (b *Book) Link(ctx context.Context, card CardID, p Patient) error {
	if err := p.Validate(); err != nil {
		return err
	}
	code, err := b.codes.Convert(card)
	if err != nil {
		return err
	}
	tag := b.insuredTag(0, p.Insured)
	old, err := b.lookupInsured(ctx, p.Insured)
	switch {
	case err == nil && old.Code == code:
		return ErrAlreadyLinked
	case err == nil && old.Code.KeyID == "":
		// An imported row: this card is its first.
		return b.store.Attach(ctx, old.ID, code, tag, b.now())
	case err == nil:
		return b.store.Relink(ctx, old.Code, code, tag, b.now())
	case !errors.Is(err, ErrNotLinked):
		return err
	}
	var id LinkID
	if _, err := rand.Read(id[:]); err != nil {
		return err
	}
	insured, err := b.sealer.Seal(encodeInsuredRecord(p.Insured, p.Birthdate), adFor(id, "insured"))
	if err != nil {
		return err
	}
	number, err := b.sealer.Seal([]byte(p.Number), adFor(id, "patient-number"))
	if err != nil {
		return err
	}
	at := b.now()
	// Linking happens at a visit, so that visit is the row's first.
	return b.store.Link(ctx, Link{ID: id, Code: code, InsuredTag: tag, PatientTag: b.patientTagOf(p.Number),
		Insured: insured, Number: number, Created: at, Updated: at, LastVisit: at})
}

// Convert makes the card's converted code under the current key (what a
// visit record carries).
func (b *Book) Convert(card CardID) (Code, error) { return b.codes.Convert(card) }

// Find looks the card up under every configured key, the current first. A
// card found under an older key is moved to the current key's code (the
// old code stays as history), so a rotated-out key can be dropped from the
// configuration once no row uses it.
func (b *Book) Find(ctx context.Context, card CardID) (Found, error) {
	codes, err := b.codes.All(card)
	if err != nil {
		return Found{}, err
	}
	l, under, err := b.lookupAny(ctx, codes)
	if err != nil {
		return Found{}, err
	}
	f, err := b.open(l)
	if err != nil {
		return Found{}, err
	}
	if under > 0 {
		err := b.store.Relink(ctx, codes[under], codes[0], b.insuredTag(0, f.Patient.Insured), b.now())
		// Another kiosk moving the same row first is as good.
		if err != nil && !errors.Is(err, ErrReplaced) && !errors.Is(err, ErrAlreadyLinked) {
			return Found{}, fmt.Errorf("revisit: moving a row to the current key: %w", err)
		}
	}
	return f, nil
}

// lookupAny finds the row of the first code the table knows, and the index
// of that code.
func (b *Book) lookupAny(ctx context.Context, codes []Code) (Link, int, error) {
	for i, c := range codes {
		l, err := b.store.Lookup(ctx, c)
		switch {
		case errors.Is(err, ErrNotLinked):
			continue
		case i > 0 && errors.Is(err, ErrReplaced):
			// Another kiosk may just have moved the row to the current
			// key, after this one looked there.
			if moved, again := b.store.Lookup(ctx, codes[0]); again == nil {
				return moved, 0, nil
			}
		}
		return l, i, err
	}
	return Link{}, 0, ErrNotLinked
}

// Unlink erases the card's row and its history (the patient asked, or
// staff did), once its patient number is de-registered (ErrReferenceKept:
// it could not be, and the row stays).
func (b *Book) Unlink(ctx context.Context, card CardID) error {
	codes, err := b.codes.All(card)
	if err != nil {
		return err
	}
	for _, c := range codes {
		l, err := b.store.Lookup(ctx, c)
		if errors.Is(err, ErrNotLinked) {
			continue
		}
		if err != nil {
			return err
		}
		if err := b.deregisterRow(ctx, l); err != nil {
			return err
		}
		return b.store.Unlink(ctx, c)
	}
	return ErrNotLinked
}

// RecordVisit notes a visit of the row, for the re-visit rules.
func (b *Book) RecordVisit(ctx context.Context, id LinkID) error {
	return b.store.RecordVisit(ctx, id, b.now())
}

// NextTicket issues today's next reception number of the department.
func (b *Book) NextTicket(ctx context.Context, department Department) (int, error) {
	if err := department.Validate(); err != nil {
		return 0, err
	}
	return b.store.NextTicket(ctx, DayOf(b.now()), department)
}

func (b *Book) lookupInsured(ctx context.Context, n InsuredNumber) (Link, error) {
	tags := make([]Code, len(b.codes.keys))
	for i := range tags {
		tags[i] = b.insuredTag(i, n)
	}
	return b.store.LookupInsured(ctx, tags)
}

func (b *Book) open(l Link) (Found, error) {
	plain, err := b.sealer.Open(l.Insured, adFor(l.ID, "insured"))
	if err != nil {
		return Found{}, err
	}
	insured, birthdate, err := decodeInsuredRecord(plain)
	secret.Wipe(plain)
	if err != nil {
		return Found{}, err
	}
	number, err := b.sealer.Open(l.Number, adFor(l.ID, "patient-number"))
	if err != nil {
		return Found{}, err
	}
	f := Found{ID: l.ID, Patient: Patient{Insured: insured, Number: PatientNumber(number), Birthdate: birthdate}, LastVisit: l.LastVisit}
	secret.Wipe(number)
	return f, nil
}

// insuredTag is a keyed hash of the insured number under code key i: it
// finds a row by insured number without storing the number in the clear.
func (b *Book) insuredTag(i int, n InsuredNumber) Code {
	mac := hmac.New(sha256.New, b.codes.keys[i].Bytes())
	mac.Write([]byte("uketsuke insured number\x00"))
	plain := n.encode()
	mac.Write(plain)
	secret.Wipe(plain)
	t := Code{KeyID: b.codes.ids[i]}
	mac.Sum(t.Sum[:0])
	return t
}

// patientTag is a keyed hash of the patient number under code key i: it
// finds a row by 診察券番号 (staff unlinking) without storing it in the clear.
func (b *Book) patientTag(i int, n PatientNumber) Code {
	mac := hmac.New(sha256.New, b.codes.keys[i].Bytes())
	mac.Write([]byte("uketsuke patient number\x00"))
	mac.Write([]byte(n))
	t := Code{KeyID: b.codes.ids[i]}
	mac.Sum(t.Sum[:0])
	return t
}

// patientTagOf is the tag under the current key, zero for no number.
func (b *Book) patientTagOf(n PatientNumber) Code {
	if n == "" {
		return Code{}
	}
	return b.patientTag(0, n)
}

// adFor binds a sealed value to its row and column.
func adFor(id LinkID, column string) []byte {
	return append([]byte("uketsuke revisit "+column+"\x00"), id[:]...)
}
