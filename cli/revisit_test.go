package cli

import (
	"encoding/json"
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

// `revisit bench` links a card, re-visits it through the kiosk and prints
// figures that parse and agree with each other.
func TestRevisitBenchPrintsFigures(t *testing.T) {
	out, err := run(t, "revisit", "bench", "-n", "3", "--latency", "fast", "--json")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var f revisitFigures
	if err := json.Unmarshal([]byte(out), &f); err != nil {
		t.Fatalf("%v: %q", err, out)
	}
	if f.Visits != 3 || f.Transport != "inprocess" || f.Latency != "fast" || f.GoalMS != 1500 {
		t.Fatalf("figures %+v", f)
	}
	if !(f.MedianMS > 0 && f.MedianMS <= f.P95MS && f.P95MS <= f.MaxMS) || f.Pass != (f.P95MS <= f.GoalMS) {
		t.Fatalf("inconsistent figures %+v", f)
	}
	if f.FloorMS != 0 {
		t.Fatalf("a card floor without a latency model: %+v", f)
	}
	out, err = run(t, "revisit", "bench", "-n", "1", "--latency", "fast")
	if err != nil || !strings.Contains(out, "median") || !strings.Contains(out, "goal: p95 ≤ 1500 ms: pass") {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, bad := range [][]string{{"-n", "0"}, {"--transport", "usb"}, {"--latency", "slow"}, {"extra"}} {
		if _, err := run(t, append([]string{"revisit", "bench"}, bad...)...); !errors.Is(err, ErrUsage) {
			t.Errorf("%v: %v, want a usage error", bad, err)
		}
	}
}
