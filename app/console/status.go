package console

import (
	"regexp"
	"slices"
	"time"

	"github.com/uketsuke/uketsuke/app/session"
)

// Status is the kiosk at a glance: its parts, versions and recent fault
// codes. Nothing about a patient: the state's name and codes only.
type Status struct {
	At           time.Time         `json:"at"`
	State        string            `json:"state"` // the session state (idle, face, staff_check...)
	Fault        string            `json:"fault,omitempty"`
	Reader       Part              `json:"reader"`
	FaceCamera   Part              `json:"face_camera"`
	CardCamera   Part              `json:"card_camera"`
	Results      Part              `json:"results"`
	Eligibility  Part              `json:"eligibility"`
	Software     string            `json:"software"`
	Models       map[string]string `json:"models"` // stage → the part or model doing it
	ConfigSerial uint64            `json:"config_serial"`
	LastErrors   []LastError       `json:"last_errors"`
}

// Part is one part's state: "ok", "fault" (with its code) or "unknown".
type Part struct {
	State string `json:"state"`
	Fault string `json:"fault,omitempty"`
}

// Facts are what the status needs besides the kiosk's view.
type Facts struct {
	Faults   []session.ErrorCode // every part's fault now (the view shows the most pressing)
	Software string
	Models   map[string]string
	Serial   uint64
}

// StatusOf puts the status together.
func StatusOf(v session.View, f Facts, t *Tally, now time.Time) Status {
	faults := f.Faults
	if v.Fault != session.ErrCodeNone && !slices.Contains(faults, v.Fault) {
		faults = append(slices.Clone(faults), v.Fault)
	}
	part := func(code session.ErrorCode) Part {
		if slices.Contains(faults, code) {
			return Part{State: "fault", Fault: string(code)}
		}
		return Part{State: "ok"}
	}
	s := Status{At: now, State: v.State.String(), Fault: string(v.Fault),
		Reader: part(session.ErrCodeNoReader), FaceCamera: part(session.ErrCodeNoFaceCamera),
		CardCamera: part(session.ErrCodeNoCardCamera), Results: part(session.ErrCodeResults),
		Eligibility: Part{State: "unknown"},
		Software:    f.Software, Models: f.Models, ConfigSerial: f.Serial, LastErrors: t.LastErrors()}
	switch t.Eligibility() {
	case "ok":
		s.Eligibility = Part{State: "ok"}
	case "unavailable":
		s.Eligibility = Part{State: "fault", Fault: string(session.ErrCodeEligibility)}
	}
	if s.Models == nil {
		s.Models = map[string]string{}
	}
	return s
}

// logFile is an audit log file the console offers for download: the
// operation and error logs and their rotated generations (app/audit).
var logFile = regexp.MustCompile(`^(operation|error)\.jsonl(\.[0-9]{1,3})?$`)

// IsLogFile says whether name is one of the audit log's files.
func IsLogFile(name string) bool { return logFile.MatchString(name) }
