package onshi

import (
	"bytes"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/uketsuke/uketsuke/app/eligibility"
	"github.com/uketsuke/uketsuke/sim/onshi/pinless"
)

// Institution runs PIN-less 特定機関認証 (see package pinless).
type Institution = pinless.Institution

// relay is one PIN-less authentication a kiosk is relaying.
type relay struct {
	mu       sync.Mutex // one step at a time
	run      pinless.Run
	kiosk    string
	expires  time.Time
	finished bool
	// The last step's answer, for a kiosk that retries a step whose answer it lost.
	answer     []byte
	answerHash [32]byte
}

// maxRelayResponses bounds a step's batch; the simulated exchange needs at most 6.
const maxRelayResponses = 32

func (s *Server) handlePinlessStart(r *request) (int, any, error) {
	var req eligibility.PinlessStartRequest
	if len(bytes.TrimSpace(r.body)) > 0 {
		if err := decode(r.body, &req); err != nil {
			return 0, nil, err
		}
	}
	if s.cfg.Institution == nil {
		return 0, nil, fail(eligibility.CodeNotFound, "PIN-less authentication is not configured")
	}
	run, cmds, err := s.cfg.Institution.Begin(r.ctx, req.ExtendedLength)
	if err != nil {
		return 0, nil, err
	}
	now := s.cfg.Now()
	id := s.relays.add(now, &relay{run: run, kiosk: r.kiosk.ID, expires: now.Add(s.cfg.ChallengeTTL)})
	return 200, eligibility.PinlessStartResponse{RelayID: id, Commands: cmds}, nil
}

func (s *Server) handlePinlessStep(r *request) (int, any, error) {
	var req eligibility.PinlessStepRequest
	if err := decode(r.body, &req); err != nil {
		return 0, nil, err
	}
	if len(req.Responses) == 0 || len(req.Responses) > maxRelayResponses {
		return 0, nil, fail(eligibility.CodeMalformed, "a step carries 1-%d responses", maxRelayResponses)
	}
	rl, err := s.relayFor(r.kiosk, req.RelayID)
	if err != nil {
		return 0, nil, err
	}
	rl.mu.Lock()
	defer rl.mu.Unlock()
	hash := requestHash(r)
	switch {
	case rl.answer != nil && rl.answerHash == hash:
		return 200, json.RawMessage(rl.answer), nil // a retried step: the same answer
	case rl.finished:
		return 0, nil, fail(eligibility.CodeRelayUnknown, "relay %q has finished", req.RelayID)
	}
	out, err := s.step(r, rl, req)
	if err != nil {
		rl.finished = true
		return 0, nil, err
	}
	body, err := json.Marshal(out)
	if err != nil {
		return 0, nil, err
	}
	rl.answer, rl.answerHash, rl.finished = body, hash, out.Done
	return 200, json.RawMessage(body), nil
}

// step feeds the card's responses to the institution's run; the request
// with the certificate finishes it, and the certificate is checked as on
// the PIN path. Only that request identifies the patient.
func (s *Server) step(r *request, rl *relay, req eligibility.PinlessStepRequest) (*eligibility.PinlessStepResponse, error) {
	if req.Certificate == nil {
		next, err := rl.run.Step(r.ctx, req.Responses)
		if err != nil {
			return nil, cardError(err)
		}
		return &eligibility.PinlessStepResponse{Commands: next.Commands, Final: next.Final}, nil
	}
	s.disclosed(r)
	if err := rl.run.Finish(r.ctx, req.Responses, req.Certificate); err != nil {
		return nil, cardError(err)
	}
	card, err := s.verifyCertificate(r.ctx, req.Certificate)
	if err != nil {
		return nil, err
	}
	out, err := s.cardOutcome(r.ctx, r.kiosk, card, eligibility.AuthPinless, "")
	if err != nil {
		return nil, err
	}
	return &eligibility.PinlessStepResponse{Done: true, Outcome: out}, nil
}

func cardError(err error) error {
	if errors.Is(err, pinless.ErrCard) {
		return fail(eligibility.CodeCardAuthFailed, "%v", err)
	}
	return err
}

func (s *Server) relayFor(k kiosk, id string) (*relay, error) {
	var out *relay
	now := s.cfg.Now()
	s.relays.with(id, func(v *relay, ok bool) bool {
		if ok && v.kiosk == k.ID && !now.After(v.expires) {
			out = v
		}
		return ok
	})
	if out == nil {
		return nil, fail(eligibility.CodeRelayUnknown, "no live relay %q for this kiosk", id)
	}
	return out, nil
}
