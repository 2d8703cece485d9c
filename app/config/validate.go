package config

import (
	"fmt"
	"regexp"
	"time"
	"unicode"
	"unicode/utf8"
)

// Languages are the kiosk's sixteen interface languages.
var Languages = []string{"ja", "ja-easy", "en", "zh-Hans", "zh-Hant", "ko", "vi", "pt",
	"es", "tl", "id", "ne", "th", "my", "km", "mn"}

var (
	facilityCode = regexp.MustCompile(`^[0-9]{10}$`)
	messageKey   = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$`)
	usbID        = regexp.MustCompile(`^[0-9a-f]{4}$`)
	usbSerial    = regexp.MustCompile(`^[!-~]{0,126}$`)
	deviceKinds  = map[string]bool{"reader": true, "face_camera": true, "card_camera": true}
)

// Limits on wording overrides.
const (
	maxWordingRunes = 300
	maxWordingKeys  = 500
)

// Validate checks every field's range; the first problem is returned.
func (c *Config) Validate() error {
	checks := []func() error{c.Facility.validate, c.Face.validate, c.Card.validate,
		c.Session.validate, c.Revisit.validate, c.validateDevices, c.validateAnchors, c.validateParts,
		c.validateRevisitParts}
	for _, check := range checks {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}

func (c *Config) validateParts() error {
	if c.Parts == nil {
		return nil
	}
	return c.Parts.validate()
}

func bad(field, format string, args ...any) error {
	return &ValidationError{Field: field, Problem: fmt.Sprintf(format, args...)}
}

func (f Facility) validate() error {
	if !facilityCode.MatchString(f.Code) {
		return bad("facility.code", "must be 10 digits")
	}
	if !isLanguage(f.DefaultLanguage) {
		return bad("facility.default_language", "%q is not one of %v", f.DefaultLanguage, Languages)
	}
	n := 0
	for lang, texts := range f.Wording {
		if !isLanguage(lang) {
			return bad("facility.wording", "unknown language %q", lang)
		}
		for key, text := range texts {
			n++
			if err := checkWording(lang, key, text); err != nil {
				return err
			}
		}
	}
	if n > maxWordingKeys {
		return bad("facility.wording", "%d overrides, limit %d", n, maxWordingKeys)
	}
	return nil
}

func checkWording(lang, key, text string) error {
	field := fmt.Sprintf("facility.wording.%s.%s", lang, key)
	if !messageKey.MatchString(key) || len(key) > 64 {
		return bad(field, "not a message key")
	}
	if !utf8.ValidString(text) || text == "" {
		return bad(field, "empty or not UTF-8")
	}
	if utf8.RuneCountInString(text) > maxWordingRunes {
		return bad(field, "longer than %d characters", maxWordingRunes)
	}
	for _, r := range text {
		if unicode.IsControl(r) && r != '\n' {
			return bad(field, "contains a control character")
		}
	}
	return nil
}

func isLanguage(l string) bool {
	for _, x := range Languages {
		if x == l {
			return true
		}
	}
	return false
}

func (f Face) validate() error {
	switch {
	case f.Threshold != 0 && !(f.Threshold >= 0.2 && f.Threshold <= 0.99):
		return bad("face.threshold", "%v is outside 0.2..0.99 (0: the model's own)", f.Threshold)
	case f.FusionFrames < 1 || f.FusionFrames > 10:
		return bad("face.fusion_frames", "%d is outside 1..10", f.FusionFrames)
	case f.Attempts < 1 || f.Attempts > 5:
		return bad("face.attempts", "%d is outside 1..5", f.Attempts)
	}
	if err := inRange("face.fusion_window", f.FusionWindow, 200*time.Millisecond, 10*time.Second); err != nil {
		return err
	}
	return inRange("face.attempt_time", f.AttemptTime, 3*time.Second, 60*time.Second)
}

func (c Card) validate() error {
	if c.ScanAttempts < 1 || c.ScanAttempts > 5 {
		return bad("card.scan_attempts", "%d is outside 1..5", c.ScanAttempts)
	}
	if c.KeyBMinTries < 1 || c.KeyBMinTries > 10 {
		return bad("card.keyb_min_tries", "%d is outside 1..10", c.KeyBMinTries)
	}
	return nil
}

func (s Session) validate() error {
	return inRange("session.inactivity", s.Inactivity, 10*time.Second, 10*time.Minute)
}

func inRange(field string, d Duration, lo, hi time.Duration) error {
	if d.Duration < lo || d.Duration > hi {
		return bad(field, "%v is outside %v..%v", d.Duration, lo, hi)
	}
	return nil
}

func (c *Config) validateDevices() error {
	seen := map[AllowedDevice]bool{}
	for i, d := range c.Devices {
		field := fmt.Sprintf("devices[%d]", i)
		switch {
		case !deviceKinds[d.Kind]:
			return bad(field+".kind", "%q is not reader, face_camera or card_camera", d.Kind)
		case !usbID.MatchString(d.Vendor):
			return bad(field+".vendor", "must be 4 lower-case hex digits")
		case !usbID.MatchString(d.Product):
			return bad(field+".product", "must be 4 lower-case hex digits")
		case !usbSerial.MatchString(d.Serial):
			return bad(field+".serial", "at most 126 printable ASCII characters")
		case seen[d]:
			return bad(field, "listed twice")
		}
		seen[d] = true
	}
	return nil
}

func (c *Config) validateAnchors() error {
	t, err := c.TrustAnchors()
	if err != nil {
		return bad("trust_anchors", "%v", err)
	}
	if t != nil && len(t.Kenmen) == 0 {
		return bad("trust_anchors", "no 券面AP (kenmen) key: face records could never verify")
	}
	return nil
}

// AllowsDevice reports whether a device is on the allow-list: its kind and
// USB ids match an entry, and its serial too when the entry names one.
func (c *Config) AllowsDevice(kind, vendor, product, serial string) bool {
	for _, d := range c.Devices {
		if d.Kind == kind && d.Vendor == vendor && d.Product == product && (d.Serial == "" || d.Serial == serial) {
			return true
		}
	}
	return false
}
