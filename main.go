// Command uketsuke is the face-authentication card reader kiosk. With no
// arguments (or `demo`) it runs the kiosk; with a subcommand it runs that
// tool. This is the only package that imports fyne.io/fyne/v2/app, so that
// everything else builds and tests without OpenGL.
//
// With no hardware configured the kiosk runs the embedded default world
// (sim/kioskwire): the virtual My Number Card in process, simulated cameras
// and a local eligibility stand-in, plus an operator window to place or pull
// a card, pick a test person and make the face match succeed or fail.
//
// Test hooks (environment):
//
//	UKETSUKE_UI_TARGETS=FILE   write the shown state and every button's
//	                           on-screen rectangle (JSON) after each screen
//	UKETSUKE_STATUS=FILE       append each state the kiosk shows, one a line
//	UKETSUKE_DEMO_CARD=1       place the standard holder's card at start
//	UKETSUKE_DEMO_OPERATOR=0   no operator window
//	UKETSUKE_STAFF_PIN=DIGITS  the staff PIN (6–12 digits) of the staff menu
//	UKETSUKE_WINDOWED=1        a 1280×800 window instead of full screen
package main

import (
	"context"
	"fmt"
	"image"
	"os"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/uketsuke/uketsuke/app/secret"
	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/app/staff"
	"github.com/uketsuke/uketsuke/cli"
	"github.com/uketsuke/uketsuke/i18n"
	"github.com/uketsuke/uketsuke/sim/kioskwire"
	"github.com/uketsuke/uketsuke/ui"
	"github.com/uketsuke/uketsuke/ui/theme"
)

func main() {
	args := os.Args[1:]
	if len(args) > 0 && args[0] != "demo" {
		os.Exit(cli.Main(args))
	}
	windowed := len(args) > 0 || os.Getenv("UKETSUKE_WINDOWED") == "1"
	if len(args) > 1 {
		fmt.Fprintln(os.Stderr, "uketsuke: demo takes no arguments")
		os.Exit(2)
	}
	os.Exit(runKiosk(windowed))
}

// haveDisplay: GLFW panics without a display, so say so first.
func haveDisplay() bool {
	return os.Getenv("DISPLAY") != "" || os.Getenv("WAYLAND_DISPLAY") != ""
}

const noDisplayHelp = `uketsuke: no display (neither DISPLAY nor WAYLAND_DISPLAY is set).
The kiosk needs a graphical session. On a machine without one, run it under Xvfb:
    xvfb-run -a -s "-screen 0 1280x800x24" ./bin/uketsuke demo
Screens can also be rendered without any display:
    ./bin/uketsuke screenshot --lang en --screen method --out method.png`

func runKiosk(windowed bool) int {
	if !haveDisplay() {
		fmt.Fprintln(os.Stderr, noDisplayHelp)
		return 1
	}
	demo, err := kioskwire.New()
	if err != nil {
		fmt.Fprintln(os.Stderr, "uketsuke:", err)
		return 1
	}
	kiosk, err := session.New(session.Options{Devices: demo.Devices(), Settings: kioskwire.Settings()})
	if err != nil {
		fmt.Fprintln(os.Stderr, "uketsuke:", err)
		return 1
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go kiosk.Run(ctx)

	a := app.NewWithID("jp.uketsuke.kiosk")
	w := a.NewWindow("uketsuke")
	hooks := newTestHooks()
	var shell *ui.Shell
	shell = ui.New(ui.Config{
		Defaults: theme.Options{Lang: i18n.Default}, Actions: kiosk,
		Preview: demoPreview{demo}, Staff: staffGuard(), OnStaffExit: a.Quit,
		OnRender: func() { hooks.rendered(shell) },
	})
	defer shell.Close()
	w.SetContent(shell.Content())
	placeWindow(w, windowed)
	go follow(ctx, kiosk, shell, hooks)
	if os.Getenv("UKETSUKE_DEMO_OPERATOR") != "0" {
		newOperator(a, kiosk, demo).Show()
	}
	if os.Getenv("UKETSUKE_DEMO_CARD") == "1" {
		if card, err := demo.Issue(kioskwire.PersonStandard); err == nil {
			kiosk.CardPlaced(card)
		}
	}
	w.ShowAndRun()
	return 0
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

// staffGuard checks the staff PIN from UKETSUKE_STAFF_PIN (6–12 digits),
// hashed at start; nil without one.
func staffGuard() ui.StaffCheck {
	pin := secret.Take([]byte(os.Getenv("UKETSUKE_STAFF_PIN")))
	defer pin.Destroy()
	if pin.Len() == 0 {
		return nil
	}
	hash, err := staff.HashPIN(pin.Bytes())
	if err != nil {
		fmt.Fprintln(os.Stderr, "uketsuke: UKETSUKE_STAFF_PIN:", err)
		return nil
	}
	g, err := staff.NewGuard(hash)
	if err != nil {
		fmt.Fprintln(os.Stderr, "uketsuke: UKETSUKE_STAFF_PIN:", err)
		return nil
	}
	return g
}

// testHooks write what an end-to-end test needs to see; all off unless set.
type testHooks struct {
	targets, status string
	mu              sync.Mutex
	last            session.State
	started         bool
}

func newTestHooks() *testHooks {
	return &testHooks{targets: os.Getenv("UKETSUKE_UI_TARGETS"), status: os.Getenv("UKETSUKE_STATUS")}
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
	defer h.mu.Unlock()
	if h.status == "" || (h.started && v.State == h.last) {
		return
	}
	h.started, h.last = true, v.State
	f, err := os.OpenFile(h.status, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		fyne.LogError("writing the status file", err)
		return
	}
	fmt.Fprintln(f, v.State)
	f.Close()
}

// demoPreview draws what the simulated face camera sees: its frames are
// tiny tagged stand-ins, so the preview shows a drawn figure instead.
type demoPreview struct{ d *kioskwire.Demo }

// emptyScene is the camera's view with nobody in front of it.
var emptyScene = func() image.Image {
	img := image.NewNRGBA(image.Rect(0, 0, 48, 60))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = 0x30, 0x33, 0x38, 0xFF
	}
	return img
}()

func (p demoPreview) Latest() image.Image {
	if someone, _ := p.d.Seen(); someone {
		return ui.SyntheticPreview{}.Latest()
	}
	return emptyScene
}

// operator is the demo's control window: the world around the kiosk.
type operator struct {
	k      *session.Kiosk
	d      *kioskwire.Demo
	person kioskwire.Person
	status *widget.Label
}

func newOperator(a fyne.App, k *session.Kiosk, d *kioskwire.Demo) fyne.Window {
	op := &operator{k: k, d: d, status: widget.NewLabel("")}
	w := a.NewWindow("uketsuke demo: operator")
	w.SetContent(op.content())
	w.Resize(fyne.NewSize(560, 780)) // the kiosk theme (large type) applies here too
	return w
}

func (op *operator) content() fyne.CanvasObject {
	var labels []string
	for _, p := range kioskwire.People {
		labels = append(labels, p.Label)
	}
	people := widget.NewSelect(labels, func(s string) {
		for _, p := range kioskwire.People {
			if p.Label == s {
				op.person = p.Person
			}
		}
	})
	people.SetSelectedIndex(0)
	face := widget.NewRadioGroup([]string{"Nobody at the camera", "The card's holder (match)", "A stranger (no match)",
		"Holder wearing a mask", "Holder too far away"}, op.showFace)
	face.SetSelected("Nobody at the camera")
	down := widget.NewCheck("Eligibility service down", op.d.ServiceDown)
	return container.NewVScroll(container.NewVBox(
		widget.NewLabelWithStyle("Card", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		people,
		container.NewGridWithColumns(2, widget.NewButton("Place card", op.place), widget.NewButton("Pull card", op.pull)),
		widget.NewLabelWithStyle("Face camera", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		face,
		widget.NewLabelWithStyle("Staff terminal", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewGridWithColumns(3,
			widget.NewButton("Visual check", func() { op.staff(session.EvStaffStart) }),
			widget.NewButton("Approve", func() { op.staff(session.EvStaffApprove) }),
			widget.NewButton("Reject", func() { op.staff(session.EvStaffReject) })),
		down,
		widget.NewButton("Exit kiosk (staff)", func() { fyne.CurrentApp().Quit() }),
		op.status,
	))
}

func (op *operator) place() {
	card, err := op.d.Issue(op.person)
	if err == nil {
		err = op.k.CardPlaced(card)
	}
	op.report("card placed", err)
}

func (op *operator) pull() {
	err := op.d.Pull()
	if err == nil {
		err = op.k.CardRemoved()
	}
	op.report("card pulled", err)
}

func (op *operator) showFace(choice string) {
	switch choice {
	case "The card's holder (match)":
		op.d.ShowFace(true, true, session.GuidanceNone)
	case "A stranger (no match)":
		op.d.ShowFace(true, false, session.GuidanceNone)
	case "Holder wearing a mask":
		op.d.ShowFace(true, true, session.GuidanceMask)
	case "Holder too far away":
		op.d.ShowFace(true, true, session.GuidanceCloser)
	default:
		op.d.ShowFace(false, false, session.GuidanceNone)
	}
}

func (op *operator) staff(kind session.EventKind) { op.report(kind.String(), op.k.Staff(kind)) }

func (op *operator) report(what string, err error) {
	if err != nil {
		op.status.SetText(what + ": " + err.Error())
		return
	}
	op.status.SetText(what)
}
