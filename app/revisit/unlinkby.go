package revisit

import "context"

// Staff at the console cannot present the patient's card, so they unlink
// by the clinic's number or by the insured number: the rows are found by
// their keyed tags under every configured code key.

// UnlinkPatient erases the row with this 診察券番号, with its codes and
// history; ErrNotLinked when no row has it.
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
	return b.store.UnlinkPatient(ctx, tags)
}

// UnlinkInsured erases every row with this insured number (two kiosks
// linking at one moment can have made two), with their codes and history;
// ErrNotLinked when no row has it.
func (b *Book) UnlinkInsured(ctx context.Context, n InsuredNumber) error {
	if err := n.Validate(); err != nil {
		return err
	}
	tags := make([]Code, len(b.codes.keys))
	for i := range tags {
		tags[i] = b.insuredTag(i, n)
	}
	return b.store.UnlinkInsured(ctx, tags)
}
