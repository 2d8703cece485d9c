package store

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/japanese"

	"github.com/uketsuke/uketsuke/app/revisit"
)

// clinicExport is a clinic's export: taro and hanako of links_test.go, and
// a third patient, under Japanese headers in another order.
const clinicExport = "生年月日,診察券番号,保険者番号,記号,番号,枝番\r\n" +
	"19800101,A-000042,06139999,愛知,7654321,01\r\n" +
	"19750315,A-000077,138222,,5550001,02\r\n" +
	"20010102,B-000003,01130012,東京,99,\r\n"

func importFile(t *testing.T, b *revisit.Book, file string, o revisit.ImportOptions) (revisit.ImportReport, error) {
	t.Helper()
	return b.ImportWith(context.Background(), strings.NewReader(file), o)
}

func countRows(t *testing.T, db *DB, table string) int {
	t.Helper()
	var n int
	if err := db.sql.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestImportedRowsGetTheirCardAtTheFirstVisit: imported rows have no code
// and nothing in the clear; a card's first visit finds its row by insured
// number and attaches the code; the same card then finds the imported
// patient number.
func TestImportedRowsGetTheirCardAtTheFirstVisit(t *testing.T) {
	eachDatabase(t, func(t *testing.T, d testDatabase) {
		ctx := context.Background()
		db := d.open(t)
		b := book(t, db, "code-1")
		rep, err := b.Import(ctx, strings.NewReader(clinicExport))
		if err != nil || !rep.Committed || rep.Added != 3 || rep.Lines != 3 || len(rep.Refused) != 0 || rep.Encoding != revisit.EncodingUTF8 {
			t.Fatalf("import: %+v, %v", rep, err)
		}
		if countRows(t, db, "patient_link") != 3 || countRows(t, db, "converted_code") != 0 {
			t.Fatal("want three rows without codes")
		}
		all := dumpTables(t, db)
		for _, plain := range []string{"7654321", "06139999", "愛知", "A-000042", "B-000003", "01130012", "19800101", "20010102"} {
			if bytes.Contains(all, []byte(plain)) {
				t.Errorf("the database holds %q in the clear", plain)
			}
		}
		// The first visit: the kiosk knows the insured number, not the 診察券番号.
		first := revisit.Patient{Insured: taro.Insured}
		if err := b.Link(ctx, cardOf(t, "1001"), first); err != nil {
			t.Fatal(err)
		}
		if countRows(t, db, "patient_link") != 3 || countRows(t, db, "converted_code") != 1 {
			t.Fatal("the link made a new row instead of using the imported one")
		}
		f, err := book(t, d.open(t), "code-1").Find(ctx, cardOf(t, "1001"))
		if err != nil || f.Patient != taro || f.LastVisit.IsZero() {
			t.Fatalf("Find = %+v, %v", f, err)
		}
		// A second card of the same insured number renews, as before.
		if err := b.Link(ctx, cardOf(t, "1002"), first); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Find(ctx, cardOf(t, "1001")); !errors.Is(err, revisit.ErrReplaced) {
			t.Fatalf("the first card after renewal: %v", err)
		}
	})
}

// TestReimportUpdatesNotDuplicates: the same file again changes nothing; a
// new 診察券番号 for a known insured number updates its row (linked or not).
func TestReimportUpdatesNotDuplicates(t *testing.T) {
	eachDatabase(t, func(t *testing.T, d testDatabase) {
		ctx := context.Background()
		db := d.open(t)
		b := book(t, db, "code-1")
		if err := b.Link(ctx, cardOf(t, "2002"), revisit.Patient{Insured: hanako.Insured}); err != nil {
			t.Fatal(err)
		}
		rep, err := importFile(t, b, clinicExport, revisit.ImportOptions{})
		if err != nil || rep.Added != 2 || rep.Updated != 1 {
			t.Fatalf("first import: %+v, %v", rep, err)
		}
		rep, err = importFile(t, b, clinicExport, revisit.ImportOptions{})
		if err != nil || rep.Added != 0 || rep.Updated != 0 || rep.Unchanged != 3 {
			t.Fatalf("the same file again: %+v, %v", rep, err)
		}
		renumbered := strings.Replace(clinicExport, "A-000077", "C-000077", 1)
		rep, err = importFile(t, b, renumbered, revisit.ImportOptions{})
		if err != nil || rep.Updated != 1 || rep.Unchanged != 2 || countRows(t, db, "patient_link") != 3 {
			t.Fatalf("a new number: %+v, %v", rep, err)
		}
		f, err := b.Find(ctx, cardOf(t, "2002"))
		if err != nil || f.Patient.Number != "C-000077" {
			t.Fatalf("the linked card's row: %+v, %v", f.Patient, err)
		}
		// The old number no longer finds the row; the new one does.
		if err := b.UnlinkPatient(ctx, "A-000077"); !errors.Is(err, revisit.ErrNotLinked) {
			t.Fatalf("unlink by the old number: %v", err)
		}
		if err := b.UnlinkPatient(ctx, "C-000077"); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Find(ctx, cardOf(t, "2002")); !errors.Is(err, revisit.ErrNotLinked) {
			t.Fatalf("after unlink: %v", err)
		}
	})
}

// TestARefusedLineWritesNothing: one bad line and nothing is written, the
// report names the line and field but no value; SkipRefused writes the
// rest; DryRun writes nothing and counts.
func TestARefusedLineWritesNothing(t *testing.T) {
	eachDatabase(t, func(t *testing.T, d testDatabase) {
		db := d.open(t)
		b := book(t, db, "code-1")
		bad := clinicExport +
			"19990230,D-000004,06139999,愛知,1111111,01\r\n" + // 30 February
			"19800401,E-000005,06139999,愛知,7654321,01\r\n" + // taro's insured number again
			"19800401,A-000042,138222,,4444444,01\r\n" // taro's patient number again
		rep, err := importFile(t, b, bad, revisit.ImportOptions{})
		if !errors.Is(err, revisit.ErrImportRefused) || rep.Committed || countRows(t, db, "patient_link") != 0 {
			t.Fatalf("import with bad lines: %+v, %v", rep, err)
		}
		want := []revisit.RowRefusal{{Line: 5, Field: "birth date"}, {Line: 6, Field: "insured number"}, {Line: 7, Field: "patient number"}}
		if len(rep.Refused) != len(want) {
			t.Fatalf("refused %+v", rep.Refused)
		}
		for i, w := range want {
			if rep.Refused[i].Line != w.Line || rep.Refused[i].Field != w.Field {
				t.Errorf("refusal %d = %+v, want line %d field %s", i, rep.Refused[i], w.Line, w.Field)
			}
		}
		printed := fmtReport(rep) + err.Error()
		for _, value := range []string{"1111111", "D-000004", "E-000005", "7654321", "19990230", "4444444", "愛知"} {
			if strings.Contains(printed, value) {
				t.Errorf("the report repeats %q: %s", value, printed)
			}
		}
		rep, err = importFile(t, b, bad, revisit.ImportOptions{DryRun: true})
		if err != nil || rep.Committed || rep.Added != 3 || countRows(t, db, "patient_link") != 0 {
			t.Fatalf("dry run: %+v, %v", rep, err)
		}
		rep, err = importFile(t, b, bad, revisit.ImportOptions{SkipRefused: true})
		if err != nil || !rep.Committed || rep.Added != 3 || len(rep.Refused) != 3 || countRows(t, db, "patient_link") != 3 {
			t.Fatalf("skip refused: %+v, %v", rep, err)
		}
		// A number another insured number's row has is refused against the table too.
		rep, err = importFile(t, b, "patient_number,insurer_number,symbol,number,branch,birth_date\n"+
			"A-000042,138222,,4444444,01,19800401\n", revisit.ImportOptions{})
		if !errors.Is(err, revisit.ErrImportRefused) || len(rep.Refused) != 1 || rep.Refused[0].Field != "patient number" {
			t.Fatalf("a number of another row: %+v, %v", rep, err)
		}
	})
}

func fmtReport(r revisit.ImportReport) string {
	var sb strings.Builder
	for _, x := range r.Refused {
		sb.WriteString(x.Field + ": " + x.Reason + "\n")
	}
	return sb.String()
}

func TestImportReadsShiftJIS(t *testing.T) {
	eachDatabase(t, func(t *testing.T, d testDatabase) {
		ctx := context.Background()
		b := book(t, d.open(t), "code-1")
		sjis, err := japanese.ShiftJIS.NewEncoder().String(clinicExport)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := b.Import(ctx, strings.NewReader(sjis))
		if err != nil || rep.Encoding != revisit.EncodingShiftJIS || rep.Added != 3 {
			t.Fatalf("Shift_JIS import: %+v, %v", rep, err)
		}
		// The kanji symbol was decoded: taro's card finds the row by it.
		if err := b.Link(ctx, cardOf(t, "1001"), revisit.Patient{Insured: taro.Insured}); err != nil {
			t.Fatal(err)
		}
		if f, err := b.Find(ctx, cardOf(t, "1001")); err != nil || f.Patient != taro {
			t.Fatalf("Find = %+v, %v", f.Patient, err)
		}
	})
}

func TestUnlinkByInsuredNumber(t *testing.T) {
	eachDatabase(t, func(t *testing.T, d testDatabase) {
		ctx := context.Background()
		db := d.open(t)
		b := book(t, db, "code-1")
		if err := b.Link(ctx, cardOf(t, "1001"), taro); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Import(ctx, strings.NewReader(clinicExport)); err != nil {
			t.Fatal(err)
		}
		if err := b.UnlinkInsured(ctx, taro.Insured); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Find(ctx, cardOf(t, "1001")); !errors.Is(err, revisit.ErrNotLinked) {
			t.Fatalf("after unlink: %v", err)
		}
		if countRows(t, db, "patient_link") != 2 || countRows(t, db, "converted_code") != 0 {
			t.Fatal("unlink left the row or its codes")
		}
		if err := b.UnlinkInsured(ctx, taro.Insured); !errors.Is(err, revisit.ErrNotLinked) {
			t.Fatalf("again: %v", err)
		}
		// The patient number linked at the kiosk was tagged too.
		if err := b.Link(ctx, cardOf(t, "1001"), taro); err != nil {
			t.Fatal(err)
		}
		if err := b.UnlinkPatient(ctx, taro.Number); err != nil {
			t.Fatal(err)
		}
		if err := b.UnlinkPatient(ctx, "not a number!"); !errors.Is(err, revisit.ErrInvalid) {
			t.Fatalf("a malformed number: %v", err)
		}
	})
}

var outboxTime = time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)

func TestDeadLettersAreRetriedOrDiscarded(t *testing.T) {
	eachDatabase(t, func(t *testing.T, d testDatabase) {
		ctx := context.Background()
		db := d.open(t)
		a, b := outboxRecord(t, 1), outboxRecord(t, 2)
		for _, r := range []revisit.VisitRecord{a, b} {
			if err := db.Enqueue(ctx, r, outboxTime); err != nil {
				t.Fatal(err)
			}
			if err := db.DeadLetter(ctx, r.ID, "HTTP 422: bad", outboxTime); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.RetryDead(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
		if p, _ := db.Pending(ctx, 10); len(p) != 1 || p[0].ID != a.ID || p[0].Attempts != 0 {
			t.Fatalf("pending after retry: %+v", p)
		}
		if err := db.RetryDead(ctx, a.ID); !errors.Is(err, revisit.ErrNoDeadLetter) {
			t.Fatalf("retrying a pending record: %v", err)
		}
		if err := db.DiscardDead(ctx, a.ID); !errors.Is(err, revisit.ErrNoDeadLetter) {
			t.Fatalf("discarding a pending record: %v", err)
		}
		if err := db.DiscardDead(ctx, b.ID); err != nil {
			t.Fatal(err)
		}
		if dead, _ := db.DeadLetters(ctx); len(dead) != 0 {
			t.Fatalf("dead letters left: %+v", dead)
		}
		if countRows(t, db, "visit_outbox") != 1 {
			t.Fatal("discard removed more or less than the one record")
		}
	})
}

// TestMigrationKeepsRowsLinkedBefore: a database at schema 2 with a linked
// row is brought to 3; the card still finds its row, by code and by
// insured number, and a CSV import updates it rather than adding one.
func TestMigrationKeepsRowsLinkedBefore(t *testing.T) {
	eachDatabase(t, func(t *testing.T, d testDatabase) {
		ctx := context.Background()
		db := d.open(t)
		b := book(t, db, "code-1")
		if err := b.Link(ctx, cardOf(t, "1001"), taro); err != nil {
			t.Fatal(err)
		}
		// Back to schema 2: the row as an older kiosk stored it.
		if _, err := db.sql.Exec(`DROP INDEX patient_link_patient`); err != nil {
			t.Fatal(err)
		}
		for _, col := range []string{"patient_tag", "patient_key"} {
			if _, err := db.sql.Exec(`ALTER TABLE patient_link DROP COLUMN ` + col); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.sql.Exec(`DELETE FROM schema_version WHERE version > 2`); err != nil {
			t.Fatal(err)
		}
		again := d.open(t)
		if v, err := again.SchemaVersion(ctx); err != nil || v < 3 {
			t.Fatalf("schema %d, %v", v, err)
		}
		b = book(t, again, "code-1")
		if f, err := b.Find(ctx, cardOf(t, "1001")); err != nil || f.Patient != taro {
			t.Fatalf("Find after the migration: %+v, %v", f.Patient, err)
		}
		rep, err := b.Import(ctx, strings.NewReader(clinicExport))
		if err != nil || rep.Updated != 1 || rep.Added != 2 || countRows(t, again, "patient_link") != 3 {
			t.Fatalf("import over an older row: %+v, %v", rep, err)
		}
		// The import gave the older row its patient tag.
		if err := b.UnlinkPatient(ctx, taro.Number); err != nil {
			t.Fatal(err)
		}
	})
}
