package config

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
)

func goodTheftLock() *TheftLock {
	return &TheftLock{Probes: []TheftProbe{{Address: "192.168.10.1:53"}, {Address: "console.clinic.lan:8443"}},
		UnreachableFor: Duration{10 * time.Minute}, EnclosureSwitch: "/sys/class/gpio/gpio17/value",
		State: "/var/lib/uketsuke/state"}
}

func TestTheftLockIsValidated(t *testing.T) {
	const f = "parts.theft_lock."
	cases := []struct {
		field string
		spoil func(*TheftLock)
	}{
		{f + "probes", func(l *TheftLock) { l.Probes, l.EnclosureSwitch, l.UnreachableFor = nil, "", Duration{} }},
		{f + "probes[1].address", func(l *TheftLock) { l.Probes[1].Address = "console.clinic.lan" }},
		{f + "probes[0].address", func(l *TheftLock) { l.Probes[0].Address = "192.168.10.1:0" }},
		{f + "unreachable_for", func(l *TheftLock) { l.UnreachableFor = Duration{30 * time.Second} }},
		{f + "unreachable_for", func(l *TheftLock) { l.Probes = nil }}, // set without probes
		{f + "enclosure_switch", func(l *TheftLock) { l.EnclosureSwitch = "gpio17/value" }},
		{f + "enclosure_open_value", func(l *TheftLock) { l.EnclosureOpenValue = "high" }},
		{f + "state", func(l *TheftLock) { l.State = "" }},
		{f + "check_every", func(l *TheftLock) { l.CheckEvery = Duration{time.Hour} }},
	}
	for _, c := range cases {
		cfg := Default()
		cfg.Parts = simulatedParts()
		cfg.Parts.TheftLock = goodTheftLock()
		c.spoil(cfg.Parts.TheftLock)
		var ve *ValidationError
		if err := cfg.Validate(); !errors.As(err, &ve) || ve.Field != c.field {
			t.Errorf("%s: got %v", c.field, err)
		}
	}
	for name, l := range map[string]*TheftLock{
		"probes and switch": goodTheftLock(),
		"switch only":       {EnclosureSwitch: "/run/uketsuke/door", EnclosureOpenValue: "0", State: "/var/lib/uketsuke"},
		"probes only":       {Probes: []TheftProbe{{Address: "[fd00::1]:443"}}, UnreachableFor: Duration{time.Minute}, State: "s", CheckEvery: Duration{5 * time.Second}},
	} {
		cfg := Default()
		cfg.Parts = simulatedParts()
		cfg.Parts.TheftLock = l
		if err := cfg.Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestTheftLockReadsFromJSON(t *testing.T) {
	var p Parts
	err := json.Unmarshal([]byte(`{"theft_lock":{"probes":[{"address":"192.168.10.1:53"}],"unreachable_for":"15m",
		"enclosure_switch":"/sys/class/gpio/gpio17/value","state":"/var/lib/uketsuke/state"}}`), &p)
	if err != nil || p.TheftLock == nil || p.TheftLock.UnreachableFor.Duration != 15*time.Minute ||
		p.TheftLock.Probes[0].Address != "192.168.10.1:53" || p.TheftLock.Every() != DefaultTheftCheckEvery {
		t.Fatalf("%+v %v", p.TheftLock, err)
	}
}
