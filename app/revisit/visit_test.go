package revisit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"testing"
	"time"
)

func testCode() Code {
	c := Code{KeyID: "k2026"}
	for i := range c.Sum {
		c.Sum[i] = byte(0xa0 + i)
	}
	return c
}

func testVisit(t *testing.T) VisitRecord {
	t.Helper()
	jst := time.FixedZone("JST", 9*3600)
	v, err := NewVisitRecord(VisitRecord{Facility: "1312345678", Kiosk: "kiosk-01",
		Time: time.Date(2026, 12, 6, 9, 15, 30, 123456789, jst), Code: testCode(), Auth: AuthPinless,
		EligibilityResult: "res-20261206-0001", Department: "naika", Reception: 12})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestVisitRecordRoundTrip(t *testing.T) {
	v := testVisit(t)
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var back VisitRecord
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatalf("read back %s: %v", data, err)
	}
	if back.ID != v.ID || !back.Time.Equal(v.Time) || back.Code != v.Code || back.Auth != v.Auth ||
		back.Facility != v.Facility || back.Kiosk != v.Kiosk || back.EligibilityResult != v.EligibilityResult ||
		back.Department != v.Department || back.Reception != v.Reception {
		t.Fatalf("round trip changed the record:\n%s\n%+v", data, back)
	}
	again, _ := json.Marshal(back)
	if !bytes.Equal(again, data) {
		t.Fatalf("the JSON form is not stable:\n%s\n%s", data, again)
	}
	if !strings.Contains(string(data), `"time":"2026-12-06T09:15:30.123456+09:00"`) {
		t.Errorf("time not in the clinic's offset to the microsecond: %s", data)
	}
}

func TestVisitIDsAreFresh(t *testing.T) {
	a, b := testVisit(t), testVisit(t)
	if a.ID == b.ID {
		t.Fatal("two records got one id")
	}
	if _, err := ParseVisitID(a.ID.String()); err != nil {
		t.Fatal(err)
	}
}

// sessionLike is what a kiosk session knows at the end of a visit: the
// patient's name and insured number among it.
type sessionLike struct {
	Name, Kana           string
	Insurer, Symbol, No  string
	Branch, PatientNo    string
	Code                 Code
	Auth                 AuthMethod
	ResultID, Department string
	Reception            int
	At                   time.Time
}

func TestVisitRecordCarriesNoNameOrInsuredNumber(t *testing.T) {
	s := sessionLike{Name: "山田太郎", Kana: "ヤマダタロウ", Insurer: "06139998", Symbol: "記号123", No: "4567890",
		Branch: "01", PatientNo: "P-000777", Code: testCode(), Auth: AuthFace, ResultID: "r1",
		Department: "geka", Reception: 3, At: time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)}
	v, err := NewVisitRecord(VisitRecord{Facility: "1312345678", Kiosk: "kiosk-02", Time: s.At, Code: s.Code,
		Auth: s.Auth, EligibilityResult: s.ResultID, Department: Department(s.Department), Reception: s.Reception})
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	for _, personal := range []string{s.Name, s.Kana, s.Insurer, s.Symbol, s.No, s.PatientNo, "山田", "4567890"} {
		if strings.Contains(string(data), personal) {
			t.Errorf("the record's JSON carries %q: %s", personal, data)
		}
	}
	// The form has exactly these keys: a new field must be added here on
	// purpose, after asking whether it identifies the patient.
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(data, &keys); err != nil {
		t.Fatal(err)
	}
	var got []string
	for k := range keys {
		got = append(got, k)
	}
	sort.Strings(got)
	want := "auth code department eligibility_result facility id kiosk reception time v"
	if strings.Join(got, " ") != want {
		t.Errorf("JSON keys %v, want %s", got, want)
	}
}

func TestVisitRecordHidesTheCodeFromLogs(t *testing.T) {
	v := testVisit(t)
	hexSum := fmt.Sprintf("%x", v.Code.Sum[:4])
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("visit", "record", v)
	for _, s := range []string{fmt.Sprint(v), fmt.Sprintf("%+v", v), fmt.Sprintf("%#v", v), fmt.Sprintf("%x", v), buf.String()} {
		if strings.Contains(s, hexSum) {
			t.Errorf("the converted code leaks: %s", s)
		}
		if !strings.Contains(s, v.ID.String()) {
			t.Errorf("the record's id is missing from %s", s)
		}
	}
}

func TestVisitRecordValidation(t *testing.T) {
	cases := map[string]func(*VisitRecord){
		"facility code":         func(v *VisitRecord) { v.Facility = "131234567" },
		"kiosk id":              func(v *VisitRecord) { v.Kiosk = "-kiosk" },
		"visit time":            func(v *VisitRecord) { v.Time = time.Time{} },
		"converted code":        func(v *VisitRecord) { v.Code = Code{} },
		"authentication method": func(v *VisitRecord) { v.Auth = "password" },
		"eligibility result":    func(v *VisitRecord) { v.EligibilityResult = "a b" },
		"reception number":      func(v *VisitRecord) { v.Reception = MaxTicketNumber + 1 },
		"department":            func(v *VisitRecord) { v.Department = "<b>" },
		"visit id":              func(v *VisitRecord) { v.ID = VisitID{} },
	}
	for field, spoil := range cases {
		v := testVisit(t)
		spoil(&v)
		err := v.Validate()
		var inv *InvalidError
		if !errors.Is(err, ErrInvalid) || !errors.As(err, &inv) || inv.Field != field {
			t.Errorf("%s: %v, want an InvalidError naming it", field, err)
		}
		if _, err := json.Marshal(v); err == nil {
			t.Errorf("%s: an invalid record was marshalled", field)
		}
	}
}

func TestParseVisitRecordIsStrict(t *testing.T) {
	good, _ := json.Marshal(testVisit(t))
	s := string(good)
	bad := map[string]string{
		"unknown key":       strings.Replace(s, `"v":1`, `"v":1,"name":"山田太郎"`, 1),
		"other version":     strings.Replace(s, `"v":1`, `"v":2`, 1),
		"trailing data":     s + `{}`,
		"upper-case code":   strings.Replace(s, `:a0a1`, `:A0A1`, 1),
		"no key id":         strings.Replace(s, `"k2026:`, `":`, 1),
		"time without zone": strings.Replace(s, `+09:00"`, `"`, 1),
		"not JSON":          "visit",
		"too long":          `{"v":1,"kiosk":"` + strings.Repeat("a", MaxVisitJSON) + `"}`,
	}
	for name, body := range bad {
		if _, err := ParseVisitRecord([]byte(body)); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		} else if strings.Contains(err.Error(), "山田") {
			t.Errorf("%s: the error quotes the body: %v", name, err)
		}
	}
	if _, err := ParseVisitRecord(good); err != nil {
		t.Fatalf("the good record: %v", err)
	}
}
