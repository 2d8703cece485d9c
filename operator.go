package main

import (
	"context"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/sim/scenario"
	"github.com/uketsuke/uketsuke/sim/world"
	"github.com/uketsuke/uketsuke/ui"
	"github.com/uketsuke/uketsuke/wire"
)

// start opens the demo's control window (the world around the kiosk),
// follows the sessions for their result files, and places the standard
// holder's card when the test hooks ask.
func (op *operator) start(a fyne.App, k *session.Kiosk, w *wire.World) {
	op.k, op.w, op.sim, op.results = k, w, w.Sim, w.Config.Parts.Results.Dir
	op.status, op.result, op.stages = widget.NewLabel(""), widget.NewLabel("(no session yet)"), widget.NewLabel("")
	op.stages.TextStyle = fyne.TextStyle{Monospace: true}
	op.timings.mu.Lock()
	op.timings.onChange = func(text string) { op.ui(func() { op.stages.SetText(text) }) }
	op.timings.mu.Unlock()
	go op.follow(k)
	if os.Getenv("UKETSUKE_DEMO_OPERATOR") != "0" {
		win := a.NewWindow("uketsuke demo: operator")
		win.SetContent(op.content())
		win.Resize(fyne.NewSize(1100, 780)) // the kiosk theme (large type) applies here too
		win.Show()
	}
	if os.Getenv("UKETSUKE_DEMO_CARD") == "1" {
		op.place()
	}
}

// follow notes the result file of every session that completes.
func (op *operator) follow(k *session.Kiosk) {
	last := session.StateIdle
	for v := range k.Watch(context.Background()) {
		if v.State == session.StateDone && last != session.StateDone {
			op.sessionDone()
		}
		last = v.State
	}
}

// sessionDone shows the newest result file in face/.
func (op *operator) sessionDone() {
	dir := filepath.Join(op.results, "face")
	entries, err := os.ReadDir(dir)
	newest, at := "", time.Time{}
	for _, e := range entries {
		if fi, err := e.Info(); err == nil && fi.Mode().IsRegular() && !strings.HasPrefix(e.Name(), ".") && fi.ModTime().After(at) {
			newest, at = filepath.Join(dir, e.Name()), fi.ModTime()
		}
	}
	op.mu.Lock()
	op.last = newest
	op.mu.Unlock()
	text := newest
	if newest == "" {
		text = fmt.Sprintf("no result file in %s (%v)", dir, err)
	}
	if op.result != nil {
		op.ui(func() { op.result.SetText(text) })
	}
}

// ui changes the window from any goroutine: on Fyne's goroutine, one
// change at a time (a test driver runs fyne.Do on the caller's goroutine).
func (op *operator) ui(f func()) {
	op.uiMu.Lock()
	defer op.uiMu.Unlock()
	fyne.Do(f)
}

// lastResult is the result file of the last completed session.
func (op *operator) lastResult() string {
	op.mu.Lock()
	defer op.mu.Unlock()
	return op.last
}

// demoPreview draws what the simulated face camera sees: its stand-in
// frames are tiny tagged images, so the preview shows a drawn figure.
type demoPreview struct{ sim *world.World }

// emptyScene is the camera's view with nobody in front of it.
var emptyScene = func() image.Image {
	img := image.NewNRGBA(image.Rect(0, 0, 48, 60))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = 0x30, 0x33, 0x38, 0xFF
	}
	return img
}()

func (p demoPreview) Latest() image.Image {
	if p.sim.Seen() != "nobody" {
		return ui.SyntheticPreview{}.Latest()
	}
	return emptyScene
}

// operator is the demo's hand in the simulated world.
type operator struct {
	k       *session.Kiosk
	w       *wire.World
	sim     *world.World
	person  world.Person
	note    string // real pieces or stand-ins, and why
	results string // the 連携 folder
	timings *stageLog
	status  *widget.Label
	result  *widget.Label // the last session's result file
	stages  *widget.Label // the last session's stage timings

	mu     sync.Mutex
	card   scenario.Card
	pulled scenario.Card // the card last pulled: "Same card again" places it back
	last   string
	face   *widget.RadioGroup // nil without the window

	uiMu sync.Mutex
}

// Who the face camera sees (the operator's choices).
const (
	faceNobody   = "Nobody at the camera"
	faceHolder   = "The card's holder (match)"
	faceStranger = "A stranger (no match)"
	faceMask     = "Holder wearing a mask"
	faceFar      = "Holder too far away"
)

func (op *operator) content() fyne.CanvasObject {
	var labels []string
	for _, p := range world.People {
		labels = append(labels, p.Label)
	}
	people := widget.NewSelect(labels, func(s string) {
		for _, p := range world.People {
			if p.Label == s {
				op.person = p.Person
			}
		}
	})
	people.SetSelectedIndex(0)
	face := widget.NewRadioGroup([]string{faceNobody, faceHolder, faceStranger, faceMask, faceFar}, op.showFace)
	face.SetSelected(op.seen())
	op.mu.Lock()
	op.face = face
	op.mu.Unlock()
	down := widget.NewCheck("Eligibility service down", op.sim.ServiceDown)
	op.result.Wrapping = fyne.TextWrapBreak
	controls := container.NewVScroll(container.NewVBox(
		widget.NewLabelWithStyle("Card", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		people,
		container.NewGridWithColumns(3, widget.NewButton("Place card", op.place), widget.NewButton("Pull card", op.pull),
			widget.NewButton("Same card again", op.placeAgain)),
		widget.NewLabelWithStyle("Face camera", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		face,
		widget.NewLabelWithStyle("Staff terminal", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewGridWithColumns(3,
			widget.NewButton("Visual check", func() { op.staff(session.EvStaffStart) }),
			widget.NewButton("Approve", func() { op.staff(session.EvStaffApprove) }),
			widget.NewButton("Reject", func() { op.staff(session.EvStaffReject) })),
		widget.NewButton("Answer the help call", func() { op.staff(session.EvHelpAnswered) }),
		down,
		widget.NewButton("Exit kiosk (staff)", func() { fyne.CurrentApp().Quit() }),
		op.status,
	))
	info := container.NewVScroll(container.NewVBox(
		widget.NewLabelWithStyle("Last session's stages", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		op.stages,
		widget.NewLabelWithStyle("Last result file", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		op.result,
		widget.NewLabelWithStyle("World", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		wrapped(op.note),
	))
	return container.NewGridWithColumns(2, controls, info)
}

// setFace puts someone at the camera as the operator's choice would (a
// script's hand), keeping the window's choice in step.
func (op *operator) setFace(choice string) {
	op.mu.Lock()
	face := op.face
	op.mu.Unlock()
	if face == nil {
		op.showFace(choice)
		return
	}
	op.ui(func() { face.SetSelected(choice) }) // calls showFace
}

func wrapped(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// seen is the operator's choice matching who the camera sees now.
func (op *operator) seen() string {
	switch op.sim.Seen() {
	case "holder":
		return faceHolder
	case "stranger":
		return faceStranger
	}
	return faceNobody
}

func (op *operator) place() {
	op.mu.Lock()
	defer op.mu.Unlock()
	if op.card != nil {
		op.report("card placed", errCardOnReader)
		return
	}
	op.timings.reset()
	card, err := op.sim.Issue(op.person)
	if err == nil {
		op.card = card
		err = op.w.PlaceCard(op.k, card) // a staff card goes to a waiting staff login
	}
	op.report("card placed", err)
}

// placeAgain puts the card last pulled back on the reader: the patient's
// next visit with the same card (re-visit reception knows it).
func (op *operator) placeAgain() {
	op.mu.Lock()
	defer op.mu.Unlock()
	switch {
	case op.card != nil:
		op.report("card placed again", errCardOnReader)
		return
	case op.pulled == nil:
		op.report("card placed again", errNoCardPulled)
		return
	}
	op.timings.reset()
	card, err := op.sim.PlaceAgain(op.pulled)
	if err == nil {
		op.card, op.pulled = card, nil
		err = op.w.PlaceCard(op.k, card)
	}
	op.report("card placed again", err)
}

func (op *operator) pull() {
	op.mu.Lock()
	defer op.mu.Unlock()
	if op.card == nil {
		op.report("card pulled", errNoCard)
		return
	}
	op.card.Pull()
	op.card, op.pulled = nil, op.card
	op.report("card pulled", op.w.CardPulled(op.k))
}

type operatorError string

func (e operatorError) Error() string { return string(e) }

const (
	errNoCard       = operatorError("no card on the reader")
	errCardOnReader = operatorError("a card is already on the reader: pull it first")
	errNoCardPulled = operatorError("no card was pulled yet: place one first")
)

func (op *operator) showFace(choice string) {
	switch choice {
	case faceHolder:
		op.sim.ShowFace("holder", session.GuidanceNone)
	case faceStranger:
		op.sim.ShowFace("stranger", session.GuidanceNone)
	case faceMask:
		op.sim.ShowFace("holder", session.GuidanceMask)
	case faceFar:
		op.sim.ShowFace("holder", session.GuidanceCloser)
	default:
		op.sim.ShowFace("nobody", session.GuidanceNone)
	}
}

func (op *operator) staff(kind session.EventKind) { op.report(kind.String(), op.k.Staff(kind)) }

func (op *operator) report(what string, err error) {
	text := what
	if err != nil {
		text = what + ": " + err.Error()
	}
	op.ui(func() { op.status.SetText(text) }) // from buttons, scripts and the test hooks
}
