//go:build integration

package wire

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/uketsuke/uketsuke/app/camera"
	"github.com/uketsuke/uketsuke/app/revisit"
	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/sim/scenario"
	"github.com/uketsuke/uketsuke/sim/world"
)

// stageLog keeps the names of the stages the kiosk reports.
type stageLog struct {
	mu    sync.Mutex
	names []string
}

func (l *stageLog) add(s session.Stage) {
	l.mu.Lock()
	l.names = append(l.names, s.Name)
	l.mu.Unlock()
}

// take returns the stages since the last take.
func (l *stageLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.names
	l.names = nil
	return out
}

// faceOrPINStages are the stages of proving the holder: the card face, the
// photo, the match, the PIN (stage.detect is the card's kind, not a face).
var faceOrPINStages = []string{"stage.scan_keyb", "stage.verify_keyb", "stage.read_photo",
	"stage.decode_photo", "stage.embed_photo", "stage.match", "stage.verify_pin", "stage.sign_challenge"}

func usedFaceOrPIN(stages []string) bool {
	return slices.ContainsFunc(stages, func(s string) bool { return slices.Contains(faceOrPINStages, s) })
}

// frameCounter counts the frames the kiosk takes from the face camera.
type frameCounter struct {
	camera.Source
	n atomic.Int64
}

func (c *frameCounter) Next(ctx context.Context) (*camera.Frame, error) {
	c.n.Add(1)
	return c.Source.Next(ctx)
}

// firstVisitByFace takes a placed unknown card through 顔認証, consent and
// the offer to link (accepted) to its ticket, and takes the card away.
func firstVisitByFace(t *testing.T, w *World, k *session.Kiosk) session.View {
	t.Helper()
	awaitState(t, k, session.StateMethod)
	touch(t, k, "choose_face")
	awaitState(t, k, session.StateConsent)
	touch(t, k, "consent_all")
	if w.Settings.AskPrescription {
		awaitState(t, k, session.StatePrescription)
		touch(t, k, "prescribe_paper")
	}
	awaitState(t, k, session.StateLinkOffer)
	touch(t, k, "link_yes")
	v := awaitState(t, k, session.StateTicket)
	if !v.Revisit.Linked || v.Revisit.LinkErr != "" || v.Result.Method != session.MethodFace {
		t.Fatalf("a first visit by face: %+v, method %v", v.Revisit, v.Result.Method)
	}
	pullCard(t, k)
	return v
}

func pullCard(t *testing.T, k *session.Kiosk) {
	t.Helper()
	if err := k.CardRemoved(); err != nil {
		t.Fatal(err)
	}
	awaitState(t, k, session.StateIdle)
}

// revisitTable counts the rows of the SQLite table and returns the bytes
// of its files (the database and its write-ahead log).
func revisitTable(t *testing.T, w *World) (links, codes int, raw []byte) {
	t.Helper()
	file, ok := strings.CutPrefix(w.Config.Parts.Revisit.DatabaseURL, "sqlite:")
	if !ok {
		t.Fatalf("not a SQLite table: %s", w.Config.Parts.Revisit.DatabaseURL)
	}
	db, err := sql.Open("sqlite", "file:"+file+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for q, n := range map[string]*int{"SELECT count(*) FROM patient_link": &links, "SELECT count(*) FROM converted_code": &codes} {
		if err := db.QueryRow(q).Scan(n); err != nil {
			t.Fatal(err)
		}
	}
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(file + suffix)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		raw = append(raw, b...)
	}
	return links, codes, raw
}

// TestIntegrationRevisitByFaceThroughPCSC is issue 20's end-to-end test,
// with the card behind a real pcscd and vpcd: a first visit by face with
// consent to link gives one sealed row; the same card again gets its
// ticket with neither face nor PIN after a check by insured number, and
// both visits reach the visit-history stand-in; a renewed card takes the
// first-visit path and relinks the row; a revoked card is refused on
// screen.
func TestIntegrationRevisitByFaceThroughPCSC(t *testing.T) {
	needVPCD(t)
	ctx := context.Background()
	cfg := SimulatedConfig(Simulated{Dir: t.TempDir(), Fast: true, Revisit: true, Transport: world.TransportPCSC})
	cfg.Revisit.Mode = "revisit"
	cfg.Revisit.Departments = nil // one counter: a known card goes from placement to the ticket
	w, err := Build(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var stages stageLog
	devices := w.Devices
	frames := &frameCounter{Source: devices.FaceCamera}
	devices.FaceCamera = frames
	k, err := session.New(session.Options{Devices: devices, Settings: w.Settings, Audit: w.Audit, OnStage: stages.add})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	go k.Run(runCtx)

	// The first visit: the holder in front of the camera, the card unknown.
	card, err := w.Sim.NewCard(scenario.Holder{})
	if err != nil {
		t.Fatal(err)
	}
	person := w.Sim.Record()
	w.Sim.ShowFace("holder", session.GuidanceNone)
	if err := k.CardPlaced(card); err != nil {
		t.Fatal(err)
	}
	first := firstVisitByFace(t, w, k)
	if got := stages.take(); !slices.Contains(got, "stage.match") || !slices.Contains(got, "stage.link") {
		t.Fatalf("the first visit's stages: %v", got)
	}
	links, codes, raw := revisitTable(t, w)
	if links != 1 || codes != 1 {
		t.Fatalf("after the first visit the table has %d rows and %d codes, want 1 and 1", links, codes)
	}
	for _, plain := range []string{person.InsuredIdentificationNumber, person.Birthdate} {
		if len(plain) < 4 {
			t.Fatalf("the seeded person's %q is too short to look for", plain)
		}
		if bytes.Contains(raw, []byte(plain)) {
			t.Errorf("the database holds %q in the clear", plain)
		}
	}

	// The same card again: the ticket without face or PIN.
	checks, seen := insuranceChecks(w), frames.n.Load()
	if seen == 0 {
		t.Fatal("the first visit by face took no frame from the face camera")
	}
	if err := k.CardPlaced(w.Replaced(card)); err != nil {
		t.Fatal(err)
	}
	again := awaitState(t, k, session.StateTicket)
	if again.Result.Method != session.MethodLocal || again.Result.Validity != session.ValidityValid ||
		again.Revisit.Number != first.Revisit.Number+1 || !again.Revisit.Printed {
		t.Fatalf("the re-visit: %+v, method %v", again.Revisit, again.Result.Method)
	}
	pullCard(t, k)
	if got := stages.take(); usedFaceOrPIN(got) || !slices.Contains(got, "stage.recognise") ||
		!slices.Contains(got, session.StagePlacementToTicket) {
		t.Fatalf("the re-visit's stages: %v (no face, no PIN wanted)", got)
	}
	if n := frames.n.Load(); n != seen {
		t.Fatalf("the re-visit took %d frames from the face camera", n-seen)
	}
	if insuranceChecks(w) != checks+1 {
		t.Fatalf("checks by insured number: %d, want %d", insuranceChecks(w), checks+1)
	}
	if res, err := w.VisitOutbox().Sender.Flush(ctx); err != nil || res.Sent != 2 {
		t.Fatalf("visit records: %+v, %v", res, err)
	}
	svc, _ := w.VisitService()
	records, err := svc.Records(ctx)
	if err != nil || len(records) != 2 || records[0].Record.Auth != revisit.AuthFace ||
		records[1].Record.Auth != revisit.AuthPinless || records[1].Record.Code != records[0].Record.Code {
		t.Fatalf("the service holds %v, %v", records, err)
	}

	// A renewed certificate: unknown, so the first-visit path, and relinked.
	renewed, err := w.Sim.RenewCard()
	if err != nil {
		t.Fatal(err)
	}
	if err := k.CardPlaced(renewed); err != nil {
		t.Fatal(err)
	}
	firstVisitByFace(t, w, k)
	stages.take()
	if links, codes, _ := revisitTable(t, w); links != 1 || codes != 2 {
		t.Fatalf("after the relink the table has %d rows and %d codes, want 1 row, the old code as history", links, codes)
	}
	if err := k.CardPlaced(w.Replaced(renewed)); err != nil {
		t.Fatal(err)
	}
	if v := awaitState(t, k, session.StateTicket); v.Result.Method != session.MethodLocal {
		t.Fatalf("the renewed card after its relink: method %v", v.Result.Method)
	}
	pullCard(t, k)

	// J-LIS revokes the renewed card: refused on screen, no check made.
	if _, err := w.Sim.RevokeCard(ctx); err != nil {
		t.Fatal(err)
	}
	checks = insuranceChecks(w)
	if err := k.CardPlaced(w.Replaced(renewed)); err != nil {
		t.Fatal(err)
	}
	if v := awaitState(t, k, session.StateRejected); v.Error != session.ErrCodeCertRevoked {
		t.Fatalf("a revoked card shows error %q", v.Error)
	}
	if insuranceChecks(w) != checks {
		t.Fatal("a revoked card was checked by insured number")
	}
	if got := stages.take(); usedFaceOrPIN(got) {
		t.Fatalf("a revoked card's stages: %v", got)
	}
}
