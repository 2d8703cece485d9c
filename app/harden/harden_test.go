package harden

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// The settings are process-wide and cannot be undone, so they are tested in
// a child process.
func TestApplyInChild(t *testing.T) {
	if os.Getenv("HARDEN_CHILD") == "1" {
		if err := Check(); !errors.Is(err, ErrNotHardened) {
			t.Fatalf("before Apply: %v", err)
		}
		if err := Apply(); err != nil {
			t.Fatal(err)
		}
		if err := Check(); err != nil {
			t.Fatal(err)
		}
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestApplyInChild$", "-test.v")
	cmd.Env = append(os.Environ(), "HARDEN_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS") {
		t.Fatalf("child: %v\n%s", err, out)
	}
}

// TestNoDebugEndpoints fails if the kiosk binary pulls in a package that
// serves memory contents or counters over HTTP.
func TestNoDebugEndpoints(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/uketsuke/uketsuke").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 50 {
		t.Fatalf("implausibly few dependencies: %d", len(deps))
	}
	for _, d := range deps {
		switch d {
		case "net/http/pprof", "expvar", "github.com/google/gops/agent", "golang.org/x/net/trace":
			t.Errorf("the kiosk binary imports %s", d)
		}
	}
}
