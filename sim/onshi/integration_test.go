//go:build integration

package onshi

import (
	"os"
	"strconv"
	"testing"

	"github.com/uketsuke/uketsuke/app/eligibility"
	"github.com/uketsuke/uketsuke/app/mynacard"
)

// TestIntegrationEligibility runs a kiosk's whole eligibility path against a
// real HTTPS service on an ephemeral loopback port over a real SQLite file
// seeded with UKETSUKE_ONSHI_N synthetic people (default 20000; make's
// onshi-test uses the full 100000): PIN-less and PIN checks of a virtual card through the kiosk's
// card stack, 初回登録, a consent whose answer is lost and retried, checks
// by insurance number, and the result files the reception system reads.
func TestIntegrationEligibility(t *testing.T) {
	n := 20000
	if v := os.Getenv("UKETSUKE_ONSHI_N"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			t.Fatal(err)
		}
	}
	e := newEnv(t, n)
	if people, _ := e.store.CountRows(bg, "person"); people < n {
		t.Fatalf("seeded %d people, want at least %d", people, n)
	}
	cert, _ := e.pki.KioskCert("kiosk-1", "1312345678")
	lossy := &lossyTransport{next: e.kioskTLSTransport(cert), path: eligibility.PathConsent}
	c := e.client("kiosk-1", lossy)

	vc := virtualCard(t)
	vc.EnableInstitutionAuth(&e.inst.CAKey.PublicKey)
	out, err := checkPinless(c, vc)
	if err != nil || !out.RegistrationRequired {
		t.Fatalf("first PIN-less check: %+v %v", out, err)
	}
	i, holder := e.personOfKind(KindValid)
	if _, err := c.Register(bg, "", out.Session, queryOf(holder, 0)); err != nil {
		t.Fatal(err)
	}
	key := eligibility.NewIdempotencyKey()
	if _, err := c.RecordConsent(bg, key, out.Session, allConsent); err != nil {
		t.Fatal(err)
	}
	if lossy.lost != 1 {
		t.Fatal("the consent's first answer was not lost")
	}
	if got, _ := e.store.CountConsents(bg, PersonID(i)); got != 1 {
		t.Fatalf("%d consents after a retried consent", got)
	}

	card := mynacard.Open(vc)
	if err := card.VerifyAuthPIN(bg, take([]byte("1234"))); err != nil {
		t.Fatal(err)
	}
	pinOut, err := c.CheckByPIN(bg, card)
	if err != nil {
		t.Fatal(err)
	}
	pinless, err := checkPinless(c, vc)
	if err != nil {
		t.Fatal(err)
	}
	results := []*eligibility.Result{pinOut.Result, pinless.Result}
	for _, k := range []Kind{KindValid, KindInvalid, KindInvalidNew, KindDuplicate, KindUnregistered} {
		_, p := e.personOfKind(k)
		res, err := c.CheckByInsurance(bg, queryOf(p, 0))
		if err != nil {
			t.Fatal(err)
		}
		results = append(results, res)
	}
	wantValidity := []string{"1", "1", "1", "2", "3", "5", "6"}
	for j, res := range results {
		if res.Body.QualificationValidity != wantValidity[j] {
			t.Fatalf("result %d: validity %s, want %s", j, res.Body.QualificationValidity, wantValidity[j])
		}
	}
	if c := results[0].Body.Qualifications[0].Consent; c == nil || c.OperationInfoConsFlg != "1" {
		t.Fatalf("the consent is not in the next result: %+v", c)
	}

	if vc.ForbiddenAccesses() != 0 {
		t.Fatal("the eligibility path touched the 個人番号")
	}
}
