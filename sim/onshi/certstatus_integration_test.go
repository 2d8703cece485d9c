//go:build integration

package onshi

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/app/eligibility"
	"github.com/uketsuke/uketsuke/sim/jlis"
)

// TestIntegrationCertificateStatus asks the real stand-in over HTTPS, as a
// kiosk's client does after a PIN-less read, about certificates of every
// kind: good, revoked (after Server.Revoke), expired (at the kiosk and, with
// the kiosk's clock behind, at the service), another issuer's, and a body
// that is not a request. Each answer changes nothing the service keeps but
// the revocation list the test itself wrote.
func TestIntegrationCertificateStatus(t *testing.T) {
	e := newEnv(t, 50)
	kioskNow := testNow
	c := e.clientWithClock("kiosk-1", func() time.Time { return kioskNow })
	expiry := testNow.AddDate(2, 0, 0)
	status := func(name string, der []byte) eligibility.CertStatus {
		t.Helper()
		got, err := c.CertificateStatus(bg, der)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return got
	}

	good, other := e.card(1, expiry), e.card(2, expiry)
	if got := status("good", good.cert.Raw); got != eligibility.CertGood {
		t.Fatalf("a fresh card's certificate: %v, want good", got)
	}
	before := e.counts()
	if err := e.srv.Revoke(bg, good.cert); err != nil {
		t.Fatal(err)
	}
	if got := status("revoked", good.cert.Raw); got != eligibility.CertRevoked {
		t.Fatalf("after Revoke: %v, want revoked", got)
	}
	if got := status("another card", other.cert.Raw); got != eligibility.CertGood {
		t.Fatalf("revoking one card touched another: %v", got)
	}
	before["revoked"]++
	if after := e.counts(); !sameCounts(before, after) {
		t.Fatalf("status checks wrote to the service: %v → %v", before, after)
	}

	// Expired: the kiosk judges it without asking; with the kiosk's clock
	// behind, the service does.
	told := len(e.srv.Disclosures())
	short := e.card(3, testNow.Add(time.Hour))
	e.clock.Advance(2 * time.Hour)
	kioskNow = testNow.Add(2 * time.Hour)
	if got := status("expired at the kiosk", short.cert.Raw); got != eligibility.CertExpired {
		t.Fatalf("expired certificate at the kiosk: %v", got)
	}
	if n := len(e.srv.Disclosures()); n != told {
		t.Fatalf("the kiosk sent a certificate it had judged expired itself (%d requests)", n-told)
	}
	kioskNow = testNow
	if got := status("expired at the service", short.cert.Raw); got != eligibility.CertExpired {
		t.Fatalf("expired certificate at the service: %v", got)
	}

	stranger := jlis.New(jlis.DefaultSeed+1).IssueCard(7, "stranger", expiry)
	if got := status("another issuer", stranger.AuthCert.Raw); got != eligibility.CertUnknown {
		t.Fatalf("another hierarchy's certificate: %v, want unknown", got)
	}
	if got := status("a CA certificate", e.jlis.JPKIAuthCA.Raw); got != eligibility.CertUnknown {
		t.Fatalf("the CA's own certificate: %v, want unknown (not a card's)", got)
	}

	hc := e.kioskTLS("kiosk-1")
	for name, body := range map[string]string{
		"not JSON":            `certificate please`,
		"not a certificate":   `{"Certificate":"bm90IERFUg=="}`,
		"an unknown field":    `{"Certificate":"","Serial":"01"}`,
		"two values":          `{"Certificate":""}{}`,
		"certificate as text": `{"Certificate":"MII not base64"}`,
	} {
		if st, code, _ := e.post(hc, eligibility.PathCertStatus, []byte(body), ""); st != 400 || code != eligibility.CodeMalformed {
			t.Errorf("%s: %d %s, want 400 %s", name, st, code, eligibility.CodeMalformed)
		}
	}
	body, _ := json.Marshal(eligibility.CertStatusRequest{Certificate: other.cert.Raw})
	if st, _, data := e.post(hc, eligibility.PathCertStatus, body, ""); st != 200 {
		t.Fatalf("a well-formed raw request: %d %s", st, data)
	} else if got, err := eligibility.DecodeCertStatus(data); err != nil || got != eligibility.CertGood {
		t.Fatalf("raw answer %s: %v %v", data, got, err)
	}

	// The client types what it cannot send or read.
	if _, err := c.CertificateStatus(bg, []byte("no")); !errors.Is(err, eligibility.ErrCertificateUnreadable) {
		t.Fatalf("unreadable certificate: %v", err)
	}
}

// clientWithClock is a kiosk whose own date checks use now.
func (e *env) clientWithClock(id string, now func() time.Time) *eligibility.Client {
	cert, err := e.pki.KioskCert(id, testInstitution)
	if err != nil {
		e.t.Fatal(err)
	}
	c, err := eligibility.NewClient(eligibility.Config{BaseURL: e.url, TLS: e.pki.KioskConfig(cert),
		Backoff: time.Millisecond, Now: now})
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

func sameCounts(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
