package cli

import (
	"crypto/ed25519"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/uketsuke/uketsuke/app/config"
)

// These run the face commands on the real models and ../shared/faces. They
// skip with a reason when those are absent; UKETSUKE_REQUIRE_MODELS=1 and
// UKETSUKE_REQUIRE_SHARED=1 (set by `make test`) turn the skips into
// failures.

func needPath(t *testing.T, env, path string) string {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		if os.Getenv(env) == "1" {
			t.Fatalf("%s absent and %s=1: run `make models` / provide ../shared/faces", path, env)
		}
		t.Skipf("skipping: %s absent (set %s=1 to make this a failure)", path, env)
	}
	return path
}

// modelFlags point the commands at build/models with the bundled defaults.
func modelFlags(t *testing.T) []string {
	t.Helper()
	root, _ := filepath.Abs("..")
	models := filepath.Join(root, "build", "models")
	needPath(t, "UKETSUKE_REQUIRE_MODELS", filepath.Join(models, "dlib_resnet.onnx"))
	needPath(t, "UKETSUKE_REQUIRE_MODELS", filepath.Join(root, "build", "lib", "libonnxruntime.so"))
	return []string{"--models", models, "--config", filepath.Join(t.TempDir(), "none.json")}
}

func sharedFaces(t *testing.T, sub string) string {
	t.Helper()
	root, _ := filepath.Abs(filepath.Join("..", "..", "shared", "faces"))
	return needPath(t, "UKETSUKE_REQUIRE_SHARED", filepath.Join(root, sub))
}

// The make-test gate: a threshold that lets look-alikes through must fail
// the bench, and the shipped one must pass it on the same images.
func TestFaceBenchCardPhotoGateFails(t *testing.T) {
	args := append([]string{"face", "bench", "--as-card-photo", "--max-fmr", "1e-3", "--limit", "16",
		"--singles", sharedFaces(t, "controlled")}, modelFlags(t)...)
	out, err := run(t, append(args, "--threshold", "0.85")...)
	if err == nil || !strings.Contains(err.Error(), "exceeds") {
		t.Fatalf("threshold 0.85 passed the FMR gate: %v\n%s", err, out)
	}
	if !strings.Contains(out, "controlled (card photo)") || !strings.Contains(out, "within female") {
		t.Fatalf("report lacks the card-photo set or its groups:\n%s", out)
	}
	if out, err := run(t, args...); err != nil {
		t.Fatalf("shipped threshold: %v\n%s", err, out)
	}
}

var decided = regexp.MustCompile(`threshold (0\.\d+) holds FMR ≤ 1e-04 on every set; decided by (.+)\n`)

func TestFaceCalibrateSignsTheStrictestSetsThreshold(t *testing.T) {
	keyPath, pub := writeKey(t)
	bundle := filepath.Join(t.TempDir(), "face.bundle")
	args := append([]string{"face", "calibrate", "--as-card-photo", "--limit", "12",
		"--singles", sharedFaces(t, "controlled"), "--dir", sharedFaces(t, "lfw-devtrain"),
		"--bundle", bundle, "--key", keyPath}, modelFlags(t)...)
	out, err := run(t, args...)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	m := decided.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no decision in:\n%s", out)
	}
	threshold, _ := strconv.ParseFloat(m[1], 64)
	// Every set's own threshold is at or below the chosen one, and the
	// deciding set's is the highest.
	own := regexp.MustCompile(`(?m)^  (.+): its own threshold (0\.\d+);`).FindAllStringSubmatch(out, -1)
	if len(own) != 4 {
		t.Fatalf("want 4 sets (2 folders, plain and card photo):\n%s", out)
	}
	best, bestName := 0.0, ""
	for _, o := range own {
		v, _ := strconv.ParseFloat(o[2], 64)
		if v > threshold {
			t.Fatalf("%s needs %v, above the chosen %v", o[1], v, threshold)
		}
		if v > best {
			best, bestName = v, o[1]
		}
	}
	if bestName != m[2] || threshold-best > 1e-4 {
		t.Fatalf("decided by %q at %v, but the strictest set is %q at %v", m[2], threshold, bestName, best)
	}
	data, err := os.ReadFile(bundle)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.OpenBundle(data, []ed25519.PublicKey{pub}, anyKiosk("0000000000"))
	if err != nil || cfg.Face.Threshold != threshold {
		t.Fatalf("bundle: %v, threshold %v, want %v", err, cfg.Face.Threshold, threshold)
	}
}
