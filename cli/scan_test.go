//go:build !kiosk

package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/sim/cardface"
	"github.com/uketsuke/uketsuke/sim/profile"
)

func TestScanCommandPrintsOneJSONLinePerImage(t *testing.T) {
	t.Setenv("OMP_THREAD_LIMIT", "1") // or the command re-executes the test binary
	dir := t.TempDir()
	img, truth, err := cardface.Render(profile.Default(), nil, cardface.Options{Seed: 1, Mix: cardface.Clean})
	if err != nil {
		t.Fatal(err)
	}
	card := filepath.Join(dir, "card.png")
	f, err := os.Create(card)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	f.Close()
	notImage := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notImage, []byte("not an image"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	env := &Env{Stdout: &out, Stderr: &out}
	if err := Run(context.Background(), env, []string{"scan", "--json", card, notImage}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("output:\n%s", out.String())
	}
	var ok struct {
		File     string  `json:"file"`
		OK       bool    `json:"ok"`
		Birth    string  `json:"birth_yymmdd"`
		Expiry   string  `json:"expiry_year"`
		Code     string  `json:"security_code"`
		B        string  `json:"verification_code_b"`
		Conf     float64 `json:"confidence"`
		MS       *int64  `json:"ms"`
		ErrorKey string  `json:"error"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &ok); err != nil {
		t.Fatalf("%v: %s", err, lines[0])
	}
	if !ok.OK || ok.B != truth.CodeB || ok.Birth != "550217" || ok.Expiry != "2035" || ok.Code != "2285" || ok.MS == nil || ok.Conf <= 0 {
		t.Errorf("card line: %s", lines[0])
	}
	var bad map[string]any
	if err := json.Unmarshal([]byte(lines[1]), &bad); err != nil {
		t.Fatalf("%v: %s", err, lines[1])
	}
	if bad["ok"] != false || bad["error"] != "bad_image" || bad["file"] != notImage {
		t.Errorf("non-image line: %s", lines[1])
	}
}

func TestScanBenchReports(t *testing.T) {
	t.Setenv("OMP_THREAD_LIMIT", "1")
	var out bytes.Buffer
	if err := Run(context.Background(), &Env{Stdout: &out, Stderr: &out}, []string{"scan", "bench", "-n", "3", "--mix", "clean"}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"exact 照合番号B", "wrong code", "refused", "field accuracy", "p95"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
	for _, bad := range [][]string{{"--mix", "foggy"}, {"--layout", "wobbly"}, {"--design", "old"}} {
		err := Run(context.Background(), &Env{Stdout: &out, Stderr: &out}, append([]string{"scan", "bench", "-n", "1"}, bad...))
		if !errors.Is(err, ErrUsage) {
			t.Errorf("%v: %v", bad, err)
		}
	}
}

func TestScanBenchRandomMixedReportsPerDesign(t *testing.T) {
	t.Setenv("OMP_THREAD_LIMIT", "1")
	var out bytes.Buffer
	dump := t.TempDir()
	args := []string{"scan", "bench", "-n", "4", "--mix", "hard", "--layout", "random", "--design", "mixed", "--dump", dump}
	if err := Run(context.Background(), &Env{Stdout: &out, Stderr: &out}, args); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"layout random, design mixed", "design current  2 cards", "design next     2 cards"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
	files, _ := filepath.Glob(filepath.Join(dump, "*.png"))
	for _, f := range files {
		if b := filepath.Base(f); !strings.HasPrefix(b, "hard-random-current-") && !strings.HasPrefix(b, "hard-random-next-") {
			t.Errorf("dump file %s does not name layout and design", b)
		}
	}
}

// The timing line keeps its format and takes its figures by the benches'
// nearest-rank rule (percentile), as every other bench prints them.
func TestScanReportTimesAreNearestRank(t *testing.T) {
	tally := &scanTally{n: 20}
	for i := 20; i >= 1; i-- { // unsorted on purpose
		tally.durations = append(tally.durations, time.Duration(i)*time.Millisecond)
		tally.cpu = append(tally.cpu, time.Duration(20+i)*time.Millisecond)
	}
	var out bytes.Buffer
	tally.report(&out, scanRenderSpec{mix: cardface.Clean, design: string(cardface.DesignCurrent)}, 1)
	want := "ms per card      CPU on one core: median 30, p95 39, max 40; wall: median 10, p95 19 (scan only, rendering excluded)\n"
	if !strings.HasSuffix(out.String(), want) {
		t.Errorf("report ends\n%q\nwant\n%q", out.String(), want)
	}
}
