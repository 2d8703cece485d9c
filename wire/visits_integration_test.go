//go:build integration

package wire

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/app/revisit"
	"github.com/uketsuke/uketsuke/sim/onshi"
)

// visitsHelperEnv makes the test binary the visit-history service (as
// `uketsuke visits serve` builds it), so the test can kill it outright.
const visitsHelperEnv = "UKETSUKE_TEST_VISITS_SERVICE"

func TestMain(m *testing.M) {
	if spec := os.Getenv(visitsHelperEnv); spec != "" {
		os.Exit(serveVisitsForTest(spec))
	}
	os.Exit(m.Run())
}

// serveVisitsForTest runs the service on ADDR with DB and the test PKI in
// CERTS ("ADDR|DB|CERTS") until it is killed.
func serveVisitsForTest(spec string) int {
	parts := strings.Split(spec, "|")
	if len(parts) != 3 {
		fmt.Fprintln(os.Stderr, "bad helper spec")
		return 2
	}
	addr, db, certs := parts[0], parts[1], parts[2]
	svc, err := NewVisitService(context.Background(), VisitServiceOptions{DB: db,
		CertFile: filepath.Join(certs, onshi.FileServer), KeyFile: filepath.Join(certs, onshi.FileServerKey),
		ClientCAFile: filepath.Join(certs, onshi.FileCA)})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println("ready")
	if err := svc.Serve(context.Background(), ln); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

type visitsWorld struct {
	dir, certs, addr, serviceDB string
}

// startService starts the service in a child process and waits until it
// listens; the returned function kills it (SIGKILL) and waits for it.
func (w visitsWorld) startService(t *testing.T) (kill func()) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), visitsHelperEnv+"="+w.addr+"|"+w.serviceDB+"|"+w.certs)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	kill = func() {
		if !killed {
			killed = true
			cmd.Process.Kill()
			cmd.Wait()
		}
	}
	t.Cleanup(kill)
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || line != "ready\n" {
		kill()
		t.Fatalf("the service did not start: %q, %v", line, err)
	}
	return kill
}

// registered reads the service's table directly: every row's id.
func (w visitsWorld) registered(t *testing.T) []string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+w.serviceDB+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT id FROM visit ORDER BY seq`)
	if err != nil {
		if strings.Contains(err.Error(), "no such table") {
			return nil
		}
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

func newVisitsWorld(t *testing.T) visitsWorld {
	t.Helper()
	dir := t.TempDir()
	w := visitsWorld{dir: dir, certs: filepath.Join(dir, "certs"), serviceDB: filepath.Join(dir, "service.db")}
	pki, err := onshi.NewTLSPKI("visits-integration")
	if err != nil {
		t.Fatal(err)
	}
	if err := pki.WriteFiles(w.certs, "kiosk-01", "1312345678"); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	w.addr = ln.Addr().String()
	ln.Close()
	return w
}

func (w visitsWorld) outbox(t *testing.T) *VisitOutbox {
	t.Helper()
	o, err := NewVisitOutbox(context.Background(), VisitOutboxOptions{
		OutboxURL: "sqlite:" + filepath.Join(w.dir, "outbox.db"), ServiceURL: "https://" + w.addr,
		CAFile: filepath.Join(w.certs, onshi.FileCA), ClientCert: filepath.Join(w.certs, onshi.FileKiosk),
		ClientKey:  filepath.Join(w.certs, onshi.FileKioskKey),
		MinBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond, Poll: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { o.Close() })
	return o
}

func visitRecord(t *testing.T, n int) revisit.VisitRecord {
	t.Helper()
	c := revisit.Code{KeyID: "k1"}
	c.Sum[0], c.Sum[1] = byte(n>>8), byte(n)
	r, err := revisit.NewVisitRecord(revisit.VisitRecord{Facility: "1312345678", Kiosk: "kiosk-01",
		Time: time.Now(), Code: c, Auth: revisit.AuthPinless, EligibilityResult: fmt.Sprintf("res-%d", n),
		Department: "naika", Reception: n%revisit.MaxTicketNumber + 1})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func waitFor(t *testing.T, what string, limit time.Duration, done func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !done() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %v waiting for %s", limit, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func pendingCount(t *testing.T, o *VisitOutbox) int {
	t.Helper()
	p, err := o.Queue.Pending(context.Background(), 100000)
	if err != nil {
		t.Fatal(err)
	}
	return len(p)
}

// TestIntegrationVisitRecordsSurviveTheServiceGoingAway: records queued
// while the service is down, and while it is killed mid-delivery and
// started again, all reach its table, each id once.
func TestIntegrationVisitRecordsSurviveTheServiceGoingAway(t *testing.T) {
	w := newVisitsWorld(t)
	o := w.outbox(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- o.Sender.Run(ctx) }()

	const first, second = 150, 30
	want := map[string]bool{}
	record := func(n int) {
		r := visitRecord(t, n)
		if err := o.Sender.Record(ctx, r); err != nil {
			t.Fatal(err)
		}
		want[r.ID.String()] = true
	}
	// The service is down: every record waits in the outbox.
	for n := range first {
		record(n)
	}
	time.Sleep(300 * time.Millisecond) // a few failed passes
	if got := pendingCount(t, o); got != first {
		t.Fatalf("%d records queued while the service is down, want %d", got, first)
	}

	kill := w.startService(t)
	waitFor(t, "the first deliveries", 30*time.Second, func() bool { return len(w.registered(t)) >= 10 })
	kill()
	atKill := len(w.registered(t))
	if atKill >= first {
		t.Fatalf("all %d records were delivered before the kill: nothing was tested mid-run", atKill)
	}
	t.Logf("service killed after registering %d of %d records", atKill, first)
	for n := first; n < first+second; n++ {
		record(n)
	}
	time.Sleep(200 * time.Millisecond)
	if got := pendingCount(t, o); got < second {
		t.Fatalf("%d records queued while the service is dead, want at least %d", got, second)
	}

	w.startService(t)
	waitFor(t, "the outbox to empty", 60*time.Second, func() bool { return pendingCount(t, o) == 0 })
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("the sender ended with %v", err)
	}

	ids := w.registered(t)
	seen := map[string]int{}
	for _, id := range ids {
		seen[id]++
	}
	for id, n := range seen {
		if n != 1 || !want[id] {
			t.Errorf("the service holds %s %d times (recorded here: %v)", id, n, want[id])
		}
	}
	if len(ids) != len(want) || len(seen) != len(want) {
		t.Fatalf("the service holds %d rows (%d ids), want %d", len(ids), len(seen), len(want))
	}
	if dead, err := o.Queue.DeadLetters(context.Background()); err != nil || len(dead) != 0 {
		t.Fatalf("dead letters: %d, %v", len(dead), err)
	}
}

// TestIntegrationRefusedVisitRecordIsSetAside: a record the service
// refuses as malformed (here: a version it does not know, as an older or
// newer kiosk might have queued) is set aside once with the service's
// reason, is not sent again, and does not hold up the records behind it.
func TestIntegrationRefusedVisitRecordIsSetAside(t *testing.T) {
	w := newVisitsWorld(t)
	o := w.outbox(t)
	w.startService(t)
	ctx := context.Background()

	good := visitRecord(t, 1)
	payload, _ := json.Marshal(visitRecord(t, 2))
	var bad revisit.VisitID
	bad[0] = 0xbd
	badPayload := strings.Replace(string(payload), `"v":1`, `"v":99`, 1)
	raw, err := sql.Open("sqlite", "file:"+filepath.Join(w.dir, "outbox.db")+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	_, err = raw.Exec(`INSERT INTO visit_outbox (id, payload, queued_at) VALUES (?, ?, 1)`, bad[:], []byte(badPayload))
	raw.Close()
	if err != nil {
		t.Fatal(err)
	}
	if err := o.Queue.Enqueue(ctx, good, time.Now()); err != nil {
		t.Fatal(err)
	}

	res, err := o.Sender.Flush(ctx)
	if err != nil || res.Sent != 1 || len(res.Dead) != 1 {
		t.Fatalf("flush: %+v, %v; want one sent and one set aside", res, err)
	}
	d := res.Dead[0]
	if d.ID != bad || d.Err == nil || d.Err.Status != 400 || !errors.Is(d.Err, revisit.ErrRefused) ||
		!strings.Contains(d.Err.Reason, "malformed") {
		t.Fatalf("dead letter %s: %v", d.ID, d.Err)
	}
	if res, err := o.Sender.Flush(ctx); err != nil || res.Sent != 0 || len(res.Dead) != 0 {
		t.Fatalf("the refused record was tried again: %+v, %v", res, err)
	}
	kept, err := o.Queue.DeadLetters(ctx)
	if err != nil || len(kept) != 1 || kept[0].ID != bad || kept[0].Attempts != 1 ||
		!strings.Contains(kept[0].Reason, "HTTP 400") || string(kept[0].Payload) != badPayload {
		t.Fatalf("kept aside: %+v, %v", kept, err)
	}
	if ids := w.registered(t); len(ids) != 1 || ids[0] != good.ID.String() {
		t.Fatalf("the service holds %v, want only %s", ids, good.ID)
	}
}
