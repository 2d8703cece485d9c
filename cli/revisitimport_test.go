package cli

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uketsuke/uketsuke/app/config"
	"github.com/uketsuke/uketsuke/app/revisit"
)

// importArgs makes key files and a database for `revisit import` and
// returns the arguments without --csv.
func importArgs(t *testing.T) []string {
	t.Helper()
	dir := t.TempDir()
	write := func(name string, fill byte) string {
		path := filepath.Join(dir, name)
		line := "# current first\nkey-1 " + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{fill}, 32)) + "\n"
		if err := os.WriteFile(path, []byte(line), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	return []string{"revisit", "import", "--database", "sqlite:" + filepath.Join(dir, "revisit.db"),
		"--code-keys", write("code.keys", 1), "--data-keys", write("data.keys", 2)}
}

func writeCSV(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "export.csv")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func runImport(t *testing.T, args ...string) (string, error) {
	t.Helper()
	out := &bytes.Buffer{}
	err := Run(context.Background(), &Env{Stdout: out, Stderr: &bytes.Buffer{}}, args)
	return out.String(), err
}

func TestRevisitImport(t *testing.T) {
	args := importArgs(t)
	good := writeCSV(t, "診察券番号,保険者番号,記号,番号,枝番,生年月日\n"+
		"A-000042,06139999,愛知,7654321,01,19800401\n"+
		"A-000077,138222,,5550001,02,19750315\n")
	out, err := runImport(t, append(args, "--csv", good, "--dry-run")...)
	if err != nil || !strings.Contains(out, "2 lines: 2 added, 0 updated, 0 unchanged, 0 refused") || !strings.Contains(out, "dry run: nothing written") {
		t.Fatalf("dry run: %v\n%s", err, out)
	}
	out, err = runImport(t, append(args, "--csv", good)...)
	if err != nil || !strings.Contains(out, "encoding utf-8, 2 lines: 2 added") || !strings.Contains(out, "written") {
		t.Fatalf("import: %v\n%s", err, out)
	}
	out, err = runImport(t, append(args, "--csv", good)...)
	if err != nil || !strings.Contains(out, "0 added, 0 updated, 2 unchanged") {
		t.Fatalf("again: %v\n%s", err, out)
	}
	bad := writeCSV(t, "patient_number,insurer_number,symbol,number,branch,birth_date\n"+
		"B-1,06139999,,1111111,01,19800401\n"+
		"B-2,0613999,,2222222,01,19800401\n")
	out, err = runImport(t, append(args, "--csv", bad)...)
	if !errors.Is(err, revisit.ErrImportRefused) || !strings.Contains(out, "line 3: insurer number: want 6 or 8 digits") ||
		!strings.Contains(out, "nothing written") {
		t.Fatalf("a bad line: %v\n%s", err, out)
	}
	if strings.Contains(out+err.Error(), "0613999,") || strings.Contains(out, "2222222") || strings.Contains(out, "B-2") {
		t.Errorf("the report repeats a value:\n%s", out)
	}
	out, err = runImport(t, append(args, "--csv", bad, "--skip-refused")...)
	if err != nil || !strings.Contains(out, "1 added") || !strings.Contains(out, "written") {
		t.Fatalf("skip refused: %v\n%s", err, out)
	}
	if _, err := runImport(t, append(args, "--csv", writeCSV(t, "name,number\n"))...); !errors.Is(err, revisit.ErrImport) {
		t.Fatalf("a wrong header: %v", err)
	}
}

func TestRevisitImportRefusesUsageAndOpenKeyFiles(t *testing.T) {
	args := importArgs(t)
	for _, a := range [][]string{
		{"revisit", "import"},
		args,
		append(append([]string{}, args...), "--csv", "x.csv", "--encoding", "euc-jp"),
	} {
		if _, err := runImport(t, a...); !errors.Is(err, ErrUsage) {
			t.Errorf("%q: %v, want ErrUsage", a, err)
		}
	}
	if err := os.Chmod(args[5], 0o644); err != nil {
		t.Fatal(err)
	}
	csv := writeCSV(t, "patient_number,insurer_number,symbol,number,branch,birth_date\n")
	if _, err := runImport(t, append(args, "--csv", csv)...); err == nil || !strings.Contains(err.Error(), "want 0600") {
		t.Fatalf("a key file others can read: %v", err)
	}
}

// TestRevisitImportFromTheKiosksConfiguration: --config takes the
// database and key files from parts.revisit.
func TestRevisitImportFromTheKiosksConfiguration(t *testing.T) {
	args := importArgs(t)
	dir := t.TempDir()
	c := config.Default()
	c.Parts = &config.Parts{KioskID: "k1", Audit: filepath.Join(dir, "log"),
		Reader: config.Reader{Kind: config.KindVirtual}, FaceCamera: config.Camera{Kind: config.KindVirtual},
		CardCamera: config.Camera{Kind: config.KindVirtual}, OCR: config.OCR{Kind: config.KindStandIn},
		FaceEngine: config.FaceEngine{Kind: config.KindStandIn}, Eligibility: config.Eligibility{Kind: config.KindVirtual},
		Results: config.Results{Dir: filepath.Join(dir, "results"), State: filepath.Join(dir, "state")},
		Revisit: &config.RevisitParts{DatabaseURL: args[3], CodeKeysFile: args[5], DataKeysFile: args[7]}}
	data, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "kiosk.json")
	if err := os.WriteFile(cfg, data, 0o600); err != nil {
		t.Fatal(err)
	}
	csv := writeCSV(t, "patient_number,insurer_number,symbol,number,branch,birth_date\nA-1,06139999,,1,01,19800401\n")
	out, err := runImport(t, "revisit", "import", "--config", cfg, "--csv", csv)
	if err != nil || !strings.Contains(out, "1 added") {
		t.Fatalf("--config: %v\n%s", err, out)
	}
	// The same database through the explicit flags: the row is there.
	if out, err := runImport(t, append(args, "--csv", csv)...); err != nil || !strings.Contains(out, "1 unchanged") {
		t.Fatalf("the explicit flags: %v\n%s", err, out)
	}
	if _, err := runImport(t, append(args, "--config", cfg, "--csv", csv)...); !errors.Is(err, ErrUsage) {
		t.Fatalf("both: %v", err)
	}
	c.Parts.Revisit = nil
	data, _ = json.Marshal(c)
	if err := os.WriteFile(cfg, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := runImport(t, "revisit", "import", "--config", cfg, "--csv", csv); err == nil || !strings.Contains(err.Error(), "parts.revisit") {
		t.Fatalf("no parts.revisit: %v", err)
	}
}
