package wire

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

// The console of a simulated kiosk with re-visit reaches the kiosk's own
// book and outbox: a patient imported into the kiosk's table is unlinked
// through the console's API, and the dead letters are listed.
func TestTheConsoleUnlinksFromTheKiosksBook(t *testing.T) {
	c := startConsoleKiosk(t, func(s *Simulated) { s.Revisit = true })
	rep, err := c.w.RevisitBook().Import(context.Background(), strings.NewReader(
		"patient_number,insurer_number,symbol,number,branch,birth_date\nA-000042,06139999,,7654321,01,19800101\n"))
	if err != nil || rep.Added != 1 {
		t.Fatalf("import: %+v, %v", rep, err)
	}
	for _, want := range []int{http.StatusOK, http.StatusNotFound} {
		resp, err := c.admin.Post(c.base+"/api/revisit/unlink", "", []byte(`{"patient_number":"A-000042"}`))
		if err != nil || resp.Status != want {
			t.Fatalf("unlink: %d, %v, want %d: %s", resp.Status, err, want, resp.Body)
		}
	}
	var dead struct{ Count int }
	resp, err := c.admin.Get(c.base + "/api/revisit/dead-letters")
	if err != nil || resp.Status != http.StatusOK || resp.JSON(&dead) != nil || dead.Count != 0 {
		t.Fatalf("dead letters: %d, %v: %s", resp.Status, err, resp.Body)
	}
}

// Without re-visit the console says so.
func TestTheConsoleWithoutRevisitSaysNotConfigured(t *testing.T) {
	c := startConsoleKiosk(t)
	resp, err := c.admin.Get(c.base + "/api/revisit/dead-letters")
	if err != nil || resp.Status != http.StatusServiceUnavailable {
		t.Fatalf("dead letters: %d, %v: %s", resp.Status, err, resp.Body)
	}
}
