package wire

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/uketsuke/uketsuke/app/config"
	"github.com/uketsuke/uketsuke/app/staff"
)

// Plan names each part a configuration would use and its kind, without
// opening any device: what `uketsuke kiosk --dry-run --json` prints.
type Plan struct {
	KioskID     string          `json:"kiosk_id"`
	Serial      uint64          `json:"serial"`
	Reader      map[string]any  `json:"reader"`
	FaceCamera  map[string]any  `json:"face_camera"`
	CardCamera  map[string]any  `json:"card_camera"`
	OCR         map[string]any  `json:"ocr"`
	FaceEngine  map[string]any  `json:"face_engine"`
	Eligibility map[string]any  `json:"eligibility"`
	Results     string          `json:"results"`
	Encoding    string          `json:"encoding"`
	Audit       string          `json:"audit"`
	Updates     map[string]any  `json:"updates,omitempty"`
	Staff       map[string]bool `json:"staff"`
	Printer     map[string]any  `json:"printer,omitempty"`
	Language    string          `json:"default_language"`
	Console     string          `json:"console,omitempty"` // the console's address
	Revisit     map[string]any  `json:"revisit"`           // re-visit reception: mode, database, keys, services
}

// PlanOf checks the configuration as Build would (for the production kiosk
// when production is set) and the files it names, opens nothing, and
// describes the parts.
func PlanOf(c *config.Config, production bool) (*Plan, error) {
	if err := check(c, Options{Production: production}); err != nil {
		return nil, err
	}
	if err := checkFiles(c); err != nil {
		return nil, err
	}
	if err := checkRevisitFiles(c, production); err != nil {
		return nil, err
	}
	p := c.Parts
	plan := &Plan{KioskID: p.KioskID, Serial: c.Serial, Results: p.Results.Dir, Audit: p.Audit,
		Encoding: orString(p.Results.Encoding, "utf-8"), Language: c.Facility.DefaultLanguage,
		Reader: map[string]any{"kind": p.Reader.Kind}, OCR: map[string]any{"kind": p.OCR.Kind},
		FaceEngine: map[string]any{"kind": p.FaceEngine.Kind}, Eligibility: map[string]any{"kind": p.Eligibility.Kind},
		FaceCamera: cameraPlan(p.FaceCamera), CardCamera: cameraPlan(p.CardCamera),
		Staff: map[string]bool{"pin": p.Staff.PINHash != "", "operators": len(p.Staff.Operators) > 0,
			"hpki": p.Staff.PKCS11Module != ""}}
	if p.Reader.Kind == config.KindPCSC {
		plan.Reader["allow"] = p.Reader.Allow
	}
	if p.OCR.Kind == config.KindTesseract {
		plan.OCR["workers"] = max(p.OCR.Workers, 1)
	}
	if p.FaceEngine.Kind == config.KindONNX {
		plan.FaceEngine["models"] = p.FaceEngine.Models
		plan.FaceEngine["threshold"] = c.Face.Threshold
	}
	if p.Eligibility.Kind == config.KindHTTPS {
		plan.Eligibility["url"] = p.Eligibility.URL
		plan.Eligibility["ca_pinned"] = true
		plan.Eligibility["client_cert"] = p.Eligibility.ClientCert
	}
	plan.Console = p.Console.Address
	plan.Printer = printerPlan(p.Printer)
	plan.Revisit = revisitPlan(c)
	if p.Updates.Dir != "" {
		plan.Updates = map[string]any{"dir": p.Updates.Dir, "state": p.Updates.State, "keys": len(p.Updates.Keys)}
	}
	return plan, nil
}

func cameraPlan(c config.Camera) map[string]any {
	m := map[string]any{"kind": c.Kind}
	switch c.Kind {
	case config.KindV4L2:
		m["device"] = c.Device
	case config.KindFiles:
		m["path"] = c.Path
	}
	return m
}

// checkFiles finds the files and folders the parts need, so that a kiosk
// that would fail at start fails the dry run with the field named.
func checkFiles(c *config.Config) error {
	p := c.Parts
	if p.FaceEngine.Kind == config.KindONNX {
		if _, err := os.Stat(filepath.Join(p.FaceEngine.Models, "models.json")); err != nil {
			return bad("parts.face_engine.models", "no models.json in %s", p.FaceEngine.Models)
		}
	}
	if p.Eligibility.Kind == config.KindHTTPS {
		if _, err := PinnedTLS(p.Eligibility); err != nil {
			return err
		}
	}
	for field, cam := range map[string]config.Camera{"parts.face_camera.path": p.FaceCamera, "parts.card_camera.path": p.CardCamera} {
		if cam.Kind == config.KindFiles {
			if _, err := os.Stat(cam.Path); err != nil {
				return bad(field, "%v", err)
			}
		}
	}
	if h := p.Staff.PINHash; h != "" {
		if _, err := staff.NewGuard(h); err != nil {
			return bad("parts.staff.pin_hash", "%v", err)
		}
	}
	if _, err := c.TrustAnchors(); err != nil {
		return fmt.Errorf("%w: %w", ErrConfig, err)
	}
	if p.Console.Enabled() {
		if _, _, err := consoleFiles(p.Console); err != nil {
			return err
		}
	}
	return checkHPKIFiles(p.Staff)
}
