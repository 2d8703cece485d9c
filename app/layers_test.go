// Package app_test guards the architecture: the domain under app/ must build
// without cgo and without Fyne, so it stays portable and testable anywhere.
package app_test

import (
	"os/exec"
	"strings"
	"testing"
)

func TestDomainHasNeitherCgoNorFyne(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f",
		`{{.ImportPath}} {{.Standard}} {{len .CgoFiles}}`, "github.com/uketsuke/uketsuke/app/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 {
			t.Fatalf("unexpected go list line %q", line)
		}
		pkg, std, cgo := f[0], f[1] == "true", f[2] != "0"
		if strings.HasPrefix(pkg, "fyne.io/") {
			t.Errorf("app/ depends on Fyne through %s", pkg)
		}
		if cgo && !std {
			t.Errorf("app/ depends on cgo through %s", pkg)
		}
		for _, outer := range []string{"hardware/", "sim/", "store", "wire", "ui", "cli"} {
			if strings.HasPrefix(pkg, "github.com/uketsuke/uketsuke/"+outer) {
				t.Errorf("app/ depends on %s: the domain imports no adapters, stand-ins or wiring", pkg)
			}
		}
	}
}
