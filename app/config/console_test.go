package config

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestTheConsoleSectionIsValidated(t *testing.T) {
	on := Console{Address: "0.0.0.0:8443", CertFile: "/etc/uketsuke/console.pem",
		KeyFile: "/etc/uketsuke/console-key.pem", ClientCAFile: "/etc/uketsuke/console-ca.pem"}
	withOperator := func(p *Parts) {
		p.Staff.Operators = []Operator{{ID: "admin.a", Name: "a", Role: "administrator", Fingerprint: fpA,
			ConsoleFingerprint: strings.Repeat("cd", 32)}}
	}
	cases := map[string]func(*Parts){
		"parts.console.address":        func(p *Parts) { p.Console = Console{CertFile: "x.pem"} },
		"parts.console.address ":       func(p *Parts) { p.Console = on; p.Console.Address = "8443"; withOperator(p) },
		"parts.console.address  ":      func(p *Parts) { p.Console = on; p.Console.Address = "host:http"; withOperator(p) },
		"parts.console.key_file":       func(p *Parts) { p.Console = on; p.Console.KeyFile = ""; withOperator(p) },
		"parts.console.client_ca_file": func(p *Parts) { p.Console = on; p.Console.ClientCAFile = ""; withOperator(p) },
		"parts.staff.operators":        func(p *Parts) { p.Console = on },
		"parts.staff.operators[0].console_fingerprint": func(p *Parts) {
			withOperator(p)
			p.Staff.Operators[0].ConsoleFingerprint = "zz"
		},
		"parts.staff.operators[0].console_fingerprint ": func(p *Parts) {
			withOperator(p)
			p.Staff.Operators[0].ConsoleFingerprint = fpA
		},
		"parts.staff.operators[1].fingerprint": func(p *Parts) {
			withOperator(p)
			p.Staff.Operators = append(p.Staff.Operators, Operator{ID: "b", Name: "b", Role: "reception",
				Fingerprint: strings.Repeat("cd", 32)})
		},
	}
	for field, mod := range cases {
		c := Default()
		c.Parts = simulatedParts()
		mod(c.Parts)
		var ve *ValidationError
		if err := c.Validate(); !errors.As(err, &ve) || ve.Field != strings.TrimSpace(field) {
			t.Errorf("%s: got %v", field, err)
		}
	}
	c := Default()
	c.Parts = simulatedParts()
	c.Parts.Console = on
	withOperator(c.Parts)
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	ops, err := c.Parts.Staff.Registered()
	if err != nil || !ops[0].HasConsole() || ops[0].Console[0] != 0xcd {
		t.Errorf("%+v %v", ops, err)
	}
}

func TestABundleAppliedWhileRunningIsKeptAndCheckedLikeAnyOther(t *testing.T) {
	pub, priv := keys(t)
	running := kioskConfig(t, pub)
	b, err := SignBundle(doc(t, func(d *Config) { d.Serial, d.Face.Attempts = 4, 5 }), forAll(), priv)
	if err != nil {
		t.Fatal(err)
	}
	_, other := keys(t)
	forged, err := SignBundle(doc(t, func(d *Config) { d.Serial = 6 }), forAll(), other)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ApplyBundle(running, forged); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("another key's bundle: %v", err)
	}
	next, err := ApplyBundle(running, b)
	if err != nil || next.Serial != 4 || next.Face.Attempts != 5 || next.Parts != running.Parts {
		t.Fatalf("%+v %v", next, err)
	}
	if _, err := ApplyBundle(next, b); !errors.Is(err, ErrRollback) {
		t.Errorf("the same bundle again: %v", err)
	}
	// A restart finds it in the state folder.
	again, rep, err := ApplyUpdates(running)
	if err != nil || !rep.Restored || again.Serial != 4 {
		t.Errorf("after a restart: %+v %v", rep, err)
	}
	noUpdates := *running
	parts := *running.Parts
	parts.Updates = Updates{}
	noUpdates.Parts = &parts
	if _, err := applyBundle(&noUpdates, b, time.Now()); !errors.Is(err, ErrNoUpdates) {
		t.Errorf("a kiosk without updates: %v", err)
	}
}
