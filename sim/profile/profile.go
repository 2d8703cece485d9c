// Package profile describes a test card holder: what is printed on the card's
// face and stored in its chip. Profiles are synthetic people for simulation;
// they are never real patients.
package profile

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"time"
)

// Profile is the JSON form used by `uketsuke card sim --profile FILE`.
type Profile struct {
	Name         string `json:"name"` // family and given name, U+3000 between
	Kana         string `json:"kana,omitempty"`
	Address      string `json:"address"`
	Birth        string `json:"birth"`         // YYYY-MM-DD (Gregorian)
	Sex          string `json:"sex"`           // "1" male, "2" female, "9" not applicable
	Expiry       string `json:"expiry"`        // YYYY-MM-DD
	SecurityCode string `json:"security_code"` // 4 digits printed under the photo
	PIN          string `json:"pin,omitempty"` // 4 digits; empty for a card issued without a PIN
	SignPassword string `json:"sign_password,omitempty"`
	Photo        string `json:"photo,omitempty"`   // path to a face image, relative to the profile file
	Foreign      bool   `json:"foreign,omitempty"` // dates printed in the Gregorian calendar
	Seed         int64  `json:"seed,omitempty"`    // derives the card's keys; 0 = from the name
}

// Typed problems with a profile.
var (
	ErrInvalid = errors.New("profile: invalid")
)

var (
	fourDigits = regexp.MustCompile(`^[0-9]{4}$`)
	signPass   = regexp.MustCompile(`^[A-Z0-9]{6,16}$`)
)

// Load reads and validates a profile; Photo is resolved against the file's folder.
func Load(path string) (*Profile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var p Profile
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrInvalid, path, err)
	}
	if p.Photo != "" && !filepath.IsAbs(p.Photo) {
		p.Photo = filepath.Join(filepath.Dir(path), p.Photo)
	}
	return &p, p.Validate()
}

// Validate checks every field's form.
func (p *Profile) Validate() error {
	bad := func(field, why string) error { return fmt.Errorf("%w: %s %s", ErrInvalid, field, why) }
	if p.Name == "" {
		return bad("name", "is empty")
	}
	if _, err := p.BirthDate(); err != nil {
		return bad("birth", "is not YYYY-MM-DD")
	}
	if _, err := p.ExpiryDate(); err != nil {
		return bad("expiry", "is not YYYY-MM-DD")
	}
	switch p.Sex {
	case "1", "2", "3", "9":
	default:
		return bad("sex", "must be 1, 2, 3 or 9")
	}
	if !fourDigits.MatchString(p.SecurityCode) {
		return bad("security_code", "must be 4 digits")
	}
	if p.PIN != "" && !fourDigits.MatchString(p.PIN) {
		return bad("pin", "must be 4 digits")
	}
	if p.SignPassword != "" && !signPass.MatchString(p.SignPassword) {
		return bad("sign_password", "must be 6-16 of A-Z and 0-9")
	}
	return nil
}

// BirthDate parses Birth.
func (p *Profile) BirthDate() (time.Time, error) { return time.Parse(time.DateOnly, p.Birth) }

// ExpiryDate parses Expiry.
func (p *Profile) ExpiryDate() (time.Time, error) { return time.Parse(time.DateOnly, p.Expiry) }

// Default is the demo's holder: the example from the card documentation.
func Default() *Profile {
	return &Profile{
		Name: "個人番号　花子", Kana: "コジンバンゴウ　ハナコ",
		Address: "東京都千代田区霞が関二丁目１番２号",
		Birth:   "1980-02-17", Sex: "2", Expiry: "2035-02-17",
		SecurityCode: "2285", PIN: "1234", SignPassword: "ABC123",
	}
}

// Staff is a clinic's staff member with their own My Number Card: a
// different holder (and so different keys) from every patient profile, for
// operator login tests. Their 利用者証明用 PIN is 5678.
func Staff() *Profile {
	return &Profile{
		Name: "受付　太郎", Kana: "ウケツケ　タロウ",
		Address: "東京都千代田区霞が関一丁目２番３号",
		Birth:   "1975-06-03", Sex: "1", Expiry: "2034-06-03",
		SecurityCode: "7741", PIN: "5678", SignPassword: "STAFF01",
	}
}
