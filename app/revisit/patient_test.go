package revisit

import (
	"errors"
	"testing"
)

func TestPatientValidate(t *testing.T) {
	good := InsuredNumber{Insurer: "06139999", Symbol: "愛知", Number: "1234567", Branch: "01"}
	cases := []struct {
		name string
		p    Patient
		ok   bool
	}{
		{"complete", Patient{good, "A-0042", "19800101"}, true},
		{"6-digit insurer, no branch, no patient number", Patient{InsuredNumber{Insurer: "138222", Number: "12"}, "", ""}, true},
		{"7-digit insurer", Patient{InsuredNumber{Insurer: "1382220", Number: "12"}, "", ""}, false},
		{"letters in insurer", Patient{InsuredNumber{Insurer: "13822A", Number: "12"}, "", ""}, false},
		{"no number", Patient{InsuredNumber{Insurer: "138222"}, "", ""}, false},
		{"control character", Patient{InsuredNumber{Insurer: "138222", Number: "1\n2"}, "", ""}, false},
		{"1-digit branch", Patient{InsuredNumber{Insurer: "138222", Number: "12", Branch: "1"}, "", ""}, false},
		{"birth date not a day", Patient{good, "", "19800231"}, false},
		{"birth date with era", Patient{good, "", "S550101"}, false},
		{"patient number with space", Patient{good, "A 42", ""}, false},
		{"patient number too long", Patient{good, "123456789012345678901234567890123", ""}, false},
	}
	for _, c := range cases {
		err := c.p.Validate()
		if c.ok != (err == nil) || (err != nil && !errors.Is(err, ErrInvalid)) {
			t.Errorf("%s: Validate = %v", c.name, err)
		}
	}
}

func TestInsuredEncodingRoundTrips(t *testing.T) {
	n := InsuredNumber{Insurer: "06139999", Symbol: "愛知", Number: "1234567", Branch: ""}
	got, err := decodeInsured(n.encode())
	if err != nil || got != n {
		t.Fatalf("decode = %+v, %v", got, err)
	}
	enc := n.encode()
	for _, broken := range [][]byte{enc[:len(enc)-1], append(enc, 0), {0}} {
		if _, err := decodeInsured(broken); err == nil {
			t.Errorf("%d broken bytes decoded", len(broken))
		}
	}
}

func TestInsuredRecordKeepsTheBirthdate(t *testing.T) {
	n := InsuredNumber{Insurer: "06139999", Number: "1234567", Branch: "01"}
	got, date, err := decodeInsuredRecord(encodeInsuredRecord(n, "19800101"))
	if err != nil || got != n || date != "19800101" {
		t.Fatalf("decode = %+v %q, %v", got, date, err)
	}
	// A row sealed before the date was kept opens without one.
	if got, date, err := decodeInsuredRecord(n.encode()); err != nil || got != n || date != "" {
		t.Fatalf("old row = %+v %q, %v", got, date, err)
	}
}
