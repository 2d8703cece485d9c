package onshi

import (
	"errors"
	"maps"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/app/eligibility"
)

func TestInsuranceNumberReachesEveryState(t *testing.T) {
	e := newEnv(t, 300)
	c := e.client("kiosk-1", nil)
	check := func(q eligibility.InsuranceQuery, want string, records int) *eligibility.Result {
		t.Helper()
		res, err := c.CheckByInsurance(bg, q)
		if err != nil {
			t.Fatal(err)
		}
		if res.Body.QualificationValidity != want || len(res.Body.Qualifications) != records {
			t.Fatalf("%+v: validity %s with %d records, want %s with %d", q, res.Body.QualificationValidity,
				len(res.Body.Qualifications), want, records)
		}
		if res.Header.ReferenceClassification != eligibility.ReferenceByInsuranceCard || res.Header.MedicalInstitutionCode != "1312345678" {
			t.Fatalf("header %+v", res.Header)
		}
		return res
	}
	_, valid := e.personOfKind(KindValid)
	res := check(queryOf(valid, 0), eligibility.ValidityValid, 1)
	if q := res.Body.Qualifications[0]; q.InsuredName != valid.Name || q.Birthdate != valid.Birth || q.InsurerName == "" {
		t.Fatalf("record %+v is not %s", q, valid.Name)
	}
	_, invalid := e.personOfKind(KindInvalid)
	check(queryOf(invalid, 0), eligibility.ValidityInvalid, 1)
	_, moved := e.personOfKind(KindInvalidNew)
	res = check(queryOf(moved, 0), eligibility.ValidityInvalidNewExists, 2)
	if res.Body.Qualifications[1].InsurerNumber != moved.Records[1].Insurer {
		t.Fatal("無効·新資格あり does not carry the new record")
	}
	check(queryOf(moved, 1), eligibility.ValidityValid, 1)
	_, dup := e.personOfKind(KindDuplicate)
	check(queryOf(dup, 0), eligibility.ValidityMultipleMatches, 2)
	_, unreg := e.personOfKind(KindUnregistered)
	check(queryOf(unreg, 0), eligibility.ValidityValidUnregistered, 1)
	wrongBirth := queryOf(valid, 0)
	wrongBirth.Birthdate = "19000101"
	check(wrongBirth, eligibility.ValidityNoQualification, 0)
}

func TestPINPathRegistersConsentsAndChecks(t *testing.T) {
	e := newEnv(t, 200)
	c := e.client("kiosk-1", nil)
	card := e.card(1, testNow.AddDate(3, 0, 0))
	out, err := c.CheckByPIN(bg, card)
	if err != nil {
		t.Fatal(err)
	}
	if !out.RegistrationRequired || out.Result != nil || out.Session == "" {
		t.Fatalf("an unlinked card should ask for 初回登録: %+v", out)
	}
	i, holder := e.personOfKind(KindValid)
	reg, err := c.Register(bg, "", out.Session, queryOf(holder, 0))
	if err != nil {
		t.Fatal(err)
	}
	if reg.Result.Body.QualificationValidity != eligibility.ValidityValid {
		t.Fatalf("after 初回登録: %+v", reg.Result.Body)
	}
	consent := eligibility.Consent{SpecificHealthCheckupsInfoConsFlg: "1", PharmacistsInfoConsFlg: "1",
		MedicalTreatmentInfoConsFlg: "0", OperationInfoConsFlg: "1"}
	if _, err := c.RecordConsent(bg, "", out.Session, consent); err != nil {
		t.Fatal(err)
	}
	again, err := c.CheckByPIN(bg, card)
	if err != nil {
		t.Fatal(err)
	}
	body := again.Result.Body
	if again.RegistrationRequired || body.QualificationValidity != eligibility.ValidityValid || body.AuthMethod != eligibility.AuthPIN {
		t.Fatalf("second visit: %+v", again)
	}
	got := body.Qualifications[0]
	if got.InsuredName != holder.Name || got.Consent == nil || got.Consent.MedicalTreatmentInfoConsFlg != "0" ||
		got.Consent.PharmacistsInfoConsFlg != "1" {
		t.Fatalf("second visit record %+v", got)
	}
	if n, _ := e.store.CountConsents(bg, PersonID(i)); n != 1 {
		t.Fatalf("%d consents recorded, want 1", n)
	}
}

func TestCardPathStates(t *testing.T) {
	e := newEnv(t, 200)
	c := e.client("kiosk-1", nil)
	for n, kind := range map[Kind]string{KindDoubleEnrolled: eligibility.ValidityMultipleMatches, KindInvalid: eligibility.ValidityInvalid} {
		_, p := e.personOfKind(n)
		out, err := c.CheckByPIN(bg, e.card(10+int(n), testNow.AddDate(1, 0, 0)))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Register(bg, "", out.Session, queryOf(p, 0)); err != nil {
			t.Fatal(err)
		}
		res, err := c.CheckByPIN(bg, e.card(10+int(n), testNow.AddDate(1, 0, 0)))
		if err != nil {
			t.Fatal(err)
		}
		if v := res.Result.Body.QualificationValidity; v != kind {
			t.Fatalf("kind %d by card: validity %s, want %s", n, v, kind)
		}
	}
}

func TestRegistrationRefusals(t *testing.T) {
	e := newEnv(t, 200)
	c := e.client("kiosk-1", nil)
	out, err := c.CheckByPIN(bg, e.card(2, testNow.AddDate(1, 0, 0)))
	if err != nil {
		t.Fatal(err)
	}
	_, unreg := e.personOfKind(KindUnregistered)
	_, dup := e.personOfKind(KindDuplicate)
	_, a := e.personOfKind(KindValid)
	missing := queryOf(a, 0)
	missing.InsuredIdentificationNumber = "99999999"
	before := e.counts()
	for q, want := range map[*eligibility.InsuranceQuery]error{
		ptr(queryOf(unreg, 0)): eligibility.ErrRecordNotLinkable,
		ptr(queryOf(dup, 0)):   eligibility.ErrRecordNotLinkable,
		&missing:               eligibility.ErrRecordNotFound,
	} {
		if _, err := c.Register(bg, "", out.Session, *q); !errors.Is(err, want) {
			t.Fatalf("register %+v: %v, want %v", *q, err, want)
		}
	}
	if _, err := c.RecordConsent(bg, "", out.Session, allConsent); !errors.Is(err, eligibility.ErrRecordNotFound) {
		t.Fatalf("consent before 初回登録: %v", err)
	}
	if !maps.Equal(before, e.counts()) {
		t.Fatalf("refusals changed the database: %v → %v", before, e.counts())
	}
	// A card linked to one holder cannot be linked to another.
	if _, err := c.Register(bg, "", out.Session, queryOf(a, 0)); err != nil {
		t.Fatal(err)
	}
	var other SeedPerson
	for i := range e.pop.N {
		if p := e.pop.Person(i); p.Kind == KindValid && p.Name+p.Birth != a.Name+a.Birth {
			other = p
			break
		}
	}
	if _, err := c.Register(bg, "", out.Session, queryOf(other, 0)); !errors.Is(err, eligibility.ErrCardLinkedElsewhere) {
		t.Fatalf("relinking to another holder: %v", err)
	}
}

var allConsent = eligibility.Consent{SpecificHealthCheckupsInfoConsFlg: "1", PharmacistsInfoConsFlg: "1",
	MedicalTreatmentInfoConsFlg: "1", OperationInfoConsFlg: "1"}

func ptr[T any](v T) *T { return &v }

func TestExpiredCertificateGrace(t *testing.T) {
	e := newEnv(t, 200)
	c := e.client("kiosk-1", nil)
	card := e.card(3, testNow.AddDate(0, 1, 0))
	out, err := c.CheckByPIN(bg, card)
	if err != nil {
		t.Fatal(err)
	}
	_, p := e.personOfKind(KindValid)
	if _, err := c.Register(bg, "", out.Session, queryOf(p, 0)); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(60 * 24 * time.Hour) // one month past expiry: inside the grace
	out, err = c.CheckByPIN(bg, card)
	if err != nil {
		t.Fatalf("inside the grace: %v", err)
	}
	if !out.Result.Body.CertificateExpiredGrace || out.Result.Body.QualificationValidity != eligibility.ValidityValid {
		t.Fatalf("inside the grace: %+v", out.Result.Body)
	}
	before := e.counts()
	if _, err := c.RecordConsent(bg, "", out.Session, allConsent); !errors.Is(err, eligibility.ErrCertExpired) {
		t.Fatalf("consent inside the grace: %v", err)
	}
	if _, err := c.Register(bg, "", out.Session, queryOf(p, 0)); !errors.Is(err, eligibility.ErrCertExpired) {
		t.Fatalf("registration inside the grace: %v", err)
	}
	if !maps.Equal(before, e.counts()) {
		t.Fatal("a refused write changed the database")
	}
	e.clock.Advance(70 * 24 * time.Hour) // past three months
	if _, err := c.CheckByPIN(bg, card); !errors.Is(err, eligibility.ErrCertExpired) {
		t.Fatalf("past the grace: %v", err)
	}
}

func TestLimitCertificateNeedsConsent(t *testing.T) {
	e := newEnv(t, 300)
	c := e.client("kiosk-1", nil)
	var q eligibility.InsuranceQuery
	for i := range e.pop.N {
		if p := e.pop.Person(i); p.Kind == KindValid && p.Records[0].LimitClass != "" {
			q = queryOf(p, 0)
			break
		}
	}
	if q.InsurerNumber == "" {
		t.Fatal("no holder with a limit class in the population")
	}
	res, err := c.CheckByInsurance(bg, q)
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Body.Qualifications[0].LimitApplicationCertificateRelatedInfo; got != nil {
		t.Fatalf("limit class %+v shared without consent", got)
	}
	q.LimitApplicationCertificateRelatedConsFlg = "1"
	if res, err = c.CheckByInsurance(bg, q); err != nil {
		t.Fatal(err)
	}
	if got := res.Body.Qualifications[0].LimitApplicationCertificateRelatedInfo; got == nil {
		t.Fatal("limit class withheld despite consent")
	}
}

func TestOldIdempotencyRecordsArePruned(t *testing.T) {
	e := newEnv(t, 100)
	c := e.client("kiosk-1", nil)
	out, err := c.CheckByPIN(bg, e.card(9, testNow.AddDate(1, 0, 0)))
	if err != nil {
		t.Fatal(err)
	}
	_, p := e.personOfKind(KindValid)
	if _, err := c.Register(bg, "", out.Session, queryOf(p, 0)); err != nil {
		t.Fatal(err)
	}
	if n, _ := e.store.PruneIdempotency(bg, testNow.Add(-time.Hour)); n != 0 {
		t.Fatalf("pruned %d fresh records", n)
	}
	if n, _ := e.store.PruneIdempotency(bg, testNow.Add(time.Hour)); n != 1 {
		t.Fatalf("pruned %d old records, want 1", n)
	}
}
