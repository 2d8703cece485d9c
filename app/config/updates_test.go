package config

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
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
	b, err := SignBundle(doc(t, func(d *Config) { d.Serial, d.Face.Threshold = serial, threshold }), forAll(), priv)
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
	b, err := SignBundle(withParts, forAll(), priv)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := OpenBundle(b, []ed25519.PublicKey{pub}, AudienceOf(local, time.Now())); !errors.Is(err, ErrMalformed) {
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
	// A virtual reader (no USB device to list) only on a test rig.
	c.Face.AllowStill = false
	c.Parts.Reader.AllowVirtual = true
	if err := c.ProductionPolicy(); !errors.As(err, &pe) || pe.Field != "parts.reader.allow_virtual" {
		t.Fatalf("a virtual reader with a live camera: %v", err)
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

// A bundle is applied only before its signed expiry and only by the facility
// (and kiosk) it was signed for; editing the claims breaks the signature.
func TestBundlesRefuseExpiredAndForeignAndEditedClaims(t *testing.T) {
	pub, priv := keys(t)
	local := kioskConfig(t, pub) // facility 0000000000, kiosk-1
	now := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	keys := []ed25519.PublicKey{pub}
	aud := AudienceOf(local, now)
	sign := func(cl Claims, serial uint64) []byte {
		t.Helper()
		d := doc(t, func(d *Config) { d.Serial, d.Facility.Code = serial, cl.Facility })
		b, err := SignBundle(d, cl, priv)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	day := 24 * time.Hour
	edit := func(b []byte, mod func(*bundle)) []byte {
		var e bundle
		if err := json.Unmarshal(b, &e); err != nil {
			t.Fatal(err)
		}
		mod(&e)
		out, _ := json.Marshal(e)
		return out
	}
	good := sign(Claims{NotAfter: now.Add(day), Facility: testFacility}, 3)
	forMe := sign(Claims{NotAfter: now.Add(day), Facility: testFacility, Kiosk: "kiosk-1"}, 3)
	expired := sign(Claims{NotAfter: now.Add(-time.Second), Facility: testFacility}, 3)
	cases := map[string]struct {
		data []byte
		want error
	}{
		"expired":                {expired, ErrBundleExpired},
		"other facility":         {sign(Claims{NotAfter: now.Add(day), Facility: "1312345678"}, 3), ErrWrongAudience},
		"other kiosk":            {sign(Claims{NotAfter: now.Add(day), Facility: testFacility, Kiosk: "kiosk-2"}, 3), ErrWrongAudience},
		"expiry pushed back":     {edit(expired, func(e *bundle) { e.NotAfter = now.Add(365 * day) }), ErrBadSignature},
		"fraction added":         {edit(expired, func(e *bundle) { e.NotAfter = e.NotAfter.Add(999 * time.Millisecond) }), ErrBundleExpired},
		"readdressed":            {edit(sign(Claims{NotAfter: now.Add(day), Facility: "1312345678"}, 3), func(e *bundle) { e.Facility = testFacility }), ErrBadSignature},
		"kiosk dropped":          {edit(sign(Claims{NotAfter: now.Add(day), Facility: testFacility, Kiosk: "kiosk-2"}, 3), func(e *bundle) { e.Kiosk = "" }), ErrBadSignature},
		"old format, no expiry":  {edit(good, func(e *bundle) { e.Format = "uketsuke-config/1" }), ErrMalformed},
		"document for elsewhere": {edit(good, func(e *bundle) { e.Config = doc(t, func(d *Config) { d.Facility.Code = "1312345678" }) }), ErrBadSignature},
	}
	for name, c := range cases {
		if _, err := OpenBundle(c.data, keys, aud); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
	}
	for name, b := range map[string][]byte{"facility": good, "this kiosk": forMe} {
		if _, err := OpenBundle(b, keys, aud); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	// At start-up the refusals are reported like any other, and nothing applies.
	for name, c := range cases {
		os.WriteFile(filepath.Join(local.Parts.Updates.Dir, name+".bundle"), c.data, 0o644)
	}
	run, rep, err := applyUpdates(local, now)
	if err != nil || rep.Applied != "" || run.Serial != local.Serial || len(rep.Refused) != len(cases) {
		t.Fatalf("start: %+v %v", rep, err)
	}
	for _, r := range rep.Refused {
		if r.Err == nil {
			t.Fatalf("%s refused without a reason", r.File)
		}
	}
	// Applied in time, a bundle stays in force after its expiry.
	os.RemoveAll(local.Parts.Updates.Dir)
	os.MkdirAll(local.Parts.Updates.Dir, 0o755)
	os.WriteFile(filepath.Join(local.Parts.Updates.Dir, "x.bundle"), good, 0o644)
	if _, rep, err := applyUpdates(local, now); err != nil || rep.Serial != 3 {
		t.Fatalf("in time: %+v %v", rep, err)
	}
	if _, rep, err := applyUpdates(local, now.Add(30*day)); err != nil || !rep.Restored || rep.Serial != 3 {
		t.Fatalf("after its expiry: %+v %v", rep, err)
	}
	// The running store refuses them too.
	store, err := NewStore(local, pub)
	if err != nil {
		t.Fatal(err)
	}
	store.now = func() time.Time { return now }
	if _, err := store.Apply(expired); !errors.Is(err, ErrBundleExpired) {
		t.Fatalf("store, expired: %v", err)
	}
	if _, err := store.Apply(cases["other kiosk"].data); !errors.Is(err, ErrWrongAudience) {
		t.Fatalf("store, other kiosk: %v", err)
	}
	// Signing refuses a bundle without expiry or with a document for another facility.
	if _, err := SignBundle(doc(t, nil), Claims{Facility: testFacility}, priv); !errors.Is(err, ErrInvalid) {
		t.Fatalf("no expiry: %v", err)
	}
	if _, err := SignBundle(doc(t, nil), Claims{NotAfter: now, Facility: "1312345678"}, priv); !errors.Is(err, ErrInvalid) {
		t.Fatalf("mismatched facility: %v", err)
	}
}
