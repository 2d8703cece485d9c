package scenario

import (
	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/sim/standin"
)

// FakeWorld runs scripts against sim/standin's stand-ins.
type FakeWorld struct {
	w *standin.World
}

// NewFakeWorld builds stand-in surroundings with the given latencies.
func NewFakeWorld(l standin.Latency) *FakeWorld { return &FakeWorld{w: standin.NewWorld(l)} }

const (
	holderPerson   = 7
	strangerPerson = 9
)

// Devices are the stand-in ports.
func (f *FakeWorld) Devices() session.Devices { return f.w.Devices() }

// NewCard makes the holder's stand-in card.
func (f *FakeWorld) NewCard(h Holder) (Card, error) {
	fh := standin.Holder{Person: holderPerson, PIN: f.PIN(), KeyB: []byte("55021720352285"),
		PINTries: h.PINTries, Kind: kindOf(h.Kind), BadRecord: h.BadRecord}
	for i := range fh.PIN {
		fh.PIN[i] += '0'
	}
	if h.NoPIN {
		fh.PIN = nil
	}
	c := f.w.Card(fh)
	if d, _ := h.delay(); d > 0 {
		c.SetDelay(d)
	}
	return fakeCard{c}, nil
}

type fakeCard struct{ *standin.Card }

func (c fakeCard) Pull() { c.Remove() }

func kindOf(k string) session.CardKind {
	switch k {
	case "juki":
		return session.CardJuki
	case "smartphone":
		return session.CardSmartphone
	case "next_generation":
		return session.CardNextGeneration
	}
	return session.CardMyNumber
}

// ShowFace puts the holder, a stranger or nobody in front of the camera.
func (f *FakeWorld) ShowFace(who string, problem session.Guidance) {
	person := map[string]byte{"holder": holderPerson, "stranger": strangerPerson}[who]
	f.w.Scene.Show(person, problem)
}

// SetService shapes the eligibility stand-in.
func (f *FakeWorld) SetService(s Service) {
	e := f.w.Eligibility
	d, _ := s.delay()
	if d == 0 {
		d = f.w.Latency.Eligibility
	}
	e.Configure(!s.Unregistered, session.Validity(s.Validity), s.Down, d)
}

// PIN is the stand-in holder's PIN: 1 2 3 4 (the demo profile's).
func (f *FakeWorld) PIN() []byte { return []byte{1, 2, 3, 4} }
