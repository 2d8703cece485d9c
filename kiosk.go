package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/uketsuke/uketsuke/app/audit"
	"github.com/uketsuke/uketsuke/app/config"
	"github.com/uketsuke/uketsuke/app/guidance"
	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/app/staff"
	"github.com/uketsuke/uketsuke/cli"
	"github.com/uketsuke/uketsuke/hardware/speech"
	"github.com/uketsuke/uketsuke/i18n"
	"github.com/uketsuke/uketsuke/ui"
	"github.com/uketsuke/uketsuke/ui/theme"
	"github.com/uketsuke/uketsuke/wire"
)

// version is the kiosk software's version in the audit log.
var version = audit.Version{Major: 0, Minor: 2}

// kioskMode says which extras a kiosk window gets.
type kioskMode struct {
	production bool
	windowed   bool                                        // a fixed 1280x800 window instead of full screen
	demo       func(fyne.App, *session.Kiosk, *wire.World) // the demo's operator window
	// preview replaces the camera's own preview (the demo's stand-in frames are tags)
	preview func(*wire.World) ui.Preview
	// onStage receives each timed stage of session work (the demo's timings)
	onStage func(*wire.World, session.Stage)
	// script plays the operator's part once the kiosk shows; the kiosk
	// exits with the status it passes to quit
	script func(ctx context.Context, k *session.Kiosk, w *wire.World, quit func(code int))
}

// runKiosk builds the configuration's world, starts the session machine
// and the reader, and shows the kiosk until staff end it.
func runKiosk(cfg *config.Config, mode kioskMode) int {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	w, err := wire.Build(cfg, wire.Options{Production: mode.production, Log: log, Version: version})
	if err != nil {
		return fail(err)
	}
	defer w.Close()
	tap := ui.NewPreviewTap(w.Devices.FaceCamera, 320)
	w.Devices.FaceCamera = tap
	var preview ui.Preview = tap
	if mode.preview != nil {
		preview = mode.preview(w)
	}
	var onStage func(session.Stage)
	if mode.onStage != nil {
		onStage = func(st session.Stage) { mode.onStage(w, st) }
	}
	kiosk, err := session.New(session.Options{Devices: w.Devices, Settings: w.Settings, Audit: w.Audit, OnStage: onStage})
	if err != nil {
		return fail(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	sessionDone := make(chan struct{})
	go func() { kiosk.Run(ctx); close(sessionDone) }()
	// Runs before w.Close, also on SIGTERM and SIGINT (Fyne's driver quits
	// the app on both): a patient's session still open ends, is wiped and
	// logged while its parts are still there.
	defer endSession(cancel, sessionDone, log)
	go w.Run(ctx, kiosk)

	voice, sp, closeVoice := startVoice(cfg, w, log)
	defer closeVoice()

	a := app.NewWithID("jp.uketsuke.kiosk")
	win := a.NewWindow("uketsuke")
	hooks := newTestHooks(mode.production)
	hooks.started()
	bell, keyTones := soundsOf(cfg, log)
	var shell *ui.Shell
	shell = ui.New(ui.Config{
		Catalog: w.Catalog, Defaults: theme.Options{Lang: i18n.Lang(cfg.Facility.DefaultLanguage)}, Actions: kiosk,
		Preview: preview, Staff: staffCheck(w), Operators: staffDesk(w), OnStaffExit: a.Quit,
		RevisitLock: revisitLock(w), OnRender: func() { hooks.rendered(shell) }, Voice: voice, Bell: bell, Feedback: keyTones,
	})
	defer shell.Close()
	// Wording and default language changed from the management console.
	w.OnFacilityChange(func(c *i18n.Catalog, l i18n.Lang) {
		if sp != nil { // the voice says the new words, not the old
			sp.UseCatalog(c)
			sp.Warm(l)
		}
		fyne.Do(func() { shell.SetFacility(c, l) })
	})
	win.SetContent(shell.Content())
	placeWindow(win, mode.windowed || hooks.windowed())
	go follow(ctx, kiosk, shell, hooks)
	if mode.demo != nil {
		mode.demo(a, kiosk, w)
	}
	var code atomic.Int32
	if mode.script != nil {
		var once sync.Once
		go mode.script(ctx, kiosk, w, func(c int) { once.Do(func() { code.Store(int32(c)); fyne.Do(a.Quit) }) })
	}
	win.ShowAndRun()
	return int(code.Load())
}

// sessionEndTime bounds the wait for the session machine at exit: a
// session stuck on a device must not keep a stopping kiosk alive.
const sessionEndTime = 5 * time.Second

func endSession(cancel context.CancelFunc, done <-chan struct{}, log *slog.Logger) {
	cancel()
	select {
	case <-done:
	case <-time.After(sessionEndTime):
		log.Warn("the session machine did not stop in time; exiting without it")
	}
}

// startVoice builds the voice guidance from the configuration
// (parts.speech) and renders the default language's prompts in the
// background. Nil when it is off, and when the kiosk cannot speak (no
// espeak-ng or player): that is logged and the kiosk stays silent.
func startVoice(cfg *config.Config, w *wire.World, log *slog.Logger) (ui.Voice, *speech.Speaker, func()) {
	sp, err := wire.SpeakerOf(cfg, w.Catalog)
	if err != nil {
		log.Warn("voice guidance unavailable; the kiosk stays silent", "err", err)
		return nil, nil, func() {}
	}
	if sp == nil {
		return nil, nil, func() {}
	}
	sp.Warm(i18n.Lang(cfg.Facility.DefaultLanguage))
	n := guidance.NewNarrator(sp, guidance.NarratorOptions{})
	return n, sp, func() { n.Close(); sp.Close() }
}

// placeWindow makes the kiosk full screen with no way to close it but
// staff authentication, or a plain window for the demo.
func placeWindow(w fyne.Window, windowed bool) {
	w.SetCloseIntercept(func() {}) // closing is the staff's exit, not the window's X
	if windowed {
		w.Resize(fyne.NewSize(theme.ScreenWidthPx, theme.ScreenHeightPx))
		w.SetFixedSize(true)
		return
	}
	w.SetPadded(false)
	w.SetFullScreen(true)
}

// follow renders every snapshot on Fyne's goroutine.
func follow(ctx context.Context, k *session.Kiosk, shell *ui.Shell, hooks *testHooks) {
	for v := range k.Watch(ctx) {
		fyne.Do(func() {
			shell.Show(v)
			hooks.shown(shell, v)
		})
	}
}

// demo runs the kiosk in the simulated world with an operator window:
// the real pieces (Tesseract, the ONNX face engine on photographs, the
// HTTPS eligibility stand-in) when the photos and models are there,
// stand-ins otherwise. With --script it plays the operator's part itself.
func demo(args []string) int {
	f, err := parseDemoFlags(args)
	if err != nil {
		return fail(err)
	}
	if !haveDisplay() {
		fmt.Fprintln(os.Stderr, noDisplayHelp)
		return 1
	}
	dir := f.dir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "uketsuke-demo-"); err != nil {
			return fail(err)
		}
		defer os.RemoveAll(dir)
	}
	cfg, note := wire.DemoConfig(wire.Demo{Dir: dir, Models: f.models, Card: f.card, Revisit: f.revisit,
		Holder: filepath.Join(f.photos, demoHolder), Stranger: filepath.Join(f.photos, demoStranger)})
	if err := demoStaffPIN(cfg); err != nil {
		return fail(err)
	}
	if f.staffCard {
		if err := wire.RegisterDemoStaff(cfg); err != nil {
			return fail(err)
		}
	}
	fmt.Fprintln(os.Stderr, "uketsuke demo:", note)
	timings := newStageLog(f.script != "")
	op := &operator{note: note, timings: timings}
	mode := kioskMode{windowed: true, demo: op.start, onStage: timings.add}
	if cfg.Parts.FaceEngine.Kind != config.KindONNX {
		// the stand-in frames are tags: draw a figure instead
		mode.preview = func(w *wire.World) ui.Preview { return demoPreview{w.Sim} }
	}
	if f.script != "" {
		play, ok := demoScripts[f.script]
		if !ok {
			return fail(fmt.Errorf("%w: demo --script %q: face-ok, pin-ok, stranger-then-pin or card-pulled", cli.ErrUsage, f.script))
		}
		mode.script = func(ctx context.Context, k *session.Kiosk, w *wire.World, quit func(int)) {
			code := runDemoScript(ctx, op, timings, play, f.timeout, f.script)
			if f.exitWhenDone {
				select {
				case <-time.After(f.linger):
				case <-ctx.Done():
				}
				quit(code)
			}
		}
	}
	return runKiosk(cfg, mode)
}

// demoStaffPIN hashes the demo's staff PIN from the environment.
func demoStaffPIN(cfg *config.Config) error {
	pin := os.Getenv("UKETSUKE_STAFF_PIN")
	if pin == "" {
		return nil
	}
	h, err := staff.HashPIN([]byte(pin))
	if err != nil {
		return fmt.Errorf("UKETSUKE_STAFF_PIN: %w", err)
	}
	cfg.Parts.Staff.PINHash = h
	return nil
}

// staffCheck is the staff PIN guard, or nil (a nil *staff.Guard inside the
// interface would not read as "no staff PIN" to the UI).
func staffCheck(w *wire.World) ui.StaffCheck {
	if w.Staff == nil {
		return nil
	}
	return w.Staff
}

// revisitLock is re-visit reception's theft lock, or nil without one.
func revisitLock(w *wire.World) ui.RevisitLock {
	if w.TheftLock == nil {
		return nil
	}
	return w.TheftLock
}

// staffDesk is operator login by staff card, or nil without registered
// operators (for the same reason as staffCheck).
func staffDesk(w *wire.World) ui.OperatorDesk {
	if w.Desk == nil {
		return nil
	}
	return w.Desk
}

// soundsOf builds the help call's chime and the keypad's tick and buzz,
// through the voice guidance's player. The bell calls staff, so it rings
// even where voice guidance is off; the keypad's tones are part of the
// guidance and follow it. Without a sound player both are silent (nil).
func soundsOf(cfg *config.Config, log *slog.Logger) (ui.Bell, ui.KeyFeedback) {
	sp := cfg.Parts.SpeechOrDefault()
	bell, err := wire.NewBell(sp.Player, log)
	if err != nil {
		log.Warn("the call bell and the keypad's tones are silent", "err", err)
		return nil, nil
	}
	if !sp.Enabled {
		return bell, nil
	}
	keys, err := wire.NewKeyTones(sp.Player, log)
	if err != nil {
		return bell, nil
	}
	return bell, keys
}
