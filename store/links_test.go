package store

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/app/revisit"
	"github.com/uketsuke/uketsuke/app/secret"
)

var (
	taro = revisit.Patient{
		Insured:   revisit.InsuredNumber{Insurer: "06139999", Symbol: "愛知", Number: "7654321", Branch: "01"},
		Number:    "A-000042",
		Birthdate: "19800101",
	}
	hanako = revisit.Patient{
		Insured: revisit.InsuredNumber{Insurer: "138222", Number: "5550001", Branch: "02"},
		Number:  "A-000077",
	}
)

// keyBytes are test keys made from one byte; the constructors wipe them.
func keyBytes(fill byte, n int) []byte { return bytes.Repeat([]byte{fill}, n) }

func book(t *testing.T, db *DB, codeKeyIDs ...string) *revisit.Book {
	t.Helper()
	var material []revisit.KeyMaterial
	for _, id := range codeKeyIDs {
		material = append(material, revisit.KeyMaterial{ID: id, Secret: keyBytes(id[len(id)-1], 32)})
	}
	codes, err := revisit.NewCodeKeys(material)
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := revisit.NewSealer([]revisit.KeyMaterial{{ID: "data-1", Secret: keyBytes(0x77, 32)}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { codes.Destroy(); sealer.Destroy() })
	clock := time.Date(2026, 12, 6, 9, 0, 0, 0, time.FixedZone("JST", 9*3600))
	return revisit.NewBook(db, codes, sealer, func() time.Time { return clock })
}

// cardOf makes a card id whose serial is in locked memory, as a read gives it.
func cardOf(t *testing.T, serial string) revisit.CardID {
	t.Helper()
	buf, err := secret.Take([]byte(serial))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(buf.Destroy)
	return revisit.CardID{IssuerDN: []byte("CN=JPKI user CA,O=J-LIS,C=JP"), Serial: buf}
}

func TestLinkThenFind(t *testing.T) {
	eachDatabase(t, func(t *testing.T, d testDatabase) {
		ctx := context.Background()
		b := book(t, d.open(t), "code-1")
		if _, err := b.Find(ctx, cardOf(t, "1001")); !errors.Is(err, revisit.ErrNotLinked) {
			t.Fatalf("unknown card: %v", err)
		}
		if err := b.Link(ctx, cardOf(t, "1001"), taro); err != nil {
			t.Fatal(err)
		}
		if err := b.Link(ctx, cardOf(t, "2002"), hanako); err != nil {
			t.Fatal(err)
		}
		// Another kiosk on the same database finds the card.
		f, err := book(t, d.open(t), "code-1").Find(ctx, cardOf(t, "1001"))
		if err != nil || f.Patient != taro {
			t.Fatalf("Find = %+v, %v", f.Patient, err)
		}
		if err := b.Link(ctx, cardOf(t, "1001"), taro); !errors.Is(err, revisit.ErrAlreadyLinked) {
			t.Fatalf("second link of the same card: %v", err)
		}
		if err := b.Link(ctx, cardOf(t, "3003"), revisit.Patient{Insured: revisit.InsuredNumber{Insurer: "1"}}); !errors.Is(err, revisit.ErrInvalid) {
			t.Fatalf("invalid insured number: %v", err)
		}
		later := f.LastVisit.Add(48 * time.Hour)
		if err := d.open(t).RecordVisit(ctx, f.ID, later); err != nil {
			t.Fatal(err)
		}
		if f, err := b.Find(ctx, cardOf(t, "1001")); err != nil || !f.LastVisit.Equal(later) {
			t.Fatalf("last visit %v, %v; want %v", f.LastVisit, err, later)
		}
		if err := d.open(t).RecordVisit(ctx, revisit.LinkID{1}, later); !errors.Is(err, revisit.ErrNotLinked) {
			t.Fatalf("visit of no row: %v", err)
		}
	})
}

// TestSealedAtRest: the table holds neither number in the clear, nor the
// serial; a row's sealed value moved into another row does not open there.
func TestSealedAtRest(t *testing.T) {
	eachDatabase(t, func(t *testing.T, d testDatabase) {
		ctx := context.Background()
		db := d.open(t)
		b := book(t, db, "code-1")
		if err := b.Link(ctx, cardOf(t, "SERIAL-1001"), taro); err != nil {
			t.Fatal(err)
		}
		if err := b.Link(ctx, cardOf(t, "SERIAL-2002"), hanako); err != nil {
			t.Fatal(err)
		}
		all := dumpTables(t, db)
		for _, plain := range []string{"7654321", "06139999", "愛知", "A-000042", "5550001", "A-000077", "SERIAL-1001", "19800101"} {
			if bytes.Contains(all, []byte(plain)) {
				t.Errorf("the database holds %q in the clear", plain)
			}
		}
		// Move taro's sealed insured number into hanako's row.
		fa, _ := b.Find(ctx, cardOf(t, "SERIAL-1001"))
		fb, _ := b.Find(ctx, cardOf(t, "SERIAL-2002"))
		var sealed []byte
		if err := db.sql.QueryRow(db.dialect.bind(`SELECT insured FROM patient_link WHERE id = ?`), fa.ID[:]).Scan(&sealed); err != nil {
			t.Fatal(err)
		}
		if _, err := db.sql.Exec(db.dialect.bind(`UPDATE patient_link SET insured = ? WHERE id = ?`), sealed, fb.ID[:]); err != nil {
			t.Fatal(err)
		}
		if f, err := b.Find(ctx, cardOf(t, "SERIAL-2002")); !errors.Is(err, revisit.ErrTampered) {
			t.Fatalf("a moved ciphertext opened: %+v, %v", f.Patient, err)
		}
	})
}

// dumpTables reads every stored value of the revisit tables as bytes.
func dumpTables(t *testing.T, db *DB) []byte {
	t.Helper()
	var out []byte
	for _, q := range []string{
		`SELECT id, insured_key, insured_tag, insured, patient FROM patient_link`,
		`SELECT key_id, code, link_id FROM converted_code`,
	} {
		rows, err := db.sql.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([][]byte, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			out = append(bytes.Join(vals, []byte{0}), out...)
		}
		rows.Close()
	}
	if len(out) == 0 {
		t.Fatal("nothing stored")
	}
	return out
}

// TestRenewedCardRelinks: a renewed certificate (new serial) linked after
// its first-visit check takes over the row; the old code stays as history.
func TestRenewedCardRelinks(t *testing.T) {
	eachDatabase(t, func(t *testing.T, d testDatabase) {
		ctx := context.Background()
		db := d.open(t)
		b := book(t, db, "code-1")
		if err := b.Link(ctx, cardOf(t, "old-serial"), taro); err != nil {
			t.Fatal(err)
		}
		before, _ := b.Find(ctx, cardOf(t, "old-serial"))
		if err := b.Link(ctx, cardOf(t, "new-serial"), taro); err != nil {
			t.Fatal(err)
		}
		after, err := b.Find(ctx, cardOf(t, "new-serial"))
		if err != nil || after.Patient != taro || after.ID != before.ID {
			t.Fatalf("renewed card: %+v, %v (same row: %v)", after.Patient, err, after.ID == before.ID)
		}
		if _, err := b.Find(ctx, cardOf(t, "old-serial")); !errors.Is(err, revisit.ErrReplaced) {
			t.Fatalf("old card after renewal: %v, want ErrReplaced", err)
		}
		var total, history int
		db.sql.QueryRow(db.dialect.bind(`SELECT COUNT(*), COUNT(replaced_at) FROM converted_code WHERE link_id = ?`), before.ID[:]).Scan(&total, &history)
		if total != 2 || history != 1 {
			t.Fatalf("codes of the row: %d, history %d; want 2 and 1", total, history)
		}
	})
}

func TestUnlinkErasesTheRow(t *testing.T) {
	eachDatabase(t, func(t *testing.T, d testDatabase) {
		ctx := context.Background()
		db := d.open(t)
		b := book(t, db, "code-1")
		for _, serial := range []string{"first", "renewed"} {
			if err := b.Link(ctx, cardOf(t, serial), taro); err != nil {
				t.Fatal(err)
			}
		}
		if err := b.Link(ctx, cardOf(t, "other"), hanako); err != nil {
			t.Fatal(err)
		}
		if err := b.Unlink(ctx, cardOf(t, "renewed")); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Find(ctx, cardOf(t, "renewed")); !errors.Is(err, revisit.ErrNotLinked) {
			t.Fatalf("after unlink: %v", err)
		}
		if err := b.Unlink(ctx, cardOf(t, "renewed")); !errors.Is(err, revisit.ErrNotLinked) {
			t.Fatalf("second unlink: %v", err)
		}
		var links, codes int
		db.sql.QueryRow(`SELECT COUNT(*) FROM patient_link`).Scan(&links)
		db.sql.QueryRow(`SELECT COUNT(*) FROM converted_code`).Scan(&codes)
		if links != 1 || codes != 1 {
			t.Fatalf("left %d rows and %d codes; want only the other patient's (1, 1)", links, codes)
		}
		if f, err := b.Find(ctx, cardOf(t, "other")); err != nil || f.Patient != hanako {
			t.Fatalf("the other patient: %v", err)
		}
	})
}

// TestCodeKeyRotation: after a new code key is configured in front of the
// old one, a card linked under the old key is still found and its row moves
// to the new key, so the old key can then be dropped.
func TestCodeKeyRotation(t *testing.T) {
	eachDatabase(t, func(t *testing.T, d testDatabase) {
		ctx := context.Background()
		db := d.open(t)
		if err := book(t, db, "code-1").Link(ctx, cardOf(t, "1001"), taro); err != nil {
			t.Fatal(err)
		}
		rotated := book(t, db, "code-2", "code-1")
		f, err := rotated.Find(ctx, cardOf(t, "1001"))
		if err != nil || f.Patient != taro {
			t.Fatalf("after rotation: %+v, %v", f.Patient, err)
		}
		var keyID, tagKey string
		db.sql.QueryRow(`SELECT c.key_id, l.insured_key FROM converted_code c JOIN patient_link l ON l.id = c.link_id WHERE c.replaced_at IS NULL`).Scan(&keyID, &tagKey)
		if keyID != "code-2" || tagKey != "code-2" {
			t.Fatalf("current code under %q, insured tag under %q; want code-2", keyID, tagKey)
		}
		onlyNew := book(t, db, "code-2")
		if f, err := onlyNew.Find(ctx, cardOf(t, "1001")); err != nil || f.Patient != taro {
			t.Fatalf("with the old key dropped: %v", err)
		}
		// A renewal is recognised by insured number under the new key too.
		if err := onlyNew.Link(ctx, cardOf(t, "1002"), taro); err != nil {
			t.Fatal(err)
		}
		if _, err := onlyNew.Find(ctx, cardOf(t, "1001")); !errors.Is(err, revisit.ErrReplaced) {
			t.Fatalf("old card after renewal: %v", err)
		}
	})
}

// TestStoreRefusals: the port's errors for codes that are unknown, taken or
// only history, on both databases.
func TestStoreRefusals(t *testing.T) {
	eachDatabase(t, func(t *testing.T, d testDatabase) {
		ctx := context.Background()
		db := d.open(t)
		at := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
		code := func(b byte) revisit.Code { return revisit.Code{KeyID: "k", Sum: [32]byte{b}} }
		link := revisit.Link{ID: revisit.LinkID{1}, Code: code(1), InsuredTag: code(9), Insured: []byte{1}, Number: []byte{2}, Created: at, Updated: at, LastVisit: at}
		if err := db.Link(ctx, link); err != nil {
			t.Fatal(err)
		}
		again := link
		again.ID = revisit.LinkID{2}
		if err := db.Link(ctx, again); !errors.Is(err, revisit.ErrAlreadyLinked) {
			t.Errorf("link of a taken code: %v", err)
		}
		if err := db.Relink(ctx, code(7), code(8), code(9), at); !errors.Is(err, revisit.ErrNotLinked) {
			t.Errorf("relink of an unknown code: %v", err)
		}
		if err := db.Relink(ctx, code(1), code(1), code(9), at); !errors.Is(err, revisit.ErrAlreadyLinked) {
			t.Errorf("relink onto itself: %v", err)
		}
		if err := db.Relink(ctx, code(1), code(2), code(9), at); err != nil {
			t.Fatal(err)
		}
		for name, err := range map[string]error{
			"lookup": func() error { _, err := db.Lookup(ctx, code(1)); return err }(),
			"relink": db.Relink(ctx, code(1), code(3), code(9), at),
			"unlink": db.Unlink(ctx, code(1)),
		} {
			if !errors.Is(err, revisit.ErrReplaced) {
				t.Errorf("%s of a history code: %v, want ErrReplaced", name, err)
			}
		}
		if _, err := db.Lookup(ctx, code(5)); !errors.Is(err, revisit.ErrNotLinked) {
			t.Errorf("lookup of an unknown code: %v", err)
		}
		second := link
		second.ID, second.Code = revisit.LinkID{3}, code(4)
		if err := db.Link(ctx, second); err != nil {
			t.Fatal(err)
		}
		if _, err := db.LookupInsured(ctx, []revisit.Code{code(9)}); !errors.Is(err, revisit.ErrAmbiguous) {
			t.Errorf("two rows with one insured tag: %v", err)
		}
		if l, err := db.LookupInsured(ctx, []revisit.Code{code(6)}); !errors.Is(err, revisit.ErrNotLinked) {
			t.Errorf("unknown insured tag: %+v, %v", l.ID, err)
		}
	})
}

// TestTwoKiosksMoveOneRowToANewKey: both find the card under the old key at
// once; both get the patient, and the row ends with one current code.
func TestTwoKiosksMoveOneRowToANewKey(t *testing.T) {
	eachDatabase(t, func(t *testing.T, d testDatabase) {
		ctx := context.Background()
		db := d.open(t)
		if err := book(t, db, "code-1").Link(ctx, cardOf(t, "1001"), taro); err != nil {
			t.Fatal(err)
		}
		kiosks := []*revisit.Book{book(t, db, "code-2", "code-1"), book(t, d.open(t), "code-2", "code-1")}
		cards := []revisit.CardID{cardOf(t, "1001"), cardOf(t, "1001")}
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for i := range kiosks {
			wg.Go(func() {
				var f revisit.Found
				f, errs[i] = kiosks[i].Find(ctx, cards[i])
				if errs[i] == nil && f.Patient != taro {
					errs[i] = errors.New("wrong patient")
				}
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("kiosk %d: %v", i, err)
			}
		}
		var current int
		db.sql.QueryRow(`SELECT COUNT(*) FROM converted_code WHERE replaced_at IS NULL`).Scan(&current)
		if current != 1 {
			t.Fatalf("%d current codes, want 1", current)
		}
	})
}
