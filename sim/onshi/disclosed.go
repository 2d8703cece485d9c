package onshi

import (
	"sync"
	"time"
)

// Disclosure is one request that told the service who the patient is: a
// card check (with the card's certificate), a check by insurance number,
// a registration or a consent. Tests use the record to prove that a kiosk
// asks nothing about the patient before it has verified them.
type Disclosure struct {
	At    time.Time
	Path  string
	Kiosk string
}

// maxDisclosures bounds the record of a service that runs for long.
const maxDisclosures = 1024

type disclosures struct {
	mu   sync.Mutex
	list []Disclosure
}

func (s *Server) disclosed(r *request) {
	s.told.mu.Lock()
	defer s.told.mu.Unlock()
	if len(s.told.list) == maxDisclosures {
		s.told.list = append(s.told.list[:0], s.told.list[1:]...)
	}
	s.told.list = append(s.told.list, Disclosure{At: time.Now(), Path: r.path, Kiosk: r.kiosk.ID})
}

// Disclosures returns the identifying requests received so far, oldest first.
func (s *Server) Disclosures() []Disclosure {
	s.told.mu.Lock()
	defer s.told.mu.Unlock()
	return append([]Disclosure(nil), s.told.list...)
}
