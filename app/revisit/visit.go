package revisit

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"
)

// VisitID names one visit record. It is random, made once when the record
// is made, and travels with every resend: the visit-history service keeps
// each id once, so a record sent again after a lost answer is recognised.
type VisitID [16]byte

// NewVisitID draws a fresh id.
func NewVisitID() (VisitID, error) {
	var id VisitID
	if _, err := rand.Read(id[:]); err != nil {
		return VisitID{}, fmt.Errorf("revisit: visit id: %w", err)
	}
	return id, nil
}

// String is the id in hex: it names a record, not a patient, so logs may
// carry it.
func (id VisitID) String() string { return hex.EncodeToString(id[:]) }

// ParseVisitID reads the hex form.
func ParseVisitID(s string) (VisitID, error) {
	var id VisitID
	if len(s) != 2*len(id) {
		return VisitID{}, &InvalidError{"visit id", "want 32 hex digits"}
	}
	if _, err := hex.Decode(id[:], []byte(s)); err != nil || strings.ToLower(s) != s {
		return VisitID{}, &InvalidError{"visit id", "want 32 lower-case hex digits"}
	}
	return id, nil
}

// AuthMethod is how the patient was authenticated at the kiosk.
type AuthMethod string

// The authentication methods a visit record names.
const (
	AuthFace    AuthMethod = "face"    // face matched the card's photo
	AuthPIN     AuthMethod = "pin"     // the card's PIN
	AuthStaff   AuthMethod = "staff"   // staff confirmed the holder (目視確認)
	AuthPinless AuthMethod = "pinless" // a known card by 特定機関認証 alone (re-visit)
)

// Validate accepts the four methods.
func (m AuthMethod) Validate() error {
	switch m {
	case AuthFace, AuthPIN, AuthStaff, AuthPinless:
		return nil
	}
	return &InvalidError{"authentication method", "want face, pin, staff or pinless"}
}

// VisitRecord is one visit record (受診記録) for the visit-history service. It
// holds what a visit-history service needs to count and link visits inside
// the facility, and nothing that names the patient: no name, no insured
// number, no 診察券番号. The converted code stands for the card; it means
// nothing outside the facility and is never logged (String, Format and
// LogValue leave it out).
type VisitRecord struct {
	ID       VisitID
	Facility string    // 医療機関コード, 10 digits
	Kiosk    string    // the kiosk's id (parts.kiosk_id)
	Time     time.Time // when the visit was received, to the microsecond
	Code     Code      // the card's converted code
	Auth     AuthMethod
	// EligibilityResult names the eligibility check's result (the result
	// file's or the service's reference); empty when no check was made.
	EligibilityResult string
	Department        Department // 診療科 code, empty where one counter serves the clinic
	Reception         int        // reception number of the day; 0 when no ticket was issued (desk, first-visit counter)
}

var (
	visitFacility = regexp.MustCompile(`^[0-9]{10}$`)
	visitKiosk    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{0,31}$`)
	visitResultID = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,64}$`)
)

// NewVisitRecord makes a record with a fresh id, its time cut to the microsecond
// (what the wire form carries), and validates it.
func NewVisitRecord(v VisitRecord) (VisitRecord, error) {
	id, err := NewVisitID()
	if err != nil {
		return VisitRecord{}, err
	}
	v.ID = id
	v.Time = v.Time.Truncate(time.Microsecond)
	return v, v.Validate()
}

// Validate checks every field; the error names the field, never its value.
func (v VisitRecord) Validate() error {
	switch {
	case v.ID == VisitID{}:
		return &InvalidError{"visit id", "missing"}
	case !visitFacility.MatchString(v.Facility):
		return &InvalidError{"facility code", "want 10 digits"}
	case !visitKiosk.MatchString(v.Kiosk):
		return &InvalidError{"kiosk id", "want 1 to 32 of [A-Za-z0-9-], not starting with -"}
	case v.Time.IsZero() || v.Time.Year() < 2000 || v.Time.Year() > 9999:
		return &InvalidError{"visit time", "missing or out of range"}
	case v.Code.IsZero():
		return &InvalidError{"converted code", "missing"}
	case checkKeyID(v.Code.KeyID, nil) != nil:
		return &InvalidError{"converted code", "bad key id"}
	case v.EligibilityResult != "" && !visitResultID.MatchString(v.EligibilityResult):
		return &InvalidError{"eligibility result", "want 1 to 64 of [A-Za-z0-9._:-]"}
	case v.Reception < 0 || v.Reception > MaxTicketNumber:
		return &InvalidError{"reception number", fmt.Sprintf("want 0 to %d", MaxTicketNumber)}
	}
	if err := v.Auth.Validate(); err != nil {
		return err
	}
	return v.Department.Validate()
}

// String names the record without its converted code.
func (v VisitRecord) String() string {
	return fmt.Sprintf("revisit.VisitRecord(id=%s auth=%s reception=%d)", v.ID, v.Auth, v.Reception)
}

// Format keeps the converted code out of every fmt verb.
func (v VisitRecord) Format(f fmt.State, _ rune) { fmt.Fprint(f, v.String()) }

// LogValue keeps the converted code out of log/slog.
func (v VisitRecord) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", v.ID.String()), slog.String("auth", string(v.Auth)),
		slog.Int("reception", v.Reception))
}

// VisitWireVersion is the version of the JSON form; a service refuses
// another.
const VisitWireVersion = 1

// MaxVisitJSON bounds one record's JSON form; a service refuses a larger
// body before reading it.
const MaxVisitJSON = 4 << 10

// visitWire is the JSON form: every key is here, in this order, and no
// other is accepted.
type visitWire struct {
	Version           int    `json:"v"`
	ID                string `json:"id"`
	Facility          string `json:"facility"`
	Kiosk             string `json:"kiosk"`
	Time              string `json:"time"`
	Code              string `json:"code"`
	Auth              string `json:"auth"`
	EligibilityResult string `json:"eligibility_result,omitempty"`
	Department        string `json:"department,omitempty"`
	Reception         int    `json:"reception,omitempty"`
}

// visitTimeLayout keeps the clinic's offset and six fractional digits, so a
// record reads back equal to what was sent.
const visitTimeLayout = "2006-01-02T15:04:05.000000Z07:00"

// MarshalJSON is the record's wire form. The converted code appears as
// "KEYID:HEX" (its public form: the service needs it to tell visits of one
// card apart), which is why records travel only over the pinned TLS link.
func (v VisitRecord) MarshalJSON() ([]byte, error) {
	if err := v.Validate(); err != nil {
		return nil, err
	}
	return json.Marshal(visitWire{
		Version: VisitWireVersion, ID: v.ID.String(), Facility: v.Facility, Kiosk: v.Kiosk,
		Time: v.Time.Format(visitTimeLayout), Code: codeText(v.Code), Auth: string(v.Auth),
		EligibilityResult: v.EligibilityResult, Department: string(v.Department), Reception: v.Reception,
	})
}

// UnmarshalJSON reads the wire form strictly: unknown keys, trailing data,
// another version or any invalid field are refused with ErrInvalid.
func (v *VisitRecord) UnmarshalJSON(data []byte) error {
	got, err := ParseVisitRecord(data)
	if err != nil {
		return err
	}
	*v = got
	return nil
}

// ParseVisitRecord reads one record's JSON form (at most MaxVisitJSON bytes).
func ParseVisitRecord(data []byte) (VisitRecord, error) {
	if len(data) > MaxVisitJSON {
		return VisitRecord{}, &InvalidError{"visit record", fmt.Sprintf("longer than %d bytes", MaxVisitJSON)}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var w visitWire
	if err := dec.Decode(&w); err != nil {
		return VisitRecord{}, &InvalidError{"visit record", "not the record's JSON form: " + jsonReason(err)}
	}
	if dec.More() {
		return VisitRecord{}, &InvalidError{"visit record", "data after the record"}
	}
	if w.Version != VisitWireVersion {
		return VisitRecord{}, &InvalidError{"visit record", fmt.Sprintf("version %d, want %d", w.Version, VisitWireVersion)}
	}
	id, err := ParseVisitID(w.ID)
	if err != nil {
		return VisitRecord{}, err
	}
	at, err := time.Parse(visitTimeLayout, w.Time)
	if err != nil {
		return VisitRecord{}, &InvalidError{"visit time", "want " + visitTimeLayout}
	}
	code, err := parseCodeText(w.Code)
	if err != nil {
		return VisitRecord{}, err
	}
	v := VisitRecord{ID: id, Facility: w.Facility, Kiosk: w.Kiosk, Time: at, Code: code, Auth: AuthMethod(w.Auth),
		EligibilityResult: w.EligibilityResult, Department: Department(w.Department), Reception: w.Reception}
	return v, v.Validate()
}

// jsonReason says what was wrong with a body without quoting it: a syntax
// error's offset, or the key or type that did not fit.
func jsonReason(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("syntax error at byte %d", syn.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("field %q has the wrong type", typ.Field)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "unknown field"
	}
	return "undecodable"
}

// codeText is a converted code's public form, KEYID:HEX.
func codeText(c Code) string { return c.KeyID + ":" + hex.EncodeToString(c.Sum[:]) }

func parseCodeText(s string) (Code, error) {
	keyID, sum, ok := strings.Cut(s, ":")
	var c Code
	if !ok || checkKeyID(keyID, nil) != nil || len(sum) != 2*sha256.Size || strings.ToLower(sum) != sum {
		return Code{}, &InvalidError{"converted code", "want KEYID:64 lower-case hex digits"}
	}
	if _, err := hex.Decode(c.Sum[:], []byte(sum)); err != nil {
		return Code{}, &InvalidError{"converted code", "want KEYID:64 lower-case hex digits"}
	}
	c.KeyID = keyID
	return c, nil
}
