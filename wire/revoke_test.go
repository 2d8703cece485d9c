package wire

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/app/eligibility"
	"github.com/uketsuke/uketsuke/sim/world"
)

// TestARevokedCardOfTheSimulatedWorld revokes the card the simulated world
// issued last and asks its stand-in, as a re-visit kiosk would after a
// PIN-less read: that card is revoked, the next card is good.
func TestARevokedCardOfTheSimulatedWorld(t *testing.T) {
	w, err := Build(SimulatedConfig(Simulated{Dir: t.TempDir(), Fast: true}), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := w.Sim.RevokeCard(ctx); !errors.Is(err, world.ErrNoCard) {
		t.Fatalf("revoking before any card: %v", err)
	}
	c, err := eligibility.NewClient(eligibility.Config{BaseURL: w.Sim.ServiceURL(), TLS: w.Sim.KioskTLS()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := w.Sim.Issue(world.PersonStandard); err != nil {
		t.Fatal(err)
	}
	lost, err := w.Sim.RevokeCard(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s, err := c.CertificateStatus(ctx, lost.Raw); err != nil || s != eligibility.CertRevoked {
		t.Fatalf("the revoked card: %v, %v", s, err)
	}
	if _, err := w.Sim.Issue(world.PersonStandard); err != nil {
		t.Fatal(err)
	}
	next, err := w.Sim.CardCertificate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s, err := c.CertificateStatus(ctx, next.Raw); err != nil || s != eligibility.CertGood {
		t.Fatalf("the next card: %v, %v", s, err)
	}
}
