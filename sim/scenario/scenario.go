// Package scenario runs whole kiosk sessions from a script: the patient's
// touches, the staff terminal, the card being placed and pulled, who stands
// in front of the camera, and what every screen must show. `uketsuke
// simulate` runs the built-in scenarios (scenarios/*.json) or a file.
package scenario

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"time"
)

// ErrScenario marks a script that cannot be run as written.
var ErrScenario = errors.New("scenario: invalid")

// ErrFailed marks a script whose expectation was not met.
var ErrFailed = errors.New("scenario: failed")

// Scenario is one script.
type Scenario struct {
	Name        string  `json:"name"`
	Description string  `json:"description"`
	Holder      Holder  `json:"holder"`
	Service     Service `json:"service"`
	Steps       []Step  `json:"steps"`
	// Runs repeats the script for each entry, with the entry's steps appended;
	// used by card-pulled-in-each-state.
	Runs []Variant `json:"runs,omitempty"`
}

// Variant is one run of a scenario.
type Variant struct {
	Name    string   `json:"name"`
	Holder  *Holder  `json:"holder,omitempty"`  // replaces the scenario's holder
	Service *Service `json:"service,omitempty"` // replaces the scenario's service
	Steps   []Step   `json:"steps"`
}

// Holder is the card on the reader.
type Holder struct {
	Kind      string `json:"kind,omitempty"`   // mynumber (default), juki, smartphone, next_generation
	NoPIN     bool   `json:"no_pin,omitempty"` // issued without a PIN
	PINTries  int    `json:"pin_tries,omitempty"`
	BadRecord bool   `json:"bad_record,omitempty"`
	CardDelay string `json:"card_delay,omitempty"` // per card operation, e.g. "300ms"
	// ShortAPDUs: the card (or its reader) refuses extended-length
	// commands, so the kiosk falls back to short ones and chaining.
	ShortAPDUs bool `json:"short_apdus,omitempty"`
}

// Service is how the eligibility stand-in answers.
type Service struct {
	Unregistered bool   `json:"unregistered,omitempty"`
	Validity     int    `json:"validity,omitempty"` // 0: 有効
	Down         bool   `json:"down,omitempty"`
	Delay        string `json:"delay,omitempty"` // per request, e.g. "500ms"
	// Insurance picks the holder's insurance in the stand-in's population:
	// shaho-self, shaho-family, kokuho, kouki-1, kouki-2, kouki-3, elderly
	// (70–74 with 高齢受給者証), limit (限度額 on record), disease (特定疾病
	// on record); empty: anyone.
	Insurance string `json:"insurance,omitempty"`
}

// Step is one line of the script; exactly one action field is set.
type Step struct {
	Await   string  `json:"await,omitempty"`   // state name to wait for
	Touch   string  `json:"touch,omitempty"`   // touch event name
	Digits  string  `json:"digits,omitempty"`  // PIN keys; "holder" types the holder's PIN
	Staff   string  `json:"staff,omitempty"`   // staff event name
	Card    string  `json:"card,omitempty"`    // place | remove
	Face    string  `json:"face,omitempty"`    // holder | stranger | nobody
	Problem string  `json:"problem,omitempty"` // with face: a guidance key the camera shows
	Item    string  `json:"item,omitempty"`    // with touch toggle_item: medical, drug, surgery, checkup
	Expect  *Expect `json:"expect,omitempty"`  // check the current screen
	Wait    string  `json:"wait,omitempty"`    // the patient reads the screen this long
	Timeout string  `json:"timeout,omitempty"` // with await; default 10s
}

// Expect lists what the current View must show; unset fields are not checked.
type Expect struct {
	State     string  `json:"state,omitempty"`
	Error     *string `json:"error,omitempty"`
	Message   string  `json:"message,omitempty"`
	Guidance  string  `json:"guidance,omitempty"`
	TriesLeft *int    `json:"tries_left,omitempty"`
	LastTry   *bool   `json:"last_try,omitempty"`
	CanSubmit *bool   `json:"can_submit,omitempty"`
	Digits    *int    `json:"digits,omitempty"`
	FaceOK    *bool   `json:"face_offered,omitempty"`
	PINOK     *bool   `json:"pin_offered,omitempty"`
	CanRetry  *bool   `json:"can_retry,omitempty"`
	Validity  *int    `json:"validity,omitempty"`
	Consent   *int    `json:"consent_items,omitempty"`
}

//go:embed scenarios/*.json
var builtin embed.FS

// Names lists the built-in scenarios.
func Names() []string {
	entries, _ := fs.ReadDir(builtin, "scenarios")
	var out []string
	for _, e := range entries {
		out = append(out, strings.TrimSuffix(e.Name(), ".json"))
	}
	sort.Strings(out)
	return out
}

// Load returns a built-in scenario by name, or reads a file.
func Load(nameOrFile string) (*Scenario, error) {
	data, err := builtin.ReadFile(path.Join("scenarios", nameOrFile+".json"))
	if err != nil {
		data, err = os.ReadFile(nameOrFile)
		if err != nil {
			return nil, fmt.Errorf("%w: %q is neither a built-in scenario (%s) nor a readable file",
				ErrScenario, nameOrFile, strings.Join(Names(), ", "))
		}
	}
	return Parse(data)
}

// Parse reads and checks a script.
func Parse(data []byte) (*Scenario, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var s Scenario
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrScenario, err)
	}
	if err := s.check(); err != nil {
		return nil, err
	}
	return &s, nil
}

func (s *Scenario) check() error {
	if s.Name == "" {
		return fmt.Errorf("%w: no name", ErrScenario)
	}
	if len(s.Steps) == 0 && len(s.Runs) == 0 {
		return fmt.Errorf("%w: %s has no steps", ErrScenario, s.Name)
	}
	all := append([]Step(nil), s.Steps...)
	for _, r := range s.Runs {
		all = append(all, r.Steps...)
	}
	for i, st := range all {
		if err := st.check(); err != nil {
			return fmt.Errorf("%w: %s step %d: %v", ErrScenario, s.Name, i+1, err)
		}
	}
	holders := []Holder{s.Holder}
	services := []Service{s.Service}
	for _, r := range s.Runs {
		if r.Holder != nil {
			holders = append(holders, *r.Holder)
		}
		if r.Service != nil {
			services = append(services, *r.Service)
		}
	}
	for _, h := range holders {
		if err := h.check(); err != nil {
			return fmt.Errorf("%w: %s: %v", ErrScenario, s.Name, err)
		}
	}
	for _, sv := range services {
		if _, err := sv.delay(); err != nil {
			return fmt.Errorf("%w: %s: %v", ErrScenario, s.Name, err)
		}
	}
	return nil
}

func (h Holder) check() error {
	switch h.Kind {
	case "", "mynumber", "juki", "smartphone", "next_generation":
	default:
		return fmt.Errorf("holder kind %q", h.Kind)
	}
	_, err := h.delay()
	return err
}

func parseDelay(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 || d > time.Minute {
		return 0, fmt.Errorf("delay %q is not a duration up to 1m", s)
	}
	return d, nil
}

func (h Holder) delay() (time.Duration, error)  { return parseDelay(h.CardDelay) }
func (s Service) delay() (time.Duration, error) { return parseDelay(s.Delay) }
