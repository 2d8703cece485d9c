package session

import (
	"errors"
	"time"

	"github.com/uketsuke/uketsuke/app/audit"
)

// Actions run on the machine's goroutine after the table picked a row. Slow
// work (card, cameras, eligibility) goes to session goroutines, whose
// outcome returns as an event.

func (k *Kiosk) begin(ev Event) {
	s := k.newSession(ev.Card)
	k.s = s
	s.pipe = newPipeline(s)
	if s.settings.Visits == VisitFirst {
		s.startPipeline()
	}
	s.spawn(s.identifyCard)
}

// startPipeline starts the face match's two sides, once. Re-visit modes
// start it only when the patient takes the first-visit path: a known card
// never has its face read.
func (s *session) startPipeline() {
	if !s.pipeStarted {
		s.pipeStarted = true
		s.pipe.start()
	}
}

// identifyCard tells a My Number Card from the rest and reads its PIN counter.
func (s *session) identifyCard() {
	var kind CardKind
	err := s.timed(stageDetect, func() (err error) { kind, err = s.card.Detect(s.ctx); return })
	var unsupported *UnsupportedCardError
	if errors.As(err, &unsupported) {
		s.post(Event{Kind: EvCardRejected, Code: rejectCode(unsupported.Kind), CardKind: unsupported.Kind, AID: unsupported.AID})
		return
	}
	if err != nil {
		s.postCardErr(err, EvCardRejected, ErrCodeUnreadable)
		return
	}
	if kind != CardMyNumber {
		s.post(Event{Kind: EvCardRejected, Code: rejectCode(kind), CardKind: kind})
		return
	}
	s.pipe.cardIdentified()
	tries, err := s.card.PINTriesLeft(s.ctx)
	switch {
	case errors.Is(err, ErrNoPIN):
		s.post(Event{Kind: EvCardReady, HasPIN: false})
	case errors.Is(err, ErrBlocked):
		s.post(Event{Kind: EvCardReady, HasPIN: true, Left: 0})
	case err != nil:
		s.postCardErr(err, EvCardError, ErrCodeUnreadable)
	default:
		s.post(Event{Kind: EvCardReady, HasPIN: true, Left: tries})
	}
}

func rejectCode(k CardKind) ErrorCode {
	switch k {
	case CardJuki:
		return ErrCodeJuki
	case CardSmartphone:
		return ErrCodeSmartphone
	case CardNextGeneration:
		return ErrCodeNextGeneration
	}
	return ErrCodeNotMyNumber
}

func (k *Kiosk) noteCard(ev Event) {
	k.s.hasPIN, k.s.pinTries = ev.HasPIN, ev.Left
	if !ev.HasPIN {
		k.s.pinTries = 0
	}
}

func (k *Kiosk) reject(ev Event) {
	k.s.errCode = ev.Code
	if k.s.errCode == ErrCodeNone {
		k.s.errCode = ErrCodeUnreadable
	}
	k.s.pipe.stop()
	attrs := []audit.Attr{audit.Word(termCard, cardTerms[ev.CardKind])}
	if len(ev.AID) > 0 {
		attrs = append(attrs, audit.AID(termAID, ev.AID))
	}
	k.auditError(k.s.errCode, attrs...)
}

func (k *Kiosk) startFace(Event) {
	s := k.s
	s.faceAttempt++
	s.choseFaceAt = time.Now()
	s.resetHints()
	s.pipe.setLive(true)
	s.armFaceTimer()
	if s.matched {
		k.raise(Event{Kind: EvFaceMatched})
	}
}

func (k *Kiosk) stopFace(ev Event) {
	k.s.stopFaceTimer()
	if ev.Kind == EvPhotoFailed {
		k.auditError(ev.Code)
	}
}

func (k *Kiosk) openPINPad(Event) {
	k.s.stopFaceTimer()
	k.s.pipe.setLive(false)
	k.s.clearPIN()
}

func (k *Kiosk) addDigit(ev Event) {
	s := k.s
	if s.pin == nil {
		pin, err := newPINBuffer()
		if err != nil {
			// No locked memory for the digits: end the session as an
			// error rather than hold them anywhere else. Posted from
			// outside the event loop this action runs in.
			go s.post(Event{Kind: EvCardError, Code: ErrCodeCardError})
			return
		}
		s.pin = pin
	}
	s.pin.Bytes()[s.digits] = '0' + ev.Digit
	s.digits++
}

func (k *Kiosk) deleteDigit(Event) {
	s := k.s
	if s.digits > 0 {
		s.digits--
		s.pin.Bytes()[s.digits] = 0
	}
}

func (k *Kiosk) clearPIN(Event) {
	k.s.clearPIN()
	k.s.pipe.setLive(true)
}

// verifyPIN hands the PIN buffer to a worker, which destroys it after the
// one VERIFY: the kiosk never sends it a second time on its own.
func (k *Kiosk) verifyPIN(Event) {
	s := k.s
	pin := s.pin
	s.pin, s.digits = nil, 0
	s.spawn(func() {
		err := s.timed(stageVerifyPIN, func() error { return s.card.VerifyPIN(s.ctx, pin) })
		pin.Destroy()
		s.afterPIN(err)
	})
}

func (s *session) afterPIN(err error) {
	var wrong *WrongCredentialError
	switch {
	case errors.As(err, &wrong) && wrong.Left > 0:
		s.post(Event{Kind: EvPINWrong, Left: wrong.Left})
	case errors.As(err, &wrong), errors.Is(err, ErrBlocked):
		s.post(Event{Kind: EvPINLocked})
	case err != nil:
		s.postCardErr(err, EvCardError, ErrCodeCardError)
	default:
		s.signChallenge()
	}
}

// signChallenge proves the PIN to the eligibility service: the card signs
// the service's fresh challenge with the user-authentication key.
func (s *session) signChallenge() {
	var proof *Proof
	var serviceDown bool
	err := s.timed(stageSign, func() error {
		ch, err := s.k.dev.Eligibility.Challenge(s.ctx)
		if err != nil {
			serviceDown = true
			return err
		}
		sig, err := s.card.SignDigest(s.ctx, ch.Digest)
		if err != nil {
			return err
		}
		cert, err := s.card.AuthCertificate(s.ctx)
		if err != nil {
			return err
		}
		proof = &Proof{Method: MethodPIN, ChallengeID: ch.ID, Signature: sig, Certificate: cert}
		return nil
	})
	switch {
	case serviceDown:
		s.post(Event{Kind: EvEligFailed, Code: ErrCodeEligibility})
	case err != nil:
		s.postCardErr(err, EvCardError, ErrCodeCardError)
	default:
		s.post(Event{Kind: EvPINAccepted, Proof: proof})
	}
}

func (k *Kiosk) pinWrong(ev Event) {
	k.s.pinTries = ev.Left
	k.auditError(ErrCodePINWrong)
}

func (k *Kiosk) pinLocked(Event) {
	k.s.pinTries = 0
	k.s.pipe.setLive(true)
	k.auditError(ErrCodePINLocked)
}

func (k *Kiosk) callStaff(Event) {
	k.s.stopFaceTimer()
	k.s.pipe.setLive(false)
	k.s.clearPIN()
}

func (k *Kiosk) checkByFace(Event) {
	k.s.stopFaceTimer()
	k.identified(&Proof{Method: MethodFace, Relay: k.s.card})
}

func (k *Kiosk) checkByPIN(ev Event) { k.identified(ev.Proof) }

func (k *Kiosk) checkByStaff(Event) {
	k.identified(&Proof{Method: MethodStaff, Relay: k.s.card})
}

// identified stops the face pipeline (its secrets are no longer needed) and
// asks the eligibility service.
func (k *Kiosk) identified(p *Proof) {
	s := k.s
	s.method = p.Method
	s.proof = p
	s.pipe.stop()
	proof := *p
	s.spawn(func() {
		if proof.Method != MethodPIN {
			proof.Prepared = s.prepared()
		}
		var res Result
		err := s.timed(stageEligibility, func() (err error) { res, err = s.k.dev.Eligibility.Check(s.ctx, proof); return })
		s.post(eligibilityEvent(res, err))
	})
}

// eligibilityCode tells a result folder that refuses the file from a
// service that does not answer: staff act on the first, patients retry the second.
func eligibilityCode(err error) ErrorCode {
	if errors.Is(err, ErrResultsUnwritable) {
		return ErrCodeResults
	}
	return ErrCodeEligibility
}

func eligibilityEvent(res Result, err error) Event {
	switch {
	case err != nil:
		return Event{Kind: EvEligFailed, Code: eligibilityCode(err)}
	case res.Validity == ValidityValid:
		return Event{Kind: EvEligible, Result: res}
	case res.Validity == ValidityUnregistered:
		return Event{Kind: EvUnregistered, Result: res}
	}
	return Event{Kind: EvIneligible, Result: res}
}

func (k *Kiosk) noteResult(ev Event) {
	s := k.s
	if s.result.Validity == ValidityUnknown && s.audit != nil && !s.choseFaceAt.IsZero() && s.method == MethodFace {
		s.audit.Event(termFaceToResult, audit.Duration(termElapsed, time.Since(s.choseFaceAt)))
	}
	s.result = ev.Result
}

func (k *Kiosk) finishIneligible(ev Event) {
	k.noteResult(ev)
	k.auditError(ErrCodeIneligible)
}

func (k *Kiosk) register(Event) {
	s := k.s
	ticket := s.result.Ticket
	s.spawn(func() {
		var res Result
		err := s.timed(stageRegister, func() (err error) { res, err = s.k.dev.Eligibility.Register(s.ctx, ticket); return })
		if err == nil && res.Validity == ValidityUnregistered {
			res.Validity = ValidityValid
		}
		ev := eligibilityEvent(res, err)
		if ev.Kind == EvEligible {
			ev.Kind = EvRegistered
		}
		s.post(ev)
	})
}

func (k *Kiosk) declineRegistration(Event) {
	k.s.errCode = ErrCodeNotRegistered
	k.auditError(ErrCodeNotRegistered)
}

// agreeAll remembers まとめて同意; consentAll records it too.
func (k *Kiosk) agreeAll(Event) { k.s.items = ConsentAll }

func (k *Kiosk) consentAll(ev Event) {
	k.agreeAll(ev)
	k.recordConsent()
}

func (k *Kiosk) consentEach(Event) {
	k.s.individual = true
	k.s.items = 0
}

func (k *Kiosk) toggleItem(ev Event) { k.s.items ^= ev.Items & ConsentAll }

func (k *Kiosk) submitConsent(Event) { k.recordConsent() }

// prescribe takes the prescription form and records everything.
func (k *Kiosk) prescribe(ev Event) {
	k.s.prescription = PrescriptionPaper
	if ev.Kind == EvPrescribeElectronic {
		k.s.prescription = PrescriptionElectronic
	}
	k.recordConsent()
}

// recordConsent records the consent items and the prescription form
// (unasked when the facility does not ask) with the service.
func (k *Kiosk) recordConsent() {
	s := k.s
	items, prescription := s.items, s.prescription
	ticket := s.result.Ticket
	s.spawn(func() {
		err := s.timed(stageConsent, func() error {
			return s.k.dev.Eligibility.Complete(s.ctx, ticket, Completion{Items: items, Prescription: prescription})
		})
		if err != nil {
			s.post(Event{Kind: EvEligFailed, Code: eligibilityCode(err)})
			return
		}
		s.post(Event{Kind: EvConsentSaved})
	})
}

func (k *Kiosk) fail(ev Event) {
	code := ev.Code
	if code == ErrCodeNone {
		code = ErrCodeCardError
	}
	k.s.errCode = code
	k.s.pipe.stop()
	k.auditError(code)
}

func (k *Kiosk) staffRejected(Event) {
	k.s.errCode = ErrCodeStaffRejected
	k.auditError(ErrCodeStaffRejected)
}

// askStillThere puts the question on the screen; handle does not restart
// the inactivity timer for it, so the session ends on time if nobody answers.
func (k *Kiosk) askStillThere(Event) { k.s.stillThere = true }

func (k *Kiosk) callHelp(Event) { k.s.helpCalled = true }

func (k *Kiosk) helpAnswered(Event) { k.s.helpCalled = false }

func (k *Kiosk) endRemoved(Event) { k.end(ErrCodeCardRemoved) }

func (k *Kiosk) endInactive(Event) {
	k.auditError(ErrCodeInactivity)
	k.end(ErrCodeInactivity)
}

// end finishes the session: workers stop, secrets are destroyed, the audit
// record is closed and synced. The machine is then idle.
func (k *Kiosk) end(reason ErrorCode) {
	s := k.s
	if s == nil {
		return
	}
	s.wipe()
	if t := s.result.Ticket; t != "" {
		k.dev.Eligibility.Forget(t)
	}
	k.forgetRevisit(s)
	ticketed := s.visit.receipt.Number > 0
	completed := k.prev == StateDone && s.result.Validity == ValidityValid || ticketed
	if s.audit != nil {
		outcome := outcomeTerm(k.prev, reason)
		if ticketed {
			outcome = termCompleted
		}
		s.audit.End(outcome, methodTerms[s.method], completed,
			audit.Word(termLastState, stateTerms[k.prev]),
			audit.Int(termFaceAttempts, s.faceAttempt),
			audit.Int(termValidity, int(s.result.Validity)))
	}
	k.s = nil
	k.pending = k.pending[:0]
}

func (k *Kiosk) auditError(code ErrorCode, attrs ...audit.Attr) {
	if k.s != nil && k.s.audit != nil {
		k.s.audit.Error(codeTerm(code), append([]audit.Attr{audit.Word(termState, stateTerms[k.state])}, attrs...)...)
	}
}
