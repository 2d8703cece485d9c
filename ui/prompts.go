package ui

import (
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/i18n"
)

// Bell sounds at the kiosk when the patient calls for help (or for staff to
// check the card), so staff nearby hear it before the console shows it.
// Ring is called on Fyne's goroutine and must return at once; nil is silent.
type Bell interface {
	Ring()
}

// prompt is what the View puts over the screen (View.Prompt): the question
// before the inactivity timeout, or the reminder of a card left on the
// reader. Nil when there is none or a staff page is open.
func (s *Shell) prompt() fyne.CanvasObject {
	if s.page.staff() {
		return nil
	}
	switch s.view.Prompt {
	case session.MsgStillThere:
		return s.stillTherePrompt()
	case session.MsgCardLeft:
		return s.cardLeftPrompt()
	}
	return nil
}

// stillTherePrompt dims the screen and asks: a tap anywhere (or any key)
// answers, as does the big button; the bar shows the time left.
func (s *Shell) stillTherePrompt() fyne.CanvasObject {
	t := s.tr()
	cont := s.send(session.EvStillHere)
	title := heading(t.T(i18n.StillThere))
	title.Alignment = fyne.TextAlignCenter
	text := body(t.T(i18n.StillThereBody))
	text.Alignment = fyne.TextAlignCenter
	bar := widget.NewProgressBar()
	bar.TextFormatter = func() string { return "" }
	bar.SetValue(s.promptLeft())
	s.every(200*time.Millisecond, func() { bar.SetValue(s.promptLeft()) })
	button := s.bigButton("still-here", t.T(i18n.Continue), cont)
	card := container.NewVBox(title, text, bar, container.NewCenter(button))
	return container.NewStack(newTapArea(color.NRGBA{0, 0, 0, 0xA0}, cont),
		container.New(promptLayout{}, panel(card, fynetheme.Color(fynetheme.ColorNameBackground))))
}

// promptLeft is the share of the question's time that is left, 1 → 0.
func (s *Shell) promptLeft() float64 {
	lead := s.view.PromptEnds.Sub(s.promptFrom)
	if lead <= 0 {
		return 0
	}
	return clamp01(float64(time.Until(s.view.PromptEnds)) / float64(lead))
}

func clamp01(x float64) float64 { return min(max(x, 0), 1) }

// cardLeftPrompt is a large reminder whose thick border blinks between
// the warning colour and the background while the card stays; it takes no
// touch.
func (s *Shell) cardLeftPrompt() fyne.CanvasObject {
	t := s.tr()
	warn, plain := fynetheme.Color(fynetheme.ColorNameWarning), fynetheme.Color(fynetheme.ColorNameBackground)
	title := canvas.NewText(t.T(i18n.DoneTakeCard), fynetheme.Color(fynetheme.ColorNameForegroundOnWarning))
	title.TextStyle.Bold = true
	title.TextSize = fynetheme.Size(fynetheme.SizeNameSubHeadingText)
	title.Alignment = fyne.TextAlignCenter
	strip := canvas.NewRectangle(warn)
	strip.CornerRadius = 8
	text := body(t.T(i18n.CardLeft))
	text.TextStyle.Bold = true
	text.SizeName = fynetheme.SizeNameSubHeadingText
	text.Alignment = fyne.TextAlignCenter
	words := container.NewVBox(container.NewStack(strip, container.NewPadded(title)), text,
		container.NewCenter(sized(takeCardPicture(), 200, 200)))
	bg := canvas.NewRectangle(plain)
	bg.CornerRadius = 16
	bg.StrokeColor, bg.StrokeWidth = warn, 10
	on := true
	s.every(600*time.Millisecond, func() {
		on = !on
		bg.StrokeColor = plain
		if on {
			bg.StrokeColor = warn
		}
		bg.Refresh()
	})
	pad := float32(bg.StrokeWidth) + fynetheme.Padding()
	// A light veil, not a tap area: the help button stays in reach.
	return container.NewStack(canvas.NewRectangle(color.NRGBA{0, 0, 0, 0x50}),
		container.New(promptLayout{}, container.NewStack(bg,
			container.New(layout.NewCustomPaddedLayout(pad, pad, pad, pad), words))))
}

// bigButton is the prompt's one answer: twice a touch target high.
func (s *Shell) bigButton(name, label string, tap func()) fyne.CanvasObject {
	b := widget.NewButton("", tap)
	b.Importance = widget.HighImportance
	s.targets[name] = b
	text := canvas.NewText(label, fynetheme.Color(fynetheme.ColorNameForegroundOnPrimary))
	text.TextSize = choiceTextSize
	text.TextStyle.Bold = true
	return sized(container.NewStack(b, container.NewCenter(text)), touchSize()*4, touchSize()*2)
}

// panel is a rounded card of colour bg around o.
func panel(o fyne.CanvasObject, bg color.Color) fyne.CanvasObject {
	r := canvas.NewRectangle(bg)
	r.CornerRadius = 16
	return container.NewStack(r, container.NewPadded(container.NewPadded(o)))
}

// promptLayout centres its object at 80% of the screen's width, as tall
// as it needs.
type promptLayout struct{}

func (promptLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var m fyne.Size
	for _, o := range objs {
		m = m.Max(o.MinSize())
	}
	return m
}

func (promptLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		w := size.Width * 0.8
		h := min(o.MinSize().Height, size.Height)
		o.Resize(fyne.NewSize(w, h))
		o.Move(fyne.NewPos((size.Width-w)/2, (size.Height-h)/2))
	}
}

// tapArea is a coloured surface that answers a tap anywhere on it.
type tapArea struct {
	widget.BaseWidget
	fill  color.Color
	onTap func()
}

func newTapArea(fill color.Color, onTap func()) *tapArea {
	a := &tapArea{fill: fill, onTap: onTap}
	a.ExtendBaseWidget(a)
	return a
}

func (a *tapArea) Tapped(*fyne.PointEvent) { a.onTap() }

func (a *tapArea) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(canvas.NewRectangle(a.fill))
}

// helpBanner says staff have been called, under the top bar.
func (s *Shell) helpBanner() fyne.CanvasObject {
	l := notice(s.tr().T(i18n.StaffCalled), widget.HighImportance)
	l.TextStyle.Bold = true
	icon := canvas.NewImageFromResource(fynetheme.NewColoredResource(fynetheme.InfoIcon(), fynetheme.ColorNamePrimary))
	icon.SetMinSize(fyne.NewSquareSize(chipTextSize))
	return container.NewPadded(container.NewBorder(nil, nil, container.NewCenter(icon), nil, l))
}

// callHelp is the help button: the session raises the call (View.HelpCalled).
func (s *Shell) callHelp() {
	s.report(s.cfg.Actions.Press(session.EvHelp))
}

// ringBell sounds the bell, if the kiosk has one.
func (s *Shell) ringBell() {
	if s.cfg.Bell != nil {
		s.cfg.Bell.Ring()
	}
}

// staffArrived answers the patient's help call: staff opened their pages
// on the kiosk, so they are there.
func (s *Shell) staffArrived() {
	if s.view.HelpCalled {
		s.report(s.cfg.Actions.Staff(session.EvHelpAnswered))
	}
}

// every runs fn on Fyne's goroutine every d until the next render.
func (s *Shell) every(d time.Duration, fn func()) {
	stop := make(chan struct{})
	s.loops = append(s.loops, stop)
	go func() {
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				fyne.Do(fn)
			}
		}
	}()
}

func (s *Shell) stopLoops() {
	for _, c := range s.loops {
		close(c)
	}
	s.loops = nil
}
