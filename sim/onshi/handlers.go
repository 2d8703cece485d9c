package onshi

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/uketsuke/uketsuke/app/eligibility"
)

func (s *Server) handleChallenge(r *request) (int, any, error) {
	if len(bytes.TrimSpace(r.body)) > 0 {
		if err := decode(r.body, &struct{}{}); err != nil {
			return 0, nil, err
		}
	}
	now := s.cfg.Now()
	c := &challenge{nonce: newNonce(), kiosk: r.kiosk.ID, expires: now.Add(s.cfg.ChallengeTTL)}
	id := s.challenges.add(now, c)
	return 200, eligibility.ChallengeResponse{ChallengeID: id, Nonce: c.nonce, ExpiresAt: rfc3339(c.expires)}, nil
}

func (s *Server) handleCardCheck(r *request) (int, any, error) {
	s.disclosed(r)
	var req eligibility.CardCheckRequest
	if err := decode(r.body, &req); err != nil {
		return 0, nil, err
	}
	if f := req.LimitApplicationCertificateRelatedConsFlg; f != "" {
		if err := checkFlag("LimitApplicationCertificateRelatedConsFlg", f); err != nil {
			return 0, nil, err
		}
	}
	nonce, replay, err := s.takeChallenge(r, req.ChallengeID)
	if err != nil {
		return 0, nil, err
	}
	if replay != nil {
		return replay.status, json.RawMessage(replay.answer), nil
	}
	card, err := s.verifyCertificate(r.ctx, req.Certificate)
	if err != nil {
		return 0, nil, err
	}
	if err := verifyPINSignature(card.cert, nonce, req.Signature); err != nil {
		return 0, nil, err
	}
	out, err := s.cardOutcome(r.ctx, r.kiosk, card, eligibility.AuthPIN, req.LimitApplicationCertificateRelatedConsFlg)
	if err != nil {
		return 0, nil, err
	}
	body, err := json.Marshal(out)
	if err != nil {
		return 0, nil, err
	}
	s.remember(req.ChallengeID, 200, body)
	return 200, json.RawMessage(body), nil
}

// cardOutcome opens the visit's session for a verified card and answers
// with the eligibility of its holder, or asks for 初回登録.
func (s *Server) cardOutcome(ctx context.Context, k kiosk, card *verifiedCard, method, limitConsent string) (*eligibility.CardCheckResponse, error) {
	person, err := s.cfg.Store.personOfCard(ctx, card.key)
	if err != nil {
		return nil, err
	}
	id, exp := s.openSession(k, card, person, method)
	out := &eligibility.CardCheckResponse{Session: id, SessionExpiresAt: rfc3339(exp)}
	if person == 0 {
		out.RegistrationRequired = true
		return out, nil
	}
	res, err := s.resultForPerson(ctx, k, person, method)
	if err != nil {
		return nil, err
	}
	res.Body.CertificateExpiredGrace = card.grace
	withholdLimitUnlessConsented(res, limitConsent)
	out.Result = res
	return out, nil
}

// withholdLimitUnlessConsented drops the 限度額適用認定証 class unless the
// patient consented to share it for this check (flag "1").
func withholdLimitUnlessConsented(res *eligibility.Result, flag string) {
	if flag == "1" {
		return
	}
	for i := range res.Body.Qualifications {
		res.Body.Qualifications[i].LimitApplicationCertificateRelatedInfo = nil
	}
}

func (s *Server) handleInsuranceCheck(r *request) (int, any, error) {
	s.disclosed(r)
	var q eligibility.InsuranceQuery
	if err := decode(r.body, &q); err != nil {
		return 0, nil, err
	}
	if err := validateQuery(q); err != nil {
		return 0, nil, err
	}
	res, err := s.resultForNumber(r.ctx, r.kiosk, q)
	if err != nil {
		return 0, nil, err
	}
	withholdLimitUnlessConsented(res, q.LimitApplicationCertificateRelatedConsFlg)
	return 200, res, nil
}

func (s *Server) handleConsent(r *request) (int, any, error) {
	s.disclosed(r)
	var req eligibility.ConsentRequest
	if err := decode(r.body, &req); err != nil {
		return 0, nil, err
	}
	c := req.Consent
	for name, v := range map[string]string{
		"SpecificHealthCheckupsInfoConsFlg": c.SpecificHealthCheckupsInfoConsFlg,
		"PharmacistsInfoConsFlg":            c.PharmacistsInfoConsFlg,
		"MedicalTreatmentInfoConsFlg":       c.MedicalTreatmentInfoConsFlg,
		"OperationInfoConsFlg":              c.OperationInfoConsFlg,
	} {
		if err := checkFlag(name, v); err != nil {
			return 0, nil, err
		}
	}
	return s.once(r, func(tx *sql.Tx) (any, error) {
		sess, err := s.sessionFor(r.kiosk, req.Session)
		if err != nil {
			return nil, err
		}
		person, err := s.linkedPerson(r.ctx, tx, sess)
		if err != nil {
			return nil, err
		}
		now := rfc3339(s.cfg.Now())
		res, err := tx.StmtContext(r.ctx, s.cfg.Store.w["consentPut"]).ExecContext(r.ctx, person, r.kiosk.Institution,
			c.SpecificHealthCheckupsInfoConsFlg, c.PharmacistsInfoConsFlg, c.MedicalTreatmentInfoConsFlg, c.OperationInfoConsFlg, now)
		if err != nil {
			return nil, err
		}
		id, err := res.LastInsertId()
		if err != nil {
			return nil, err
		}
		row := consentRow{c.SpecificHealthCheckupsInfoConsFlg, c.PharmacistsInfoConsFlg,
			c.MedicalTreatmentInfoConsFlg, c.OperationInfoConsFlg, now}
		return eligibility.ConsentResponse{ConsentID: id, RecordedAt: now, State: *row.state()}, nil
	})
}

func (s *Server) linkedPerson(ctx context.Context, tx *sql.Tx, sess *session) (int64, error) {
	if sess.person != 0 {
		return sess.person, nil
	}
	var person int64
	err := tx.StmtContext(ctx, s.cfg.Store.w["linkGet"]).QueryRowContext(ctx, sess.cardKey).Scan(&person)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fail(eligibility.CodeRecordNotFound, "the card is not registered (初回登録 first)")
	}
	return person, err
}

func (s *Server) handleRegister(r *request) (int, any, error) {
	s.disclosed(r)
	var req eligibility.RegisterRequest
	if err := decode(r.body, &req); err != nil {
		return 0, nil, err
	}
	if err := validateQuery(req.Record); err != nil {
		return 0, nil, err
	}
	var linked int64
	status, out, err := s.once(r, func(tx *sql.Tx) (any, error) {
		sess, err := s.sessionFor(r.kiosk, req.Session)
		if err != nil {
			return nil, err
		}
		person, err := s.link(r.ctx, tx, sess, req.Record)
		if err != nil {
			return nil, err
		}
		res, err := s.resultForPerson(r.ctx, r.kiosk, person, sess.method)
		if err != nil {
			return nil, err
		}
		withholdLimitUnlessConsented(res, "")
		linked = person
		return eligibility.RegisterResponse{RegisteredAt: rfc3339(s.cfg.Now()), Result: res}, nil
	})
	if err == nil && linked != 0 {
		s.setSessionPerson(req.Session, linked)
	}
	return status, out, err
}

// link ties the session's card to the one linkable record q names.
func (s *Server) link(ctx context.Context, tx *sql.Tx, sess *session, q eligibility.InsuranceQuery) (int64, error) {
	recs, err := s.cfg.Store.recordsByNumber(ctx, q.InsurerNumber, q.InsuredIdentificationNumber,
		q.InsuredCardSymbol, q.InsuredBranchNumber, q.Birthdate)
	switch {
	case err != nil:
		return 0, err
	case len(recs) == 0:
		return 0, fail(eligibility.CodeRecordNotFound, "no record with this insurance number and birth date")
	case len(recs) > 1:
		return 0, fail(eligibility.CodeRecordNotLinkable, "several records match: the insurer must correct them")
	case !recs[0].Linkable:
		return 0, fail(eligibility.CodeRecordNotLinkable, "the insurer has not registered this holder for card use")
	}
	person := recs[0].PersonID
	var existing int64
	err = tx.StmtContext(ctx, s.cfg.Store.w["linkGet"]).QueryRowContext(ctx, sess.cardKey).Scan(&existing)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		_, err = tx.StmtContext(ctx, s.cfg.Store.w["linkPut"]).ExecContext(ctx, sess.cardKey, person, rfc3339(s.cfg.Now()))
		return person, err
	case err != nil:
		return 0, err
	case existing != person:
		return 0, fail(eligibility.CodeCardLinkedElsewhere, "this card is linked to another holder")
	}
	return person, nil
}

// once runs a write at most once per (kiosk, Idempotency-Key): the first
// success is stored with its response in the same transaction, and a retry
// of the same request gets that response without writing again.
func (s *Server) once(r *request, do func(*sql.Tx) (any, error)) (int, any, error) {
	if r.key == "" {
		return 0, nil, fail(eligibility.CodeMalformed, "the %s header is required", eligibility.HeaderIdempotencyKey)
	}
	hash := requestHash(r)
	var out json.RawMessage
	st := s.cfg.Store
	err := st.inTx(r.ctx, func(tx *sql.Tx) error {
		var prevHash, prev []byte
		var prevStatus int
		err := tx.StmtContext(r.ctx, st.w["idemGet"]).QueryRowContext(r.ctx, r.kiosk.ID, r.key).Scan(&prevHash, &prevStatus, &prev)
		if err == nil {
			if !bytes.Equal(prevHash, hash[:]) {
				return fail(eligibility.CodeIdempotencyConflict, "key %q was used for a different request", r.key)
			}
			out = prev
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		resp, err := do(tx)
		if err != nil {
			return err
		}
		if out, err = json.Marshal(resp); err != nil {
			return err
		}
		_, err = tx.StmtContext(r.ctx, st.w["idemPut"]).ExecContext(r.ctx, r.kiosk.ID, r.key, hash[:], 200, []byte(out), rfc3339(s.cfg.Now()))
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	return 200, out, nil
}
