package config

import (
	"errors"
	"testing"
)

func TestPrinterIsValidated(t *testing.T) {
	const kind, addr, dev = "parts.printer.kind", "parts.printer.address", "parts.printer.device"
	bad := []struct {
		field string
		p     Printer
	}{
		{kind, Printer{Kind: "serial", Device: "/dev/ttyS0"}},
		{addr, Printer{Kind: KindNetwork, Address: "192.0.2.10"}},
		{addr, Printer{Kind: KindNetwork, Address: ":9100"}},
		{addr, Printer{Kind: KindNetwork, Address: "printer:0"}},
		{addr, Printer{Kind: KindNetwork, Address: "printer:http"}},
		{addr, Printer{Kind: KindNetwork, Address: "printer:9100", Device: "/dev/usb/lp0"}},
		{dev, Printer{Kind: KindUSB, Device: "usb/lp0"}},
		{dev, Printer{Kind: KindUSB, Device: "/dev/../etc/passwd"}},
		{dev, Printer{Kind: KindUSB, Device: "/dev/usb/lp0", Address: "printer:9100"}},
	}
	for _, c := range bad {
		cfg := Default()
		cfg.Parts = simulatedParts()
		cfg.Parts.Printer = &c.p
		err := cfg.Validate()
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Field != c.field {
			t.Errorf("%+v: got %v, want a complaint about %s", c.p, err, c.field)
		}
	}
	for _, p := range []Printer{{Kind: KindNetwork, Address: "192.0.2.10:9100"}, {Kind: KindNetwork, Address: "[2001:db8::1]:9100"},
		{Kind: KindUSB, Device: "/dev/usb/lp0"}} {
		cfg := Default()
		cfg.Parts = simulatedParts()
		cfg.Parts.Printer = &p
		if err := cfg.Validate(); err != nil {
			t.Errorf("%+v: %v", p, err)
		}
	}
}
