package console

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/uketsuke/uketsuke/app/atomicfile"
	"github.com/uketsuke/uketsuke/app/config"
	"github.com/uketsuke/uketsuke/app/session"
)

// Change is a settings change from the console: only these fields, each
// validated with the whole configuration by config.Validate, the check a
// bundle's document gets. A field left out stays as it is.
type Change struct {
	DefaultLanguage *string `json:"default_language,omitempty"`
	// Wording replaces the facility's wording overrides as a whole
	// (language → message key → text); {} removes them all.
	Wording         map[string]map[string]string `json:"wording,omitempty"`
	FaceAttempts    *int                         `json:"face_attempts,omitempty"`
	FaceAttemptTime *string                      `json:"face_attempt_time,omitempty"` // "10s"
}

func (c Change) empty() bool {
	return c.DefaultLanguage == nil && c.Wording == nil && c.FaceAttempts == nil && c.FaceAttemptTime == nil
}

// View is the settings as the console shows them.
type View struct {
	Serial          uint64                       `json:"serial"`
	DefaultLanguage string                       `json:"default_language"`
	Languages       []string                     `json:"languages"`
	Wording         map[string]map[string]string `json:"wording"`
	FaceAttempts    int                          `json:"face_attempts"`
	FaceAttemptTime config.Duration              `json:"face_attempt_time"`
	Bundles         bool                         `json:"bundles"` // the kiosk takes signed bundles
}

// ViewOf is the console's settings view of a configuration.
func ViewOf(c *config.Config) View {
	w := c.Facility.Wording
	if w == nil {
		w = map[string]map[string]string{}
	}
	return View{Serial: c.Serial, DefaultLanguage: c.Facility.DefaultLanguage, Languages: config.Languages,
		Wording: w, FaceAttempts: c.Face.Attempts, FaceAttemptTime: c.Face.AttemptTime,
		Bundles: c.Parts != nil && c.Parts.Updates.Dir != ""}
}

// Apply returns a copy of c with the change, validated as a whole; c is
// left alone. A refusal is a *config.ValidationError naming the field.
func (ch Change) Apply(c *config.Config) (*config.Config, error) {
	out := *c
	out.Facility.Wording = copyWording(c.Facility.Wording)
	if ch.DefaultLanguage != nil {
		out.Facility.DefaultLanguage = *ch.DefaultLanguage
	}
	if ch.Wording != nil {
		out.Facility.Wording = copyWording(ch.Wording)
	}
	if ch.FaceAttempts != nil {
		out.Face.Attempts = *ch.FaceAttempts
	}
	if ch.FaceAttemptTime != nil {
		d, err := time.ParseDuration(*ch.FaceAttemptTime)
		if err != nil {
			return nil, &config.ValidationError{Field: "face.attempt_time", Problem: fmt.Sprintf("%q is not a duration like \"10s\"", *ch.FaceAttemptTime)}
		}
		out.Face.AttemptTime = config.Duration{Duration: d}
	}
	if err := out.Validate(); err != nil {
		return nil, err
	}
	return &out, nil
}

// Fields names the settings a change touches, for the access log.
func (ch Change) Fields() []string {
	var out []string
	for _, f := range []struct {
		name string
		set  bool
	}{{"facility.default_language", ch.DefaultLanguage != nil}, {"facility.wording", ch.Wording != nil},
		{"face.attempts", ch.FaceAttempts != nil}, {"face.attempt_time", ch.FaceAttemptTime != nil}} {
		if f.set {
			out = append(out, f.name)
		}
	}
	return out
}

func copyWording(w map[string]map[string]string) map[string]map[string]string {
	if w == nil {
		return nil
	}
	out := make(map[string]map[string]string, len(w))
	for lang, texts := range w {
		out[lang] = maps.Clone(texts)
	}
	return out
}

// OverridesFile is where the console's settings are kept, in the kiosk's
// local state folder (parts.results.state).
const OverridesFile = "console-settings.json"

// overrides is the file: the whitelisted values and the serial of the
// configuration they were made on. A bundle with a newer serial replaces
// the policy, and these with it.
type overrides struct {
	BaseSerial uint64 `json:"base_serial"`
	Change
}

// ErrOverrides marks a settings file the kiosk cannot use.
var ErrOverrides = errors.New("console: the saved console settings")

// LoadOverrides applies the settings saved by the console on top of the
// running configuration, when they were made on its serial; otherwise (no
// file, or a newer bundle since) it returns c as it is.
func LoadOverrides(c *config.Config, path string) (*config.Config, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrOverrides, err)
	}
	var o overrides
	if err := decodeStrict(data, &o); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrOverrides, path, err)
	}
	if o.BaseSerial != c.Serial {
		return c, nil
	}
	out, err := o.Apply(c)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrOverrides, path, err)
	}
	return out, nil
}

func saveOverrides(path string, c *config.Config) error {
	v := ViewOf(c)
	attemptTime := v.FaceAttemptTime.String()
	data, err := json.MarshalIndent(overrides{BaseSerial: c.Serial, Change: Change{
		DefaultLanguage: &v.DefaultLanguage, Wording: v.Wording, FaceAttempts: &v.FaceAttempts,
		FaceAttemptTime: &attemptTime}}, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	_, err = atomicfile.Write(filepath.Dir(path), filepath.Base(path), data, 0o600)
	return err
}

// Settings is the running configuration as the console changes it: one
// change at a time, each validated, saved and then handed to the kiosk for
// its next session.
type Settings struct {
	mu    sync.Mutex
	cur   *config.Config
	file  string
	kiosk Kiosk
	// Check is a further check of a changed configuration, from the
	// composition root (the wording against the message catalogue, which
	// config.Validate cannot see); a refusal should be a
	// *config.ValidationError. Nil: none.
	Check func(*config.Config) error
	// OnChange hears each configuration the console put in force, for what
	// the kiosk's limits do not carry (the wording and default language).
	OnChange func(*config.Config)
}

// NewSettings starts from the running configuration (LoadOverrides applied).
func NewSettings(running *config.Config, file string, k Kiosk) *Settings {
	return &Settings{cur: running, file: file, kiosk: k}
}

// Current is the configuration in force; callers must not modify it.
func (s *Settings) Current() *config.Config {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cur
}

// Change validates, saves and puts in force a settings change.
func (s *Settings) Change(ch Change) (*config.Config, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	next, err := ch.Apply(s.cur)
	if err == nil && s.Check != nil {
		err = s.Check(next)
	}
	if err != nil {
		return nil, err
	}
	if err := saveOverrides(s.file, next); err != nil {
		return nil, err
	}
	return next, s.use(next)
}

// ApplyBundle applies a signed bundle with every check a bundle in the
// updates folder gets (config.ApplyBundle); it replaces the console's
// own settings, which were made on the older serial.
func (s *Settings) ApplyBundle(data []byte) (*config.Config, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	next, err := config.ApplyBundle(s.cur, data)
	if err != nil {
		return nil, err
	}
	if err := os.Remove(s.file); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	return next, s.use(next)
}

func (s *Settings) use(c *config.Config) error {
	s.cur = c
	if s.OnChange != nil {
		s.OnChange(c)
	}
	limits := session.SettingsFrom(c)
	return s.kiosk.UseSettings(limits)
}
