//go:build integration

package wire

import (
	"context"
	"encoding/csv"
	"errors"
	"strings"
	"testing"

	"github.com/uketsuke/uketsuke/app/eligibility"
	"github.com/uketsuke/uketsuke/app/revisit"
	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/sim/scenario"
)

// TestIntegrationUnlinkingDeregistersTheReferenceNumber: a clinic's
// imported 診察券番号 is registered as the reference number when the
// holder's card is first linked (the eligibility stand-in over real HTTPS
// then answers with it). Unlinking the card at the kiosk while the stand-in
// is unreachable keeps the row and fails with ErrReferenceKept; once it is
// back the unlink de-registers the number (later answers carry none) and
// erases the row. The same holds for staff unlinking by patient number (the
// console's way); a number the table does not hold is never sent.
func TestIntegrationUnlinkingDeregistersTheReferenceNumber(t *testing.T) {
	ctx := context.Background()
	w, err := Build(SimulatedConfig(Simulated{Dir: t.TempDir(), Fast: true, Revisit: true}), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	card, err := w.Sim.NewCard(scenario.Holder{})
	if err != nil {
		t.Fatal(err)
	}

	linkImported(t, w, card, "K-000123")
	if got := referenceAtStandIn(t, w); got != "K-000123" {
		t.Fatalf("registered on linking: %q", got)
	}

	w.Sim.ServiceDown(true)
	err = w.Devices.Revisit.Unlink(ctx, card)
	w.Sim.ServiceDown(false)
	if !errors.Is(err, revisit.ErrReferenceKept) {
		t.Fatalf("unlinking while the stand-in is unreachable: %v", err)
	}
	if _, err := w.RevisitBook().Find(ctx, cardIDOf(t, card)); err != nil {
		t.Fatalf("the row went although its number is still registered: %v", err)
	}
	if err := w.Devices.Revisit.Unlink(ctx, card); err != nil {
		t.Fatal(err)
	}
	if _, err := w.RevisitBook().Find(ctx, cardIDOf(t, card)); !errors.Is(err, revisit.ErrNotLinked) {
		t.Fatalf("after unlinking: %v", err)
	}
	if got := referenceAtStandIn(t, w); got != "" {
		t.Fatalf("after unlinking the stand-in still answers with %q", got)
	}
	if n := deregistrations(w); n != 1 {
		t.Fatalf("%d de-registrations reached the stand-in, want 1", n)
	}

	// Staff at the console: by patient number.
	linkImported(t, w, card, "K-000124")
	if got := referenceAtStandIn(t, w); got != "K-000124" {
		t.Fatalf("registered on linking again: %q", got)
	}
	if err := w.RevisitBook().UnlinkPatient(ctx, "K-000999"); !errors.Is(err, revisit.ErrNotLinked) {
		t.Fatalf("a number the table does not hold: %v", err)
	}
	if n := deregistrations(w); n != 1 {
		t.Fatalf("a number the table does not hold was sent to the stand-in (%d de-registrations)", n)
	}
	if err := w.RevisitBook().UnlinkPatient(ctx, "K-000124"); err != nil {
		t.Fatal(err)
	}
	if got := referenceAtStandIn(t, w); got != "" {
		t.Fatalf("after unlinking by patient number the stand-in still answers with %q", got)
	}
	if n := deregistrations(w); n != 2 {
		t.Fatalf("%d de-registrations, want 2", n)
	}
}

// linkImported imports number for the card's holder and links the card by
// a first visit by PIN, which registers the number with the stand-in.
func linkImported(t *testing.T, w *World, card session.Card, number string) {
	t.Helper()
	ctx := context.Background()
	r := w.Sim.Record()
	var export strings.Builder
	cw := csv.NewWriter(&export)
	cw.Write([]string{"診察券番号", "保険者番号", "記号", "番号", "枝番", "生年月日"})
	cw.Write([]string{number, r.InsurerNumber, r.InsuredCardSymbol, r.InsuredIdentificationNumber, r.InsuredBranchNumber, r.Birthdate})
	cw.Flush()
	if rep, err := w.RevisitBook().Import(ctx, strings.NewReader(export.String())); err != nil || rep.Added != 1 {
		t.Fatalf("import: %+v, %v", rep, err)
	}
	first := firstVisitByPIN(t, w, card)
	if err := w.Devices.Revisit.Link(ctx, card, first.Ticket); err != nil {
		t.Fatal(err)
	}
	w.Devices.Eligibility.Forget(first.Ticket)
	w.Devices.Revisit.Forget(first.Ticket)
	if f, err := w.RevisitBook().Find(ctx, cardIDOf(t, card)); err != nil || f.Patient.Number != revisit.PatientNumber(number) {
		t.Fatalf("the card's row: number %q, %v", f.Patient.Number, err)
	}
}

// referenceAtStandIn is the reference number the stand-in answers with
// for the holder, checked by insured number as the kiosk does.
func referenceAtStandIn(t *testing.T, w *World) string {
	t.Helper()
	res, err := w.results.Client.CheckByInsurance(context.Background(), w.Sim.Record())
	if err != nil || len(res.Body.Qualifications) == 0 {
		t.Fatalf("check by insured number: %+v, %v", res, err)
	}
	return res.Body.Qualifications[0].ReferenceNumber
}

func deregistrations(w *World) int {
	n := 0
	for _, d := range w.Sim.Disclosures() {
		if d.Path == eligibility.PathReferenceNumberDeregister {
			n++
		}
	}
	return n
}
