// Package operator is card-based operator authentication: the registered
// staff, their roles, what each role may do, and the sessions that a card,
// its PIN and a signature over a fresh challenge open.
//
// A staff member's card is a Credential: a My Number Card through JPKI's
// user-authentication key (MyNumberCard, this package), or an HPKI card
// through a vendor's PKCS#11 module (hardware/pkcs11). The Authenticator
// reads the card's certificate, verifies its chain against the configured
// roots of that kind of card and finds its SHA-256 fingerprint in the
// registered list before it spends a PIN try; then the card checks the PIN
// (its own counter; the kiosk never retries) and signs the challenge, which
// the certificate's key must verify. Every attempt and every privileged use
// is an access record in the audit log: operator id, role, function and
// result, never a PIN, a certificate or anything about a patient.
package operator

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/uketsuke/uketsuke/app/audit"
)

// Role is what an operator is registered as.
type Role uint8

// The roles. Administrators may do everything reception may.
const (
	RoleNone Role = iota
	RoleReception
	RoleAdministrator
)

var roleNames = [...]string{RoleNone: "none", RoleReception: "reception", RoleAdministrator: "administrator"}

func (r Role) String() string {
	if int(r) < len(roleNames) {
		return roleNames[r]
	}
	return "none"
}

// ParseRole reads a configured role name.
func ParseRole(s string) (Role, error) {
	for r := RoleReception; r <= RoleAdministrator; r++ {
		if roleNames[r] == s {
			return r, nil
		}
	}
	return RoleNone, fmt.Errorf("operator: %q is not a role (reception, administrator)", s)
}

// Function is a privileged function of the kiosk.
type Function uint8

// The privileged functions. FuncLogin names the login itself in the log.
const (
	FuncLogin         Function = iota
	FuncVisualCheck            // approve or refuse a visual check (目視)
	FuncLeaveKiosk             // leave kiosk mode
	FuncApplySettings          // apply settings or a signed bundle
	FuncDownloadLogs           // download the logs
	FuncViewStatus             // the console's status, today's counts and pending checks
	FuncViewSettings           // the console's settings page
	FuncUnlockRevisit          // release re-visit reception's theft lock
	FuncUnlinkPatient          // erase a re-visit link by 診察券番号 or insured number (console)
	FuncDeadLetters            // see, retry or discard visit records the visit-history service refused
)

var functionNames = [...]string{FuncLogin: "login", FuncVisualCheck: "visual_check",
	FuncLeaveKiosk: "leave_kiosk", FuncApplySettings: "apply_settings", FuncDownloadLogs: "download_logs",
	FuncViewStatus: "view_status", FuncViewSettings: "view_settings",
	FuncUnlockRevisit: "unlock_revisit", FuncUnlinkPatient: "unlink_patient", FuncDeadLetters: "dead_letters"}

func (f Function) String() string {
	if int(f) < len(functionNames) {
		return functionNames[f]
	}
	return "unknown"
}

// allowed is the table of what each role may do.
var allowed = map[Role]map[Function]bool{
	RoleReception: {FuncViewStatus: true, FuncVisualCheck: true},
	RoleAdministrator: {FuncViewStatus: true, FuncVisualCheck: true, FuncLeaveKiosk: true,
		FuncApplySettings: true, FuncViewSettings: true, FuncDownloadLogs: true,
		FuncUnlockRevisit: true, FuncUnlinkPatient: true, FuncDeadLetters: true},
}

// Allowed says whether role r may use function f.
func (r Role) Allowed(f Function) bool { return allowed[r][f] }

// Fingerprint is the SHA-256 of a certificate's DER encoding.
type Fingerprint [sha256.Size]byte

// FingerprintOf is what `openssl x509 -outform der | sha256sum` prints.
func FingerprintOf(der []byte) Fingerprint { return sha256.Sum256(der) }

// ParseFingerprint reads 64 hex digits, in either case, optionally in
// colon-separated pairs as `openssl x509 -fingerprint -sha256` prints them.
func ParseFingerprint(s string) (Fingerprint, error) {
	var f Fingerprint
	h := strings.ReplaceAll(s, ":", "")
	b, err := hex.DecodeString(h)
	if err != nil || len(b) != len(f) {
		return f, errors.New("operator: a fingerprint is the certificate's SHA-256 in 64 hex digits")
	}
	copy(f[:], b)
	return f, nil
}

// Operator is one registered staff member.
type Operator struct {
	ID          string // an audit-log term: a-z, 0-9, '_' and '.', starting with a letter
	Name        string // shown on screen, never logged
	Role        Role
	Fingerprint Fingerprint
	// Console is the SHA-256 of the operator's console client certificate;
	// zero: the operator does not use the console.
	Console Fingerprint
}

// HasConsole says whether the operator has a console certificate registered.
func (o Operator) HasConsole() bool { return o.Console != Fingerprint{} }

// CheckID says whether id can name an operator in the audit log: the
// log's own rule for terms (lower-case ASCII, no runs of four digits or
// more), at most 32 bytes, and not one of the words the records use for
// no operator ("unregistered", "none").
func CheckID(id string) error {
	if _, err := audit.NewTerm(id); err != nil || len(id) > 32 || id == termUnregistered || id == termNone {
		return fmt.Errorf("operator: id %q: 1-32 lower-case letters, digits, '_' or '.', starting with a letter, no four digits in a row", id)
	}
	return nil
}
