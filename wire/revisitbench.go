package wire

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/uketsuke/uketsuke/app/apdu"
	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/sim/scenario"
	"github.com/uketsuke/uketsuke/sim/vcard"
)

// RevisitBenchOptions shape `uketsuke revisit bench`'s simulated world.
type RevisitBenchOptions struct {
	N         int    // re-visits of the linked card
	Transport string // the virtual card's way: inprocess or pcsc
	Fast      bool   // no modelled card latency
}

// RevisitVisit is one re-visit's figures: placement → ticket as the
// session's stage.placement_to_ticket reports it (from the session's start
// at CardPlaced to the issued number), and what crossed the card link.
type RevisitVisit struct {
	PlacementToTicket time.Duration
	Sent, Floor       vcard.Cost
}

// RevisitBenchResult is every re-visit's figures and the card's latency
// model (zero with Fast).
type RevisitBenchResult struct {
	Visits  []RevisitVisit
	Latency vcard.Latency
}

// ErrRevisitBench is a bench session that did not end as it should.
var ErrRevisitBench = errors.New("revisit bench")

// RevisitBench builds a simulated kiosk in mode revisit (a SQLite table in
// a temporary folder, no departments: one counter), links one card by a
// first visit by PIN through the kiosk's own flow, then places the same
// card n times and measures each visit from placement to ticket.
func RevisitBench(ctx context.Context, o RevisitBenchOptions) (RevisitBenchResult, error) {
	var out RevisitBenchResult
	if o.N < 1 {
		return out, fmt.Errorf("%w: n must be at least 1", ErrRevisitBench)
	}
	dir, err := os.MkdirTemp("", "uketsuke-revisit-bench-")
	if err != nil {
		return out, err
	}
	defer os.RemoveAll(dir)
	cfg := SimulatedConfig(Simulated{Dir: dir, Transport: o.Transport, Fast: o.Fast, Revisit: true})
	cfg.Revisit.Mode = "revisit"
	cfg.Revisit.Departments = nil
	w, err := Build(cfg, Options{})
	if err != nil {
		return out, err
	}
	defer w.Close()
	took := make(chan time.Duration, 1)
	k, err := session.New(session.Options{Devices: w.Devices, Settings: w.Settings, Audit: w.Audit,
		OnStage: func(s session.Stage) {
			if s.Name == session.StagePlacementToTicket {
				select {
				case took <- s.Took:
				default:
				}
			}
		}})
	if err != nil {
		return out, err
	}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	go k.Run(runCtx)
	b := benchKiosk{ctx: ctx, k: k}
	card, err := w.Sim.NewCard(scenario.Holder{})
	if err != nil {
		return out, err
	}
	if err := b.firstVisitByPIN(card, w.Sim.PIN(), w.Settings.AskPrescription); err != nil {
		return out, err
	}
	if _, err := placementToTicket(took); err != nil { // the first visit's figure is not a re-visit's
		return out, fmt.Errorf("the first visit: %w", err)
	}
	for i := 0; i < o.N; i++ {
		w.Sim.CardLink() // from here on: this visit's traffic only
		if err := b.place(w.Replaced(card)); err != nil {
			return out, err
		}
		if _, err := b.await(session.StateTicket); err != nil {
			return out, fmt.Errorf("re-visit %d: %w", i+1, err)
		}
		var v RevisitVisit
		if v.PlacementToTicket, err = placementToTicket(took); err != nil {
			return out, fmt.Errorf("re-visit %d: %w", i+1, err)
		}
		ex, lat := w.Sim.CardLink()
		v.Sent, v.Floor, out.Latency = vcard.Sent(ex, lat), vcard.Floor(ex, lat), lat
		out.Visits = append(out.Visits, v)
		if err := b.remove(); err != nil {
			return out, err
		}
	}
	return out, nil
}

// Replaced is the card taken away and placed again: powered up afresh (a
// virtual card in process is reset; through pcscd the connection stays) and
// opened by a new card adapter, so nothing the kiosk learned from it in an
// earlier session (its kind, its certificate) is reused.
func (w *World) Replaced(c scenario.Card) session.Card {
	l, ok := c.(interface{ Transport() apdu.Transport })
	if !ok {
		return c
	}
	t := l.Transport()
	if r, ok := t.(interface{ Reset() }); ok {
		r.Reset()
	}
	return session.NewMynaCard(t, w.Anchors)
}

// placementToTicket is the session's stage.placement_to_ticket, reported
// when the number is issued (the ticket screen may show a moment earlier).
func placementToTicket(took <-chan time.Duration) (time.Duration, error) {
	select {
	case d := <-took:
		return d, nil
	case <-time.After(5 * time.Second):
		return 0, fmt.Errorf("%w: no stage.placement_to_ticket reported", ErrRevisitBench)
	}
}

// benchKiosk is the patient's hand on a running kiosk.
type benchKiosk struct {
	ctx context.Context
	k   *session.Kiosk
}

func (b benchKiosk) place(c session.Card) error { return b.k.CardPlaced(c) }

func (b benchKiosk) remove() error {
	if err := b.k.CardRemoved(); err != nil {
		return err
	}
	_, err := b.await(session.StateIdle)
	return err
}

func (b benchKiosk) touch(kind session.EventKind) error {
	return b.k.Touch(session.Event{Kind: kind})
}

// await polls the screen until it shows want; another finished screen or
// 30 s is an error naming where the session stuck.
func (b benchKiosk) await(want session.State) (session.View, error) {
	deadline := time.Now().Add(30 * time.Second)
	for {
		v := b.k.View()
		if v.State == want {
			return v, nil
		}
		if time.Now().After(deadline) || v.State == session.StateRejected || v.State == session.StateError {
			return v, fmt.Errorf("%w: waited for %s, the kiosk shows %s (error %q)", ErrRevisitBench, want, v.State, v.Error)
		}
		select {
		case <-b.ctx.Done():
			return v, b.ctx.Err()
		case <-time.After(2 * time.Millisecond):
		}
	}
}

// firstVisitByPIN links the card: a first visit by PIN, consent, the offer
// to link accepted, the ticket, the card taken.
func (b benchKiosk) firstVisitByPIN(c session.Card, pin []byte, prescription bool) error {
	steps := []func() error{
		func() error { return b.place(c) },
		b.awaitThen(session.StateMethod, session.EvChoosePIN),
		func() error {
			if _, err := b.await(session.StatePIN); err != nil {
				return err
			}
			for _, d := range pin {
				if err := b.k.Digit(d); err != nil {
					return err
				}
			}
			return b.touch(session.EvSubmitPIN)
		},
		b.awaitThen(session.StateConsent, session.EvConsentAll),
	}
	if prescription {
		steps = append(steps, b.awaitThen(session.StatePrescription, session.EvPrescribePaper))
	}
	steps = append(steps, b.awaitThen(session.StateLinkOffer, session.EvLinkYes),
		func() error {
			v, err := b.await(session.StateTicket)
			if err == nil && !v.Revisit.Linked {
				err = fmt.Errorf("%w: the first visit's card was not linked (%s)", ErrRevisitBench, v.Revisit.LinkErr)
			}
			return err
		}, b.remove)
	for _, step := range steps {
		if err := step(); err != nil {
			return fmt.Errorf("the first visit: %w", err)
		}
	}
	return nil
}

func (b benchKiosk) awaitThen(s session.State, kind session.EventKind) func() error {
	return func() error {
		if _, err := b.await(s); err != nil {
			return err
		}
		return b.touch(kind)
	}
}
