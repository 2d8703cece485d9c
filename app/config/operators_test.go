package config

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/app/operator"
)

// simulatedParts is a valid parts section for the simulated world.
func simulatedParts() *Parts {
	return &Parts{KioskID: "test", Audit: "/tmp/log",
		Reader: Reader{Kind: KindVirtual}, FaceCamera: Camera{Kind: KindVirtual}, CardCamera: Camera{Kind: KindVirtual},
		OCR: OCR{Kind: KindStandIn}, FaceEngine: FaceEngine{Kind: KindStandIn}, Eligibility: Eligibility{Kind: KindVirtual},
		Results: Results{Dir: "/tmp/results", State: "/tmp/state"}}
}

const fpA = "3f0a3c1b6fd2a2d6c2a1e0f1c0f3e4a5b6c7d8e9f0a1b2c3d4e5f60718293a4b"

func TestOperatorsAreValidated(t *testing.T) {
	ok := Operator{ID: "reception.a", Name: "受付 一", Role: "reception", Fingerprint: fpA}
	cases := map[string]func(*Staff){
		"parts.staff.operators[0].role":        func(s *Staff) { s.Operators[0].Role = "admin" },
		"parts.staff.operators[0].id":          func(s *Staff) { s.Operators[0].ID = "Tanaka" },
		"parts.staff.operators[0].fingerprint": func(s *Staff) { s.Operators[0].Fingerprint = fpA[:60] },
		"parts.staff.operators[0].name":        func(s *Staff) { s.Operators[0].Name = "" },
		"parts.staff.operators[1].id": func(s *Staff) {
			s.Operators = append(s.Operators, Operator{ID: "reception.a", Name: "b", Role: "administrator", Fingerprint: strings.Repeat("ab", 32)})
		},
		"parts.staff.operators[1].fingerprint": func(s *Staff) {
			s.Operators = append(s.Operators, Operator{ID: "admin.b", Name: "b", Role: "administrator", Fingerprint: strings.ToUpper(fpA)})
		},
		"parts.staff.session_timeout": func(s *Staff) { s.SessionTimeout.Duration = 10 * time.Second },
		"parts.staff.hpki_ca_file":    func(s *Staff) { s.PKCS11Module = "/usr/lib/softhsm/libsofthsm2.so" },
		"parts.staff.pkcs11_module":   func(s *Staff) { s.PKCS11Module, s.HPKICAFile = "libvendor.so", "/etc/ca.pem" },
	}
	for field, mod := range cases {
		c := Default()
		c.Parts = simulatedParts()
		c.Parts.Staff.Operators = []Operator{ok}
		mod(&c.Parts.Staff)
		err := c.Validate()
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Field != field {
			t.Errorf("%s: got %v", field, err)
		}
	}
	c := Default()
	c.Parts = simulatedParts()
	c.Parts.Staff = Staff{Operators: []Operator{ok, {ID: "admin.b", Name: "b", Role: "administrator",
		Fingerprint: strings.Repeat("AB:", 31) + "AB"}}, PKCS11Module: "/usr/lib/softhsm/libsofthsm2.so", HPKICAFile: "/etc/hpki.pem"}
	data, err := c.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	ops, err := back.Parts.Staff.Registered()
	if err != nil || len(ops) != 2 || ops[0].Role != operator.RoleReception || ops[1].Role != operator.RoleAdministrator ||
		ops[1].Fingerprint[0] != 0xAB {
		t.Fatalf("registered %+v, %v", ops, err)
	}
}
