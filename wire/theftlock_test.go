package wire

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/app/audit"
	"github.com/uketsuke/uketsuke/app/config"
	"github.com/uketsuke/uketsuke/hardware/netprobe/netprobetest"
)

// TestTheTheftLockIsBuiltAndKeptAcrossARestart builds a kiosk with a theft
// lock whose probe is a real TCP listener and whose enclosure switch is a
// value file, opens the enclosure, and builds the kiosk again: still locked.
func TestTheTheftLockIsBuiltAndKeptAcrossARestart(t *testing.T) {
	probed := netprobetest.AnsweringHost(t)
	dir := t.TempDir()
	door := filepath.Join(dir, "gpio17-value")
	if err := os.WriteFile(door, []byte("0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := SimulatedConfig(Simulated{Dir: t.TempDir(), Fast: true})
	cfg.Parts.TheftLock = &config.TheftLock{Probes: []config.TheftProbe{{Address: probed}},
		UnreachableFor: config.Duration{Duration: time.Minute}, EnclosureSwitch: door, State: filepath.Join(dir, "state")}
	build := func() *World {
		t.Helper()
		w, err := Build(cfg, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if w.TheftLock == nil {
			t.Fatal("no theft lock in the world")
		}
		return w
	}
	w := build()
	if w.TheftLock.Check(context.Background()) {
		t.Fatal("locked with the probe answering and the enclosure closed")
	}
	if err := os.WriteFile(door, []byte("1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if !w.TheftLock.Check(context.Background()) {
		t.Fatal("the opened enclosure did not lock")
	}
	w.Close()
	log, err := os.ReadFile(filepath.Join(cfg.Parts.Audit, audit.OperationFile))
	if err != nil || !strings.Contains(string(log), `"theft_lock":"engaged","saved":true,"reason":"enclosure"`) {
		t.Fatalf("the operation log does not record the lock: %v\n%s", err, log)
	}

	os.WriteFile(door, []byte("0\n"), 0o600)
	w = build()
	defer w.Close()
	if !w.TheftLock.Locked() {
		t.Fatal("a restart released the lock")
	}
}

func TestATheftLockWithoutItsStateIsRefused(t *testing.T) {
	cfg := SimulatedConfig(Simulated{Dir: t.TempDir(), Fast: true})
	cfg.Parts.TheftLock = &config.TheftLock{EnclosureSwitch: "/sys/class/gpio/gpio17/value"}
	var ve *config.ValidationError
	if _, err := Build(cfg, Options{}); !errors.Is(err, ErrConfig) || !errors.As(err, &ve) || ve.Field != "parts.theft_lock.state" {
		t.Fatalf("got %v", err)
	}
	cfg.Parts.TheftLock = nil
	w, err := Build(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if w.TheftLock != nil {
		t.Fatal("a theft lock appeared without configuration")
	}
}
