//go:build integration

package onshi

import (
	"fmt"
	"testing"

	"github.com/uketsuke/uketsuke/app/eligibility"
)

// TestIntegrationReferenceNumbers migrates a clinic's 診察券 numbers the way
// an administrator would, in full bulk requests over the real HTTPS service
// on a seeded SQLite file, then checks every migrated person by insured
// number at that clinic and at another: the clinic sees each number, the
// other none; a retried bulk request writes nothing twice.
func TestIntegrationReferenceNumbers(t *testing.T) {
	e := newEnv(t, 2000)
	c := e.client("kiosk-1", nil)
	other := e.clientAt("kiosk-2", "1399999999", nil)
	people := e.peopleOfKind(KindValid, 2*eligibility.MaxReferenceNumbersPerRequest)
	for batch := range 2 {
		var infos []eligibility.ReferenceNumberRegistrationInfo
		for i := range eligibility.MaxReferenceNumbersPerRequest {
			n := batch*eligibility.MaxReferenceNumbersPerRequest + i
			infos = append(infos, infoOf(people[n], 0, fmt.Sprintf("%08d", n)))
		}
		key := eligibility.NewIdempotencyKey()
		for range 2 { // the second is a retry after a lost answer
			out, err := c.RegisterReferenceNumbers(bg, key, testInstitution, infos)
			if err != nil {
				t.Fatal(err)
			}
			for i, u := range out.Units {
				if err := u.Err(); err != nil {
					t.Fatalf("batch %d entry %d: %v", batch, i, err)
				}
			}
		}
	}
	if n, _ := e.store.CountRows(bg, "reference_number"); n != len(people) {
		t.Fatalf("%d rows, want %d", n, len(people))
	}
	for n, p := range people {
		res, err := c.CheckByInsurance(bg, queryOf(p, 0))
		if err != nil || referenceIn(t, res) != fmt.Sprintf("%08d", n) {
			t.Fatalf("person %d: %q %v", n, referenceIn(t, res), err)
		}
		if n%20 != 0 {
			continue
		}
		res, err = other.CheckByInsurance(bg, queryOf(p, 0))
		if err != nil || referenceIn(t, res) != "" {
			t.Fatalf("another facility sees person %d's number: %q %v", n, referenceIn(t, res), err)
		}
	}
}
