package wire

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOneVirtualCardFactory: only sim/world issues virtual cards, so one
// card, one photo and one holder rule exist in one place.
func TestOneVirtualCardFactory(t *testing.T) {
	var callers []string
	filepath.WalkDir("..", func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() && (d.Name() == "build" || strings.HasPrefix(d.Name(), ".")) && path != ".." {
			return filepath.SkipDir
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		data, _ := os.ReadFile(path)
		if strings.Contains(string(data), "vcard.New(") {
			callers = append(callers, path)
		}
		return nil
	})
	if len(callers) != 1 || filepath.ToSlash(callers[0]) != "../sim/world/cards.go" {
		t.Fatalf("vcard.New is called from %v; want sim/world/cards.go alone", callers)
	}
}
