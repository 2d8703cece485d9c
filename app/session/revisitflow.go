package session

import (
	"errors"
	"slices"
	"time"

	"github.com/uketsuke/uketsuke/app/revisit"
)

// Re-visit reception's part of the machine (docs/revisit.md "The flow"):
// the guards and actions of the table's re-visit rows. The port is
// revisit.go; nothing here names the patient.

// revisitState is what one session keeps of its re-visit reception.
type revisitState struct {
	recognition Recognition
	recognised  bool      // Recognise answered
	known       bool      // the card is linked (revisit.RouteTicket): its Ref names the link
	mayLink     bool      // a first visit whose card may be linked afterwards
	department  int       // index into Settings.Departments; -1: none
	issuing     bool      // Issue was called: it never is twice in a session
	receipt     Receipt   // the issued number
	linked      bool      // the card is the patient's 診察券 now: unlinking is offered
	linkErr     ErrorCode // Link failed (the ticket is issued all the same)
	referral    MsgKey    // StateReferred's message
	refs        []string  // references handed to Revisit, forgotten at the end
}

// errCodeLookupFailed is the audit log's word for a Recognise that failed
// for a reason other than a revoked certificate or the theft lock; no
// screen shows it (the patient takes the first-visit path).
const errCodeLookupFailed ErrorCode = "revisit.lookup_failed"

// Guards.

func visitBoth(s *session, _ Event) bool { return s.settings.Visits == VisitBoth }

func visitRevisit(s *session, _ Event) bool { return s.settings.Visits == VisitRevisit }

// knownCard: a linked card goes straight to the ticket, unless the facility
// wants the holder proven too (knownCardProof).
func knownCard(s *session, e Event) bool {
	return e.Recognition.Route == revisit.RouteTicket && !s.settings.RevisitProof
}

func knownCardDepartment(s *session, e Event) bool {
	return knownCard(s, e) && len(s.settings.Departments) > 0
}

func knownCardProof(s *session, e Event) bool {
	return e.Recognition.Route == revisit.RouteTicket && s.settings.RevisitProof
}

func unknownCard(_ *session, e Event) bool { return e.Recognition.Route == revisit.RouteUnknown }

func referredElsewhere(_ *session, e Event) bool {
	return e.Recognition.Route == revisit.RouteFirstVisit || e.Recognition.Route == revisit.RouteDesk
}

func certRevoked(_ *session, e Event) bool { return e.Code == ErrCodeCertRevoked }

func revisitLocked(_ *session, e Event) bool { return e.Code == ErrCodeRevisitLocked }

// offersLink: after a first visit proven by face or PIN (never by staff
// alone, never a PIN-less read) whose card is not linked yet.
func offersLink(s *session, _ Event) bool {
	return s.visit.mayLink && !s.visit.linked && (s.method == MethodFace || s.method == MethodPIN)
}

// ticketed: re-visit modes end a completed visit with a reception number.
func ticketed(s *session, _ Event) bool { return s.settings.Visits != VisitFirst && !s.visit.issuing }

func asksDepartment(s *session, e Event) bool {
	return ticketed(s, e) && len(s.settings.Departments) > 0
}

func validDepartment(s *session, e Event) bool {
	return !s.visit.issuing && e.Department >= 0 && e.Department < len(s.settings.Departments)
}

func canUnlink(s *session, _ Event) bool { return s.visit.linked }

// Actions.

// recogniseCard notes the card's PIN state, then recognises it (revisit mode).
func (k *Kiosk) recogniseCard(ev Event) {
	k.noteCard(ev)
	k.recognise(ev)
}

// recognise runs Recognise: the PIN-less read, the revocation check, the
// lookup and, for a linked card, the check by insured number.
func (k *Kiosk) recognise(Event) {
	s := k.s
	rv := k.dev.Revisit
	s.spawn(func() {
		var rec Recognition
		err := s.timed(stageRecognise, func() (err error) { rec, err = rv.Recognise(s.ctx, s.card); return })
		switch {
		case err == nil:
			s.post(Event{Kind: EvRecognised, Recognition: rec})
		case s.ctx.Err() != nil:
		case errors.Is(err, ErrCardRemoved):
			s.post(Event{Kind: EvCardRemoved})
		case errors.Is(err, ErrCertRevoked):
			s.post(Event{Kind: EvRecogniseFailed, Code: ErrCodeCertRevoked, Recognition: rec})
		case errors.Is(err, ErrRevisitLocked):
			s.post(Event{Kind: EvRecogniseFailed, Code: ErrCodeRevisitLocked, Recognition: rec})
		default:
			s.post(Event{Kind: EvRecogniseFailed, Recognition: rec})
		}
	})
}

// noteRecognition keeps the answer; its Ref is forgotten at the end.
func (k *Kiosk) noteRecognition(ev Event) {
	v := &k.s.visit
	v.recognition, v.recognised = ev.Recognition, true
	v.keep(ev.Recognition.Ref)
}

func (v *revisitState) keep(ref string) {
	if ref != "" && !slices.Contains(v.refs, ref) {
		v.refs = append(v.refs, ref)
	}
}

// noteKnown: a linked card is identified by the PIN-less read (ローカル認証).
func (k *Kiosk) noteKnown(ev Event) {
	k.noteRecognition(ev)
	s := k.s
	s.visit.known, s.visit.linked = true, true
	s.method = MethodLocal
	s.result.Validity = ev.Recognition.Validity
}

func (k *Kiosk) issueKnown(ev Event) {
	k.noteKnown(ev)
	k.issue(ev)
}

// proveKnown: the facility wants a linked card's holder proven as well.
func (k *Kiosk) proveKnown(ev Event) {
	k.noteRecognition(ev)
	k.s.visit.known, k.s.visit.linked = true, true
	k.s.startPipeline()
}

// proveUnknown: an unknown card takes the first-visit path, and may be
// linked after it.
func (k *Kiosk) proveUnknown(ev Event) {
	k.noteRecognition(ev)
	k.s.visit.mayLink = true
	k.s.startPipeline()
}

// chooseFirstVisit: 初診 in mode both; the card may be linked after it.
func (k *Kiosk) chooseFirstVisit(Event) {
	k.s.visit.mayLink = true
	k.s.startPipeline()
}

// fallBackToFirstVisit: Recognise failed for another reason (the table or
// the service is unreachable): the first-visit path, without the offer to
// link, which could not be kept either.
func (k *Kiosk) fallBackToFirstVisit(Event) {
	k.auditError(errCodeLookupFailed)
	k.s.startPipeline()
}

// rejectRevoked: a revoked or expired certificate is a card the kiosk
// cannot take, whatever its link.
func (k *Kiosk) rejectRevoked(ev Event) {
	ev.CardKind = CardMyNumber
	k.reject(ev)
}

// refer: a lapsed patient or a failed monthly check gets no ticket.
func (k *Kiosk) refer(ev Event) {
	k.noteRecognition(ev)
	k.s.visit.referral = MsgReferredDesk
	if ev.Recognition.Route == revisit.RouteFirstVisit {
		k.s.visit.referral = MsgReferredFirstVisit
	}
}

func (k *Kiosk) chooseDepartment(ev Event) {
	k.s.visit.department = ev.Department
	k.issue(ev)
}

// issue asks for the reception number, once a session whatever is tapped.
func (k *Kiosk) issue(Event) {
	s := k.s
	if s.visit.issuing {
		return
	}
	s.visit.issuing = true
	req := TicketRequest{Ref: s.result.Ticket, Method: s.method}
	if s.visit.known {
		req.Ref = s.visit.recognition.Ref
	}
	if d := s.visit.department; d >= 0 {
		req.Department = s.settings.Departments[d]
	}
	s.visit.keep(req.Ref)
	rv := k.dev.Revisit
	s.spawn(func() {
		var rc Receipt
		err := s.timed(stageIssue, func() (err error) { rc, err = rv.Issue(s.ctx, req); return })
		switch {
		case err == nil && rc.Number > 0:
			s.post(Event{Kind: EvIssued, Receipt: rc})
		case s.ctx.Err() == nil:
			s.post(Event{Kind: EvIssueFailed, Code: ErrCodeTicketUnavailable})
		}
	})
}

// noteReceipt shows the number and reports the whole visit's time.
func (k *Kiosk) noteReceipt(ev Event) {
	s := k.s
	s.visit.receipt = ev.Receipt
	if ev.Receipt.PrintErr != ErrCodeNone {
		k.auditError(ev.Receipt.PrintErr)
	}
	s.stage(Stage{Name: stagePlacementToTicket, Took: time.Since(s.began), OK: true})
}

// issueFailed sends the patient to the desk: no number was issued.
func (k *Kiosk) issueFailed(Event) {
	k.s.visit.referral = MsgReferredNoTicket
	k.s.errCode = ErrCodeTicketUnavailable
	k.auditError(ErrCodeTicketUnavailable)
}

// link links the card to the patient the first visit's answer names.
func (k *Kiosk) link(Event) {
	s := k.s
	ticket := s.result.Ticket
	s.visit.keep(ticket)
	rv := k.dev.Revisit
	s.spawn(func() {
		err := s.timed(stageLink, func() error { return rv.Link(s.ctx, s.card, ticket) })
		if s.ctx.Err() != nil {
			return
		}
		ev := Event{Kind: EvLinked}
		if err != nil {
			ev.Code = ErrCodeLinkFailed
		}
		s.post(ev)
	})
}

// noteLink keeps whether linking worked; the ticket comes either way.
func (k *Kiosk) noteLink(ev Event) {
	v := &k.s.visit
	v.linked = ev.Code == ErrCodeNone
	v.linkErr = ev.Code
	if ev.Code != ErrCodeNone {
		k.auditError(ev.Code)
	}
}

func (k *Kiosk) noteLinkIssue(ev Event) {
	k.noteLink(ev)
	k.issue(ev)
}

func (k *Kiosk) unlink(Event) {
	s := k.s
	rv := k.dev.Revisit
	s.spawn(func() {
		err := s.timed(stageUnlink, func() error { return rv.Unlink(s.ctx, s.card) })
		switch {
		case err == nil:
			s.post(Event{Kind: EvUnlinked})
		case s.ctx.Err() == nil:
			s.post(Event{Kind: EvUnlinkFailed, Code: ErrCodeUnlinkFailed})
		}
	})
}

func (k *Kiosk) noteUnlinked(Event) { k.s.visit.linked = false }

// forgetRevisit drops what the adapter kept for the ended session.
func (k *Kiosk) forgetRevisit(s *session) {
	if k.dev.Revisit == nil {
		return
	}
	for _, ref := range s.visit.refs {
		k.dev.Revisit.Forget(ref)
	}
}

// revisitView is the screen's re-visit part; zero in first-visit mode.
func (k *Kiosk) revisitView(s *session) RevisitView {
	if s.settings.Visits == VisitFirst {
		return RevisitView{}
	}
	v := s.visit
	out := RevisitView{
		Mode: s.settings.Visits, Route: v.recognition.Route, Recognised: v.recognised,
		Number: v.receipt.Number, Printed: v.receipt.Printed,
		PrintErr: v.receipt.PrintErr, Linked: v.linked, LinkErr: v.linkErr,
	}
	if d := v.department; d >= 0 {
		out.Department = s.settings.Departments[d]
	}
	if k.state == StateDepartment {
		out.Departments = slices.Clone(s.settings.Departments)
	}
	return out
}

// refineRevisit picks the message variants of the re-visit screens.
func refineRevisit(st State, v *View, s *session) {
	switch st {
	case StateReferred:
		v.Message = s.visit.referral
	case StateTicket:
		if s.visit.receipt.PrintErr != ErrCodeNone {
			v.Message = MsgTicketNotPrinted
		}
	}
}
