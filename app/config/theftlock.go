package config

import (
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"time"
)

// TheftLock locks re-visit reception's PIN-less function when the kiosk
// seems to have been carried off: every probe silent for UnreachableFor,
// or the enclosure switch opened. Only an administrator unlocks it
// (docs/operations.md, "The theft lock").
type TheftLock struct {
	// Probes are hosts the kiosk always reaches in its place (the
	// gateway, the console's host), each on a port it listens on: only
	// an accepted TCP connection counts.
	Probes []TheftProbe `json:"probes,omitempty"`
	// UnreachableFor is how long every probe must stay silent; at least
	// a minute, so a switch restarting does not lock the kiosk.
	UnreachableFor Duration `json:"unreachable_for,omitempty"`
	// EnclosureSwitch is a file holding the switch's 0 or 1, e.g.
	// /sys/class/gpio/gpio17/value; EnclosureOpenValue is what it holds
	// while the enclosure is open ("1" when empty).
	EnclosureSwitch    string `json:"enclosure_switch,omitempty"`
	EnclosureOpenValue string `json:"enclosure_open_value,omitempty"`
	// State is a kiosk-local folder for the lock's file, so a restart
	// keeps it locked.
	State string `json:"state"`
	// CheckEvery is the pause between checks; 0 = 10 s.
	CheckEvery Duration `json:"check_every,omitempty"`
}

// TheftProbe is one host:port to reach.
type TheftProbe struct {
	Address string `json:"address"`
}

// DefaultTheftCheckEvery is the pause between checks when none is configured.
const DefaultTheftCheckEvery = 10 * time.Second

// Every is the pause between checks.
func (t TheftLock) Every() time.Duration {
	if t.CheckEvery.Duration == 0 {
		return DefaultTheftCheckEvery
	}
	return t.CheckEvery.Duration
}

func (p *Parts) validateTheftLock() error {
	t := p.TheftLock
	if t == nil {
		return nil
	}
	if len(t.Probes) == 0 && t.EnclosureSwitch == "" {
		return bad("parts.theft_lock.probes", "a theft lock needs probes, an enclosure switch or both")
	}
	for i, pr := range t.Probes {
		if err := checkProbeAddress(pr.Address); err != nil {
			return bad(fmt.Sprintf("parts.theft_lock.probes[%d].address", i), "%q: %v", pr.Address, err)
		}
	}
	switch d := t.UnreachableFor.Duration; {
	case len(t.Probes) > 0 && d < time.Minute:
		return bad("parts.theft_lock.unreachable_for", "probes need at least 1m of silence before locking")
	case len(t.Probes) == 0 && d != 0:
		return bad("parts.theft_lock.unreachable_for", "set without probes")
	case d > 7*24*time.Hour:
		return bad("parts.theft_lock.unreachable_for", "at most a week")
	}
	if t.EnclosureSwitch != "" && (!filepath.IsAbs(t.EnclosureSwitch) || filepath.Clean(t.EnclosureSwitch) != t.EnclosureSwitch) {
		return bad("parts.theft_lock.enclosure_switch", "%q: an absolute, clean path", t.EnclosureSwitch)
	}
	if v := t.EnclosureOpenValue; v != "" && (v != "0" && v != "1" || t.EnclosureSwitch == "") {
		return bad("parts.theft_lock.enclosure_open_value", "0 or 1, and only with enclosure_switch")
	}
	if t.State == "" {
		return bad("parts.theft_lock.state", "a kiosk-local folder for the lock's state is missing")
	}
	if e := t.CheckEvery.Duration; e != 0 && (e < time.Second || e > 5*time.Minute) {
		return bad("parts.theft_lock.check_every", "between 1s and 5m")
	}
	return nil
}

func checkProbeAddress(a string) error {
	host, port, err := net.SplitHostPort(a)
	if err != nil || host == "" {
		return fmt.Errorf("not host:port")
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("the port must be 1..65535")
	}
	return nil
}
