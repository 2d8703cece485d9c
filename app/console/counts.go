package console

import (
	"encoding/json"
	"sort"
	"sync"
	"time"
)

// Today's counts come from the operation log (app/audit): each session's
// "end" record carries its outcome, method, face attempts and validity,
// never anything about the patient. Reading the log, rather than watching
// the kiosk, keeps the counts across a restart.

// Counts are one day's sessions without personal data.
type Counts struct {
	Day       string `json:"day"` // YYYY-MM-DD, the kiosk's local time
	Sessions  int    `json:"sessions"`
	Completed int    `json:"completed"`
	Face      struct {
		Tried       int     `json:"tried"` // sessions with a face attempt
		Succeeded   int     `json:"succeeded"`
		SuccessRate float64 `json:"success_rate"` // succeeded / tried; 0 with none
	} `json:"face"`
	PIN          int `json:"pin"` // sessions identified by PIN
	VisualChecks struct {
		Approved int `json:"approved"`
		Refused  int `json:"refused"`
	} `json:"visual_checks"`
	// Refusals counts the sessions that did not complete, by their outcome
	// (an error code: card.juki, elig.ineligible, session.card_removed...).
	Refusals []Reason `json:"refusals"`
}

// Reason is one outcome and how many sessions ended with it.
type Reason struct {
	Code  string `json:"code"`
	Count int    `json:"count"`
}

// endRecord is what the counts read of a session's end.
type endRecord struct {
	Time         time.Time `json:"time"`
	Msg          string    `json:"msg"`
	Session      string    `json:"session"`
	Outcome      string    `json:"outcome"`
	Method       string    `json:"method"`
	FaceAttempts int       `json:"face_attempts"`
	Validity     int       `json:"validity"`
	Code         string    `json:"code"`    // an "error" record's code
	Ignored      *bool     `json:"ignored"` // an event record: no transition matched
}

// errorRecord is what the status reads of the error log.
type errorRecord struct {
	Time  time.Time `json:"time"`
	Msg   string    `json:"msg"`
	State string    `json:"state"`
}

// LastError is a recent fault code, without the session's id.
type LastError struct {
	Time  time.Time `json:"time"`
	Code  string    `json:"code"`
	State string    `json:"state,omitempty"`
}

// lastErrors is how many recent errors the status keeps.
const lastErrors = 10

const (
	outcomeCompleted   = "completed"
	outcomeStaffRefuse = "staff.rejected"
	outcomeEligDown    = "elig.unavailable"
)

// Tally counts the log's records as they are read; Counts answers for the
// day asked.
type Tally struct {
	mu       sync.Mutex
	loc      *time.Location
	day      string
	c        Counts
	refusals map[string]int
	errors   []LastError
	elig     string            // the eligibility service at the last session that reached it
	codes    map[string]string // a running session's last error code, by its log id
}

// NewTally counts days in loc (nil: the kiosk's local time).
func NewTally(loc *time.Location) *Tally {
	if loc == nil {
		loc = time.Local
	}
	return &Tally{loc: loc, refusals: map[string]int{}, codes: map[string]string{}}
}

// Reset forgets everything, before the logs are read again from the start.
func (t *Tally) Reset() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.day, t.c, t.refusals, t.errors, t.elig, t.codes = "", Counts{}, map[string]int{}, nil, "", map[string]string{}
}

// AddOperation counts one line of the operation log; other records and
// lines that are not JSON are passed over.
func (t *Tally) AddOperation(line []byte) {
	var r endRecord
	if json.Unmarshal(line, &r) != nil || r.Session == "" || r.Time.IsZero() {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case r.Msg == "error" && r.Code != "":
		if len(t.codes) < 64 { // sessions end; a log cut short must not grow this
			t.codes[r.Session] = r.Code
		}
		return
	case r.Msg != "end":
		return
	}
	r.Code = t.codes[r.Session]
	delete(t.codes, r.Session)
	day := r.Time.In(t.loc).Format(time.DateOnly)
	if day < t.day {
		return
	}
	if day > t.day {
		t.day, t.c, t.refusals = day, Counts{}, map[string]int{}
	}
	t.count(r)
}

func (t *Tally) count(r endRecord) {
	c := &t.c
	c.Sessions++
	if r.FaceAttempts > 0 {
		c.Face.Tried++
	}
	ok := r.Outcome == outcomeCompleted
	// The method is set once the patient was identified.
	switch r.Method {
	case "face":
		c.Face.Succeeded++
	case "pin":
		c.PIN++
	case "staff":
		c.VisualChecks.Approved++
	}
	// A session that did not complete ends with why it ended (the card
	// pulled, say); the error that stopped it, if there was one, says more.
	reason := r.Outcome
	if r.Code != "" {
		reason = r.Code
	}
	switch {
	case ok:
		c.Completed++
	case reason == outcomeStaffRefuse:
		c.VisualChecks.Refused++
		t.refusals[reason]++
	default:
		t.refusals[reason]++
	}
	switch {
	case r.Outcome == outcomeEligDown:
		t.elig = "unavailable"
	case r.Validity > 0 || ok:
		t.elig = "ok"
	}
}

// AddError keeps one line of the error log among the last errors.
func (t *Tally) AddError(line []byte) {
	var r errorRecord
	if json.Unmarshal(line, &r) != nil || r.Msg == "" || r.Time.IsZero() {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.errors = append(t.errors, LastError{Time: r.Time, Code: r.Msg, State: r.State})
	if len(t.errors) > lastErrors {
		t.errors = t.errors[len(t.errors)-lastErrors:]
	}
}

// Counts are the counts of the day now falls on.
func (t *Tally) Counts(now time.Time) Counts {
	t.mu.Lock()
	defer t.mu.Unlock()
	day := now.In(t.loc).Format(time.DateOnly)
	out := Counts{Day: day, Refusals: []Reason{}}
	if t.day != day {
		return out
	}
	out = t.c
	out.Day = day
	if out.Face.Tried > 0 {
		out.Face.SuccessRate = float64(int64(float64(out.Face.Succeeded)/float64(out.Face.Tried)*10000+0.5)) / 10000
	}
	out.Refusals = make([]Reason, 0, len(t.refusals))
	for code, n := range t.refusals {
		out.Refusals = append(out.Refusals, Reason{code, n})
	}
	sort.Slice(out.Refusals, func(i, j int) bool {
		a, b := out.Refusals[i], out.Refusals[j]
		return a.Count > b.Count || a.Count == b.Count && a.Code < b.Code
	})
	return out
}

// LastErrors are the most recent errors, newest first.
func (t *Tally) LastErrors() []LastError {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]LastError, 0, len(t.errors))
	for i := len(t.errors) - 1; i >= 0; i-- {
		out = append(out, t.errors[i])
	}
	return out
}

// Eligibility is the eligibility service as the last session that reached
// it found it: "ok", "unavailable", or "" when no session has yet.
func (t *Tally) Eligibility() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.elig
}
