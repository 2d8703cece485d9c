package ui

import (
	"fmt"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/i18n"
	"github.com/uketsuke/uketsuke/ui/theme"
)

// Re-visit reception's screens (docs/revisit.md "The flow").

// revisitScreen picks the builder for a re-visit state; ok is false for
// the other states.
func (s *Shell) revisitScreen(v session.View) (fyne.CanvasObject, bool) {
	switch v.State {
	case session.StateVisitKind:
		return s.visitKindScreen(), true
	case session.StateRecognising:
		return s.waitScreen(i18n.RecogniseTitle, i18n.PleaseWait), true
	case session.StateDepartment:
		return s.departmentScreen(v), true
	case session.StateTicketing:
		return s.waitScreen(i18n.TicketingTitle, i18n.PleaseWait), true
	case session.StateTicket:
		return s.ticketScreen(v), true
	case session.StateLinkOffer:
		return s.linkOfferScreen(), true
	case session.StateLinking:
		return s.waitScreen(i18n.LinkingTitle, i18n.PleaseWait), true
	case session.StateReferred:
		return s.referredScreen(v), true
	case session.StateUnlinkConfirm:
		return s.unlinkConfirmScreen(), true
	case session.StateUnlinking:
		return s.waitScreen(i18n.UnlinkingTitle, i18n.PleaseWait), true
	case session.StateUnlinked:
		return s.endScreen(i18n.UnlinkedTitle, i18n.UnlinkedBody), true
	}
	return nil, false
}

// visitKindScreen: 初診 or 再診, two large choices.
func (s *Shell) visitKindScreen() fyne.CanvasObject {
	t := s.tr()
	first, again := t.T(i18n.VisitFirst), t.T(i18n.VisitRevisit)
	size := min(fitChoiceText(first), fitChoiceText(again))
	return s.layoutScreen([]fyne.CanvasObject{heading(t.T(i18n.VisitTitle))},
		container.NewGridWithColumns(2,
			s.choiceSized("visit-first", first, t.T(i18n.VisitFirstHint), s.send(session.EvChooseFirstVisit), "", size),
			s.choiceSized("visit-revisit", again, t.T(i18n.VisitRevisitHint), s.send(session.EvChooseRevisit), "", size)))
}

// departmentTextSize is a department button's label size: names are short.
const departmentTextSize = 36

// departmentScreen offers the configured 診療科, in their order. The names
// are the facility's words (usually Japanese): MixedText draws them in
// whichever font has them, whatever the screen's language.
func (s *Shell) departmentScreen(v session.View) fyne.CanvasObject {
	t := s.tr()
	var buttons []fyne.CanvasObject
	for i, name := range v.Revisit.Departments {
		b := widget.NewButton("", s.chooseDepartment(i))
		b.Importance = widget.HighImportance
		s.targets[fmt.Sprintf("department-%d", i)] = b
		label := theme.MixedText(name, s.drawn.Lang, departmentTextSize, fynetheme.Color(fynetheme.ColorNameForegroundOnPrimary))
		buttons = append(buttons, sized(container.NewStack(b, container.NewCenter(label)), touchSize()*3, touchSize()*1.4))
	}
	var list fyne.CanvasObject = container.NewGridWithColumns(3, buttons...)
	if !s.drawn.LargeText {
		list = container.NewVScroll(list)
	}
	return s.layoutScreen([]fyne.CanvasObject{heading(t.T(i18n.DepartmentTitle))}, list)
}

func (s *Shell) chooseDepartment(i int) func() {
	return func() { s.report(s.cfg.Actions.Touch(session.Event{Kind: session.EvChooseDepartment, Department: i})) }
}

// ticketNumberSize is the reception number's size: read from a step back.
const ticketNumberSize = 180

// ticketScreen shows the reception number large beside the words, and says
// plainly when the ticket could not be printed. Unlinking is offered, small,
// for a card that is the patient's 診察券.
func (s *Shell) ticketScreen(v session.View) fyne.CanvasObject {
	t := s.tr()
	r := v.Revisit
	head := []fyne.CanvasObject{heading(t.T(i18n.TicketTitle))}
	switch {
	case r.PrintErr != session.ErrCodeNone:
		head = append(head, notice(t.T(i18n.TicketNotPrinted), widget.WarningImportance))
	case r.Printed:
		head = append(head, body(t.T(i18n.TicketBody)))
	default:
		head = append(head, body(t.T(i18n.TicketBodyNoPrinter)))
	}
	if r.LinkErr != session.ErrCodeNone {
		head = append(head, notice(t.T(i18n.LinkFailed), widget.WarningImportance))
	}
	head = append(head, notice(t.T(i18n.DoneTakeCard), widget.HighImportance))
	var unlink fyne.CanvasObject = layout.NewSpacer()
	if r.Linked {
		unlink = container.NewHBox(s.button("unlink", t.T(i18n.TicketUnlink), widget.MediumImportance, s.send(session.EvUnlinkAsk)))
	}
	if s.drawn.LargeText {
		// Large text does not fit beside the number: the number first, the
		// words under it, all scrolling.
		return container.NewVScroll(container.NewVBox(s.ticketNumber(r), tight(head...), unlink))
	}
	words := container.NewBorder(nil, unlink, nil, nil, tight(head...))
	return container.NewBorder(nil, nil, nil, s.ticketNumber(r), words)
}

// ticketNumber is the number under its label, the department below, on a
// panel of its own.
func (s *Shell) ticketNumber(r session.RevisitView) fyne.CanvasObject {
	t := s.tr()
	number := canvas.NewText(strconv.Itoa(r.Number), fynetheme.Color(fynetheme.ColorNamePrimary))
	number.TextSize = ticketNumberSize
	number.TextStyle.Bold = true
	number.Alignment = fyne.TextAlignCenter
	label := body(t.T(i18n.TicketNumber))
	label.Alignment = fyne.TextAlignCenter
	label.Wrapping = fyne.TextWrapOff // a short label; wrapped in a centred column it would stand one letter a line
	col := container.NewVBox(label, number)
	if r.Department != "" {
		col.Add(container.NewCenter(theme.MixedText(r.Department, s.drawn.Lang, departmentTextSize, nil)))
	}
	bg := canvas.NewRectangle(fynetheme.Color(fynetheme.ColorNameBackground))
	bg.StrokeColor = fynetheme.Color(fynetheme.ColorNamePrimary)
	bg.StrokeWidth = 4
	bg.CornerRadius = 16
	return container.NewPadded(sized(container.NewStack(bg, container.NewCenter(col)), 440, 0))
}

func (s *Shell) linkOfferScreen() fyne.CanvasObject {
	t := s.tr()
	return s.layoutScreen([]fyne.CanvasObject{heading(t.T(i18n.LinkTitle)), body(t.T(i18n.LinkBody))}, nil,
		s.button("link-yes", t.T(i18n.LinkYes), widget.HighImportance, s.send(session.EvLinkYes)),
		s.button("link-no", t.T(i18n.LinkNo), widget.MediumImportance, s.send(session.EvLinkNo)))
}

// referredScreen sends the patient to the first-visit counter or the desk.
func (s *Shell) referredScreen(v session.View) fyne.CanvasObject {
	switch {
	case v.Message == session.MsgReferredFirstVisit:
		return s.endScreen(i18n.ReferredFirstVisitTitle, i18n.ReferredFirstVisitBody)
	case v.Message == session.MsgReferredNoTicket || v.Error == session.ErrCodeTicketUnavailable:
		return s.endScreen(i18n.ReferredDeskTitle, i18n.ErrTicketUnavailableBody)
	}
	return s.endScreen(i18n.ReferredDeskTitle, i18n.ReferredDeskBody)
}

func (s *Shell) unlinkConfirmScreen() fyne.CanvasObject {
	t := s.tr()
	return s.layoutScreen([]fyne.CanvasObject{heading(t.T(i18n.UnlinkTitle)), body(t.T(i18n.UnlinkBody))}, nil,
		s.button("unlink-yes", t.T(i18n.UnlinkYes), widget.DangerImportance, s.send(session.EvUnlinkYes)),
		s.button("back", t.T(i18n.Back), widget.MediumImportance, s.send(session.EvBack)))
}

// endScreen is a last screen: what happened, what to do, take the card.
func (s *Shell) endScreen(title, text i18n.Key) fyne.CanvasObject {
	t := s.tr()
	return s.layoutScreen([]fyne.CanvasObject{heading(t.T(title)), body(t.T(text)),
		notice(t.T(i18n.DoneTakeCard), widget.HighImportance)}, takeCardPicture())
}
