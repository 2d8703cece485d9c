//go:build integration

package wire

import (
	"context"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/uketsuke/uketsuke/app/eligibility"
	"github.com/uketsuke/uketsuke/app/revisit"
	"github.com/uketsuke/uketsuke/sim/scenario"
)

// TestIntegrationAnImportedPatientGetsTheirCard: the clinic imports the
// holder's 診察券番号 by CSV; the card is unknown until its first visit
// (PIN, the eligibility check, the link), which attaches it to the
// imported row, not a new one, and registers the imported number as the
// reference number; the card then finds the imported number and goes
// straight to its ticket.
func TestIntegrationAnImportedPatientGetsTheirCard(t *testing.T) {
	ctx := context.Background()
	w, err := Build(SimulatedConfig(Simulated{Dir: t.TempDir(), Fast: true, Revisit: true}), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	rv := w.Devices.Revisit
	card, err := w.Sim.NewCard(scenario.Holder{})
	if err != nil {
		t.Fatal(err)
	}
	r := w.Sim.Record()
	var export strings.Builder
	cw := csv.NewWriter(&export)
	cw.Write([]string{"診察券番号", "保険者番号", "記号", "番号", "枝番", "生年月日"})
	cw.Write([]string{"K-000123", r.InsurerNumber, r.InsuredCardSymbol, r.InsuredIdentificationNumber, r.InsuredBranchNumber, r.Birthdate})
	cw.Flush()
	rep, err := w.RevisitBook().Import(ctx, strings.NewReader(export.String()))
	if err != nil || rep.Added != 1 {
		t.Fatalf("import: %+v, %v", rep, err)
	}
	if rec, err := rv.Recognise(ctx, card); err != nil || rec.Route != revisit.RouteUnknown {
		t.Fatalf("before the first visit: %+v, %v", rec, err)
	}
	first := firstVisitByPIN(t, w, card)
	if err := rv.Link(ctx, card, first.Ticket); err != nil {
		t.Fatal(err)
	}
	w.Devices.Eligibility.Forget(first.Ticket)
	rv.Forget(first.Ticket)
	f, err := w.RevisitBook().Find(ctx, cardIDOf(t, card))
	if err != nil || f.Patient.Number != "K-000123" || f.Patient.Birthdate != r.Birthdate {
		t.Fatalf("the card's row: number %q, %v", f.Patient.Number, err)
	}
	registered := 0
	for _, d := range w.Sim.Disclosures() {
		if d.Path == eligibility.PathReferenceNumber {
			registered++
		}
	}
	if registered != 1 {
		t.Fatalf("the imported number was registered as the reference number %d times, want 1", registered)
	}
	rec, err := rv.Recognise(ctx, card)
	if err != nil || rec.Route != revisit.RouteTicket {
		t.Fatalf("the card again: %+v, %v", rec, err)
	}
	rv.Forget(rec.Ref)
	// One row: the same file again finds it unchanged.
	if rep, err := w.RevisitBook().Import(ctx, strings.NewReader(export.String())); err != nil || rep.Unchanged != 1 || rep.Added != 0 {
		t.Fatalf("the export again: %+v, %v", rep, err)
	}
}
