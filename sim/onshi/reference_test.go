package onshi

import (
	"errors"
	"fmt"
	"maps"
	"strings"
	"testing"

	"github.com/uketsuke/uketsuke/app/eligibility"
	"github.com/uketsuke/uketsuke/app/revisit"
)

// infoOf is the registration of ref for a person's r-th record.
func infoOf(p SeedPerson, r int, ref string) eligibility.ReferenceNumberRegistrationInfo {
	rec := p.Records[r]
	return eligibility.ReferenceNumberRegistrationInfo{ReferenceNumber: ref, InsurerNumber: rec.Insurer,
		InsuredCardSymbol: rec.Symbol, InsuredIdentificationNumber: rec.Number, InsuredBranchNumber: rec.Branch}
}

// peopleOfKind are the first n synthetic holders of a kind.
func (e *env) peopleOfKind(k Kind, n int) []SeedPerson {
	var out []SeedPerson
	for i := 0; i < e.pop.N && len(out) < n; i++ {
		if p := e.pop.Person(i); p.Kind == k {
			out = append(out, p)
		}
	}
	if len(out) < n {
		e.t.Fatalf("only %d people of kind %d", len(out), k)
	}
	return out
}

func referenceIn(t *testing.T, res *eligibility.Result) string {
	t.Helper()
	if res == nil || len(res.Body.Qualifications) == 0 {
		t.Fatalf("no qualification in %+v", res)
	}
	return res.Body.Qualifications[0].ReferenceNumber
}

// One registration, then every kind of check at that facility carries the
// number back: by insured number, by card with PIN (初回登録 and later),
// and PIN-less; another facility never sees it.
func TestAReferenceNumberComesBackInEveryResult(t *testing.T) {
	e := newEnv(t, 100)
	c := e.client("kiosk-1", nil)
	_, p := e.personOfKind(KindValid)
	if _, err := c.RegisterReferenceNumber(bg, "", testInstitution, infoOf(p, 0, "000123")); err != nil {
		t.Fatal(err)
	}

	res, err := c.CheckByInsurance(bg, queryOf(p, 0))
	if err != nil || referenceIn(t, res) != "000123" {
		t.Fatalf("by insured number: %q %v, want 000123 (leading zeros kept)", referenceIn(t, res), err)
	}

	card := e.card(1, testNow.AddDate(3, 0, 0))
	out, err := c.CheckByPIN(bg, card)
	if err != nil || !out.RegistrationRequired {
		t.Fatalf("first PIN check: %+v %v", out, err)
	}
	reg, err := c.Register(bg, "", out.Session, queryOf(p, 0))
	if err != nil || referenceIn(t, reg.Result) != "000123" {
		t.Fatalf("初回登録's result: %+v %v", reg, err)
	}
	out, err = c.CheckByPIN(bg, card)
	if err != nil || referenceIn(t, out.Result) != "000123" {
		t.Fatalf("PIN check: %+v %v", out, err)
	}

	vc := virtualCard(t)
	vc.EnableInstitutionAuth(&e.inst.CAKey.PublicKey)
	out, err = checkPinless(c, vc)
	if err != nil || !out.RegistrationRequired {
		t.Fatalf("first PIN-less check: %+v %v", out, err)
	}
	if _, err := c.Register(bg, "", out.Session, queryOf(p, 0)); err != nil {
		t.Fatal(err)
	}
	out, err = checkPinless(c, vc)
	if err != nil || out.Result.Body.AuthMethod != eligibility.AuthPinless || referenceIn(t, out.Result) != "000123" {
		t.Fatalf("PIN-less check: %+v %v", out, err)
	}

	other := e.clientAt("kiosk-9", "1399999999", nil)
	res, err = other.CheckByInsurance(bg, queryOf(p, 0))
	if err != nil || referenceIn(t, res) != "" {
		t.Fatalf("another facility sees %q (%v)", referenceIn(t, res), err)
	}
	out, err = other.CheckByPIN(bg, card)
	if err != nil || referenceIn(t, out.Result) != "" {
		t.Fatalf("another facility's PIN check sees %+v (%v)", out, err)
	}
	// The other facility registers its own number for the same person;
	// each facility sees only its own.
	if _, err := other.RegisterReferenceNumber(bg, "", "1399999999", infoOf(p, 0, "9-77")); err != nil {
		t.Fatal(err)
	}
	for cl, want := range map[*eligibility.Client]string{c: "000123", other: "9-77"} {
		if res, err := cl.CheckByInsurance(bg, queryOf(p, 0)); err != nil || referenceIn(t, res) != want {
			t.Errorf("got %q (%v), want %q", referenceIn(t, res), err, want)
		}
	}
}

func TestABulkRegistrationAnswersEveryEntry(t *testing.T) {
	e := newEnv(t, 300)
	c := e.client("kiosk-1", nil)
	valid := e.peopleOfKind(KindValid, 3)
	dup := e.peopleOfKind(KindDuplicate, 1)[0]
	unknown := infoOf(valid[0], 0, "P9")
	unknown.InsuredIdentificationNumber = "no-such-number"
	infos := []eligibility.ReferenceNumberRegistrationInfo{
		infoOf(valid[0], 0, "P1"),
		infoOf(valid[1], 0, "P2"),
		infoOf(valid[2], 0, "P 3"), // a space: not taken
		unknown,
		infoOf(dup, 0, "P4"),
		infoOf(valid[2], 0, "P1"), // P1 is valid[0]'s
	}
	out, err := c.RegisterReferenceNumbers(bg, "", testInstitution, infos)
	if err != nil {
		t.Fatal(err)
	}
	want := []error{nil, nil, eligibility.ErrReferenceInvalid, eligibility.ErrRecordNotFound,
		eligibility.ErrRecordNotLinkable, eligibility.ErrReferenceInUse}
	for i, u := range out.Units {
		got := u.Err()
		if !errors.Is(got, want[i]) || (want[i] == nil) != (got == nil) {
			t.Errorf("unit %d: %v, want %v", i, got, want[i])
		}
		if got != nil && strings.Contains(got.Error(), infos[i].ReferenceNumber) {
			t.Errorf("unit %d's refusal repeats the reference number: %v", i, got)
		}
	}
	if n, _ := e.store.CountRows(bg, "reference_number"); n != 2 {
		t.Fatalf("%d reference numbers stored, want 2", n)
	}
	for i, ref := range map[int]string{0: "P1", 1: "P2", 2: ""} {
		res, err := c.CheckByInsurance(bg, queryOf(valid[i], 0))
		if err != nil || referenceIn(t, res) != ref {
			t.Errorf("person %d: %q %v, want %q", i, referenceIn(t, res), err, ref)
		}
	}
}

// A reference number follows its person to a new insured number, is
// replaced by a new registration, and a retried registration writes once.
func TestAReferenceNumberFollowsItsPerson(t *testing.T) {
	e := newEnv(t, 100)
	c := e.client("kiosk-1", nil)
	moved := e.peopleOfKind(KindInvalidNew, 1)[0] // old record lost, a new one in force
	if _, err := c.RegisterReferenceNumber(bg, "", testInstitution, infoOf(moved, 0, "4711")); err != nil {
		t.Fatal(err)
	}
	if _, err := c.RegisterReferenceNumber(bg, "", testInstitution, infoOf(moved, 1, "4711")); err != nil {
		t.Fatalf("the same person's new insured number: %v", err)
	}
	res, err := c.CheckByInsurance(bg, queryOf(moved, 0))
	if err != nil || res.Body.QualificationValidity != eligibility.ValidityInvalidNewExists {
		t.Fatalf("%+v %v", res, err)
	}
	for i, q := range res.Body.Qualifications {
		if q.ReferenceNumber != "4711" {
			t.Errorf("record %d carries %q", i, q.ReferenceNumber)
		}
	}

	_, p := e.personOfKind(KindValid)
	key := eligibility.NewIdempotencyKey()
	for range 2 {
		if _, err := c.RegisterReferenceNumber(bg, key, testInstitution, infoOf(p, 0, "A-1")); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.RegisterReferenceNumber(bg, "", testInstitution, infoOf(p, 0, "A-2")); err != nil {
		t.Fatal(err)
	}
	if res, err := c.CheckByInsurance(bg, queryOf(p, 0)); err != nil || referenceIn(t, res) != "A-2" {
		t.Fatalf("after re-registration: %q %v", referenceIn(t, res), err)
	}
	if n, _ := e.store.CountRows(bg, "reference_number"); n != 3 {
		t.Fatalf("%d rows, want 3 (two insured numbers of one person, one of another)", n)
	}
}

func TestAMalformedRegistrationIsATypedError(t *testing.T) {
	e := newEnv(t, 100)
	c := e.client("kiosk-1", nil)
	_, p := e.personOfKind(KindValid)
	with := func(f func(*eligibility.ReferenceNumberRegistrationInfo)) eligibility.ReferenceNumberRegistrationInfo {
		i := infoOf(p, 0, "12345")
		f(&i)
		return i
	}
	cases := []struct {
		name        string
		institution string
		info        eligibility.ReferenceNumberRegistrationInfo
		want        error
	}{
		{"empty number", testInstitution, with(func(i *eligibility.ReferenceNumberRegistrationInfo) { i.ReferenceNumber = "" }), eligibility.ErrReferenceInvalid},
		{"33 characters", testInstitution, with(func(i *eligibility.ReferenceNumberRegistrationInfo) { i.ReferenceNumber = strings.Repeat("1", 33) }), eligibility.ErrReferenceInvalid},
		{"full-width digits", testInstitution, with(func(i *eligibility.ReferenceNumberRegistrationInfo) { i.ReferenceNumber = "１２３" }), eligibility.ErrReferenceInvalid},
		{"underscore", testInstitution, with(func(i *eligibility.ReferenceNumberRegistrationInfo) { i.ReferenceNumber = "12_3" }), eligibility.ErrReferenceInvalid},
		{"space", testInstitution, with(func(i *eligibility.ReferenceNumberRegistrationInfo) { i.ReferenceNumber = "12 3" }), eligibility.ErrReferenceInvalid},
		{"insurer not digits", testInstitution, with(func(i *eligibility.ReferenceNumberRegistrationInfo) { i.InsurerNumber = "0613x000" }), eligibility.ErrMalformed},
		{"no insured number", testInstitution, with(func(i *eligibility.ReferenceNumberRegistrationInfo) { i.InsuredIdentificationNumber = "" }), eligibility.ErrMalformed},
		{"branch of one digit", testInstitution, with(func(i *eligibility.ReferenceNumberRegistrationInfo) { i.InsuredBranchNumber = "1" }), eligibility.ErrMalformed},
		{"another facility", "1399999999", infoOf(p, 0, "12345"), eligibility.ErrInstitutionMismatch},
		{"facility code of 9 digits", "131234567", infoOf(p, 0, "12345"), eligibility.ErrMalformed},
	}
	before := e.counts()
	for _, tc := range cases {
		_, err := c.RegisterReferenceNumber(bg, "", tc.institution, tc.info)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
		if err != nil && tc.info.ReferenceNumber != "" && strings.Contains(err.Error(), tc.info.ReferenceNumber) {
			t.Errorf("%s: the refusal repeats the reference number: %v", tc.name, err)
		}
	}
	if _, err := c.RegisterReferenceNumbers(bg, "", testInstitution, nil); !errors.Is(err, eligibility.ErrMalformed) {
		t.Errorf("an empty bulk: %v", err)
	}
	many := make([]eligibility.ReferenceNumberRegistrationInfo, eligibility.MaxReferenceNumbersPerRequest+1)
	for i := range many {
		many[i] = infoOf(p, 0, fmt.Sprint(i))
	}
	if _, err := c.RegisterReferenceNumbers(bg, "", testInstitution, many); !errors.Is(err, eligibility.ErrTooLarge) {
		t.Errorf("a bulk of %d: %v", len(many), err)
	}
	if _, err := c.RegisterReferenceNumbers(bg, "", "1399999999", many[:1]); !errors.Is(err, eligibility.ErrInstitutionMismatch) {
		t.Errorf("a bulk for another facility: %v", err)
	}
	after := e.counts()
	delete(before, "idempotency")
	delete(after, "idempotency")
	if !maps.Equal(before, after) {
		t.Fatalf("refused registrations changed the database: %v → %v", before, after)
	}
}

// FuzzReferenceRegistration feeds arbitrary bodies to the registration's
// decoding and validation: nothing panics, and whatever is accepted keeps
// the stand-in's limits.
func FuzzReferenceRegistration(f *testing.F) {
	f.Add([]byte(`{"MedicalInstitutionCode":"1312345678","ReferenceNumberRegistrationInfo":[{"ReferenceNumber":"0012","InsurerNumber":"06130000","InsuredIdentificationNumber":"1"}]}`))
	f.Add([]byte(`{"ReferenceNumberRegistrationInfo":[{"ReferenceNumber":"A--B","InsurerNumber":"123456","InsuredIdentificationNumber":"x","InsuredBranchNumber":"01"}]}`))
	f.Add([]byte(`{"ReferenceNumberRegistrationInfo":[{"ReferenceNumber":"\u00e9"}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var req eligibility.ReferenceNumberBulkRequest
		if decode(body, &req) != nil {
			return
		}
		checkInstitution(kiosk{ID: "k", Institution: testInstitution}, req.MedicalInstitutionCode)
		for _, info := range req.ReferenceNumberRegistrationInfo {
			err := checkRegistration(info)
			var api *eligibility.APIError
			if err != nil && !errors.As(err, &api) {
				t.Fatalf("untyped refusal %v", err)
			}
			if err != nil {
				continue
			}
			ref := info.ReferenceNumber
			if ref == "" || len(ref) > MaxReferenceNumberLength ||
				strings.Trim(ref, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-") != "" {
				t.Fatalf("accepted reference number %q", ref)
			}
		}
	})
}

// FuzzReferenceNumberAgreesWithTheLocalTable: the stand-in takes exactly
// the non-empty patient numbers the kiosk's own table takes, so any number
// a clinic linked locally can also be registered.
func FuzzReferenceNumberAgreesWithTheLocalTable(f *testing.F) {
	for _, s := range []string{"", "0004711", "a-B-9", "-", "12 3", "１２", strings.Repeat("9", 33), "é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		local := revisit.PatientNumber(s).Validate() == nil && s != ""
		if stand := checkReferenceNumber(s) == nil; stand != local {
			t.Fatalf("%q: the stand-in takes it %v, the local table %v", s, stand, local)
		}
	})
}

// De-registering a number: later answers at that facility carry none,
// other people's and other facilities' numbers stay, a retry with the same
// key gets the same answer, forgetting it again (or a number never
// registered) is reference_number_not_found, and the number may be
// registered again.
func TestADeregisteredReferenceNumberIsForgotten(t *testing.T) {
	e := newEnv(t, 100)
	c := e.client("kiosk-1", nil)
	other := e.clientAt("kiosk-2", "1399999999", nil)
	people := e.peopleOfKind(KindValid, 2)
	gone, kept := people[0], people[1]
	for _, reg := range []struct {
		c    *eligibility.Client
		inst string
		p    SeedPerson
		ref  string
	}{{c, testInstitution, gone, "000123"}, {c, testInstitution, kept, "000124"}, {other, "1399999999", gone, "000123"}} {
		if _, err := reg.c.RegisterReferenceNumber(bg, "", reg.inst, infoOf(reg.p, 0, reg.ref)); err != nil {
			t.Fatal(err)
		}
	}

	key := eligibility.NewIdempotencyKey()
	for try := range 2 { // the second is a retry after a lost answer
		if out, err := c.DeregisterReferenceNumber(bg, key, testInstitution, "000123"); err != nil || out.DeregisteredAt == "" {
			t.Fatalf("try %d: %+v %v", try, out, err)
		}
	}
	for _, want := range []struct {
		c   *eligibility.Client
		p   SeedPerson
		ref string
	}{{c, gone, ""}, {c, kept, "000124"}, {other, gone, "000123"}} {
		res, err := want.c.CheckByInsurance(bg, queryOf(want.p, 0))
		if err != nil || referenceIn(t, res) != want.ref {
			t.Fatalf("after de-registration: %q %v, want %q", referenceIn(t, res), err, want.ref)
		}
	}

	if _, err := c.DeregisterReferenceNumber(bg, "", testInstitution, "000123"); !errors.Is(err, eligibility.ErrReferenceNotFound) {
		t.Fatalf("again: %v", err)
	}
	if _, err := c.DeregisterReferenceNumber(bg, "", testInstitution, "999999"); !errors.Is(err, eligibility.ErrReferenceNotFound) {
		t.Fatalf("never registered: %v", err)
	}
	if _, err := c.DeregisterReferenceNumber(bg, "", "1399999999", "000123"); !errors.Is(err, eligibility.ErrInstitutionMismatch) {
		t.Fatalf("another facility's number: %v", err)
	}
	if _, err := c.DeregisterReferenceNumber(bg, "", testInstitution, "12 3"); !errors.Is(err, eligibility.ErrReferenceInvalid) {
		t.Fatalf("a malformed number: %v", err)
	}
	if _, err := c.RegisterReferenceNumber(bg, "", testInstitution, infoOf(gone, 0, "000123")); err != nil {
		t.Fatalf("registering it again: %v", err)
	}
	if res, err := c.CheckByInsurance(bg, queryOf(gone, 0)); err != nil || referenceIn(t, res) != "000123" {
		t.Fatalf("registered again: %q %v", referenceIn(t, res), err)
	}
}
