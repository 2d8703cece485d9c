package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestWriteReplacesAndCreateDoesNot(t *testing.T) {
	dir := t.TempDir()
	if _, err := Write(dir, "a.xml", []byte("one"), 0o640); err != nil {
		t.Fatal(err)
	}
	if _, err := Write(dir, "a.xml", []byte("two"), 0o640); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "a.xml")); string(b) != "two" {
		t.Fatalf("Write did not replace: %q", b)
	}
	if _, err := Create(dir, "a.xml", []byte("three"), 0o640); !errors.Is(err, ErrExist) {
		t.Fatalf("Create over an existing file: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "a.xml")); string(b) != "two" {
		t.Fatalf("Create clobbered: %q", b)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("left temporary files behind: %v", entries)
	}
}

func TestStagedFileIsGoneOncePublished(t *testing.T) {
	dir := t.TempDir()
	st, err := Stage(dir, []byte("x"), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if !IsTemp(filepath.Base(st.Temp)) {
		t.Fatalf("%s is not named as a temporary file", st.Temp)
	}
	if _, err := st.Publish("b.xml", true); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(st.Temp); !os.IsNotExist(err) {
		t.Fatalf("temporary file still there after publish: %v", err)
	}
}

func TestRemoveStaleTemps(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, TempPrefix+"old"+TempSuffix)
	fresh := filepath.Join(dir, TempPrefix+"new"+TempSuffix)
	for _, p := range []string{old, fresh} {
		os.WriteFile(p, nil, 0o600)
	}
	past := time.Now().Add(-2 * StaleAge)
	os.Chtimes(old, past, past)
	if n := RemoveStaleTemps(dir, StaleAge, time.Now()); n != 1 {
		t.Fatalf("removed %d", n)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Fatal("a fresh temporary file was removed")
	}
}
