package cli

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uketsuke/uketsuke/app/revisit"
)

// `revisit keygen` makes a 0600 key file, puts each new key first and
// never prints a secret.
func TestRevisitKeygenRotates(t *testing.T) {
	file := filepath.Join(t.TempDir(), "code.keys")
	for _, id := range []string{"code-1", "code-2"} {
		out, err := run(t, "revisit", "keygen", "--file", file, "--id", id)
		if err != nil || !strings.Contains(out, id) {
			t.Fatalf("%s: %v\n%s", id, err, out)
		}
		data, _ := os.ReadFile(file)
		if secretPart := strings.Fields(string(data))[1]; strings.Contains(out, secretPart) {
			t.Fatal("the key was printed")
		}
	}
	keys, err := revisit.ReadKeyFile(file)
	if err != nil || len(keys) != 2 || keys[0].ID != "code-2" {
		t.Fatalf("keys %v", err)
	}
	if st, _ := os.Stat(file); st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", st.Mode())
	}
	if _, err := run(t, "revisit", "keygen", "--file", file, "--id", "code-1"); !errors.Is(err, ErrUsage) {
		t.Fatalf("an id twice: %v", err)
	}
	if _, err := run(t, "revisit", "keygen", "--file", file); !errors.Is(err, ErrUsage) {
		t.Fatalf("no id: %v", err)
	}
}
