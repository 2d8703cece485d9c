package store

import (
	"context"
	"errors"
	"sort"
	"sync"
	"testing"

	"github.com/uketsuke/uketsuke/app/revisit"
)

func TestParseURL(t *testing.T) {
	good := map[string]string{
		"sqlite:/var/lib/uketsuke/revisit.db":   "sqlite",
		"sqlite:///var/lib/uketsuke/revisit.db": "sqlite",
		"sqlite:revisit.db":                     "sqlite",
		"postgres://kiosk@db/uketsuke":          "postgres",
		"postgresql:///uketsuke?host=/run/pg":   "postgres",
	}
	for raw, want := range good {
		d, _, err := parseURL(raw)
		if err != nil || d.name != want {
			t.Errorf("%s: %s, %v; want %s", raw, d.name, err, want)
		}
	}
	for _, raw := range []string{"", "revisit.db", "mysql://db/x", "sqlite:", "sqlite:/x.db?mode=ro"} {
		if _, _, err := parseURL(raw); !errors.Is(err, ErrURL) {
			t.Errorf("%q: %v, want ErrURL", raw, err)
		}
	}
}

func TestBindNumbersPlaceholders(t *testing.T) {
	if got := postgres.bind("a = ? AND b = ?"); got != "a = $1 AND b = $2" {
		t.Fatalf("postgres bind = %q", got)
	}
	if got := sqlite.bind("a = ?"); got != "a = ?" {
		t.Fatalf("sqlite bind = %q", got)
	}
}

func TestMigrations(t *testing.T) {
	eachDatabase(t, func(t *testing.T, d testDatabase) {
		ctx := context.Background()
		first := d.open(t)
		v, err := first.SchemaVersion(ctx)
		want, _ := loadMigrations(first.Dialect())
		if err != nil || v != len(want) || v == 0 {
			t.Fatalf("schema version after open = %d, %v; want %d", v, err, len(want))
		}
		// A second kiosk opening the same database applies nothing again.
		second := d.open(t)
		var rows int
		if err := second.sql.QueryRow(`SELECT COUNT(*) FROM schema_version`).Scan(&rows); err != nil || rows != len(want) {
			t.Fatalf("schema_version has %d rows, %v; want %d", rows, err, len(want))
		}
		for _, table := range []string{"patient_link", "converted_code", "ticket_counter"} {
			if _, err := second.sql.Exec(`SELECT COUNT(*) FROM ` + table); err != nil {
				t.Errorf("table %s: %v", table, err)
			}
		}
		// A database from a newer program is left alone.
		if _, err := second.sql.Exec(second.dialect.bind(`INSERT INTO schema_version (version, applied_at) VALUES (?, 0)`), 99); err != nil {
			t.Fatal(err)
		}
		if db, err := Open(ctx, d.url); !errors.Is(err, ErrSchemaTooNew) {
			if db != nil {
				db.Close()
			}
			t.Fatalf("open of a newer schema: %v, want ErrSchemaTooNew", err)
		}
	})
}

func TestMigrationsOfTwoKiosksStartingTogether(t *testing.T) {
	eachDatabase(t, func(t *testing.T, d testDatabase) {
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Go(func() {
				db, err := Open(context.Background(), d.url)
				if err == nil {
					db.Close()
				}
				errs[i] = err
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("kiosk %d: %v", i, err)
			}
		}
	})
}

// TestTicketsFromTwoKiosks: two handles (two kiosks) draw 100 numbers at
// once from one database; every number from 1 to 100 comes out exactly once.
func TestTicketsFromTwoKiosks(t *testing.T) {
	eachDatabase(t, func(t *testing.T, d testDatabase) {
		kiosks := []*DB{d.open(t), d.open(t)}
		ctx := context.Background()
		const total = 100
		got := make([]int, total)
		errs := make([]error, total)
		var wg sync.WaitGroup
		for i := range total {
			wg.Go(func() {
				got[i], errs[i] = kiosks[i%2].NextTicket(ctx, "2026-12-06", "internal")
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("ticket %d: %v", i, err)
			}
		}
		sort.Ints(got)
		for i, n := range got {
			if n != i+1 {
				t.Fatalf("sorted tickets[%d] = %d: a duplicate or a gap (%v)", i, n, got)
			}
		}
		// Another department and another day count on their own.
		for _, c := range []struct {
			day  revisit.Day
			dept revisit.Department
		}{{"2026-12-06", "surgery"}, {"2026-12-07", "internal"}, {"2026-12-06", ""}} {
			if n, err := kiosks[1].NextTicket(ctx, c.day, c.dept); n != 1 || err != nil {
				t.Errorf("%s %q: first ticket %d, %v", c.day, c.dept, n, err)
			}
		}
		if _, err := kiosks[0].NextTicket(ctx, "6 Dec", ""); !errors.Is(err, revisit.ErrInvalid) {
			t.Errorf("bad day: %v", err)
		}
		if _, err := kiosks[0].NextTicket(ctx, "2026-12-06", "内科"); !errors.Is(err, revisit.ErrInvalid) {
			t.Errorf("bad department: %v", err)
		}
	})
}
