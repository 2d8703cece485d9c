package wire

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/uketsuke/uketsuke/app/config"
	"github.com/uketsuke/uketsuke/app/session"
)

// The simulated world with re-visits: the adapter is in the session's
// devices with the demo's keys (0600), the stand-in service and the
// recording printer, and a ticket reaches the printer; a production check
// of the same keys refuses them.
func TestSimulatedRevisitIsComposed(t *testing.T) {
	cfg := SimulatedConfig(Simulated{Dir: t.TempDir(), Fast: true, Revisit: true})
	w, err := Build(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if w.Devices.Revisit == nil || w.RevisitBook() == nil || w.VisitOutbox() == nil || w.TicketRecorder() == nil {
		t.Fatalf("re-visit parts missing: %+v", w.rv)
	}
	if svc, addr := w.VisitService(); svc == nil || addr == "" {
		t.Fatal("no visit-history stand-in")
	}
	if w.Settings.Visits != session.VisitBoth || len(w.Settings.Departments) != 2 {
		t.Fatalf("settings: %v %v", w.Settings.Visits, w.Settings.Departments)
	}
	for _, f := range []string{cfg.Parts.Revisit.CodeKeysFile, cfg.Parts.Revisit.DataKeysFile} {
		if st, err := os.Stat(f); err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v, %v", f, st.Mode(), err)
		}
	}
	got, err := w.Devices.Revisit.Issue(context.Background(), session.TicketRequest{Ref: "r1", Method: session.MethodFace, Department: "内科"})
	if err != nil || got.Number != 1 || !got.Printed {
		t.Fatalf("issue: %+v, %v", got, err)
	}
	w.TicketRecorder().WaitEnded(t, 1)
	if p := w.TicketRecorder().Printed(); len(p) != 1 || !strings.Contains(strings.Join(p[0].Lines(), "\n"), "デモ内科クリニック") {
		t.Fatalf("printed %+v", p)
	}
	if err := checkRevisitFiles(cfg, true); err == nil || !strings.Contains(err.Error(), "demo") {
		t.Fatalf("production with the demo's keys: %v", err)
	}
	if _, err := PlanOf(cfg, false); err != nil {
		t.Fatalf("plan: %v", err)
	}
}

// First visits only: nothing of re-visit is built, whatever parts say.
func TestFirstVisitModeBuildsNoRevisit(t *testing.T) {
	cfg := SimulatedConfig(Simulated{Dir: t.TempDir(), Fast: true})
	w, err := Build(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if w.Devices.Revisit != nil || w.Settings.Visits != session.VisitFirst {
		t.Fatal("re-visit built in first-visit mode")
	}
	cfg.Revisit.Mode = config.ModeRevisit
	cfg.Revisit.ClinicName = "x"
	if _, err := Build(cfg, Options{}); !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "parts.revisit") {
		t.Fatalf("revisit without parts: %v", err)
	}
}
