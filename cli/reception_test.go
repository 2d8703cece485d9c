package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uketsuke/uketsuke/app/reception"
	simreception "github.com/uketsuke/uketsuke/sim/reception"
)

func TestReceptionSamplesWritesEveryCase(t *testing.T) {
	for _, enc := range []string{"utf-8", "shift_jis"} {
		dir := t.TempDir()
		var out, errb bytes.Buffer
		if err := Run(context.Background(), &Env{Stdout: &out, Stderr: &errb},
			[]string{"reception", "samples", "--dir", dir, "--encoding", enc}); err != nil {
			t.Fatalf("%v: %s", err, errb.String())
		}
		files, _ := filepath.Glob(filepath.Join(dir, reception.FaceFolder, reception.FacePrefix+"*.xml"))
		if len(files) != len(simreception.Cases()) {
			t.Fatalf("%s: %d files for %d cases", enc, len(files), len(simreception.Cases()))
		}
		data, _ := os.ReadFile(files[0])
		if !strings.Contains(string(data[:60]), map[string]string{"utf-8": "UTF-8", "shift_jis": "Shift_JIS"}[enc]) {
			t.Fatalf("%s: declaration %q", enc, data[:60])
		}
	}
	if err := Run(context.Background(), &Env{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}},
		[]string{"reception", "samples", "--dir", t.TempDir(), "--encoding", "latin1"}); err == nil {
		t.Fatal("an unknown encoding was accepted")
	}
}
