package standin

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/uketsuke/uketsuke/app/session"
)

// Eligibility stands in for the オンライン資格確認 service.
type Eligibility struct {
	mu         sync.Mutex
	Delay      time.Duration
	Validity   session.Validity // answer for a registered card
	Registered bool
	Down       bool // every call fails
	Checks     []session.Method
	Consents   []session.ConsentItems
	// Completions are the patient's choices as Complete received them
	// (consent items and prescription form).
	Completions []session.Completion
	Forgotten   []string // tickets of ended sessions
	challenges  map[string]bool
}

// ErrDown is the stand-in's outage.
var ErrDown = errors.New("fake eligibility: service unavailable")

func (e *Eligibility) Challenge(ctx context.Context) (session.Challenge, error) {
	if err := e.wait(ctx); err != nil {
		return session.Challenge{}, err
	}
	var c session.Challenge
	rand.Read(c.Digest[:])
	c.ID = hex.EncodeToString(c.Digest[:8])
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.challenges == nil {
		e.challenges = map[string]bool{}
	}
	e.challenges[c.ID] = true
	return c, nil
}

func (e *Eligibility) Check(ctx context.Context, p session.Proof) (session.Result, error) {
	if err := e.wait(ctx); err != nil {
		return session.Result{}, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if p.Method == session.MethodPIN {
		if !e.challenges[p.ChallengeID] || len(p.Signature) == 0 {
			return session.Result{}, fmt.Errorf("fake eligibility: bad challenge")
		}
		delete(e.challenges, p.ChallengeID)
	}
	e.Checks = append(e.Checks, p.Method)
	if !e.Registered {
		return session.Result{Validity: session.ValidityUnregistered, Ticket: "t1"}, nil
	}
	return session.Result{Validity: e.validity(), Ticket: "t1"}, nil
}

func (e *Eligibility) validity() session.Validity {
	if e.Validity == session.ValidityUnknown {
		return session.ValidityValid
	}
	return e.Validity
}

func (e *Eligibility) Register(ctx context.Context, ticket string) (session.Result, error) {
	if err := e.wait(ctx); err != nil {
		return session.Result{}, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.Registered = true
	return session.Result{Validity: e.validity(), Ticket: ticket}, nil
}

func (e *Eligibility) Complete(ctx context.Context, ticket string, c session.Completion) error {
	if err := e.wait(ctx); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.Consents = append(e.Consents, c.Items)
	e.Completions = append(e.Completions, c)
	return nil
}

func (e *Eligibility) wait(ctx context.Context) error {
	e.mu.Lock()
	delay := e.Delay
	e.mu.Unlock()
	if err := sleep(ctx, delay); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.Down {
		return ErrDown
	}
	return nil
}

// Configure sets how the stand-in answers, and forgets earlier calls.
func (e *Eligibility) Configure(registered bool, v session.Validity, down bool, delay time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.Registered, e.Validity, e.Down, e.Delay = registered, v, down, delay
	e.Checks, e.Consents, e.Completions = nil, nil, nil
}

func (e *Eligibility) Forget(ticket string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.Forgotten = append(e.Forgotten, ticket)
}
