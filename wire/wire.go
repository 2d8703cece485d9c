// Package wire is the composition root: the one place where the kiosk's
// parts are chosen and put together, from a validated configuration
// (app/config). The production kiosk, the demo, `uketsuke simulate` and the
// integration tests all build their world here and differ only in their
// configuration; nothing else calls a constructor of a real or stand-in part.
package wire

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/uketsuke/uketsuke/app/audit"
	"github.com/uketsuke/uketsuke/app/config"
	"github.com/uketsuke/uketsuke/app/mynacard"
	"github.com/uketsuke/uketsuke/app/operator"
	"github.com/uketsuke/uketsuke/app/reception"
	"github.com/uketsuke/uketsuke/app/revisit"
	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/app/staff"
	"github.com/uketsuke/uketsuke/hardware/pkcs11"
	"github.com/uketsuke/uketsuke/hardware/usb"
	"github.com/uketsuke/uketsuke/i18n"
	"github.com/uketsuke/uketsuke/sim/world"
)

// Options say how the world is used.
type Options struct {
	// Production refuses what only the demo and tests may use: virtual and
	// stand-in parts, no staff PIN, no trust anchors, allow_still with a
	// live camera. It is the configuration a clinic runs.
	Production bool
	// Log receives what goes wrong with parts at start and while running
	// (no personal data); nil: slog's default logger.
	Log *slog.Logger
	// Version is the kiosk software's version for the audit log.
	Version audit.Version
	// USB tells which USB device is behind a camera node or reader name;
	// nil: the kiosk's /sys.
	USB usb.Bus
}

// World is one kiosk's parts, put together.
type World struct {
	Config   *config.Config
	Devices  session.Devices
	Settings session.Settings
	Audit    *audit.Logger // the operation and error logs (parts.audit)
	Staff    *staff.Guard  // nil without a staff PIN
	// Operators logs registered staff in with their own card; nil without
	// registered operators.
	Operators *operator.Authenticator
	// HPKI is the PKCS#11 module that reads HPKI cards; nil when none is configured.
	HPKI *pkcs11.Module
	// Desk is operator login for the staff pages, with the reader's cards
	// routed to it while it waits for one; nil without registered operators.
	Desk    *StaffDesk
	Sim     *world.World // the simulated surroundings; nil on a real kiosk
	Anchors *mynacard.TrustAnchors
	Catalog *i18n.Catalog // the built-in messages with the facility's wording
	// Printer prints reception tickets; nil when none is configured (the
	// number is then shown on screen only).
	Printer revisit.Printer
	// TheftLock locks re-visit reception (parts.theft_lock); nil without one.
	TheftLock *revisit.TheftLock

	log            *slog.Logger
	usb            usb.Bus
	reader         *pcscReader // nil with the virtual reader
	results        *session.EligibilityAdapter
	files          *audit.Session     // the reception files' audit record
	encoding       reception.Encoding // of the result files, parsed once
	requestService *reception.Service
	faults         []session.ErrorCode
	consoleParts   *consoleParts // nil when the console is off
	rv             revisitParts  // re-visit reception; empty when it is off
	facilityMu     sync.Mutex
	onFacility     func(*i18n.Catalog, i18n.Lang) // hears console wording changes
	version        string
	closers        []func()
}

// ErrConfig wraps every reason a world cannot be built from its configuration.
var ErrConfig = errors.New("wire: configuration")

// Build checks the configuration and assembles its world. On error nothing
// stays open.
func Build(cfg *config.Config, o Options) (*World, error) {
	if err := check(cfg, o); err != nil {
		return nil, err
	}
	if err := checkRevisitFiles(cfg, o.Production); err != nil {
		return nil, err
	}
	if o.Production {
		if err := checkMemLock(cfg); err != nil {
			return nil, err
		}
	}
	cfg, err := withConsoleSettings(cfg)
	if err != nil {
		return nil, err
	}
	w := &World{Config: cfg, Settings: session.SettingsFrom(cfg), log: o.Log, version: o.Version.String()}
	if w.log == nil {
		w.log = slog.Default()
	}
	if w.usb = o.USB; w.usb == nil {
		w.usb = usb.Sysfs{Root: "/sys"}
	}
	// The journal names the version too, for a start that fails before the audit log opens.
	w.log.Info("uketsuke starting", "version", o.Version.String(), "kiosk", cfg.Parts.KioskID)
	if err := w.assemble(o); err != nil {
		w.Close()
		return nil, err
	}
	return w, nil
}

// assemble builds the parts in the order they need each other.
func (w *World) assemble(o Options) error {
	eng, err := w.openFaceEngine()
	if err != nil {
		return err
	}
	steps := []func() error{func() error { return w.auditLog(o.Version) }, func() error { return w.simulated(eng) },
		w.trust, w.cardReader, w.cameras, w.cardFaceReader, func() error { return w.faceDevices(eng) },
		w.eligibility, w.staffGuard, w.operators, w.console, w.ticketPrinter, w.wording,
		w.theftLock, w.revisit}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	w.Settings.Workers = workers(w.Config)
	return nil
}

func check(cfg *config.Config, o Options) error {
	if cfg == nil || cfg.Parts == nil {
		return fmt.Errorf("%w: no parts section", ErrConfig)
	}
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrConfig, err)
	}
	if o.Production {
		if err := errors.Join(cfg.Parts.Production(), cfg.ProductionPolicy()); err != nil {
			return fmt.Errorf("%w: %w", ErrConfig, err)
		}
	}
	return nil
}

// Run feeds the reader's card events and the parts' faults into the kiosk
// until ctx ends.
func (w *World) Run(ctx context.Context, k *session.Kiosk) {
	board := newFaultBoard(k)
	for _, f := range w.faults {
		board.set(f, true)
	}
	if w.requestService != nil {
		go w.requestService.Run(ctx)
	}
	go w.watchResults(ctx, board)
	go w.serveConsole(ctx, k, board)
	go w.runTheftLock(ctx)
	w.runRevisit(ctx)
	if w.reader != nil {
		w.reader.run(ctx, k, board)
	}
}

// ServeRequests answers the reception system's req/ files until ctx ends
// (Run does this for a kiosk; `simulate --reqres` runs it alone).
func (w *World) ServeRequests(ctx context.Context) error {
	if w.requestService == nil {
		return ErrNotSimulated
	}
	return w.requestService.Run(ctx)
}

// watchResults writes the result files a full disk or a missing share held
// back, and keeps the fault on screen until they are all written.
func (w *World) watchResults(ctx context.Context, board *faultBoard) {
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	faulty := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		err := w.results.Flush()
		switch {
		case err != nil && !faulty:
			faulty = true
			board.set(session.ErrCodeResults, true)
			w.log.Warn("result files held back", "fault", string(session.ErrCodeResults), "waiting", w.results.Unsent(), "err", err)
		case err == nil && faulty:
			faulty = false
			board.set(session.ErrCodeResults, false)
			w.log.Info("result files written again")
		}
	}
}

// Close releases every part, newest first.
func (w *World) Close() {
	for i := len(w.closers) - 1; i >= 0; i-- {
		w.closers[i]()
	}
	w.closers = nil
}

func (w *World) onClose(f func()) { w.closers = append(w.closers, f) }

// fault records a part that is missing at start, for the screen and the log.
func (w *World) fault(code session.ErrorCode, err error) {
	w.faults = append(w.faults, code)
	w.log.Warn("part missing", "fault", string(code), "err", err)
}
