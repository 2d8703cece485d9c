package revisit

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
)

// Importing a clinic's 診察券番号: each valid line becomes a row without a
// converted code, sealed like a linked row. The card's first visit (face
// or PIN, the eligibility check, consent) finds the row by its insured tag
// and attaches the card's code (Book.Link), as for a renewed card.

// ImportOptions change how Import treats refusals.
type ImportOptions struct {
	Encoding Encoding // EncodingAuto: UTF-8 when valid, else Shift_JIS
	// SkipRefused commits the valid lines when some are refused; without
	// it one refused line means nothing is written.
	SkipRefused bool
	// DryRun checks everything and counts, then writes nothing.
	DryRun bool
}

// ImportReport counts what an import did. It names lines and fields, never
// a value, so it may be printed and logged.
type ImportReport struct {
	Encoding  Encoding     `json:"encoding"`
	Lines     int          `json:"lines"` // data lines read, refused included
	Added     int          `json:"added"`
	Updated   int          `json:"updated"`   // an existing row got this patient number
	Unchanged int          `json:"unchanged"` // an existing row already had it
	Refused   []RowRefusal `json:"refused"`
	Committed bool         `json:"committed"` // false: nothing was written
}

// ErrImportRefused means lines were refused and, without SkipRefused,
// nothing was written; the report lists them.
var ErrImportRefused = errors.New("revisit: import refused lines; nothing was written")

// errRollback ends the transaction of a dry run or a refused import.
var errRollback = errors.New("revisit: import rolled back")

// Import reads an import file (the format is in importcsv.go and
// docs/revisit.md) and writes its rows in one transaction: all of them, or
// none when a line is refused.
func (b *Book) Import(ctx context.Context, r io.Reader) (ImportReport, error) {
	return b.ImportWith(ctx, r, ImportOptions{})
}

// ImportWith is Import with options.
func (b *Book) ImportWith(ctx context.Context, r io.Reader, o ImportOptions) (ImportReport, error) {
	parsed, err := ParseImport(r, o.Encoding, b.now())
	if err != nil {
		return ImportReport{Encoding: parsed.Encoding}, err
	}
	rep := ImportReport{Encoding: parsed.Encoding, Lines: len(parsed.Rows) + len(parsed.Refused), Refused: parsed.Refused}
	rows := b.dropDuplicates(parsed.Rows, &rep)
	err = b.store.Import(ctx, func(tx ImportTx) error {
		for _, row := range rows {
			if err := b.importRow(ctx, tx, row, &rep); err != nil {
				return err
			}
		}
		if o.DryRun || len(rep.Refused) > 0 && !o.SkipRefused {
			return errRollback
		}
		return nil
	})
	sortRefusals(rep.Refused)
	switch {
	case errors.Is(err, errRollback) && o.DryRun:
		return rep, nil
	case errors.Is(err, errRollback):
		return rep, ErrImportRefused
	case err != nil:
		return rep, err
	}
	rep.Committed = true
	return rep, nil
}

// dropDuplicates refuses a line whose insured or patient number an earlier
// line has: the file must say one thing about each.
func (b *Book) dropDuplicates(rows []ImportRow, rep *ImportReport) []ImportRow {
	byInsured := map[Code]int{}
	byNumber := map[Code]int{}
	out := rows[:0:0]
	for _, row := range rows {
		it, pt := b.insuredTag(0, row.Patient.Insured), b.patientTag(0, row.Patient.Number)
		if first, dup := byInsured[it]; dup {
			rep.Refused = append(rep.Refused, RowRefusal{Line: row.Line, Field: "insured number", Reason: "the same as line " + strconv.Itoa(first)})
			continue
		}
		if first, dup := byNumber[pt]; dup {
			rep.Refused = append(rep.Refused, RowRefusal{Line: row.Line, Field: "patient number", Reason: "the same as line " + strconv.Itoa(first)})
			continue
		}
		byInsured[it], byNumber[pt] = row.Line, row.Line
		out = append(out, row)
	}
	return out
}

// importRow adds the row, or gives an existing row of the insured number
// this patient number. A row's refusal goes into the report; an error
// returned ends the import.
func (b *Book) importRow(ctx context.Context, tx ImportTx, row ImportRow, rep *ImportReport) error {
	refuse := func(field, reason string) {
		rep.Refused = append(rep.Refused, RowRefusal{Line: row.Line, Field: field, Reason: reason})
	}
	insuredTags, patientTags := b.tagsOf(row.Patient)
	existing, err := tx.LookupInsured(ctx, insuredTags)
	switch {
	case errors.Is(err, ErrAmbiguous):
		refuse("insured number", "more than one row has it; unlink them first")
		return nil
	case err != nil && !errors.Is(err, ErrNotLinked):
		return err
	}
	found := err == nil
	owner, err := tx.LookupPatient(ctx, patientTags)
	switch {
	case err == nil && (!found || owner != existing.ID):
		refuse("patient number", "another insured number's row has it; unlink that row first or correct the file")
		return nil
	case err == nil:
		rep.Unchanged++
		return nil
	case errors.Is(err, ErrAmbiguous):
		refuse("patient number", "more than one row has it; unlink them first")
		return nil
	case !errors.Is(err, ErrNotLinked):
		return err
	}
	if found {
		number, err := b.sealer.Seal([]byte(row.Patient.Number), adFor(existing.ID, "patient-number"))
		if err != nil {
			return err
		}
		rep.Updated++
		return tx.SetPatient(ctx, existing.ID, number, patientTags[0], b.now())
	}
	if err := b.addImported(ctx, tx, row); err != nil {
		return err
	}
	rep.Added++
	return nil
}

// addImported seals a new row exactly as Link does, without a code.
func (b *Book) addImported(ctx context.Context, tx ImportTx, row ImportRow) error {
	var id LinkID
	if _, err := rand.Read(id[:]); err != nil {
		return err
	}
	insured, err := b.sealer.Seal(encodeInsuredRecord(row.Patient.Insured, row.Patient.Birthdate), adFor(id, "insured"))
	if err != nil {
		return err
	}
	number, err := b.sealer.Seal([]byte(row.Patient.Number), adFor(id, "patient-number"))
	if err != nil {
		return err
	}
	at := b.now()
	if err := tx.Add(ctx, Link{ID: id, InsuredTag: b.insuredTag(0, row.Patient.Insured),
		PatientTag: b.patientTag(0, row.Patient.Number), Insured: insured, Number: number,
		Created: at, Updated: at}); err != nil {
		return fmt.Errorf("revisit: import line %d: %w", row.Line, err)
	}
	return nil
}

// tagsOf is the patient's insured and patient tags under every key, the
// current first.
func (b *Book) tagsOf(p Patient) (insured, patient []Code) {
	for i := range b.codes.keys {
		insured = append(insured, b.insuredTag(i, p.Insured))
		patient = append(patient, b.patientTag(i, p.Number))
	}
	return insured, patient
}

func sortRefusals(r []RowRefusal) {
	sort.SliceStable(r, func(i, j int) bool { return r[i].Line < r[j].Line })
}
