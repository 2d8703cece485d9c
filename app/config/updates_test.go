package config

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// kioskConfig is a local configuration with parts and an updates folder.
func kioskConfig(t *testing.T, pub ed25519.PublicKey) *Config {
	t.Helper()
	dir := t.TempDir()
	c := Default()
	c.Serial = 1
	c.Parts = &Parts{KioskID: "kiosk-1", Audit: filepath.Join(dir, "log"),
		Reader:      Reader{Kind: KindPCSC, Allow: []string{"Virtual PCD*"}},
		FaceCamera:  Camera{Kind: KindFiles, Path: "face"},
		CardCamera:  Camera{Kind: KindFiles, Path: "card"},
		OCR:         OCR{Kind: KindTesseract},
		FaceEngine:  FaceEngine{Kind: KindONNX, Models: "models"},
		Eligibility: Eligibility{Kind: KindHTTPS, URL: "https://127.0.0.1:8443", CAFile: "ca.pem", ClientCert: "c.pem", ClientKey: "k.pem"},
		Results:     Results{Dir: filepath.Join(dir, "results"), State: filepath.Join(dir, "reception")},
		Updates: Updates{Dir: filepath.Join(dir, "updates"), State: filepath.Join(dir, "state"),
			Keys: []string{base64.StdEncoding.EncodeToString(pub)}},
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(c.Parts.Updates.Dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return c
}

func dropBundle(t *testing.T, c *Config, name string, serial uint64, threshold float64, priv ed25519.PrivateKey) []byte {
	t.Helper()
	b, err := SignBundle(doc(t, func(d *Config) { d.Serial, d.Face.Threshold = serial, threshold }), priv)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(c.Parts.Updates.Dir, name), b, 0o644); err != nil {
		t.Fatal(err)
	}
	return b
}

func TestUpdatesApplyTheNewestAndRefuseReplaysAcrossRestarts(t *testing.T) {
	pub, priv := keys(t)
	local := kioskConfig(t, pub)
	dropBundle(t, local, "a.bundle", 3, 0.61, priv)
	dropBundle(t, local, "b.bundle", 5, 0.65, priv)
	run, rep, err := ApplyUpdates(local)
	if err != nil || rep.Serial != 5 || run.Face.Threshold != 0.65 || run.Parts != local.Parts {
		t.Fatalf("first start: %+v %v", rep, err)
	}
	if len(rep.Refused) != 0 {
		t.Fatalf("refused %+v", rep.Refused)
	}
	// Restart with only an older bundle left in the folder: refused, and the
	// applied one stays in force from the state folder.
	os.Remove(filepath.Join(local.Parts.Updates.Dir, "b.bundle"))
	run, rep, err = ApplyUpdates(local)
	if err != nil || !rep.Restored || rep.Serial != 5 || run.Face.Threshold != 0.65 {
		t.Fatalf("restart: %+v %v", rep, err)
	}
	if len(rep.Refused) != 1 || !errors.Is(rep.Refused[0].Err, ErrRollback) {
		t.Fatalf("the replayed older bundle was not refused: %+v", rep.Refused)
	}
	// A tampered newer bundle is refused; the running serial stays.
	good := dropBundle(t, local, "c.bundle", 9, 0.7, priv)
	bad := bytes.Replace(good, []byte(`"signature": "`), []byte(`"signature": "AAAA`), 1)
	os.WriteFile(filepath.Join(local.Parts.Updates.Dir, "c.bundle"), bad, 0o644)
	_, rep, _ = ApplyUpdates(local)
	if rep.Serial != 5 || len(rep.Refused) != 2 {
		t.Fatalf("tampered: %+v", rep)
	}
	// Even with the applied bundle deleted from the state folder, the
	// recorded serial still refuses the old one.
	os.Remove(filepath.Join(local.Parts.Updates.State, AppliedBundleFile))
	os.Remove(filepath.Join(local.Parts.Updates.Dir, "c.bundle"))
	_, rep, _ = ApplyUpdates(local)
	if len(rep.Refused) != 1 || !errors.Is(rep.Refused[0].Err, ErrRollback) {
		t.Fatalf("without the applied bundle: %+v", rep)
	}
}

func TestABundleMayNotCarryParts(t *testing.T) {
	pub, priv := keys(t)
	local := kioskConfig(t, pub)
	withParts, _ := local.Marshal()
	b, err := SignBundle(withParts, priv)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := OpenBundle(b, []ed25519.PublicKey{pub}); !errors.Is(err, ErrMalformed) {
		t.Fatalf("a bundle choosing parts: %v", err)
	}
}

func TestPartsValidationNamesTheField(t *testing.T) {
	pub, _ := keys(t)
	cases := map[string]func(*Parts){
		"parts.kiosk_id":                func(p *Parts) { p.KioskID = "a b" },
		"parts.reader.allow":            func(p *Parts) { p.Reader.Allow = nil },
		"parts.reader.allow[0]":         func(p *Parts) { p.Reader.Allow = []string{"*"} },
		"parts.face_camera.device":      func(p *Parts) { p.FaceCamera = Camera{Kind: KindV4L2, Device: "video0"} },
		"parts.eligibility.ca_file":     func(p *Parts) { p.Eligibility.CAFile = "" },
		"parts.eligibility.url":         func(p *Parts) { p.Eligibility.URL = "http://x" },
		"parts.updates.keys[0]":         func(p *Parts) { p.Updates.Keys = []string{"AAAA"} },
		"parts.staff.pin_hash":          func(p *Parts) { p.Staff.PINHash = "1234" },
		"parts.results.encoding":        func(p *Parts) { p.Results.Encoding = "latin1" },
		"parts.face_engine.models":      func(p *Parts) { p.FaceEngine.Models = "" },
		"parts.eligibility.client_cert": func(p *Parts) { p.Eligibility.ClientKey = "" },
	}
	for field, mod := range cases {
		c := kioskConfig(t, pub)
		mod(c.Parts)
		var ve *ValidationError
		if err := c.Validate(); !errors.As(err, &ve) || ve.Field != field {
			t.Errorf("%s: %v", field, err)
		}
	}
	c := kioskConfig(t, pub)
	if err := c.Parts.Production(); err == nil {
		t.Fatal("a kiosk without a staff PIN was accepted for production")
	}
	c.Anchors = anchors(t)
	c.Face.AllowStill = true
	var pe *ValidationError
	if err := c.ProductionPolicy(); err != nil {
		t.Fatalf("allow_still with image-file cameras (a test rig): %v", err)
	}
	c.Parts.FaceCamera = Camera{Kind: KindV4L2, Device: "/dev/video0", Allow: []CameraRule{{Driver: "uvcvideo"}}}
	if err := c.ProductionPolicy(); !errors.As(err, &pe) || pe.Field != "face.allow_still" {
		t.Fatalf("allow_still with a live camera: %v", err)
	}
	c.Parts.OCR.Kind = KindStandIn
	var ve *ValidationError
	if err := c.Parts.Production(); !errors.As(err, &ve) || ve.Field != "parts.ocr.kind" {
		t.Fatalf("stand-in OCR in production: %v", err)
	}
}

func TestStarterParsesAndNamesWhatIsMissing(t *testing.T) {
	c, err := Parse(Starter())
	if err != nil {
		t.Fatalf("the starter configuration does not parse: %v", err)
	}
	var ve *ValidationError
	if err := c.Parts.Production(); !errors.As(err, &ve) || ve.Field != "parts.staff.pin_hash" {
		t.Fatalf("the starter must ask for the staff PIN first: %v", err)
	}
	if !bytes.Contains(Starter(), []byte("// ")) {
		t.Fatal("the starter has no comments")
	}
}
