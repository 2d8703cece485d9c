package eligibility

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"errors"
	"math/big"
	"net/http"
	"testing"
	"time"
)

// leafValid makes a throwaway certificate valid from..until.
func leafValid(t *testing.T, from, until time.Time) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(77), Subject: pkix.Name{Country: []string{"JP"}},
		NotBefore: from, NotAfter: until}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func TestCertificateStatusSendsOnlyTheCertificateAndReadsEachAnswer(t *testing.T) {
	cert := leafValid(t, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	for _, want := range []CertStatus{CertGood, CertRevoked, CertExpired, CertUnknown} {
		c, seen := stub(t, func(_ int, w http.ResponseWriter, r *http.Request) {
			var req map[string]json.RawMessage
			if r.URL.Path != PathCertStatus || json.NewDecoder(r.Body).Decode(&req) != nil || len(req) != 1 {
				w.WriteHeader(http.StatusBadRequest)
				w.Write([]byte(`{"Error":{"Code":"malformed_request","Message":"test stub"}}`))
				return
			}
			var got []byte
			if json.Unmarshal(req["Certificate"], &got) != nil || string(got) != string(cert) {
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			w.Write([]byte(`{"Status":"` + want.String() + `","CheckedAt":"2026-12-06T10:00:00+09:00"}`))
		})
		got, err := c.CertificateStatus(context.Background(), cert)
		if err != nil || got != want {
			t.Fatalf("answer %v: got %v, %v", want, got, err)
		}
		if k := seen.all(); len(k) != 1 || k[0] != "" {
			t.Fatalf("a read carried an idempotency key or was sent %d times: %q", len(k), k)
		}
	}
}

func TestCertificateStatusChecksTheDatesAtTheKiosk(t *testing.T) {
	c, seen := stub(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte(`{"Status":"good"}`))
	})
	now := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	c.cfg.Now = func() time.Time { return now }
	for name, der := range map[string][]byte{
		"expired":          leafValid(t, now.AddDate(-5, 0, 0), now.Add(-time.Second)),
		"not yet valid":    leafValid(t, now.Add(time.Minute), now.AddDate(5, 0, 0)),
		"expired long ago": leafValid(t, now.AddDate(-10, 0, 0), now.AddDate(-5, 0, 0)),
	} {
		got, err := c.CertificateStatus(context.Background(), der)
		if err != nil || got != CertExpired {
			t.Errorf("%s: %v, %v; want expired", name, got, err)
		}
	}
	if n := len(seen.all()); n != 0 {
		t.Fatalf("the service was asked %d times about certificates the kiosk judged itself", n)
	}
}

func TestCertificateStatusRefusesWhatItCannotRead(t *testing.T) {
	c, seen := stub(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte(`{"Status":"good"}`))
	})
	if _, err := c.CertificateStatus(context.Background(), []byte("not DER")); !errors.Is(err, ErrCertificateUnreadable) {
		t.Fatalf("got %v, want ErrCertificateUnreadable", err)
	}
	if len(seen.all()) != 0 {
		t.Fatal("an unreadable certificate was sent")
	}
}

func TestCertificateStatusTypesMalformedAnswers(t *testing.T) {
	cert := leafValid(t, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	for _, body := range []string{`{}`, `{"Status":"fine"}`, `{"Status":1}`, `null`, `[]`,
		`{"Status":"good"}{"Status":"revoked"}`, `{"Status":"good"`, ``, `{"Status":""}`} {
		c, _ := stub(t, func(_ int, w http.ResponseWriter, _ *http.Request) { w.Write([]byte(body)) })
		got, err := c.CertificateStatus(context.Background(), cert)
		if !errors.Is(err, ErrMalformedAnswer) || got != 0 {
			t.Errorf("answer %q: %v, %v; want ErrMalformedAnswer", body, got, err)
		}
	}
}

func TestCertificateStatusPassesRefusalsOnTyped(t *testing.T) {
	cert := leafValid(t, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	c, seen := stub(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n == 1 {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte(`{"Error":{"Code":"malformed_request","Message":"certificate"}}`))
	})
	if _, err := c.CertificateStatus(context.Background(), cert); !errors.Is(err, ErrMalformed) {
		t.Fatalf("got %v, want ErrMalformed", err)
	}
	if n := len(seen.all()); n != 2 {
		t.Fatalf("%d attempts; want a retry after the 502 and none after the 400", n)
	}
}

func TestCertStatusNames(t *testing.T) {
	for s, name := range map[CertStatus]string{CertGood: "good", CertRevoked: "revoked", CertExpired: "expired",
		CertUnknown: "unknown", 0: "CertStatus(0)", 9: "CertStatus(9)"} {
		if s.String() != name {
			t.Errorf("%d: %q, want %q", s, s.String(), name)
		}
	}
	if _, err := CertStatus(0).MarshalText(); err == nil {
		t.Error("the zero status has a wire form")
	}
	b, err := json.Marshal(CertStatusResponse{Status: CertRevoked})
	if err != nil || string(b) != `{"Status":"revoked","CheckedAt":""}` {
		t.Errorf("%s %v", b, err)
	}
}

// FuzzDecodeCertStatus: any body either decodes to one of the four
// statuses, whose wire form decodes back to it, or is ErrMalformedAnswer.
func FuzzDecodeCertStatus(f *testing.F) {
	for _, seed := range []string{`{"Status":"good"}`, `{"Status":"revoked","CheckedAt":"x"}`,
		`{"Status":"expired","Extra":[1,2]}`, `{"Status":"unknown"} `, `{"Status":"GOOD"}`,
		`{"Status":null}`, `{"status":"good"}`, `{"Status":"good"}x`, `"good"`, "\xff", ``} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		s, err := DecodeCertStatus(body)
		if err != nil {
			if !errors.Is(err, ErrMalformedAnswer) || s != 0 {
				t.Fatalf("%q: %v, %v", body, s, err)
			}
			return
		}
		if _, known := certStatusNames[s]; !known {
			t.Fatalf("%q decoded to %v", body, s)
		}
		again, err := json.Marshal(CertStatusResponse{Status: s})
		if err != nil {
			t.Fatal(err)
		}
		if back, err := DecodeCertStatus(again); err != nil || back != s {
			t.Fatalf("%v does not round-trip: %v, %v", s, back, err)
		}
	})
}
