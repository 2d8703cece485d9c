package main

import (
	"image"
	"os"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/sim/scenario"
	"github.com/uketsuke/uketsuke/sim/world"
	"github.com/uketsuke/uketsuke/ui"
	"github.com/uketsuke/uketsuke/wire"
)

// startOperator opens the demo's control window (the world around the
// kiosk) and places the standard holder's card when the test hooks ask.
func startOperator(a fyne.App, k *session.Kiosk, w *wire.World) {
	op := &operator{k: k, sim: w.Sim, status: widget.NewLabel("")}
	if os.Getenv("UKETSUKE_DEMO_OPERATOR") != "0" {
		win := a.NewWindow("uketsuke demo: operator")
		win.SetContent(op.content())
		win.Resize(fyne.NewSize(560, 780)) // the kiosk theme (large type) applies here too
		win.Show()
	}
	if os.Getenv("UKETSUKE_DEMO_CARD") == "1" {
		op.place()
	}
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
	k      *session.Kiosk
	sim    *world.World
	person world.Person
	status *widget.Label

	mu   sync.Mutex
	card scenario.Card
}

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
	face := widget.NewRadioGroup([]string{"Nobody at the camera", "The card's holder (match)", "A stranger (no match)",
		"Holder wearing a mask", "Holder too far away"}, op.showFace)
	face.SetSelected("Nobody at the camera")
	down := widget.NewCheck("Eligibility service down", op.sim.ServiceDown)
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
	op.mu.Lock()
	defer op.mu.Unlock()
	if op.card != nil {
		op.report("card placed", errCardOnReader)
		return
	}
	card, err := op.sim.Issue(op.person)
	if err == nil {
		op.card = card
		err = op.k.CardPlaced(card)
	}
	op.report("card placed", err)
}

func (op *operator) pull() {
	op.mu.Lock()
	defer op.mu.Unlock()
	if op.card == nil {
		op.report("card pulled", errNoCard)
		return
	}
	op.card.Pull()
	op.card = nil
	op.report("card pulled", op.k.CardRemoved())
}

type operatorError string

func (e operatorError) Error() string { return string(e) }

const (
	errNoCard       = operatorError("no card on the reader")
	errCardOnReader = operatorError("a card is already on the reader: pull it first")
)

func (op *operator) showFace(choice string) {
	switch choice {
	case "The card's holder (match)":
		op.sim.ShowFace("holder", session.GuidanceNone)
	case "A stranger (no match)":
		op.sim.ShowFace("stranger", session.GuidanceNone)
	case "Holder wearing a mask":
		op.sim.ShowFace("holder", session.GuidanceMask)
	case "Holder too far away":
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
	op.status.SetText(text) // called on Fyne's goroutine (buttons) or before it runs
}
