package wire

import (
	"context"

	"github.com/uketsuke/uketsuke/app/audit"
	"github.com/uketsuke/uketsuke/app/config"
	"github.com/uketsuke/uketsuke/app/revisit"
	"github.com/uketsuke/uketsuke/hardware/enclosure"
	"github.com/uketsuke/uketsuke/hardware/netprobe"
)

// theftLock builds re-visit reception's theft lock when parts.theft_lock is
// configured (World.TheftLock; the re-visit adapter's Lock). A state file
// that cannot be read is not a start failure: the lock comes up locked and
// the journal says why.
func (w *World) theftLock() error {
	l, warning, err := newTheftLock(w.Config.Parts.TheftLock, w.Audit)
	if err != nil {
		return err
	}
	if warning != nil {
		w.log.Warn("theft lock", "err", warning)
	}
	w.TheftLock = l
	return nil
}

// newTheftLock builds the lock from its configuration: TCP probes, the
// enclosure switch's value file, the state folder; nil without one. warning
// is a state file it could not read (the lock is then locked).
func newTheftLock(c *config.TheftLock, log *audit.Logger) (l *revisit.TheftLock, warning, err error) {
	if c == nil {
		return nil, nil, nil
	}
	cfg := revisit.TheftLockConfig{UnreachableFor: c.UnreachableFor.Duration, StateDir: c.State}
	if log != nil {
		cfg.Log = log
	}
	for _, p := range c.Probes {
		probe, err := netprobe.NewTCP(p.Address, 0)
		if err != nil {
			return nil, nil, bad("parts.theft_lock.probes", "%v", err)
		}
		cfg.Probes = append(cfg.Probes, probe)
	}
	if c.EnclosureSwitch != "" {
		sw, err := enclosure.New(c.EnclosureSwitch, c.EnclosureOpenValue)
		if err != nil {
			return nil, nil, bad("parts.theft_lock.enclosure_switch", "%v", err)
		}
		cfg.Enclosure = sw
	}
	l, err = revisit.NewTheftLock(cfg)
	if l == nil {
		return nil, nil, bad("parts.theft_lock", "%v", err)
	}
	return l, err, nil
}

// runTheftLock checks the lock's probes and switch until ctx ends.
func (w *World) runTheftLock(ctx context.Context) {
	if w.TheftLock != nil {
		w.TheftLock.Run(ctx, w.Config.Parts.TheftLock.Every())
	}
}
