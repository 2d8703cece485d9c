package revisit

import (
	"context"
	"errors"
)

// Staff at the console cannot present the patient's card, so they unlink
// by the clinic's number or by the insured number: the rows are found by
// their keyed tags under every configured code key.

// UnlinkPatient erases the row with this 診察券番号, with its codes and
// history, once the number is de-registered (ErrReferenceKept: it could
// not be, and the row stays); ErrNotLinked when no row has it (and then
// nothing is de-registered: a number the table does not hold may be
// another patient's).
func (b *Book) UnlinkPatient(ctx context.Context, n PatientNumber) error {
	if n == "" {
		return &InvalidError{"patient number", "empty"}
	}
	if err := n.Validate(); err != nil {
		return err
	}
	tags := make([]Code, len(b.codes.keys))
	for i := range tags {
		tags[i] = b.patientTag(i, n)
	}
	if b.references != nil {
		if err := b.holdsPatient(ctx, tags); err != nil {
			return err
		}
		if err := b.deregister(ctx, n); err != nil {
			return err
		}
	}
	return b.store.UnlinkPatient(ctx, tags)
}

// holdsPatient is nil when a row has one of the patient tags. The store
// finds rows by patient tag only inside an import's transaction; this one
// reads and writes nothing.
func (b *Book) holdsPatient(ctx context.Context, tags []Code) error {
	err := b.store.Import(ctx, func(tx ImportTx) error {
		_, err := tx.LookupPatient(ctx, tags)
		return err
	})
	if errors.Is(err, ErrAmbiguous) {
		return nil
	}
	return err
}

// UnlinkInsured erases every row with this insured number (two kiosks
// linking at one moment can have made two), with their codes and history,
// once the row's patient number is de-registered (ErrReferenceKept: it
// could not be, and the rows stay); ErrNotLinked when no row has it. Of
// two rows, neither's number is known here, and none is de-registered.
func (b *Book) UnlinkInsured(ctx context.Context, n InsuredNumber) error {
	if err := n.Validate(); err != nil {
		return err
	}
	tags := make([]Code, len(b.codes.keys))
	for i := range tags {
		tags[i] = b.insuredTag(i, n)
	}
	if b.references != nil {
		l, err := b.store.LookupInsured(ctx, tags)
		switch {
		case err == nil:
			if err := b.deregisterRow(ctx, l); err != nil {
				return err
			}
		case !errors.Is(err, ErrAmbiguous):
			return err
		}
	}
	return b.store.UnlinkInsured(ctx, tags)
}
