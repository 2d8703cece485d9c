//go:build integration

package wire

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/app/eligibility"
	"github.com/uketsuke/uketsuke/app/revisit"
	"github.com/uketsuke/uketsuke/app/secret"
	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/hardware/printer/printertest"
	"github.com/uketsuke/uketsuke/sim/scenario"
)

// firstVisitByPIN runs a first visit's check as the session does on the
// PIN path: the card signs the service's challenge.
func firstVisitByPIN(t *testing.T, w *World, card session.Card) session.Result {
	t.Helper()
	ctx := context.Background()
	pin, err := secret.Take([]byte("1234"))
	if err != nil {
		t.Fatal(err)
	}
	defer pin.Destroy()
	if err := card.VerifyPIN(ctx, pin); err != nil {
		t.Fatal(err)
	}
	ch, err := w.Devices.Eligibility.Challenge(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := card.SignDigest(ctx, ch.Digest)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := card.AuthCertificate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	res, err := w.Devices.Eligibility.Check(ctx, session.Proof{Method: session.MethodPIN, ChallengeID: ch.ID, Signature: sig, Certificate: cert})
	if err != nil || res.Validity != session.ValidityValid {
		t.Fatalf("first visit: %+v, %v", res, err)
	}
	return res
}

func insuranceChecks(w *World) int {
	n := 0
	for _, d := range w.Sim.Disclosures() {
		if d.Path == eligibility.PathCheckByInsurance {
			n++
		}
	}
	return n
}

// TestIntegrationRevisitFromFirstVisitToTicket: a first visit by PIN is
// linked (one sealed row); the same card again is recognised without face
// or PIN, checked by insured number at the stand-in (it records the
// request), gets a printed ticket (parsed back from the printer's byte
// stream) and a visit record the visit-history stand-in registers; a
// renewed certificate is unknown until it is linked again, which moves the
// row (the old code stays as history); a revoked certificate is refused
// before the table is asked.
func TestIntegrationRevisitFromFirstVisitToTicket(t *testing.T) {
	ctx := context.Background()
	cfg := SimulatedConfig(Simulated{Dir: t.TempDir(), Fast: true, Revisit: true})
	w, err := Build(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	rv := w.Devices.Revisit
	card, err := w.Sim.NewCard(scenario.Holder{})
	if err != nil {
		t.Fatal(err)
	}
	if rec, err := rv.Recognise(ctx, card); err != nil || rec.Route != revisit.RouteUnknown {
		t.Fatalf("before the first visit: %+v, %v", rec, err)
	}
	first := firstVisitByPIN(t, w, card)
	if err := rv.Link(ctx, card, first.Ticket); err != nil {
		t.Fatal(err)
	}
	firstTicket, err := rv.Issue(ctx, session.TicketRequest{Ref: first.Ticket, Method: session.MethodPIN, Department: "内科"})
	if err != nil || firstTicket.Number != 1 || !firstTicket.Printed {
		t.Fatalf("the first visit's ticket: %+v, %v", firstTicket, err)
	}
	w.Devices.Eligibility.Forget(first.Ticket)
	rv.Forget(first.Ticket)

	checks := insuranceChecks(w)
	rec, err := rv.Recognise(ctx, card)
	if err != nil || rec.Route != revisit.RouteTicket || rec.Validity != session.ValidityValid {
		t.Fatalf("the same card again: %+v, %v", rec, err)
	}
	if insuranceChecks(w) != checks+1 {
		t.Fatalf("the stand-in saw %d checks by insured number, want %d", insuranceChecks(w), checks+1)
	}
	got, err := rv.Issue(ctx, session.TicketRequest{Ref: rec.Ref, Method: session.MethodLocal, Department: "内科"})
	if err != nil || got.Number != 2 || !got.Printed {
		t.Fatalf("re-visit ticket: %+v, %v", got, err)
	}
	rv.Forget(rec.Ref)
	printed := w.TicketRecorder()
	printed.WaitEnded(t, 2)
	receipts := printed.Printed()
	if len(receipts) != 2 {
		t.Fatalf("%d tickets printed, want 2", len(receipts))
	}
	text := strings.Join(receipts[1].Lines(), "\n")
	if !strings.Contains(text, "デモ内科クリニック") || !strings.Contains(text, "内科") || !strings.Contains(text, "2") {
		t.Fatalf("the printed ticket reads:\n%s", text)
	}
	if qr := qrOf(receipts[1]); qr != "2" {
		t.Fatalf("the ticket's QR code carries %q, want 2", qr)
	}

	if res, err := w.VisitOutbox().Sender.Flush(ctx); err != nil || res.Sent != 2 {
		t.Fatalf("visit records sent: %+v, %v", res, err)
	}
	svc, _ := w.VisitService()
	records, err := svc.Records(ctx)
	if err != nil || len(records) != 2 {
		t.Fatalf("the service holds %d records, %v", len(records), err)
	}
	last := records[1].Record
	if last.Auth != revisit.AuthPinless || last.Reception != 2 || last.Code != records[0].Record.Code || last.Kiosk != "simulated" {
		t.Fatalf("the re-visit's record: %v", last)
	}

	renewed, err := w.Sim.RenewCard()
	if err != nil {
		t.Fatal(err)
	}
	if rec, err := rv.Recognise(ctx, renewed); err != nil || rec.Route != revisit.RouteUnknown {
		t.Fatalf("a renewed certificate: %+v, %v", rec, err)
	}
	again := firstVisitByPIN(t, w, renewed)
	if err := rv.Link(ctx, renewed, again.Ticket); err != nil {
		t.Fatal(err)
	}
	w.Devices.Eligibility.Forget(again.Ticket)
	if rec, err := rv.Recognise(ctx, renewed); err != nil || rec.Route != revisit.RouteTicket {
		t.Fatalf("the renewed card after its link: %+v, %v", rec, err)
	}
	if _, err := w.RevisitBook().Find(ctx, cardIDOf(t, card)); !errors.Is(err, revisit.ErrReplaced) {
		t.Fatalf("the old card's code after the relink: %v (want history)", err)
	}

	// J-LIS revokes the renewed card (reported lost): its linked row is
	// never reached again, and no check by insured number is made for it.
	if _, err := w.Sim.RevokeCard(ctx); err != nil {
		t.Fatal(err)
	}
	checks = insuranceChecks(w)
	if rec, err := rv.Recognise(ctx, renewed); !errors.Is(err, session.ErrCertRevoked) || rec.Ref != "" {
		t.Fatalf("a revoked certificate: %+v, %v", rec, err)
	}
	if insuranceChecks(w) != checks {
		t.Fatal("a revoked card was checked by insured number")
	}
}

func qrOf(r printertest.Receipt) string {
	for _, b := range r.Blocks {
		if b.QR != nil {
			return string(b.QR.Data)
		}
	}
	return ""
}

func cardIDOf(t *testing.T, c session.Card) revisit.CardID {
	t.Helper()
	id, err := session.ReadCardID(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(id.Serial.Destroy)
	return id
}

// awaitState waits for the kiosk's screen, or fails naming where it stuck.
func awaitState(t *testing.T, k *session.Kiosk, want session.State) session.View {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		v := k.View()
		if v.State == want {
			return v
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited for %s; the kiosk shows %s (error %q)", want, v.State, v.Error)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func touch(t *testing.T, k *session.Kiosk, name string) {
	t.Helper()
	kind, ok := session.ParseEvent(name)
	if !ok {
		t.Fatalf("no event %q", name)
	}
	if err := k.Touch(session.Event{Kind: kind}); err != nil {
		t.Fatal(err)
	}
}

// TestIntegrationRevisitSessionsThroughTheKiosk: the kiosk's own flow over
// the real adapter. A first visit by PIN ends with the offer to link and a
// ticket; the same card placed again gets the next number with neither
// face nor PIN (ローカル認証), after a check by insured number at the
// stand-in.
func TestIntegrationRevisitSessionsThroughTheKiosk(t *testing.T) {
	ctx := context.Background()
	cfg := SimulatedConfig(Simulated{Dir: t.TempDir(), Fast: true, Revisit: true})
	cfg.Revisit.Mode = "revisit"
	w, err := Build(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	k, _, stop := runKiosk(t, w)
	defer stop()
	card, err := w.Sim.NewCard(scenario.Holder{})
	if err != nil {
		t.Fatal(err)
	}

	// The first visit: unknown card, PIN, consent, the offer to link.
	if err := k.CardPlaced(card); err != nil {
		t.Fatal(err)
	}
	awaitState(t, k, session.StateMethod)
	touch(t, k, "choose_pin")
	awaitState(t, k, session.StatePIN)
	for _, d := range w.Sim.PIN() {
		if err := k.Digit(d); err != nil {
			t.Fatal(err)
		}
	}
	touch(t, k, "submit_pin")
	awaitState(t, k, session.StateConsent)
	touch(t, k, "consent_all")
	if w.Settings.AskPrescription {
		awaitState(t, k, session.StatePrescription)
		touch(t, k, "prescribe_paper")
	}
	awaitState(t, k, session.StateLinkOffer)
	touch(t, k, "link_yes")
	awaitState(t, k, session.StateDepartment)
	if err := k.Touch(session.Event{Kind: session.EvChooseDepartment, Department: 0}); err != nil {
		t.Fatal(err)
	}
	first := awaitState(t, k, session.StateTicket)
	if first.Revisit.Number != 1 || !first.Revisit.Printed || !first.Revisit.Linked || first.Revisit.LinkErr != "" {
		t.Fatalf("the first visit's ticket: %+v", first.Revisit)
	}
	if err := k.CardRemoved(); err != nil {
		t.Fatal(err)
	}
	awaitState(t, k, session.StateIdle)

	// The same card again: straight to the department and the ticket.
	checks := insuranceChecks(w)
	if err := k.CardPlaced(card); err != nil {
		t.Fatal(err)
	}
	awaitState(t, k, session.StateDepartment)
	if err := k.Touch(session.Event{Kind: session.EvChooseDepartment, Department: 1}); err != nil {
		t.Fatal(err)
	}
	again := awaitState(t, k, session.StateTicket)
	if again.Revisit.Number != 1 || again.Revisit.Department != "小児科" || !again.Revisit.Printed ||
		again.Result.Method != session.MethodLocal || again.Result.Validity != session.ValidityValid {
		t.Fatalf("the re-visit: %+v, method %v", again.Revisit, again.Result.Method)
	}
	if insuranceChecks(w) != checks+1 {
		t.Fatalf("checks by insured number: %d, want %d", insuranceChecks(w), checks+1)
	}
	if err := k.CardRemoved(); err != nil {
		t.Fatal(err)
	}
	awaitState(t, k, session.StateIdle)
	w.TicketRecorder().WaitEnded(t, 2)
	if n := len(w.TicketRecorder().Printed()); n != 2 {
		t.Fatalf("%d tickets printed", n)
	}
	if res, err := w.VisitOutbox().Sender.Flush(ctx); err != nil || res.Sent != 2 {
		t.Fatalf("visit records: %+v, %v", res, err)
	}
	svc, _ := w.VisitService()
	records, err := svc.Records(ctx)
	if err != nil || len(records) != 2 || records[0].Record.Auth != revisit.AuthPIN || records[1].Record.Auth != revisit.AuthPinless ||
		records[1].Record.Code != records[0].Record.Code {
		t.Fatalf("the service holds %v, %v", records, err)
	}
}
