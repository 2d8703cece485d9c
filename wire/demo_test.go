package wire

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uketsuke/uketsuke/app/config"
)

// Without the holder's photo or the models the demo runs on stand-ins and
// says which file is missing; the parts it names are the stand-ins'.
func TestDemoConfigFallsBackToStandIns(t *testing.T) {
	dir := t.TempDir()
	holder := filepath.Join(dir, "photos", "astronaut.png")
	cfg, note := DemoConfig(Demo{Dir: dir, Card: "inprocess", Models: filepath.Join(dir, "models"), Holder: holder})
	if !strings.HasPrefix(note, "stand-ins:") || !strings.Contains(note, holder) {
		t.Errorf("note %q", note)
	}
	if cfg.Parts.OCR.Kind != config.KindStandIn || cfg.Parts.FaceEngine.Kind != config.KindStandIn {
		t.Errorf("parts %+v", cfg.Parts)
	}
	w, err := Build(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for stage, want := range map[string]string{"stage.scan_keyb": "stand-in", "match": "stand-in",
		"read_photo": "vcard:inprocess", "decode_photo": "openjpeg+tag", "eligibility": "https://127.0.0.1:"} {
		if got := w.PartOf(stage); !strings.HasPrefix(got, want) {
			t.Errorf("PartOf(%s) = %q, want %q", stage, got, want)
		}
	}
}

// With the photo and the models: Tesseract, the ONNX engine, the photo
// files in the world's configuration (a missing stranger is left out).
func TestDemoConfigUsesTheRealPieces(t *testing.T) {
	dir := t.TempDir()
	models := filepath.Join(dir, "models")
	holder := filepath.Join(dir, "astronaut.png")
	if err := os.MkdirAll(models, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{filepath.Join(models, "models.json"), holder} {
		if err := os.WriteFile(f, []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg, note := DemoConfig(Demo{Dir: dir, Card: "inprocess", Models: models, Holder: holder, Stranger: filepath.Join(dir, "none.png")})
	if !strings.HasPrefix(note, "real pieces:") {
		t.Errorf("note %q", note)
	}
	p := cfg.Parts
	if p.OCR.Kind != config.KindTesseract || p.FaceEngine.Kind != config.KindONNX || p.FaceEngine.Models != models {
		t.Errorf("parts %+v", p)
	}
	if p.World.Holder != holder || p.World.Stranger != "" {
		t.Errorf("world %+v", p.World)
	}
	if p.Results.Dir != filepath.Join(dir, "results") {
		t.Errorf("results %s", p.Results.Dir)
	}
	if err := cfg.Validate(); err != nil {
		t.Error(err)
	}
}

func TestTheDemoSaysHowItsCardArrives(t *testing.T) {
	for want, how := range map[string]string{"pcsc": "through pcscd and vpcd", "inprocess": "in process"} {
		got, note := demoTransport(want)
		if got != want || !strings.Contains(note, how) {
			t.Errorf("%s: %s, %q", want, got, note)
		}
	}
}
