package session

import "sync"

// A PIN-less check starts long before the face is matched: the card's
// public certificate and the connection to the service while the card
// face is being read, the institution's authentication to the card once
// the photo is read. None of it tells the service who the patient is; what
// does (the card's signature with its certificate) is sent only after the
// match, by Check. A face that does not match leaves the preparation unused.

// preparation is a PIN-less check being readied on its own goroutine.
type preparation struct {
	once    sync.Once
	decided chan struct{} // closed when advance is set
	advance bool          // the photo is read: run the exchange with the card
	done    chan struct{} // closed when the preparation ended
	check   *PreparedCheck
}

// decide says, once, whether the preparation may use the card for the rest:
// yes when the card side has read the photo, no when a check begins before.
func (p *preparation) decide(advance bool) {
	p.once.Do(func() {
		p.advance = advance
		close(p.decided)
	})
}

// canPrepare says whether the eligibility client can ready a check early.
func (s *session) canPrepare() bool {
	_, ok := s.k.dev.Eligibility.(Preparer)
	return ok
}

// preparePinless starts the preparation under the session's context (the
// match stopping the face pipeline must not stop it), when the eligibility
// client can prepare.
func (s *session) preparePinless() {
	pr, ok := s.k.dev.Eligibility.(Preparer)
	if !ok {
		return
	}
	prep := &preparation{decided: make(chan struct{}), done: make(chan struct{})}
	s.prep.Store(prep)
	s.spawn(func() {
		defer close(prep.done)
		var check *PreparedCheck
		err := s.timed(stagePrepare, func() (err error) { check, err = pr.Prepare(s.ctx, s.card); return })
		if err != nil {
			return
		}
		select {
		case <-prep.decided:
		case <-s.ctx.Done():
			return
		}
		if !prep.advance {
			return
		}
		if s.timed(stageAdvance, func() error { return pr.Advance(s.ctx, s.card, check) }) == nil {
			prep.check = check
		}
	})
}

// prepared returns the readied check for Check, waiting for it if the
// exchange with the card is under way; nil when there is none (Check then
// runs whole).
func (s *session) prepared() *PreparedCheck {
	prep := s.prep.Load()
	if prep == nil {
		return nil
	}
	prep.decide(false)
	if !prep.advance {
		return nil
	}
	select {
	case <-prep.done:
		return prep.check
	case <-s.ctx.Done():
		return nil
	}
}
