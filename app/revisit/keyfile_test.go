package revisit

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestKeyFileRotatesAndRefusesLooseModes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "code.keys")
	if err := AddKeyFileKey(path, "code-1"); err != nil {
		t.Fatal(err)
	}
	if err := AddKeyFileKey(path, "code-2"); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, %v", st.Mode(), err)
	}
	keys, err := ReadKeyFile(path)
	if err != nil || len(keys) != 2 || keys[0].ID != "code-2" || keys[1].ID != "code-1" || len(keys[0].Secret) != 32 {
		t.Fatalf("keys %d, %v", len(keys), err)
	}
	if _, err := NewCodeKeys(keys); err != nil {
		t.Fatal(err)
	}
	if err := AddKeyFileKey(path, "code-1"); !errors.Is(err, ErrKeyID) {
		t.Fatalf("the same id twice: %v", err)
	}
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadKeyFile(path); !errors.Is(err, ErrKeyFile) || !strings.Contains(err.Error(), "0640") {
		t.Fatalf("a group-readable file: %v", err)
	}
}

func TestKeyFileNamesTheBadLineNotTheSecret(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"short":   "k1 c2hvcnQ=\n",
		"noid":    "# only a comment\n\n",
		"fields":  "k1 AAAA BBBB\n",
		"base64":  "k1 !!!!notbase64!!!!\n",
		"dupe":    "k1 " + strings.Repeat("A", 44) + "\nk1 " + strings.Repeat("B", 44) + "\n",
		"bad id!": "bad/id " + strings.Repeat("A", 44) + "\n",
	} {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "_"))
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := ReadKeyFile(path)
		if !errors.Is(err, ErrKeyFile) || strings.Contains(err.Error(), "AAAA") || strings.Contains(err.Error(), "c2hvcnQ") {
			t.Errorf("%s: %v", name, err)
		}
	}
}
