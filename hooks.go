package main

import (
	"fmt"
	"os"
	"sync"

	"fyne.io/fyne/v2"

	"github.com/uketsuke/uketsuke/app/harden"
	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/ui"
)

// Test hooks (environment), for end-to-end tests of the real binary. The
// demo always honours them; the production kiosk only when built with the
// `testhooks` tag, so an installed kiosk has none.
//
//	UKETSUKE_UI_TARGETS=FILE   write the shown state and every button's
//	                           on-screen rectangle (JSON) after each screen
//	UKETSUKE_STATUS=FILE       append each state the kiosk shows, one a line
//	                           (first line: the process's hardening)
//	UKETSUKE_DEMO_CARD=1       demo: place the standard holder's card at start
//	UKETSUKE_DEMO_OPERATOR=0   demo: no operator window
//	UKETSUKE_STAFF_PIN=DIGITS  demo: the staff PIN (6-12 digits)
//	UKETSUKE_WINDOWED=1        a 1280×800 window instead of full screen
type testHooks struct {
	on              bool
	targets, status string
	mu              sync.Mutex
	last            session.State
	begun           bool
}

func newTestHooks(production bool) *testHooks {
	if production && !testHooksBuilt {
		return &testHooks{}
	}
	return &testHooks{on: true, targets: os.Getenv("UKETSUKE_UI_TARGETS"), status: os.Getenv("UKETSUKE_STATUS")}
}

func (h *testHooks) windowed() bool { return h.on && os.Getenv("UKETSUKE_WINDOWED") == "1" }

// started records whether the process is hardened, as harden.Check sees it.
func (h *testHooks) started() {
	line := "hardened"
	if err := harden.Check(); err != nil {
		line = "not hardened: " + err.Error()
	}
	h.append(line)
}

// rendered writes the buttons of the screen just drawn.
func (h *testHooks) rendered(shell *ui.Shell) {
	if h.targets == "" || shell == nil {
		return
	}
	if err := shell.WriteTargets(h.targets); err != nil {
		fyne.LogError("writing the targets file", err)
	}
}

// shown logs each state the kiosk shows.
func (h *testHooks) shown(_ *ui.Shell, v session.View) {
	h.mu.Lock()
	changed := !h.begun || v.State != h.last
	h.begun, h.last = true, v.State
	h.mu.Unlock()
	if changed {
		h.append(v.State.String())
	}
}

func (h *testHooks) append(line string) {
	if h.status == "" {
		return
	}
	f, err := os.OpenFile(h.status, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		fyne.LogError("writing the status file", err)
		return
	}
	fmt.Fprintln(f, line)
	f.Close()
}
