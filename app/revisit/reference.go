package revisit

import (
	"context"
	"errors"
	"fmt"

	"github.com/uketsuke/uketsuke/app/secret"
)

// A row's patient number (診察券番号) may be registered with the
// eligibility system as the facility's reference number (照会番号), so that
// its answers carry it. Unlinking a row, at the kiosk or from the console,
// de-registers its number there too. It does so before the row is erased:
// the row is the only place the number is kept (sealed), so while the
// eligibility system cannot forget it the row stays and the unlink fails
// with ErrReferenceKept, to be tried again. Nothing holding the number
// waits on disk outside the sealed table.

// References is the eligibility system's register of the facility's
// reference numbers (session.ReferenceRegistry over eligibility.Client).
type References interface {
	// Deregister makes the eligibility system forget n; ErrNotRegistered
	// when it has no such number for the facility (already forgotten).
	Deregister(ctx context.Context, n PatientNumber) error
}

var (
	// ErrNotRegistered is a References' answer: the number is not
	// registered, so there is nothing to forget.
	ErrNotRegistered = errors.New("revisit: the patient number is not registered with the eligibility system")
	// ErrReferenceKept means the eligibility system could not be made to
	// forget the row's patient number (unreachable, or it refused): nothing
	// was unlinked; try again later. The cause is wrapped.
	ErrReferenceKept = errors.New("revisit: the eligibility system still holds the patient number, so nothing was unlinked")
)

// UseReferences makes every unlink de-register the row's patient number
// with r first; without it (no eligibility system, as for the CSV import)
// unlinking touches the table only.
func (b *Book) UseReferences(r References) { b.references = r }

// deregisterRow de-registers l's patient number, if it has one.
func (b *Book) deregisterRow(ctx context.Context, l Link) error {
	if b.references == nil {
		return nil
	}
	number, err := b.sealer.Open(l.Number, adFor(l.ID, "patient-number"))
	if err != nil {
		return err
	}
	defer secret.Wipe(number)
	return b.deregister(ctx, PatientNumber(number))
}

// deregister asks the eligibility system to forget n; a number it does
// not hold is as good as forgotten.
func (b *Book) deregister(ctx context.Context, n PatientNumber) error {
	if b.references == nil || n == "" {
		return nil
	}
	if err := b.references.Deregister(ctx, n); err != nil && !errors.Is(err, ErrNotRegistered) {
		return fmt.Errorf("%w: %w", ErrReferenceKept, err)
	}
	return nil
}
