package session

import "fmt"

// EventKind names what happened. Sources: R reader, C cameras/pipeline,
// K card operations, T touches, S staff terminal, E eligibility, M timers,
// V re-visit reception.
type EventKind uint8

// The events.
const (
	EvNone EventKind = iota

	EvCardPlaced   // R: a card is on the reader (Event.Card set)
	EvCardRemoved  // R: the card left the reader
	EvCardReady    // K: a My Number Card; PIN state known
	EvCardRejected // K: not usable (Event.Code says why)

	EvChooseFace          // T: 顔認証
	EvChoosePIN           // T: 暗証番号
	EvRequestStaff        // T: call staff for a visual check
	EvDigit               // T: a PIN key (Event.Digit)
	EvDelete              // T: delete the last PIN digit
	EvSubmitPIN           // T: send the PIN (only with exactly 4 digits)
	EvBack                // T: back to the method choice (from the prescription choice: to consent)
	EvRetryFace           // T: try the face again
	EvRegisterYes         // T: register this card (初回登録)
	EvRegisterNo          // T: do not register
	EvConsentAll          // T: まとめて同意
	EvConsentEach         // T: switch to 個別に同意
	EvToggleItem          // T: flip one item (Event.Items)
	EvConsentDone         // T: confirm the individual choice
	EvPrescribePaper      // T: 紙の処方箋
	EvPrescribeElectronic // T: 電子処方箋

	EvGuidance     // C: the quality gate's current reason (Event.Guidance)
	EvPhotoReady   // C: the card photo is embedded
	EvPhotoFailed  // C: the card side failed (Event.Code)
	EvFaceMatched  // C: fused score passed the threshold
	EvFaceTimeout  // M: the face attempt's time budget ran out
	EvPINAccepted  // K: PIN verified and challenge signed (Event.Proof)
	EvPINWrong     // K: wrong PIN (Event.Left)
	EvPINLocked    // K: the PIN is blocked
	EvCardError    // K: a card operation failed (Event.Code)
	EvStaffStart   // S: staff begins a visual check
	EvStaffApprove // S: staff confirmed the holder
	EvStaffReject  // S: staff did not confirm
	EvEligible     // E: result with a registered card (Event.Result)
	EvUnregistered // E: 有効·未登録
	EvIneligible   // E: 無効 / 該当資格なし / 複数該当 ...
	EvEligFailed   // E: the service could not answer
	EvRegistered   // E: 初回登録 done
	EvConsentSaved // E: consent recorded
	EvInactivity   // M: nobody touched anything for too long

	// Re-visit reception.
	EvChooseFirstVisit // T: 初診
	EvChooseRevisit    // T: 再診
	EvChooseDepartment // T: a 診療科 (Event.Department: its index)
	EvLinkYes          // T: use this card as my 診察券
	EvLinkNo           // T: do not
	EvUnlinkAsk        // T: 診察券としての登録を解除
	EvUnlinkYes        // T: confirm the unlinking
	EvRecognised       // V: Recognise answered (Event.Recognition)
	EvRecogniseFailed  // V: Recognise failed (Event.Code; none: fall back to a first visit)
	EvIssued           // V: a reception number was issued (Event.Receipt)
	EvIssueFailed      // V: no number could be issued
	EvLinked           // V: Link returned (Event.Code set when it failed)
	EvUnlinked         // V: the link is gone
	EvUnlinkFailed     // V: Unlink failed
	// Nobody timed out unwarned, and help on every screen (issue 21).
	EvStillThere   // M: the inactivity timeout is near: ask whether the patient is there
	EvStillHere    // T: the patient answered "continue" (a tap or any keypad key)
	EvTakeCard     // M: the card is still on the reader after the session: remind again
	EvHelp         // T: the patient calls for help (any patient screen)
	EvHelpAnswered // S: staff came (the console's acknowledge or the kiosk's staff pages)
	eventCount
)

var eventNames = [...]string{
	EvNone: "none", EvCardPlaced: "card_placed", EvCardRemoved: "card_removed",
	EvCardReady: "card_ready", EvCardRejected: "card_rejected",
	EvChooseFace: "choose_face", EvChoosePIN: "choose_pin", EvRequestStaff: "request_staff",
	EvDigit: "digit", EvDelete: "delete", EvSubmitPIN: "submit_pin", EvBack: "back",
	EvRetryFace: "retry_face", EvRegisterYes: "register_yes", EvRegisterNo: "register_no",
	EvConsentAll: "consent_all", EvConsentEach: "consent_each", EvToggleItem: "toggle_item",
	EvConsentDone: "consent_done", EvPrescribePaper: "prescribe_paper", EvPrescribeElectronic: "prescribe_electronic",
	EvGuidance: "guidance", EvPhotoReady: "photo_ready",
	EvPhotoFailed: "photo_failed", EvFaceMatched: "face_matched", EvFaceTimeout: "face_timeout",
	EvPINAccepted: "pin_accepted", EvPINWrong: "pin_wrong", EvPINLocked: "pin_locked",
	EvCardError: "card_error", EvStaffStart: "staff_start", EvStaffApprove: "staff_approve",
	EvStaffReject: "staff_reject", EvEligible: "eligible", EvUnregistered: "unregistered",
	EvIneligible: "ineligible", EvEligFailed: "elig_failed", EvRegistered: "registered",
	EvConsentSaved: "consent_saved", EvInactivity: "inactivity",
	EvChooseFirstVisit: "choose_first_visit", EvChooseRevisit: "choose_revisit",
	EvChooseDepartment: "choose_department", EvLinkYes: "link_yes", EvLinkNo: "link_no",
	EvUnlinkAsk: "unlink_ask", EvUnlinkYes: "unlink_yes", EvRecognised: "recognised",
	EvRecogniseFailed: "recognise_failed", EvIssued: "issued", EvIssueFailed: "issue_failed",
	EvLinked: "linked", EvUnlinked: "unlinked", EvUnlinkFailed: "unlink_failed",
	EvStillThere: "still_there", EvStillHere: "still_here", EvTakeCard: "take_card",
	EvHelp: "help", EvHelpAnswered: "help_answered",
}

func (k EventKind) String() string {
	if int(k) < len(eventNames) {
		return eventNames[k]
	}
	return fmt.Sprintf("event(%d)", k)
}

// ParseEvent turns an event's name back into its kind.
func ParseEvent(name string) (EventKind, bool) {
	for k, n := range eventNames {
		if n == name && k != int(EvNone) {
			return EventKind(k), true
		}
	}
	return EvNone, false
}

// Event is one input to the machine. Only the fields its kind names are set.
// A PIN digit travels alone (one byte), never as the assembled PIN.
type Event struct {
	Kind     EventKind
	Card     Card // EvCardPlaced
	Digit    byte // EvDigit: 0..9
	Items    ConsentItems
	Guidance Guidance
	Code     ErrorCode
	Left     int // EvPINWrong: tries left; EvCardReady: PIN tries left
	HasPIN   bool
	Result   Result
	Proof    *Proof
	CardKind CardKind // EvCardRejected: what the reader found
	AID      []byte   // EvCardRejected: the application that named an unsupported card (public)

	Department  int         // EvChooseDepartment: index into Settings.Departments
	Recognition Recognition // EvRecognised
	Receipt     Receipt     // EvIssued

	session uint64 // which session produced it; stale ones are dropped
	gen     int    // which face attempt or inactivity timer fired
	hintDue bool   // EvGuidance: a held face hint's time is up (hint.go)
	ack     chan struct{}
	fault   *ErrorCode // a part went missing or came back (Kiosk.Fault)
	limits  *Settings  // the next sessions' limits (Kiosk.UseSettings)
}

// Touch events the UI may send; the rest come from devices and workers.
var touchEvents = map[EventKind]bool{
	EvChooseFace: true, EvChoosePIN: true, EvRequestStaff: true, EvDigit: true,
	EvDelete: true, EvSubmitPIN: true, EvBack: true, EvRetryFace: true,
	EvRegisterYes: true, EvRegisterNo: true, EvConsentAll: true, EvConsentEach: true,
	EvToggleItem: true, EvConsentDone: true, EvPrescribePaper: true, EvPrescribeElectronic: true,
	EvChooseFirstVisit: true, EvChooseRevisit: true, EvChooseDepartment: true,
	EvLinkYes: true, EvLinkNo: true, EvUnlinkAsk: true, EvUnlinkYes: true,
	EvStillHere: true, EvHelp: true,
}

var staffEvents = map[EventKind]bool{EvStaffStart: true, EvStaffApprove: true, EvStaffReject: true,
	EvHelpAnswered: true}

// reminders are timer events that only tell the patient something: the
// patient did nothing, so they do not restart the inactivity timer.
var reminders = map[EventKind]bool{EvStillThere: true, EvTakeCard: true}
