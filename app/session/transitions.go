package session

// The whole machine as one table: in state FROM, on event ON, if GUARD
// holds, go to TO and run DO. Rows are tried in order; the first match wins;
// an event with no matching row is ignored (and counted in the step record).
// "stay" keeps the current state. docs/session.md renders this table.

type transition struct {
	from  []State
	on    EventKind
	guard guardFn
	to    State
	do    actionFn
}

type (
	guardFn  func(*session, Event) bool
	actionFn func(*Kiosk, Event)
)

const stay = stateCount // pseudo-state: remain where we are

func in(s ...State) []State { return s }

// active is every state with a session: all but idle.
var active = func() []State {
	var out []State
	for _, s := range States() {
		if s != StateIdle {
			out = append(out, s)
		}
	}
	return out
}()

// asking is where the inactivity timeout is announced first: every state
// with a session but the ends (finished screens, a refused card, an error), where
// the session has nothing left to lose and the card is to be taken anyway.
var asking = func() []State {
	var out []State
	for _, s := range active {
		if !finished(s) && s != StateRejected && s != StateError {
			out = append(out, s)
		}
	}
	return out
}()

var table = []transition{
	// Reader and timers: pulling the card or walking away ends the session
	// in every state, wipes it, and returns to idle.
	{active, EvCardRemoved, nil, StateIdle, (*Kiosk).endRemoved},
	{active, EvInactivity, nil, StateIdle, (*Kiosk).endInactive},
	{in(StateIdle), EvCardPlaced, nil, StateReading, (*Kiosk).begin},

	// Identifying the card.
	{in(StateReading), EvCardReady, firstVisitMode, StateMethod, (*Kiosk).noteCard},
	{in(StateReading), EvCardRejected, nil, StateRejected, (*Kiosk).reject},
	{in(StateReading), EvCardError, nil, StateRejected, (*Kiosk).reject},

	// Method choice. A card without a PIN, or with a locked one, offers face
	// and staff only; face stops being offered when its attempts are used up.
	{in(StateMethod), EvChooseFace, canFace, StateFace, (*Kiosk).startFace},
	{in(StateMethod), EvChoosePIN, canPIN, StatePIN, (*Kiosk).openPINPad},
	{in(StateMethod, StateFaceFailed), EvRequestStaff, nil, StateStaffCheck, (*Kiosk).callStaff},

	// Face capture: the pipeline runs from card detection; an attempt has a
	// time budget and the patient may switch to the PIN at any time.
	{in(StateFace), EvFaceMatched, nil, StateChecking, (*Kiosk).checkByFace},
	{in(StateFace), EvGuidance, nil, stay, nil},
	{in(StateFace), EvPhotoFailed, nil, StateFaceFailed, (*Kiosk).stopFace},
	{in(StateFace), EvFaceTimeout, nil, StateFaceFailed, (*Kiosk).stopFace},
	{in(StateFace), EvChoosePIN, canPIN, StatePIN, (*Kiosk).openPINPad},
	{in(StateFace), EvBack, nil, StateMethod, (*Kiosk).stopFace},
	{in(StateFaceFailed), EvRetryFace, canFace, StateFace, (*Kiosk).startFace},
	{in(StateFaceFailed), EvChoosePIN, canPIN, StatePIN, (*Kiosk).openPINPad},
	{in(StateFaceFailed), EvBack, nil, StateMethod, nil},

	// PIN entry: exactly four digits, sent only on the patient's touch, and a
	// wrong PIN goes back to an empty pad, never retried by the kiosk.
	{in(StatePIN), EvDigit, pinNotFull, stay, (*Kiosk).addDigit},
	{in(StatePIN), EvDelete, nil, stay, (*Kiosk).deleteDigit},
	{in(StatePIN), EvSubmitPIN, pinFull, StatePINVerifying, (*Kiosk).verifyPIN},
	{in(StatePIN), EvBack, nil, StateMethod, (*Kiosk).clearPIN},
	{in(StatePIN), EvCardError, nil, StateError, (*Kiosk).fail},
	{in(StatePINVerifying), EvPINAccepted, nil, StateChecking, (*Kiosk).checkByPIN},
	{in(StatePINVerifying), EvPINWrong, nil, StatePIN, (*Kiosk).pinWrong},
	{in(StatePINVerifying), EvPINLocked, nil, StateMethod, (*Kiosk).pinLocked},
	{in(StatePINVerifying), EvCardError, nil, StateError, (*Kiosk).fail},
	{in(StatePINVerifying), EvEligFailed, nil, StateError, (*Kiosk).fail},

	// Staff visual check (目視), started by staff from their terminal or on
	// the patient's request, confirmed or refused by staff only.
	{in(StateMethod, StateFace, StateFaceFailed, StatePIN), EvStaffStart, nil, StateStaffCheck, (*Kiosk).callStaff},
	{in(StateStaffCheck), EvStaffApprove, nil, StateChecking, (*Kiosk).checkByStaff},
	{in(StateStaffCheck), EvStaffReject, nil, StateError, (*Kiosk).staffRejected},

	// Eligibility, 初回登録 and consent.
	{in(StateChecking), EvEligible, nil, StateConsent, (*Kiosk).noteResult},
	{in(StateChecking), EvUnregistered, nil, StateRegister, (*Kiosk).noteResult},
	{in(StateChecking), EvIneligible, nil, StateDone, (*Kiosk).finishIneligible},
	{in(StateChecking, StateRegistering, StateSubmitting), EvEligFailed, nil, StateError, (*Kiosk).fail},
	{in(StateChecking), EvCardError, nil, StateError, (*Kiosk).fail},
	{in(StateRegister), EvRegisterYes, nil, StateRegistering, (*Kiosk).register},
	{in(StateRegister), EvRegisterNo, nil, StateError, (*Kiosk).declineRegistration},
	{in(StateRegistering), EvRegistered, nil, StateConsent, (*Kiosk).noteResult},
	// With facility.ask_prescription the consent is remembered and the
	// patient chooses the prescription form before anything is recorded.
	{in(StateConsent), EvConsentAll, askPrescription, StatePrescription, (*Kiosk).agreeAll},
	{in(StateConsent), EvConsentAll, nil, StateSubmitting, (*Kiosk).consentAll},
	{in(StateConsent), EvConsentEach, nil, stay, (*Kiosk).consentEach},
	{in(StateConsent), EvToggleItem, individual, stay, (*Kiosk).toggleItem},
	{in(StateConsent), EvConsentDone, individualAsk, StatePrescription, nil},
	{in(StateConsent), EvConsentDone, individual, StateSubmitting, (*Kiosk).submitConsent},
	{in(StatePrescription), EvPrescribePaper, nil, StateSubmitting, (*Kiosk).prescribe},
	{in(StatePrescription), EvPrescribeElectronic, nil, StateSubmitting, (*Kiosk).prescribe},
	// Back keeps the consent as chosen: 個別に同意's items are there to change.
	{in(StatePrescription), EvBack, nil, StateConsent, nil},
	{in(StateSubmitting), EvConsentSaved, firstVisitMode, StateDone, nil},

	// Re-visit reception (docs/revisit.md "The flow"). Mode both asks 初診 /
	// 再診 once the card is identified; mode revisit recognises it at once.
	{in(StateReading), EvCardReady, visitBoth, StateVisitKind, (*Kiosk).noteCard},
	{in(StateReading), EvCardReady, visitRevisit, StateRecognising, (*Kiosk).recogniseCard},
	{in(StateVisitKind), EvChooseFirstVisit, nil, StateMethod, (*Kiosk).chooseFirstVisit},
	{in(StateVisitKind), EvChooseRevisit, nil, StateRecognising, (*Kiosk).recognise},
	// A linked card goes to the ticket, proven first when the facility asks;
	// an unknown card, or one that could not be looked up, takes the
	// first-visit path; a lapsed patient or a failed monthly check gets no
	// ticket; a revoked certificate is refused, and so is everything while
	// the theft lock holds.
	{in(StateRecognising), EvRecognised, knownCardDepartment, StateDepartment, (*Kiosk).noteKnown},
	{in(StateRecognising), EvRecognised, knownCard, StateTicketing, (*Kiosk).issueKnown},
	{in(StateRecognising), EvRecognised, knownCardProof, StateMethod, (*Kiosk).proveKnown},
	{in(StateRecognising), EvRecognised, unknownCard, StateMethod, (*Kiosk).proveUnknown},
	{in(StateRecognising), EvRecognised, referredElsewhere, StateReferred, (*Kiosk).refer},
	{in(StateRecognising), EvRecogniseFailed, certRevoked, StateRejected, (*Kiosk).rejectRevoked},
	{in(StateRecognising), EvRecogniseFailed, revisitLocked, StateError, (*Kiosk).fail},
	{in(StateRecognising), EvRecogniseFailed, nil, StateMethod, (*Kiosk).fallBackToFirstVisit},
	// After a first visit's consent: the offer to link (face or PIN only),
	// then the ticket; declining, or a link that failed, still gets one.
	{in(StateSubmitting), EvConsentSaved, offersLink, StateLinkOffer, nil},
	{in(StateSubmitting), EvConsentSaved, asksDepartment, StateDepartment, nil},
	{in(StateSubmitting), EvConsentSaved, ticketed, StateTicketing, (*Kiosk).issue},
	{in(StateLinkOffer), EvLinkYes, nil, StateLinking, (*Kiosk).link},
	{in(StateLinkOffer), EvLinkNo, asksDepartment, StateDepartment, nil},
	{in(StateLinkOffer), EvLinkNo, nil, StateTicketing, (*Kiosk).issue},
	{in(StateLinking), EvLinked, asksDepartment, StateDepartment, (*Kiosk).noteLink},
	{in(StateLinking), EvLinked, nil, StateTicketing, (*Kiosk).noteLinkIssue},
	// The ticket: one number a session, however often a button is tapped.
	{in(StateDepartment), EvChooseDepartment, validDepartment, StateTicketing, (*Kiosk).chooseDepartment},
	{in(StateTicketing), EvIssued, nil, StateTicket, (*Kiosk).noteReceipt},
	{in(StateTicketing), EvIssueFailed, nil, StateReferred, (*Kiosk).issueFailed},
	// Unlinking at the patient's request, from the ticket screen.
	{in(StateTicket), EvUnlinkAsk, canUnlink, StateUnlinkConfirm, nil},
	{in(StateUnlinkConfirm), EvUnlinkYes, nil, StateUnlinking, (*Kiosk).unlink},
	{in(StateUnlinkConfirm), EvBack, nil, StateTicket, nil},
	{in(StateUnlinking), EvUnlinked, nil, StateUnlinked, (*Kiosk).noteUnlinked},
	{in(StateUnlinking), EvUnlinkFailed, nil, StateError, (*Kiosk).fail},

	// Nobody timed out unwarned: before the inactivity timeout the kiosk
	// asks; "continue" (or any handled event) restarts the timer and
	// answers the question. A card left on the reader is reminded of.
	{asking, EvStillThere, nil, stay, (*Kiosk).askStillThere},
	{active, EvStillHere, nil, stay, nil},
	{in(StateIdle, StateDone, StateTicket, StateReferred, StateUnlinked), EvTakeCard, nil, stay, (*Kiosk).remindCard},
	// Help on every patient screen, answered by staff (starting a visual
	// check answers it too).
	{active, EvHelp, nil, stay, (*Kiosk).callHelp},
	{active, EvHelpAnswered, nil, stay, (*Kiosk).helpAnswered},
}

// Guards (the re-visit rows' are in revisitflow.go).

func firstVisitMode(s *session, _ Event) bool { return s.settings.Visits == VisitFirst }

func canFace(s *session, _ Event) bool {
	return s.photoErr == ErrCodeNone && s.faceAttempt < s.settings.FaceAttempts
}

func canPIN(s *session, _ Event) bool { return s.hasPIN && s.pinTries > 0 }

func pinNotFull(s *session, e Event) bool { return s.digits < PINLength && e.Digit <= 9 }

func pinFull(s *session, _ Event) bool { return s.digits == PINLength }

func individual(s *session, _ Event) bool { return s.individual }

func askPrescription(s *session, _ Event) bool { return s.settings.AskPrescription }

func individualAsk(s *session, e Event) bool { return individual(s, e) && askPrescription(s, e) }

// lookup finds the first row for (state, event) whose guard holds.
func lookup(st State, s *session, e Event) (transition, bool) {
	for _, t := range table {
		if t.on != e.Kind || !contains(t.from, st) {
			continue
		}
		if t.guard == nil || (s != nil && t.guard(s, e)) {
			return t, true
		}
	}
	return transition{}, false
}

func contains(states []State, s State) bool {
	for _, x := range states {
		if x == s {
			return true
		}
	}
	return false
}
