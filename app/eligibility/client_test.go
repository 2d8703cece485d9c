package eligibility

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// attempts records the idempotency key of every request a stub received.
type attempts struct {
	mu   sync.Mutex
	keys []string
}

func (a *attempts) add(key string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.keys = append(a.keys, key)
	return len(a.keys)
}

func (a *attempts) all() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.keys...)
}

// stub is an HTTPS server whose answers a test scripts per attempt.
func stub(t *testing.T, answer func(attempt int, w http.ResponseWriter, r *http.Request)) (*Client, *attempts) {
	seen := &attempts{}
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		answer(seen.add(r.Header.Get(HeaderIdempotencyKey)), w, r)
	}))
	t.Cleanup(srv.Close)
	c, err := NewClient(Config{BaseURL: srv.URL, Transport: srv.Client().Transport,
		AttemptTimeout: 200 * time.Millisecond, Backoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c, seen
}

func TestClientRetriesServerFailuresWithTheSameKey(t *testing.T) {
	c, keys := stub(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n < 3 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte(`{"ConsentID":7,"RecordedAt":"x"}`))
	})
	got, err := c.RecordConsent(context.Background(), "", "s", Consent{})
	if err != nil || got.ConsentID != 7 {
		t.Fatalf("%+v %v", got, err)
	}
	if k := keys.all(); len(k) != 3 || k[0] == "" || k[0] != k[1] || k[1] != k[2] {
		t.Fatalf("idempotency keys across attempts: %q", k)
	}
}

func TestClientDoesNotRetryARefusal(t *testing.T) {
	c, keys := stub(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"Error":{"Code":"bad_signature","Message":"no"}}`))
	})
	_, err := c.CheckByCard(context.Background(), CardCheckRequest{})
	var api *APIError
	if !errors.Is(err, ErrBadSignature) || !errors.As(err, &api) || api.Status != 401 {
		t.Fatalf("got %v", err)
	}
	if n := len(keys.all()); n != 1 {
		t.Fatalf("a refusal was retried %d times", n)
	}
}

func TestClientGivesUpOnASilentService(t *testing.T) {
	c, keys := stub(t, func(_ int, _ http.ResponseWriter, r *http.Request) {
		select { // answers too late for the attempt time-out
		case <-r.Context().Done():
		case <-time.After(time.Second):
		}
	})
	start := time.Now()
	_, err := c.CheckByInsurance(context.Background(), InsuranceQuery{})
	if !errors.Is(err, ErrTransport) {
		t.Fatalf("got %v", err)
	}
	if n := len(keys.all()); n != 3 || time.Since(start) > 3*time.Second {
		t.Fatalf("%d attempts in %v", n, time.Since(start))
	}
}

func TestClientMapsAnUndecodableErrorBody(t *testing.T) {
	c, _ := stub(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte("<html>"))
	})
	_, err := c.Challenge(context.Background())
	var api *APIError
	if !errors.As(err, &api) || api.Status != 404 {
		t.Fatalf("got %v", err)
	}
}

func TestNewClientWantsHTTPS(t *testing.T) {
	for _, u := range []string{"http://127.0.0.1:1", "127.0.0.1:1", "https://"} {
		if _, err := NewClient(Config{BaseURL: u, Transport: http.DefaultTransport}); err == nil {
			t.Fatalf("%q accepted", u)
		}
	}
}
