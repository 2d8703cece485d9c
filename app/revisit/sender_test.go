package revisit

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"testing"
	"time"
)

// memQueue is an outbox in memory, below the sender (store/ has the real
// one, tested on SQLite and PostgreSQL).
type memQueue struct {
	mu      sync.Mutex
	pending map[VisitID]QueuedVisit
	dead    []DeadVisit
}

func newMemQueue() *memQueue { return &memQueue{pending: map[VisitID]QueuedVisit{}} }

func (q *memQueue) Enqueue(_ context.Context, r VisitRecord, at time.Time) error {
	payload, err := r.MarshalJSON()
	if err != nil {
		return err
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if _, ok := q.pending[r.ID]; !ok {
		q.pending[r.ID] = QueuedVisit{ID: r.ID, Payload: payload, Queued: at}
	}
	return nil
}

func (q *memQueue) Pending(_ context.Context, limit int) ([]QueuedVisit, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	var out []QueuedVisit
	for _, v := range q.pending {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Queued.Before(out[j].Queued) })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

func (q *memQueue) Sent(_ context.Context, id VisitID) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	delete(q.pending, id)
	return nil
}

func (q *memQueue) Failed(_ context.Context, id VisitID) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	v := q.pending[id]
	v.Attempts++
	q.pending[id] = v
	return nil
}

func (q *memQueue) DeadLetter(_ context.Context, id VisitID, reason string, at time.Time) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	v := q.pending[id]
	delete(q.pending, id)
	q.dead = append(q.dead, DeadVisit{ID: id, Payload: v.Payload, Queued: v.Queued, Set: at, Reason: reason})
	return nil
}

func (q *memQueue) DeadLetters(context.Context) ([]DeadVisit, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return append([]DeadVisit(nil), q.dead...), nil
}

func (q *memQueue) count() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.pending)
}

// kioskTLS pins the test server's certificate and carries a client
// certificate of its own.
func kioskTLS(t *testing.T, srv *httptest.Server) *tls.Config {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "kiosk-01"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	return &tls.Config{RootCAs: pool, Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
}

// scriptedService answers POSTs with the statuses it is given, in turn
// (the last one for ever), and keeps the bodies of the 2xx ones.
type scriptedService struct {
	mu       sync.Mutex
	statuses []int
	got      map[string]int
}

func (s *scriptedService) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	status := s.statuses[0]
	if len(s.statuses) > 1 {
		s.statuses = s.statuses[1:]
	}
	if status < 300 {
		s.got[string(body)]++
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if status >= 400 {
		io.WriteString(w, `{"error":{"code":"malformed","message":"revisit: kiosk id: bad\u0007"}}`)
	}
}

func startService(t *testing.T, statuses ...int) (*scriptedService, *VisitClient) {
	t.Helper()
	svc := &scriptedService{statuses: statuses, got: map[string]int{}}
	srv := httptest.NewTLSServer(svc)
	t.Cleanup(srv.Close)
	c, err := NewVisitClient(VisitClientConfig{BaseURL: srv.URL, TLS: kioskTLS(t, srv), Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return svc, c
}

func TestVisitClientRefusesUnpinnedTLS(t *testing.T) {
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	defer srv.Close()
	good := kioskTLS(t, srv)
	cases := map[string]*tls.Config{
		"nil":            nil,
		"system roots":   {Certificates: good.Certificates},
		"no client cert": {RootCAs: good.RootCAs},
		"skip verify":    {RootCAs: good.RootCAs, Certificates: good.Certificates, InsecureSkipVerify: true},
	}
	for name, tc := range cases {
		if _, err := NewVisitClient(VisitClientConfig{BaseURL: srv.URL, TLS: tc}); !errors.Is(err, ErrUnpinned) {
			t.Errorf("%s: %v, want ErrUnpinned", name, err)
		}
	}
	if _, err := NewVisitClient(VisitClientConfig{BaseURL: "http://" + srv.Listener.Addr().String(), TLS: good}); !errors.Is(err, ErrInvalid) {
		t.Errorf("plain http: %v, want ErrInvalid", err)
	}
}

func TestVisitClientClassifiesAnswers(t *testing.T) {
	cases := []struct {
		status  int
		refused bool
	}{
		{201, false}, {200, false},
		{400, true}, {409, true}, {413, true}, {415, true}, {422, true},
		{500, false}, {503, false}, {408, false}, {429, false}, {401, false}, {403, false}, {404, false},
	}
	for _, c := range cases {
		_, client := startService(t, c.status)
		err := client.PostVisit(context.Background(), []byte(`{}`))
		var refused *RefusedError
		switch {
		case c.status < 300 && err != nil:
			t.Errorf("HTTP %d: %v, want delivered", c.status, err)
		case c.refused && (!errors.As(err, &refused) || refused.Status != c.status):
			t.Errorf("HTTP %d: %v, want a RefusedError", c.status, err)
		case !c.refused && c.status >= 300 && !errors.Is(err, ErrUndelivered):
			t.Errorf("HTTP %d: %v, want ErrUndelivered", c.status, err)
		}
		if refused != nil && (refused.Reason != "malformed: revisit: kiosk id: bad " || !errors.Is(err, ErrRefused)) {
			t.Errorf("HTTP %d: reason %q", c.status, refused.Reason)
		}
	}
}

func TestSenderKeepsRecordsUntilDeliveredAndSetsRefusedOnesAside(t *testing.T) {
	ctx := context.Background()
	// Down twice, then a refusal of the second record, then up.
	svc, client := startService(t, 503, 503, 201, 400, 201)
	q := newMemQueue()
	s, err := NewSender(SenderConfig{Queue: q, Poster: client})
	if err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	var recs []VisitRecord
	for i := range 3 {
		r := testVisit(t)
		if err := q.Enqueue(ctx, r, base.Add(time.Duration(i)*time.Second)); err != nil {
			t.Fatal(err)
		}
		recs = append(recs, r)
	}
	for range 2 {
		if res, err := s.Flush(ctx); !errors.Is(err, ErrUndelivered) || res.Sent != 0 {
			t.Fatalf("service down: %+v, %v; want ErrUndelivered and nothing sent", res, err)
		}
		if q.count() != 3 {
			t.Fatalf("a failed pass lost records: %d queued", q.count())
		}
	}
	res, err := s.Flush(ctx)
	if err != nil || res.Sent != 2 || len(res.Dead) != 1 || res.Dead[0].ID != recs[1].ID ||
		res.Dead[0].Err == nil || res.Dead[0].Err.Status != 400 || !errors.Is(res.Dead[0].Err, ErrRefused) {
		t.Fatalf("flush: %+v, %v; want 2 sent and the second record set aside", res, err)
	}
	if q.count() != 0 {
		t.Fatalf("%d records left queued", q.count())
	}
	dead, _ := q.DeadLetters(ctx)
	if len(dead) != 1 || dead[0].Reason == "" {
		t.Fatalf("dead letters %+v", dead)
	}
	if res, err := s.Flush(ctx); err != nil || res.Sent != 0 || len(res.Dead) != 0 {
		t.Fatalf("a refused record was tried again: %+v, %v", res, err)
	}
	for _, r := range []VisitRecord{recs[0], recs[2]} {
		body, _ := r.MarshalJSON()
		if svc.got[string(body)] != 1 {
			t.Errorf("record %s delivered %d times", r.ID, svc.got[string(body)])
		}
	}
}

func TestSenderRunBacksOffAndDelivers(t *testing.T) {
	svc, client := startService(t, 503, 503, 503, 201)
	q := newMemQueue()
	s, err := NewSender(SenderConfig{Queue: q, Poster: client, MinBackoff: 20 * time.Millisecond,
		MaxBackoff: 50 * time.Millisecond, Poll: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	if err := s.Record(ctx, testVisit(t)); err != nil {
		t.Fatal(err)
	}
	for q.count() != 0 && ctx.Err() == nil {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run ended with %v", err)
	}
	svc.mu.Lock()
	defer svc.mu.Unlock()
	if q.count() != 0 || len(svc.got) != 1 {
		t.Fatalf("after the service came back: %d queued, %d delivered", q.count(), len(svc.got))
	}
}

// forgetfulQueue never drops what it is told to.
type forgetfulQueue struct{ *memQueue }

func (forgetfulQueue) Sent(context.Context, VisitID) error { return nil }

func TestSenderStopsOnAQueueThatKeepsDeliveredRecords(t *testing.T) {
	_, client := startService(t, 201)
	q := forgetfulQueue{newMemQueue()}
	s, err := NewSender(SenderConfig{Queue: q, Poster: client})
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Enqueue(context.Background(), testVisit(t), time.Now()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if res, err := s.Flush(ctx); !errors.Is(err, errQueueStuck) || res.Sent != 1 {
		t.Fatalf("flush over a stuck queue: %+v, %v; want one sent, then errQueueStuck", res, err)
	}
}
