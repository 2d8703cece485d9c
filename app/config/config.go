// Package config holds the kiosk's facility settings: wording overrides,
// face-match thresholds, time limits, retry counts, the device allow-list
// and the J-LIS trust anchors. Every value has a validated range, and
// updates arrive only as Ed25519-signed bundles (bundle.go).
package config

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/uketsuke/uketsuke/app/mynacard"
)

// ErrInvalid marks a configuration that parsed but broke a rule.
var ErrInvalid = errors.New("config: invalid")

// ErrMalformed marks input that is not a configuration at all.
var ErrMalformed = errors.New("config: malformed")

// ValidationError names the field and the rule it broke.
type ValidationError struct {
	Field   string
	Problem string
}

func (e *ValidationError) Error() string { return fmt.Sprintf("config: %s: %s", e.Field, e.Problem) }

// Unwrap lets errors.Is(err, ErrInvalid) hold.
func (e *ValidationError) Unwrap() error { return ErrInvalid }

// MaxSize bounds a configuration document.
const MaxSize = 1 << 20

// Config is the whole facility configuration.
type Config struct {
	Serial   uint64          `json:"serial"` // bundles apply only with a higher serial
	Facility Facility        `json:"facility"`
	Face     Face            `json:"face"`
	Card     Card            `json:"card"`
	Session  Session         `json:"session"`
	Revisit  Revisit         `json:"revisit,omitzero"` // re-visit reception (docs/revisit.md)
	Devices  []AllowedDevice `json:"devices"`
	// Anchors are the J-LIS CA keys and JPKI roots in app/mynacard's trust
	// file format ({"kenmen": [...], "hojo": [...], "jpki_pem": "..."}).
	Anchors json.RawMessage `json:"trust_anchors,omitempty"`
	// Parts is the kiosk's own: set in its configuration file, never by a bundle.
	Parts *Parts `json:"parts,omitempty"`
}

// Facility is the clinic's identity and wording.
type Facility struct {
	Code            string                       `json:"code"` // 10-digit 医療機関コード
	DefaultLanguage string                       `json:"default_language"`
	Wording         map[string]map[string]string `json:"wording"` // language → message key → text
	// AskPrescription: after consent the patient chooses a paper or an
	// electronic prescription (紙の処方箋 / 電子処方箋). On by default; a
	// clinic that issues no prescriptions switches it off. Left out of a
	// configuration or bundle, it stays on.
	AskPrescription bool `json:"ask_prescription"`
}

// Face holds the matching limits.
type Face struct {
	// Threshold overrides the face model's calibrated threshold; 0 keeps it.
	Threshold    float64  `json:"threshold"`
	FusionFrames int      `json:"fusion_frames"`
	FusionWindow Duration `json:"fusion_window"`
	AttemptTime  Duration `json:"attempt_time"`
	Attempts     int      `json:"attempts"`
	// AllowStill accepts an attempt the motion check cannot call live. Only
	// for image-file cameras in tests: a photo on a stand does not move either.
	AllowStill bool `json:"allow_still,omitempty"`
}

// Card holds the card-side limits.
type Card struct {
	ScanAttempts int `json:"scan_attempts"` // card-face stills tried for 照合番号B
	// KeyBMinTries: with fewer 照合番号B tries left on the card, the kiosk
	// does not verify a scanned code by itself (staff check the card).
	KeyBMinTries int `json:"keyb_min_tries"`
}

// Session holds the session's time limits.
type Session struct {
	Inactivity Duration `json:"inactivity"`
}

// AllowedDevice is one entry of the allow-list: an attached device that is
// not on it is refused. The ids come from the USB bus (sysfs), not from the
// names a driver or the device reports.
type AllowedDevice struct {
	Kind    string `json:"kind"`    // reader, face_camera, card_camera
	Vendor  string `json:"vendor"`  // USB vendor id, 4 hex digits
	Product string `json:"product"` // USB product id, 4 hex digits
	// Serial pins one unit of a model that has a serial number; empty
	// admits any unit of the model.
	Serial string `json:"serial,omitempty"`
}

// Duration is a time.Duration written as "10s" in JSON.
type Duration struct{ time.Duration }

// MarshalJSON writes the Go duration syntax.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads the Go duration syntax.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration must be a string like \"10s\"")
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("duration %q: %v", s, err)
	}
	d.Duration = v
	return nil
}

// Default is a valid configuration with the recommended values and no
// trust anchors or devices (a kiosk must receive those in a bundle).
func Default() *Config {
	return &Config{
		Facility: Facility{Code: "0000000000", DefaultLanguage: "ja", AskPrescription: true},
		Face: Face{FusionFrames: 3, FusionWindow: Duration{2 * time.Second},
			AttemptTime: Duration{10 * time.Second}, Attempts: 3},
		Card:    Card{ScanAttempts: 3, KeyBMinTries: 5},
		Session: Session{Inactivity: Duration{60 * time.Second}},
	}
}

// Parse reads a configuration strictly (unknown fields are errors) and
// validates it.
func Parse(data []byte) (*Config, error) {
	if len(data) > MaxSize {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrMalformed, len(data), MaxSize)
	}
	dec := json.NewDecoder(bytes.NewReader(stripComments(data)))
	dec.DisallowUnknownFields()
	// Fields a document leaves out keep these values.
	c := Config{Facility: Facility{AskPrescription: true}}
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: trailing data", ErrMalformed)
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// stripComments blanks the lines whose first non-blank characters are //,
// so a clinic's configuration file can explain itself. Blanking (not
// removing) keeps the line numbers of JSON errors right.
func stripComments(data []byte) []byte {
	if !bytes.Contains(data, []byte("//")) {
		return data
	}
	lines := bytes.Split(data, []byte("\n"))
	for i, l := range lines {
		if bytes.HasPrefix(bytes.TrimLeft(l, " \t"), []byte("//")) {
			lines[i] = nil
		}
	}
	return bytes.Join(lines, []byte("\n"))
}

// Starter is a commented starter configuration for a clinic's kiosk: it
// parses, and `uketsuke kiosk --dry-run` names what is still to be filled in.
func Starter() []byte { return append([]byte(nil), starter...) }

//go:embed starter.jsonc
var starter []byte

// TrustAnchors parses the configured anchors; nil when none are set.
func (c *Config) TrustAnchors() (*mynacard.TrustAnchors, error) {
	if len(c.Anchors) == 0 {
		return nil, nil
	}
	return mynacard.ParseTrustAnchors(c.Anchors)
}

// Marshal writes the configuration as indented JSON.
func (c *Config) Marshal() ([]byte, error) { return json.MarshalIndent(c, "", "  ") }

// Load reads and validates a configuration file.
func Load(path string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxSize+1))
	if err != nil {
		return nil, err
	}
	return Parse(data)
}
