package onshi

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"errors"
	"maps"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/app/eligibility"
)

// signedRequest fetches a challenge as kiosk hc and returns a correctly
// signed card check body for card.
func (e *env) signedRequest(hc *http.Client, card testCard) (eligibility.CardCheckRequest, []byte) {
	e.t.Helper()
	status, _, data := e.post(hc, eligibility.PathChallenge, nil, "")
	if status != 200 {
		e.t.Fatalf("challenge: %d %s", status, data)
	}
	var ch eligibility.ChallengeResponse
	if err := json.Unmarshal(data, &ch); err != nil {
		e.t.Fatal(err)
	}
	sig, err := card.SignWithAuthKey(bg, sha256.Sum256(ch.Nonce))
	if err != nil {
		e.t.Fatal(err)
	}
	return eligibility.CardCheckRequest{ChallengeID: ch.ChallengeID, Certificate: card.cert.Raw, Signature: sig}, ch.Nonce
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func TestBadCardChecksAreRefusedAndChangeNothing(t *testing.T) {
	e := newEnv(t, 100)
	hc := e.kioskTLS("kiosk-1")
	card := e.card(4, testNow.AddDate(1, 0, 0))
	before := e.counts()
	expect := func(name string, body []byte, key, wantCode string) {
		t.Helper()
		if _, code, data := e.post(hc, eligibility.PathCheckByCard, body, key); code != wantCode {
			t.Fatalf("%s: got %q (%s), want %q", name, code, data, wantCode)
		}
	}
	expect("not JSON", []byte("{"), "", eligibility.CodeMalformed)
	expect("unknown field", []byte(`{"ChallengeID":"x","Extra":1}`), "", eligibility.CodeMalformed)
	expect("two values", []byte(`{} {}`), "", eligibility.CodeMalformed)
	expect("oversized", bytes.Repeat([]byte(" "), eligibility.MaxRequestBytes+1), "", eligibility.CodeTooLarge)
	expect("unknown challenge", mustJSON(eligibility.CardCheckRequest{ChallengeID: "nope"}), "", eligibility.CodeChallengeUnknown)

	req, _ := e.signedRequest(hc, card)
	bad := req
	bad.Signature = bytes.Clone(req.Signature)
	bad.Signature[10] ^= 1
	expect("wrong signature", mustJSON(bad), "", eligibility.CodeBadSignature)
	expect("replayed challenge", mustJSON(req), "", eligibility.CodeChallengeUsed)

	req, _ = e.signedRequest(hc, card)
	expect("challenge of another kiosk", mustJSON(req), "", "") // sanity: ours works…
	req, _ = e.signedRequest(e.kioskTLS("kiosk-2"), card)
	expect("…but not another kiosk's", mustJSON(req), "", eligibility.CodeChallengeUnknown)

	req, _ = e.signedRequest(hc, card)
	e.clock.Advance(2 * time.Minute)
	expect("expired challenge", mustJSON(req), "", eligibility.CodeChallengeExpired)

	req, _ = e.signedRequest(hc, card)
	req.Certificate = []byte{0x30, 0x03, 0x02, 0x01, 0x01}
	expect("garbage certificate", mustJSON(req), "", eligibility.CodeMalformed)

	stranger := selfSignedCard(t)
	req, _ = e.signedRequest(hc, stranger)
	expect("certificate of an unknown CA", mustJSON(req), "", eligibility.CodeUntrustedCert)

	if err := e.store.RevokeCertificate(bg, card.cert, testNow); err != nil {
		t.Fatal(err)
	}
	before["revoked"]++
	req, _ = e.signedRequest(hc, card)
	expect("revoked certificate", mustJSON(req), "", eligibility.CodeRevokedCert)

	if got := e.counts(); !maps.Equal(before, got) {
		t.Fatalf("bad input changed the database: %v → %v", before, got)
	}
}

// selfSignedCard is a card whose certificate no JPKI CA issued.
func selfSignedCard(t *testing.T) testCard {
	key := e2eStrangerKey(t)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(99), Subject: pkix.Name{Country: []string{"JP"}},
		NotBefore: testNow.AddDate(-1, 0, 0), NotAfter: testNow.AddDate(1, 0, 0)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return testCard{cert: cert, key: key}
}

func e2eStrangerKey(t *testing.T) *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestBadWritesAreRefusedAndChangeNothing(t *testing.T) {
	e := newEnv(t, 100)
	hc := e.kioskTLS("kiosk-1")
	c := e.client("kiosk-1", nil)
	out, err := c.CheckByPIN(bg, e.card(5, testNow.AddDate(1, 0, 0)))
	if err != nil {
		t.Fatal(err)
	}
	_, p := e.personOfKind(KindValid)
	if _, err := c.Register(bg, "reg-1", out.Session, queryOf(p, 0)); err != nil {
		t.Fatal(err)
	}
	before := e.counts()
	consent := func(c eligibility.Consent, session string) []byte {
		return mustJSON(eligibility.ConsentRequest{Session: session, Consent: c})
	}
	cases := []struct {
		name, path, key string
		body            []byte
		want            string
	}{
		{"no idempotency key", eligibility.PathConsent, "", consent(allConsent, out.Session), eligibility.CodeMalformed},
		{"flag not 0/1", eligibility.PathConsent, "k1", consent(eligibility.Consent{SpecificHealthCheckupsInfoConsFlg: "2", PharmacistsInfoConsFlg: "1", MedicalTreatmentInfoConsFlg: "1", OperationInfoConsFlg: "1"}, out.Session), eligibility.CodeMalformed},
		{"unknown session", eligibility.PathConsent, "k2", consent(allConsent, "nope"), eligibility.CodeSessionInvalid},
		{"truncated body", eligibility.PathRegister, "reg-1",
			mustJSON(eligibility.RegisterRequest{Session: out.Session, Record: queryOf(p, 0)})[1:] /* differs */, eligibility.CodeMalformed},
		{"key reused, different body", eligibility.PathRegister, "reg-1",
			mustJSON(eligibility.RegisterRequest{Session: "other", Record: queryOf(p, 0)}), eligibility.CodeIdempotencyConflict},
		{"bad birth date", eligibility.PathCheckByInsurance, "", mustJSON(eligibility.InsuranceQuery{InsurerNumber: "01130000",
			InsuredIdentificationNumber: "1", Birthdate: "20261399"}), eligibility.CodeMalformed},
		{"insurer not digits", eligibility.PathCheckByInsurance, "", mustJSON(eligibility.InsuranceQuery{InsurerNumber: "ABCDEFGH",
			InsuredIdentificationNumber: "1", Birthdate: "20000101"}), eligibility.CodeMalformed},
		{"relay unknown", eligibility.PathPinlessStep, "", mustJSON(eligibility.PinlessStepRequest{RelayID: "x", Responses: [][]byte{{0x90, 0}}}),
			eligibility.CodeRelayUnknown},
		{"no such path", "/v1/nothing", "", []byte("{}"), eligibility.CodeNotFound},
	}
	for _, tc := range cases {
		if _, code, data := e.post(hc, tc.path, tc.body, tc.key); code != tc.want {
			t.Fatalf("%s: got %q (%s), want %q", tc.name, code, data, tc.want)
		}
	}
	// A session belongs to the kiosk that opened it.
	if _, err := e.client("kiosk-2", nil).RecordConsent(bg, "", out.Session, allConsent); !errors.Is(err, eligibility.ErrSessionInvalid) {
		t.Fatalf("another kiosk's session: %v", err)
	}
	resp, err := hc.Get(e.url + eligibility.PathChallenge)
	if err != nil || resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("GET: %v %v", resp, err)
	}
	resp.Body.Close()
	if got := e.counts(); !maps.Equal(before, got) {
		t.Fatalf("bad writes changed the database: %v → %v", before, got)
	}
}

func TestKioskWithoutCertificateIsRefused(t *testing.T) {
	e := newEnv(t, 10)
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: e.pki.CAPool()}}}
	_, err := hc.Post(e.url+eligibility.PathChallenge, "application/json", strings.NewReader("{}"))
	if err == nil {
		t.Fatal("a kiosk without a client certificate was served")
	}
	old := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: e.pki.CAPool(),
		MaxVersion: tls.VersionTLS11}}}
	if _, err := old.Post(e.url+eligibility.PathChallenge, "application/json", nil); err == nil {
		t.Fatal("TLS 1.1 was accepted")
	}
}

// lossyTransport forwards requests to the service but loses the answer of
// the first request to a path, as a network failure after the service
// committed would.
type lossyTransport struct {
	next http.RoundTripper
	path string
	lost int
}

func (l *lossyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := l.next.RoundTrip(r)
	if err == nil && r.URL.Path == l.path && l.lost == 0 {
		l.lost++
		resp.Body.Close()
		return nil, errors.New("connection reset after the request was sent")
	}
	return resp, err
}

func TestRetriedWritesNeverDuplicate(t *testing.T) {
	e := newEnv(t, 100)
	cert, _ := e.pki.KioskCert("kiosk-1", "1312345678")
	base := &http.Transport{TLSClientConfig: e.pki.KioskConfig(cert)}
	i, p := e.personOfKind(KindValid)
	for _, path := range []string{eligibility.PathCheckByCard, eligibility.PathRegister, eligibility.PathConsent} {
		lossy := &lossyTransport{next: base, path: path}
		c := e.client("kiosk-1", lossy)
		out, err := c.CheckByPIN(bg, e.card(6, testNow.AddDate(1, 0, 0)))
		if err != nil {
			t.Fatalf("%s: check: %v", path, err)
		}
		if _, err := c.Register(bg, "", out.Session, queryOf(p, 0)); err != nil {
			t.Fatalf("%s: register: %v", path, err)
		}
		if _, err := c.RecordConsent(bg, "", out.Session, allConsent); err != nil {
			t.Fatalf("%s: consent: %v", path, err)
		}
		if lossy.lost != 1 {
			t.Fatalf("%s: the transport lost %d answers", path, lossy.lost)
		}
	}
	// Three visits, three consents: the lost answers were not recorded twice.
	if n, _ := e.store.CountConsents(bg, PersonID(i)); n != 3 {
		t.Fatalf("%d consents for three visits", n)
	}
	if n, _ := e.store.CountRows(bg, "card_link"); n != 1 {
		t.Fatalf("%d card links", n)
	}
}

func TestConcurrentRetriesOfOneConsentRecordOnce(t *testing.T) {
	e := newEnv(t, 100)
	c := e.client("kiosk-1", nil)
	i, p := e.personOfKind(KindValid)
	out, err := c.CheckByPIN(bg, e.card(7, testNow.AddDate(1, 0, 0)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Register(bg, "", out.Session, queryOf(p, 0)); err != nil {
		t.Fatal(err)
	}
	key := eligibility.NewIdempotencyKey()
	ids := make(chan int64, 8)
	for range 8 {
		go func() {
			r, err := c.RecordConsent(bg, key, out.Session, allConsent)
			if err != nil {
				t.Error(err)
				ids <- -1
				return
			}
			ids <- r.ConsentID
		}()
	}
	first := <-ids
	for range 7 {
		if id := <-ids; id != first {
			t.Fatalf("one key gave consents %d and %d", first, id)
		}
	}
	if n, _ := e.store.CountConsents(bg, PersonID(i)); n != 1 {
		t.Fatalf("%d consents recorded for one key", n)
	}
}

// FuzzHandlers throws arbitrary bodies at every endpoint: the answer is a
// typed error or a success, never a panic or an internal error.
func FuzzHandlers(f *testing.F) {
	store, err := OpenStore(f.TempDir() + "/fuzz.db")
	if err != nil {
		f.Fatal(err)
	}
	defer store.Close()
	if err := store.Seed(context.Background(), Population{Seed: 1, N: 50}); err != nil {
		f.Fatal(err)
	}
	pki, err := NewTLSPKI("fuzz")
	if err != nil {
		f.Fatal(err)
	}
	cert, _ := pki.KioskCert("k", "1312345678")
	srv := NewServer(Config{Store: store})
	paths := []string{eligibility.PathChallenge, eligibility.PathCheckByCard, eligibility.PathCheckByInsurance,
		eligibility.PathConsent, eligibility.PathRegister, eligibility.PathPinlessStart, eligibility.PathPinlessStep,
		eligibility.PathReferenceNumber, eligibility.PathReferenceNumbers, eligibility.PathCertStatus,
		eligibility.PathReferenceNumberDeregister}
	f.Add(uint8(1), []byte(`{"ChallengeID":"a","Certificate":"MAMCAQE=","Signature":"AA=="}`))
	f.Add(uint8(2), []byte(`{"InsurerNumber":"01130000","InsuredIdentificationNumber":"1","Birthdate":"20000101"}`))
	f.Add(uint8(3), []byte(`{"Session":"x","Consent":{"SpecificHealthCheckupsInfoConsFlg":"1"}}`))
	f.Add(uint8(6), []byte(`{"RelayID":"x","Responses":["kAA="]}`))
	f.Add(uint8(7), []byte(`{"MedicalInstitutionCode":"1312345678","ReferenceNumberRegistrationInfo":{"ReferenceNumber":"0012","InsurerNumber":"01130000","InsuredIdentificationNumber":"1"}}`))
	f.Add(uint8(8), []byte(`{"MedicalInstitutionCode":"1312345678","ReferenceNumberRegistrationInfo":[{"ReferenceNumber":"A-1","InsurerNumber":"123456","InsuredIdentificationNumber":"x","InsuredBranchNumber":"01"}]}`))
	f.Add(uint8(9), []byte(`{"Certificate":"MAMCAQE="}`))
	f.Add(uint8(10), []byte(`{"MedicalInstitutionCode":"1312345678","ReferenceNumber":"0012"}`))
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		r := httptest.NewRequest(http.MethodPost, paths[int(which)%len(paths)], bytes.NewReader(body))
		r.TLS = &tls.ConnectionState{PeerCertificates: []*x509.Certificate{cert.Leaf}}
		r.Header.Set(eligibility.HeaderIdempotencyKey, "fuzz")
		w := httptest.NewRecorder()
		srv.Handler().ServeHTTP(w, r)
		if w.Code >= 500 {
			t.Fatalf("status %d for %q: %s", w.Code, body, w.Body)
		}
		if w.Code != 200 {
			var er eligibility.ErrorResponse
			if json.Unmarshal(w.Body.Bytes(), &er) != nil || er.Error.Code == "" {
				t.Fatalf("untyped error %d: %s", w.Code, w.Body)
			}
		}
	})
}

func TestImportedCRLRevokes(t *testing.T) {
	e := newEnv(t, 50)
	c := e.client("kiosk-1", nil)
	card := e.card(8, testNow.AddDate(1, 0, 0))
	if _, err := c.CheckByPIN(bg, card); err != nil {
		t.Fatal(err)
	}
	list := &x509.RevocationList{Number: big.NewInt(1), ThisUpdate: testNow, NextUpdate: testNow.AddDate(0, 0, 1),
		RevokedCertificateEntries: []x509.RevocationListEntry{{SerialNumber: card.cert.SerialNumber, RevocationTime: testNow}}}
	der, err := x509.CreateRevocationList(rand.Reader, list, e.jlis.JPKIAuthCA, e.jlis.JPKIAuthCAKey)
	if err != nil {
		t.Fatal(err)
	}
	// A list no trusted CA signed is refused and changes nothing.
	stranger := selfSignedCard(t)
	stranger.cert.KeyUsage |= x509.KeyUsageCRLSign
	forged, err := x509.CreateRevocationList(rand.Reader, list, &x509.Certificate{Subject: stranger.cert.Subject,
		SubjectKeyId: []byte{1}, KeyUsage: x509.KeyUsageCRLSign}, stranger.key)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.srv.ImportCRL(bg, forged); !errors.Is(err, ErrBadCRL) {
		t.Fatalf("forged list: %v", err)
	}
	if _, err := e.srv.ImportCRL(bg, []byte("not a list")); !errors.Is(err, ErrBadCRL) {
		t.Fatalf("garbage list: %v", err)
	}
	if _, err := c.CheckByPIN(bg, card); err != nil {
		t.Fatalf("refused lists revoked the card: %v", err)
	}
	if n, err := e.srv.ImportCRL(bg, der); err != nil || n != 1 {
		t.Fatalf("import: %d %v", n, err)
	}
	if _, err := c.CheckByPIN(bg, card); !errors.Is(err, eligibility.ErrRevokedCert) {
		t.Fatalf("after the list: %v", err)
	}
}
