package world

import (
	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/sim/scenario"
)

// Person is a test holder the demo's operator can place a card for.
type Person uint8

// The demo's test people.
const (
	PersonStandard       Person = iota // PIN 1234, registered, insurance valid
	PersonNoPIN                        // 顔認証マイナンバーカード: no PIN
	PersonUnregistered                 // card not yet registered for insurance (初回登録)
	PersonInvalid                      // insurance no longer valid
	PersonJuki                         // an old 住基カード, not a My Number Card
	PersonSmartphone                   // a smartphone with the JPKI applet
	PersonNextGeneration               // a next-generation card (2026-), not supported yet
	PersonStaff                        // a staff member's own card (profile.Staff, PIN 5678) for operator login
)

// People names the test people for the operator window.
var People = []struct {
	Person Person
	Label  string
}{
	{PersonStandard, "Standard holder (PIN 1234)"},
	{PersonNoPIN, "Card without a PIN"},
	{PersonUnregistered, "Not registered yet (初回登録)"},
	{PersonInvalid, "Insurance no longer valid"},
	{PersonJuki, "住基カード (not a My Number Card)"},
	{PersonSmartphone, "Smartphone"},
	{PersonNextGeneration, "Next-generation card (次期個人番号カード)"},
	{PersonStaff, "Staff member's own card (operator login, PIN 5678)"},
}

// script is the card and the service's answers that make a person.
func (p Person) script() (scenario.Holder, scenario.Service) {
	switch p {
	case PersonNoPIN:
		return scenario.Holder{NoPIN: true}, scenario.Service{}
	case PersonUnregistered:
		return scenario.Holder{}, scenario.Service{Unregistered: true}
	case PersonInvalid:
		return scenario.Holder{}, scenario.Service{Validity: int(session.ValidityInvalid)}
	case PersonJuki:
		return scenario.Holder{Kind: "juki"}, scenario.Service{}
	case PersonSmartphone:
		return scenario.Holder{Kind: "smartphone"}, scenario.Service{}
	case PersonNextGeneration:
		return scenario.Holder{Kind: "next_generation"}, scenario.Service{}
	case PersonStaff:
		return scenario.Holder{Kind: kindStaff}, scenario.Service{}
	}
	return scenario.Holder{}, scenario.Service{}
}

// Issue makes the person's card (keeping the network as the operator set
// it); the caller places it with (*session.Kiosk).CardPlaced.
func (w *World) Issue(p Person) (scenario.Card, error) {
	h, svc := p.script()
	w.mu.Lock()
	svc.Down, svc.Delay = w.script.Down, w.script.Delay
	w.mu.Unlock()
	w.SetService(svc)
	return w.NewCard(h)
}

// ServiceDown cuts the network to the eligibility stand-in, or restores it.
func (w *World) ServiceDown(down bool) {
	w.mu.Lock()
	svc := w.script
	w.mu.Unlock()
	svc.Down = down
	w.SetService(svc)
}
