package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
)

// testDatabase is one empty database that any number of handles open.
type testDatabase struct {
	url string
}

func (d testDatabase) open(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), d.url)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// eachDatabase runs f on a fresh SQLite file and a fresh PostgreSQL schema.
// PostgreSQL comes from UKETSUKE_TEST_POSTGRES (packaging/test/with-postgres.sh);
// without it the PostgreSQL half skips, or fails under
// UKETSUKE_REQUIRE_POSTGRES=1 (make store-postgres).
func eachDatabase(t *testing.T, f func(t *testing.T, d testDatabase)) {
	t.Run("sqlite", func(t *testing.T) {
		f(t, testDatabase{url: "sqlite:" + filepath.Join(t.TempDir(), "revisit.db")})
	})
	t.Run("postgres", func(t *testing.T) {
		f(t, freshPostgres(t))
	})
}

func freshPostgres(t *testing.T) testDatabase {
	t.Helper()
	base := os.Getenv("UKETSUKE_TEST_POSTGRES")
	if base == "" {
		if os.Getenv("UKETSUKE_REQUIRE_POSTGRES") == "1" {
			t.Fatal("UKETSUKE_REQUIRE_POSTGRES=1 but UKETSUKE_TEST_POSTGRES is not set: run under packaging/test/with-postgres.sh")
		}
		t.Skip("PostgreSQL not available: UKETSUKE_TEST_POSTGRES is not set (make store-postgres runs these through packaging/test/with-postgres.sh)")
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var salt [6]byte
	rand.Read(salt[:])
	schema := "t_" + hex.EncodeToString(salt[:])
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create schema on %s: %v", base, err)
	}
	t.Cleanup(func() {
		if admin, err := sql.Open("pgx", base); err == nil {
			admin.Exec("DROP SCHEMA " + schema + " CASCADE")
			admin.Close()
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return testDatabase{url: u.String()}
}
