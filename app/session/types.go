// Package session is the kiosk's headless core: one explicit state machine
// (transitions.go) that turns events from the card reader, the cameras, the
// patient's touches, timers and the staff terminal into immutable View
// snapshots the UI renders. It drives devices only through the small ports in
// ports.go and keeps every sensitive value in app/secret buffers that die with
// the session.
package session

import (
	"fmt"
	"time"

	"github.com/uketsuke/uketsuke/app/revisit"
)

// State is one screen-level step of a session.
type State uint8

// The states. Their transitions are the table in transitions.go.
const (
	StateIdle         State = iota // no card: 「カードを置いてください」
	StateReading                   // card detected, identifying it
	StateRejected                  // not a usable My Number Card: clear message until it is removed
	StateMethod                    // choose 顔認証 / 暗証番号 (or staff)
	StateFace                      // face capture attempt running
	StateFaceFailed                // an attempt ran out of time: retry, PIN or staff
	StatePIN                       // PIN pad
	StatePINVerifying              // PIN sent to the card, signature under way
	StateStaffCheck                // staff 目視 (visual check) in progress
	StateChecking                  // eligibility query running
	StateRegister                  // 初回登録: card not yet registered for insurance use
	StateRegistering               // registration request running
	StateConsent                   // consent: まとめて同意 / 個別に同意
	StatePrescription              // 紙の処方箋 / 電子処方箋 (when the facility asks)
	StateSubmitting                // consent being recorded
	StateDone                      // 受付完了: take your card
	StateError                     // something went wrong: what to do next

	// Re-visit reception (docs/revisit.md "The flow").
	StateVisitKind     // 初診 / 再診, when the kiosk offers both
	StateRecognising   // PIN-less read, revocation, lookup, check by insured number
	StateDepartment    // 診療科 for the ticket (when the facility lists any)
	StateTicketing     // the reception number being issued and printed
	StateTicket        // the number, large; printed or why not
	StateLinkOffer     // "use this card as your 診察券 from now on?"
	StateLinking       // the card being linked
	StateReferred      // no ticket: the first-visit counter or the desk
	StateUnlinkConfirm // "stop using this card as your 診察券?"
	StateUnlinking     // the link being removed
	StateUnlinked      // the link is gone: take your card
	stateCount
)

var stateNames = [...]string{
	StateIdle: "idle", StateReading: "reading", StateRejected: "rejected",
	StateMethod: "method", StateFace: "face", StateFaceFailed: "face_failed",
	StatePIN: "pin", StatePINVerifying: "pin_verifying", StateStaffCheck: "staff_check",
	StateChecking: "checking", StateRegister: "register", StateRegistering: "registering",
	StateConsent: "consent", StatePrescription: "prescription", StateSubmitting: "submitting", StateDone: "done", StateError: "error",
	StateVisitKind: "visit_kind", StateRecognising: "recognising", StateDepartment: "department",
	StateTicketing: "ticketing", StateTicket: "ticket", StateLinkOffer: "link_offer", StateLinking: "linking",
	StateReferred: "referred", StateUnlinkConfirm: "unlink_confirm", StateUnlinking: "unlinking", StateUnlinked: "unlinked",
}

func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("state(%d)", s)
}

// States lists every state in declaration order.
func States() []State {
	out := make([]State, 0, stateCount)
	for s := State(0); s < stateCount; s++ {
		out = append(out, s)
	}
	return out
}

// ParseState turns a state's name back into the state.
func ParseState(name string) (State, bool) {
	for s, n := range stateNames {
		if n == name {
			return State(s), true
		}
	}
	return 0, false
}

// Method is how the patient proved who they are.
type Method uint8

// The identification methods.
const (
	MethodNone  Method = iota
	MethodFace         // 顔認証
	MethodPIN          // 暗証番号
	MethodStaff        // 目視 by staff
	MethodLocal        // ローカル認証: a re-visit's PIN-less read of a linked card
)

func (m Method) String() string {
	return [...]string{"none", "face", "pin", "staff", "local"}[m]
}

// CardKind is what the reader found.
type CardKind uint8

// The card kinds a reader can present.
const (
	CardUnknown        CardKind = iota // no JPKI token, or unreadable
	CardMyNumber                       // マイナンバーカード
	CardJuki                           // older 住基カード
	CardSmartphone                     // スマホ用電子証明書 (Android / iPhone)
	CardNextGeneration                 // 次期個人番号カード (2026-): recognised, not supported yet
	cardKindCount
)

var cardKindNames = [...]string{
	CardUnknown: "unknown", CardMyNumber: "mynumber", CardJuki: "juki",
	CardSmartphone: "smartphone", CardNextGeneration: "next_generation",
}

func (k CardKind) String() string {
	if int(k) < len(cardKindNames) {
		return cardKindNames[k]
	}
	return fmt.Sprintf("card(%d)", k)
}

// Guidance is the quality gate's reason a frame was not usable, as a
// language-neutral key the UI translates.
type Guidance string

// Guidance keys from the face quality gate.
const (
	GuidanceNone      Guidance = ""
	GuidanceNoFace    Guidance = "face.no_face"
	GuidanceCloser    Guidance = "face.come_closer"
	GuidanceFarther   Guidance = "face.move_back"
	GuidanceCenter    Guidance = "face.center"
	GuidanceStill     Guidance = "face.hold_still"
	GuidanceLight     Guidance = "face.more_light"
	GuidanceMask      Guidance = "face.remove_mask"
	GuidanceGlasses   Guidance = "face.remove_glasses"
	GuidanceEyes      Guidance = "face.open_eyes"
	GuidanceFront     Guidance = "face.look_front"
	GuidanceOnePerson Guidance = "face.one_person"
	GuidanceNotLive   Guidance = "face.not_live"
)

// ConsentItems is a set of information the patient agrees to share.
type ConsentItems uint8

// The consent items of 個別に同意.
const (
	ConsentMedical ConsentItems = 1 << iota // 診療情報
	ConsentDrug                             // 薬剤情報
	ConsentSurgery                          // 手術情報
	ConsentCheckup                          // 特定健診情報
	ConsentAll     = ConsentMedical | ConsentDrug | ConsentSurgery | ConsentCheckup
)

// Has reports whether every item of x is in c.
func (c ConsentItems) Has(x ConsentItems) bool { return c&x == x }

// Prescription is the patient's choice of prescription form.
type Prescription uint8

// The choices; unasked when the facility does not ask.
const (
	PrescriptionUnasked    Prescription = iota
	PrescriptionPaper                   // 紙の処方箋
	PrescriptionElectronic              // 電子処方箋
)

// Completion is what the patient chose after the check.
type Completion struct {
	Items        ConsentItems
	Prescription Prescription
}

// Validity is the eligibility service's QualificationValidity.
type Validity uint8

// The QualificationValidity codes.
const (
	ValidityUnknown      Validity = 0
	ValidityValid        Validity = 1 // 有効
	ValidityInvalid      Validity = 2 // 無効
	ValidityInvalidNew   Validity = 3 // 無効·新資格あり
	ValidityNone         Validity = 4 // 該当資格なし
	ValidityMultiple     Validity = 5 // 複数該当
	ValidityUnregistered Validity = 6 // 有効·未登録
)

// ErrorCode is a language-neutral reason shown on the rejected and error
// screens and written to the audit log.
type ErrorCode string

// Error codes.
const (
	ErrCodeNone           ErrorCode = ""
	ErrCodeNotMyNumber    ErrorCode = "card.not_mynumber"
	ErrCodeJuki           ErrorCode = "card.juki"
	ErrCodeSmartphone     ErrorCode = "card.smartphone"
	ErrCodeNextGeneration ErrorCode = "card.next_generation" // a newer card the kiosk cannot read yet
	ErrCodeUnreadable     ErrorCode = "card.unreadable"
	ErrCodeCardFace       ErrorCode = "card.face_unreadable"
	ErrCodeKeyBRejected   ErrorCode = "card.keyb_rejected"
	ErrCodeKeyBBlocked    ErrorCode = "card.keyb_blocked"
	ErrCodeKeyBLowTries   ErrorCode = "card.keyb_low_tries" // too few 照合番号B tries left to risk one
	ErrCodeRecordInvalid  ErrorCode = "card.record_invalid"
	ErrCodeFaceEngine     ErrorCode = "face.engine"
	ErrCodeCamera         ErrorCode = "face.camera"
	ErrCodePINLocked      ErrorCode = "pin.locked"
	ErrCodePINWrong       ErrorCode = "pin.wrong" // the card refused the PIN; tries remain
	ErrCodeCardError      ErrorCode = "card.error"
	ErrCodeStaffRejected  ErrorCode = "staff.rejected"
	ErrCodeNotRegistered  ErrorCode = "elig.not_registered"
	ErrCodeIneligible     ErrorCode = "elig.ineligible"
	ErrCodeEligibility    ErrorCode = "elig.unavailable"
	ErrCodeNoMethodLeft   ErrorCode = "auth.no_method_left"
	ErrCodeCancelled      ErrorCode = "session.cancelled"
	ErrCodeInactivity     ErrorCode = "session.inactivity"
	ErrCodeCardRemoved    ErrorCode = "session.card_removed"
	ErrCodeCardStillThere ErrorCode = "session.remove_card"

	// Faults: a part of the kiosk is missing or broken (View.Fault).
	ErrCodeNoReader     ErrorCode = "device.no_reader"
	ErrCodeNoFaceCamera ErrorCode = "device.no_face_camera"
	ErrCodeNoCardCamera ErrorCode = "device.no_card_camera"
	ErrCodeResults      ErrorCode = "results.unwritable"

	// Re-visit reception.
	ErrCodeCertRevoked       ErrorCode = "card.revoked"          // the certificate is revoked or expired
	ErrCodeRevisitLocked     ErrorCode = "revisit.locked"        // the theft lock holds: staff unlock
	ErrCodeTicketUnavailable ErrorCode = "ticket.unavailable"    // no number could be issued: the desk
	ErrCodeLinkFailed        ErrorCode = "revisit.link_failed"   // linking failed; the ticket is still issued
	ErrCodeUnlinkFailed      ErrorCode = "revisit.unlink_failed" // unlinking failed: ask at reception
	// Receipt.PrintErr: why the ticket was not printed (the number is on screen).
	ErrCodePrinterPaperOut ErrorCode = "printer.paper_out"
	ErrCodePrinterOffline  ErrorCode = "printer.offline"
	ErrCodePrinterFault    ErrorCode = "printer.fault"
)

// MsgKey names the main message of a screen, language-neutral.
type MsgKey string

// View is the immutable snapshot the UI renders. It holds no patient data:
// no names, digits or images, only counts, codes and keys.
type View struct {
	Seq      uint64    // increases with every snapshot
	At       time.Time // when it was published
	State    State
	Message  MsgKey
	Error    ErrorCode
	Fault    ErrorCode // a missing or broken part (device.*, results.*): staff must act
	Guidance Guidance
	Progress float64 // 0..1: face attempt time used, or work progress
	Methods  MethodsView
	PIN      PINView
	Face     FaceView
	Consent  ConsentView
	Result   ResultView

	// Session numbers the running session (0: none), counting from 1 since
	// the kiosk started: a staff decision names it (Kiosk.StaffIn) so that
	// one meant for an earlier patient does nothing. It says nothing about
	// the patient.
	Session uint64
	// StaffAsked: the patient asked for staff in this session, where the
	// kiosk may not have moved to the check by itself (during the face
	// capture or the PIN pad); staff start it (EvStaffStart).
	StaffAsked bool
	// Prompt is a question or reminder over the screen, which the kiosk
	// also says aloud: MsgStillThere before the inactivity timeout,
	// MsgCardLeft while a card stays on the reader after its session; ""
	// none.
	Prompt MsgKey
	// PromptEnds: with MsgStillThere, when the session ends unless the
	// patient continues (EvStillHere).
	PromptEnds time.Time
	// Reminders counts MsgCardLeft's reminders so far: each repeat is a new
	// View, so it is shown and said again.
	Reminders int
	// HelpCalled: the patient called for help (EvHelp) and no staff have
	// answered yet (EvHelpAnswered, EvStaffStart).
	HelpCalled bool

	Revisit RevisitView // re-visit reception; zero in first-visit mode
}

// RevisitView is re-visit reception's part of the screen. No personal data:
// the department names are the facility's configuration, the number is the
// day's queue position.
type RevisitView struct {
	Mode        VisitMode
	Route       revisit.Route // valid once Recognised
	Recognised  bool
	Departments []string  // offered in StateDepartment, in the configuration's order
	Department  string    // the chosen one; "" none
	Number      int       // the reception number (0: none issued)
	Printed     bool      // the ticket came out of the printer
	PrintErr    ErrorCode // printer.*: not printed, staff told; "" when printed or no printer
	Linked      bool      // the card is this patient's 診察券: unlinking is offered
	LinkErr     ErrorCode // linking failed in this session (the ticket is still issued)
}

// MethodsView says which ways to identify are on offer.
type MethodsView struct {
	Face, PIN, Staff bool
	PINLocked        bool // the card's PIN is blocked
	NoPIN            bool // a card issued without a PIN (顔認証マイナンバーカード)
}

// PINView is the PIN pad's state: how many digits, never which.
type PINView struct {
	Digits    int  // entered so far, shown masked
	Length    int  // required length (4)
	CanSubmit bool // exactly Length digits entered
	TriesLeft int  // read from the card before typing; -1 unknown
	LastTry   bool // warn: one try left
}

// FaceView is the face capture's progress.
type FaceView struct {
	Attempt, MaxAttempts int
	CanRetry             bool
	PhotoReady           bool      // the card side of the match is ready
	Ends                 time.Time // when the running attempt's time budget runs out
	// Passing: the camera's frames pass the quality gate (no hint), as
	// opposed to no report yet in this attempt; the oval turns green.
	Passing bool
}

// ConsentView is the consent screen's state.
type ConsentView struct {
	Individual bool         // 個別に同意 mode
	Selected   ConsentItems // in individual mode
}

// ResultView is the eligibility outcome without any personal data.
type ResultView struct {
	Validity Validity
	Method   Method
}

// Message variants beside "screen.<state>".
const (
	MsgRemoveCard   MsgKey = "idle.remove_card"
	MsgPINLocked    MsgKey = "method.pin_locked"
	MsgStaffOnly    MsgKey = "face_failed.staff_only"
	MsgLastTry      MsgKey = "pin.last_try"
	MsgSeeReception MsgKey = "done.see_reception"

	MsgReferredFirstVisit MsgKey = "referred.first_visit" // a lapsed patient: the first-visit counter
	MsgReferredDesk       MsgKey = "referred.desk"        // the month's first check failed: the desk
	MsgReferredNoTicket   MsgKey = "referred.no_ticket"   // no number could be issued: the desk
	MsgTicketNotPrinted   MsgKey = "ticket.not_printed"   // the number is on screen only; staff are told
	MsgStillThere         MsgKey = "session.still_there"  // View.Prompt
	MsgCardLeft           MsgKey = "session.card_left"    // View.Prompt
	MsgHelpCalled         MsgKey = "session.help_called"  // what the help banner says
)

// MessageKeys lists every message key a View can carry, for catalogues and
// their completeness tests.
func MessageKeys() []MsgKey {
	out := []MsgKey{MsgRemoveCard, MsgPINLocked, MsgStaffOnly, MsgLastTry, MsgSeeReception,
		MsgReferredFirstVisit, MsgReferredDesk, MsgReferredNoTicket, MsgTicketNotPrinted,
		MsgStillThere, MsgCardLeft, MsgHelpCalled}
	for _, st := range States() {
		out = append(out, MsgKey("screen."+st.String()))
	}
	return out
}

// ErrorCodes lists every error code a View can carry.
func ErrorCodes() []ErrorCode {
	return []ErrorCode{ErrCodeNotMyNumber, ErrCodeJuki, ErrCodeSmartphone, ErrCodeNextGeneration, ErrCodeUnreadable,
		ErrCodeCardFace, ErrCodeKeyBRejected, ErrCodeKeyBBlocked, ErrCodeRecordInvalid, ErrCodeFaceEngine,
		ErrCodeCamera, ErrCodePINLocked, ErrCodePINWrong, ErrCodeCardError, ErrCodeStaffRejected,
		ErrCodeNotRegistered, ErrCodeIneligible, ErrCodeEligibility, ErrCodeNoMethodLeft, ErrCodeCancelled,
		ErrCodeInactivity, ErrCodeCardRemoved, ErrCodeCardStillThere, ErrCodeKeyBLowTries,
		ErrCodeCertRevoked, ErrCodeRevisitLocked, ErrCodeTicketUnavailable, ErrCodeLinkFailed, ErrCodeUnlinkFailed,
		ErrCodePrinterPaperOut, ErrCodePrinterOffline, ErrCodePrinterFault}
}

// Faults lists every code View.Fault can carry.
func Faults() []ErrorCode {
	return []ErrorCode{ErrCodeNoReader, ErrCodeNoFaceCamera, ErrCodeNoCardCamera, ErrCodeResults}
}

// Guidances lists every guidance key.
func Guidances() []Guidance {
	return []Guidance{GuidanceNoFace, GuidanceCloser, GuidanceFarther, GuidanceCenter, GuidanceStill,
		GuidanceLight, GuidanceMask, GuidanceGlasses, GuidanceEyes, GuidanceFront, GuidanceOnePerson, GuidanceNotLive}
}
