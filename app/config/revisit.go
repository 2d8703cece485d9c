package config

import (
	"fmt"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/uketsuke/uketsuke/app/revisit"
)

// The visit modes (revisit.mode).
const (
	ModeFirstVisit = "first-visit" // every visit is a first visit (the default)
	ModeRevisit    = "revisit"     // a known card goes from placement to the ticket
	ModeBoth       = "both"        // the patient chooses 初診 or 再診
)

// Revisit is re-visit reception's policy (docs/revisit.md). It may arrive
// in a signed bundle; the database and keys it needs are the kiosk's own
// (Parts.Revisit).
type Revisit struct {
	Mode string `json:"mode,omitempty"` // first-visit (default), revisit or both
	// Departments are the 診療科 a patient chooses for the ticket (each
	// numbered on its own); none: one counter for the clinic.
	Departments []string `json:"departments,omitempty"`
	// AskProof asks a known card for face or PIN too.
	AskProof bool `json:"ask_proof,omitempty"`
	// LapseMonths sends a patient whose last visit is longer ago to the
	// first-visit counter; 0 never does.
	LapseMonths int `json:"lapse_months,omitempty"`
	// DeskOnFailedMonthlyCheck sends a patient whose check failed on the
	// first visit of a month to the desk instead of issuing a ticket.
	DeskOnFailedMonthlyCheck bool `json:"desk_on_failed_monthly_check,omitempty"`
	// ClinicName is printed on the ticket.
	ClinicName string `json:"clinic_name,omitempty"`
}

// VisitMode is the mode with its default filled in.
func (r Revisit) VisitMode() string {
	if r.Mode == "" {
		return ModeFirstVisit
	}
	return r.Mode
}

// Enabled says whether the kiosk offers re-visits.
func (r Revisit) Enabled() bool { return r.VisitMode() != ModeFirstVisit }

// Rules are the re-visit rules in the domain's terms.
func (r Revisit) Rules() revisit.Rules {
	return revisit.Rules{LapseMonths: r.LapseMonths, DeskOnFailedMonthlyCheck: r.DeskOnFailedMonthlyCheck}
}

func (r Revisit) validate() error {
	if err := oneOf("revisit.mode", r.VisitMode(), ModeFirstVisit, ModeRevisit, ModeBoth); err != nil {
		return err
	}
	if err := r.Rules().Validate(); err != nil {
		return bad("revisit.lapse_months", "%d is outside 0..120", r.LapseMonths)
	}
	if len(r.Departments) > 20 {
		return bad("revisit.departments", "%d departments, at most 20 fit a screen", len(r.Departments))
	}
	seen := map[string]bool{}
	for i, d := range r.Departments {
		field := fmt.Sprintf("revisit.departments[%d]", i)
		if err := label(field, d, revisit.MaxDepartmentLen); err != nil {
			return err
		}
		if seen[d] {
			return bad(field, "%q is listed twice", d)
		}
		seen[d] = true
	}
	if r.ClinicName != "" {
		if err := label("revisit.clinic_name", r.ClinicName, revisit.MaxClinicNameLen); err != nil {
			return err
		}
	}
	if r.Enabled() && strings.TrimSpace(r.ClinicName) == "" {
		return bad("revisit.clinic_name", "the reception ticket needs the clinic's name")
	}
	return nil
}

// label checks a printed label: not blank, no control characters, short
// enough for one line of the ticket.
func label(field, s string, maxRunes int) error {
	switch {
	case strings.TrimSpace(s) == "":
		return bad(field, "must not be blank")
	case !utf8.ValidString(s):
		return bad(field, "is not UTF-8")
	case utf8.RuneCountInString(s) > maxRunes:
		return bad(field, "%q has %d characters, at most %d fit", s, utf8.RuneCountInString(s), maxRunes)
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return bad(field, "holds a control character")
	}
	return nil
}

// RevisitParts are the kiosk's re-visit database, keys and services.
type RevisitParts struct {
	// DatabaseURL is the correspondence table and ticket counter:
	// sqlite:/var/lib/uketsuke/revisit.db for one kiosk, or
	// postgres://… for kiosks that share one counter.
	DatabaseURL string `json:"database_url"`
	// CodeKeysFile and DataKeysFile hold one key a line, "ID BASE64"
	// (`uketsuke revisit keygen`); the first line is the current key.
	// Mode 0600: readable by the kiosk only.
	CodeKeysFile string `json:"code_keys_file"`
	DataKeysFile string `json:"data_keys_file"`
	// Visits is the visit-history service; nil: no service, no records.
	Visits *Visits `json:"visits,omitempty"`
	// Outbox is the kiosk-local SQLite file visit records wait in until
	// the service has them; required with Visits.
	Outbox string `json:"outbox,omitempty"`
}

// Visits is the visit-history service: HTTPS, its CA pinned, the kiosk's
// certificate shown.
type Visits struct {
	URL        string `json:"url"`
	CAFile     string `json:"ca_file"`
	ClientCert string `json:"client_cert"`
	ClientKey  string `json:"client_key"`
}

func (p *Parts) validateRevisit() error {
	r := p.Revisit
	if r == nil {
		return nil
	}
	u, err := url.Parse(r.DatabaseURL)
	switch {
	case r.DatabaseURL == "":
		return bad("parts.revisit.database_url", "the database URL is missing (sqlite:/path or postgres://…)")
	case err != nil || (u.Scheme != "sqlite" && u.Scheme != "postgres" && u.Scheme != "postgresql"):
		return bad("parts.revisit.database_url", "want sqlite:/path or postgres://…")
	case r.CodeKeysFile == "":
		return bad("parts.revisit.code_keys_file", "the converted codes' key file is missing (`uketsuke revisit keygen`)")
	case r.DataKeysFile == "":
		return bad("parts.revisit.data_keys_file", "the data keys' file is missing (`uketsuke revisit keygen`)")
	case r.CodeKeysFile == r.DataKeysFile:
		return bad("parts.revisit.data_keys_file", "the data keys must not be the codes' keys")
	}
	if r.Visits == nil {
		if r.Outbox != "" {
			return bad("parts.revisit.outbox", "an outbox without a visit-history service")
		}
		return nil
	}
	v := r.Visits
	vu, err := url.Parse(v.URL)
	switch {
	case err != nil || vu.Scheme != "https" || vu.Host == "":
		return bad("parts.revisit.visits.url", "%q is not an https:// address", v.URL)
	case v.CAFile == "":
		return bad("parts.revisit.visits.ca_file", "the service's CA must be pinned")
	case v.ClientCert == "" || v.ClientKey == "":
		return bad("parts.revisit.visits.client_cert", "the kiosk's client certificate and key are needed")
	case r.Outbox == "":
		return bad("parts.revisit.outbox", "visit records need a kiosk-local outbox file")
	}
	return nil
}

// validateRevisitParts ties the policy to the parts: re-visits need the
// database and keys.
func (c *Config) validateRevisitParts() error {
	if c.Parts == nil || !c.Revisit.Enabled() || c.Parts.Revisit != nil {
		return nil
	}
	return bad("parts.revisit", "revisit.mode %q needs the re-visit database and keys", c.Revisit.Mode)
}
