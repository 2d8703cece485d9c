package session

import (
	"fmt"
	"runtime"
	"slices"
	"time"

	"github.com/uketsuke/uketsuke/app/config"
)

// PINLength is the JPKI user-authentication PIN's length: a PIN is never
// sent shorter (or longer) than this.
const PINLength = 4

// Settings are the session's limits, usually from app/config.
type Settings struct {
	FusionFrames     int           // good frames whose scores are averaged
	FusionWindow     time.Duration // frames older than this leave the fusion
	FaceAttemptTime  time.Duration // time budget of one face attempt
	FaceAttempts     int           // attempts before face is no longer offered
	CardScanAttempts int           // card-face stills tried for 照合番号B
	KeyBMinTries     int           // below this many 照合番号B tries left, never verify a scanned code
	Inactivity       time.Duration // no event for this long ends the session
	Workers          int           // CPU-heavy tasks at once; 0 = GOMAXPROCS
	// AskPrescription: after consent the patient chooses paper or electronic
	// prescription (StatePrescription). Off in DefaultSettings, on in the
	// default configuration (facility.ask_prescription).
	AskPrescription bool
	// Visits is the reception offered (needs Devices.Revisit unless
	// VisitFirst); Departments the 診療科 a ticket may name (none: not asked);
	// RevisitProof asks a known card for face or PIN too.
	Visits       VisitMode
	Departments  []string
	RevisitProof bool
	// StillThereLead: this long before the inactivity timeout the kiosk
	// asks whether the patient is still there (at most half of Inactivity,
	// so a short timeout warns too); 0: DefaultStillThereLead.
	StillThereLead time.Duration
	// TakeCardAfter: a card still on the reader this long after 受付完了 (or
	// after its session ended) gets a reminder, repeated every TakeCardEvery;
	// 0: the defaults.
	TakeCardAfter, TakeCardEvery time.Duration
}

// The warnings' defaults. Ten seconds is time to read one question and
// reach the screen; five seconds after 受付完了 a patient who is still
// packing up has taken the card, one who walks away has not; ten seconds
// between reminders does not talk over the next patient's first words.
const (
	DefaultStillThereLead = 10 * time.Second
	DefaultTakeCardAfter  = 5 * time.Second
	DefaultTakeCardEvery  = 10 * time.Second
)

// stillThereLead is how long before the inactivity timeout to ask.
func (s Settings) stillThereLead() time.Duration {
	lead := s.StillThereLead
	if lead == 0 {
		lead = DefaultStillThereLead
	}
	return min(lead, s.Inactivity/2)
}

func (s Settings) takeCardAfter() time.Duration {
	return orDefault(s.TakeCardAfter, DefaultTakeCardAfter)
}

func (s Settings) takeCardEvery() time.Duration {
	return orDefault(s.TakeCardEvery, DefaultTakeCardEvery)
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// DefaultSettings are sensible kiosk values.
func DefaultSettings() Settings {
	return Settings{
		FusionFrames: 3, FusionWindow: 2 * time.Second,
		FaceAttemptTime: 10 * time.Second, FaceAttempts: 3, CardScanAttempts: 3, KeyBMinTries: 5,
		Inactivity: 60 * time.Second,
	}
}

func (s Settings) check() error {
	switch {
	case s.FusionFrames < 1:
		return fmt.Errorf("%w: fusion frames %d < 1", ErrConfig, s.FusionFrames)
	case s.FusionWindow <= 0, s.FaceAttemptTime <= 0, s.Inactivity <= 0:
		return fmt.Errorf("%w: a time limit is not positive", ErrConfig)
	case s.FaceAttempts < 1, s.CardScanAttempts < 1, s.KeyBMinTries < 1:
		return fmt.Errorf("%w: attempts must be at least 1", ErrConfig)
	case s.Visits > VisitBoth:
		return fmt.Errorf("%w: unknown visit mode %d", ErrConfig, s.Visits)
	case slices.Contains(s.Departments, ""):
		return fmt.Errorf("%w: a department without a name", ErrConfig)
	case s.StillThereLead < 0, s.TakeCardAfter < 0, s.TakeCardEvery < 0:
		return fmt.Errorf("%w: a warning's time is negative", ErrConfig)
	}
	return nil
}

func (s Settings) workers() int {
	if s.Workers > 0 {
		return s.Workers
	}
	return runtime.GOMAXPROCS(0)
}

// SettingsFrom takes the session's limits from a validated configuration.
func SettingsFrom(c *config.Config) Settings {
	return Settings{
		FusionFrames:     c.Face.FusionFrames,
		FusionWindow:     c.Face.FusionWindow.Duration,
		FaceAttemptTime:  c.Face.AttemptTime.Duration,
		FaceAttempts:     c.Face.Attempts,
		CardScanAttempts: c.Card.ScanAttempts,
		KeyBMinTries:     c.Card.KeyBMinTries,
		Inactivity:       c.Session.Inactivity.Duration,
		AskPrescription:  c.Facility.AskPrescription,
		Visits:           visitModeOf(c.Revisit),
		Departments:      append([]string(nil), c.Revisit.Departments...),
		RevisitProof:     c.Revisit.AskProof,
	}
}

// visitModeOf reads a validated configuration's mode.
func visitModeOf(r config.Revisit) VisitMode {
	m, _ := ParseVisitMode(r.VisitMode())
	return m
}
