package ui

import (
	"fmt"
	"image/color"

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

// screen picks the builder for the View's state.
func (s *Shell) screen(v session.View) fyne.CanvasObject {
	switch v.State {
	case session.StateIdle:
		return s.idleScreen(v)
	case session.StateReading:
		return s.waitScreen(i18n.ReadingTitle, i18n.ReadingBody)
	case session.StateRejected, session.StateError:
		return s.errorScreen(v)
	case session.StateMethod:
		return s.methodScreen(v)
	case session.StateFace:
		return s.faceScreen(v)
	case session.StateFaceFailed:
		return s.faceFailedScreen(v)
	case session.StatePIN:
		return s.pinScreen(v)
	case session.StatePINVerifying:
		return s.waitScreen(i18n.PINChecking, i18n.PleaseWait)
	case session.StateStaffCheck:
		return s.staffCheckScreen()
	case session.StateChecking:
		return s.waitScreen(i18n.CheckingTitle, i18n.CheckingBody)
	case session.StateRegister:
		return s.registerScreen()
	case session.StateRegistering:
		return s.waitScreen(i18n.RegisterBusy, i18n.PleaseWait)
	case session.StateConsent:
		return s.consentScreen(v)
	case session.StatePrescription:
		return s.prescriptionScreen()
	case session.StateSubmitting:
		return s.waitScreen(i18n.ConsentSaving, i18n.PleaseWait)
	case session.StateDone:
		return s.doneScreen(v)
	}
	if o, ok := s.revisitScreen(v); ok {
		return o
	}
	return s.errorScreen(session.View{Error: session.ErrCodeNone})
}

// layoutScreen stacks a header (title, body, notes), a centre that takes
// the remaining space, and a row of actions at the bottom.
func (s *Shell) layoutScreen(header []fyne.CanvasObject, center fyne.CanvasObject, actions ...fyne.CanvasObject) fyne.CanvasObject {
	var bottom fyne.CanvasObject
	if len(actions) > 0 {
		bottom = container.NewCenter(container.NewHBox(actions...))
	}
	if center == nil {
		center = layout.NewSpacer()
	}
	if s.drawn.LargeText {
		// Large text can outgrow the screen: the words scroll, the actions
		// stay at the bottom, always in reach.
		return container.NewBorder(nil, bottom, nil, nil,
			container.NewVScroll(container.NewVBox(tight(header...), center)))
	}
	return container.NewBorder(tight(header...), bottom, nil, nil, center)
}

// tight stacks texts without extra gaps: labels carry their own padding.
func tight(objs ...fyne.CanvasObject) *fyne.Container {
	return container.New(layout.NewCustomPaddedVBoxLayout(0), objs...)
}

func (s *Shell) idleScreen(v session.View) fyne.CanvasObject {
	t := s.tr()
	if v.Error == session.ErrCodeCardStillThere {
		return s.layoutScreen([]fyne.CanvasObject{heading(t.T(errorText(v.Error).title))}, takeCardPicture())
	}
	if v.Fault != session.ErrCodeNone {
		return s.faultIdleScreen(v.Fault)
	}
	text := container.NewVBox(heading(t.T(i18n.PlaceCardTitle)), body(t.T(i18n.PlaceCardHow)),
		layout.NewSpacer(), body(t.T(i18n.PlaceCardNote)))
	return container.NewGridWithColumns(2, s.scrollIfLarge(text), cardPicture())
}

// faultIdleScreen says what is wrong, what the patient does and what staff
// do. A kiosk that cannot take a card (no reader, nowhere to write results)
// does not ask for one; one that still can (a camera is missing) asks,
// under the fault.
func (s *Shell) faultIdleScreen(code session.ErrorCode) fyne.CanvasObject {
	t := s.tr()
	s.faultDrawn = true
	p := faultText(code)
	title := notice(t.T(p.title), widget.DangerImportance)
	title.SizeName = fynetheme.SizeNameSubHeadingText // under "place your card"
	if p.blocksCards {
		title.SizeName = fynetheme.SizeNameHeadingText // the screen's message
	}
	words := tight(title, body(t.T(p.body)))
	if p.staff != "" {
		staffLine := body(t.T(p.staff))
		staffLine.TextStyle.Italic = true
		words.Add(staffLine)
	}
	if p.blocksCards {
		icon := canvas.NewImageFromResource(fynetheme.NewWarningThemedResource(fynetheme.WarningIcon()))
		icon.FillMode = canvas.ImageFillContain
		icon.SetMinSize(fyne.NewSquareSize(200))
		return container.NewBorder(nil, nil, nil, container.NewCenter(icon), s.scrollIfLarge(words))
	}
	// The fault across the whole width, under the usual picture.
	place := container.NewVBox(heading(t.T(i18n.PlaceCardTitle)), body(t.T(i18n.PlaceCardHow)))
	if s.drawn.LargeText {
		return container.NewVScroll(container.NewVBox(place, words))
	}
	return container.NewBorder(nil, words, nil, nil, container.NewGridWithColumns(2, place, cardPicture()))
}

// faultBanner is one line above the screen: a part is missing or broken.
func (s *Shell) faultBanner(code session.ErrorCode) fyne.CanvasObject {
	t := s.tr()
	bg := canvas.NewRectangle(fynetheme.Color(fynetheme.ColorNameWarning))
	bg.CornerRadius = 8
	text := canvas.NewText(t.T(faultText(code).title), fynetheme.Color(fynetheme.ColorNameForegroundOnWarning))
	text.TextSize = chipTextSize
	text.TextStyle.Bold = true
	icon := canvas.NewImageFromResource(fynetheme.NewColoredResource(fynetheme.WarningIcon(), fynetheme.ColorNameForegroundOnWarning))
	icon.SetMinSize(fyne.NewSquareSize(chipTextSize))
	pad := fynetheme.Size(fynetheme.SizeNameInnerPadding)
	row := container.New(layout.NewCustomPaddedLayout(pad/2, pad/2, pad, pad), container.NewHBox(icon, text))
	return container.NewPadded(container.NewStack(bg, row))
}

// waitScreen is for work the patient waits on: reading, checking, sending.
func (s *Shell) waitScreen(title, text i18n.Key) fyne.CanvasObject {
	t := s.tr()
	return s.layoutScreen([]fyne.CanvasObject{heading(t.T(title)), body(t.T(text))},
		container.NewVBox(layout.NewSpacer(), s.progress(0, false), layout.NewSpacer()))
}

func (s *Shell) errorScreen(v session.View) fyne.CanvasObject {
	t := s.tr()
	p := errorText(v.Error)
	head := []fyne.CanvasObject{notice(t.T(p.title), widget.DangerImportance)}
	head[0].(*widget.Label).SizeName = fynetheme.SizeNameHeadingText
	if p.body != "" {
		head = append(head, body(t.T(p.body)))
	}
	head = append(head, body(t.T(i18n.DoneTakeCard)))
	return s.layoutScreen(head, nil)
}

func (s *Shell) methodScreen(v session.View) fyne.CanvasObject {
	t := s.tr()
	m := v.Methods
	head := []fyne.CanvasObject{heading(t.T(i18n.MethodTitle))}
	if v.Error == session.ErrCodePINLocked {
		head = append(head, notice(t.T(i18n.PINLockedTitle), widget.DangerImportance))
	}
	var face, pin func()
	if m.Face {
		face = s.send(session.EvChooseFace)
	}
	if m.PIN {
		pin = s.send(session.EvChoosePIN)
	}
	faceCol := s.choice("face", t.T(i18n.MethodFace), t.T(i18n.MethodFaceHint), face, s.faceReason(v))
	pinCol := s.choice("pin", t.T(i18n.MethodPIN), t.T(i18n.MethodPINHint), pin, s.pinReason(v))
	staff := s.button("staff", t.T(i18n.CallStaff), widget.MediumImportance, s.askStaff)
	return s.layoutScreen(head, container.NewGridWithColumns(2, faceCol, pinCol), staff)
}

// choiceTextSize is the method buttons' label size in every mode: a short
// word, already large, that must fit half the screen in every language.
const choiceTextSize = 48

// choice is one big method button with its hint, or the reason it is off.
func (s *Shell) choice(name, label, hint string, tap func(), reason string) fyne.CanvasObject {
	return s.choiceSized(name, label, hint, tap, reason, choiceTextSize)
}

// choiceSized is choice with the label's size; fitChoiceText picks one for
// labels longer than a word.
func (s *Shell) choiceSized(name, label, hint string, tap func(), reason string, size float32) fyne.CanvasObject {
	b := widget.NewButton("", tap)
	b.Importance = widget.HighImportance
	col := fynetheme.Color(fynetheme.ColorNameForegroundOnPrimary)
	if tap == nil {
		b.Disable()
		col = fynetheme.Color(fynetheme.ColorNameDisabled)
	}
	s.targets[name] = b
	text := canvas.NewText(label, col)
	text.TextSize = size
	text.TextStyle.Bold = true
	under := body(hint)
	if tap == nil && reason != "" {
		under = notice(reason, widget.WarningImportance)
	}
	face := container.NewStack(b, container.NewCenter(text))
	return container.NewVBox(sized(face, touchSize()*3, touchSize()*2), under)
}

// fitChoiceText is the largest label size, from choiceTextSize down to
// body-text size, at which label fits a choice button in half the screen:
// 「紙の処方箋」 stays large, "ใบสั่งยาอิเล็กทรอนิกส์" shrinks.
func fitChoiceText(label string) float32 {
	room := float32(theme.ScreenWidthPx)/2 - 4*fynetheme.Padding() - 2*fynetheme.InnerPadding()
	size := float32(choiceTextSize)
	for ; size > 28; size -= 2 {
		if fyne.MeasureText(label, size, fyne.TextStyle{Bold: true}).Width <= room {
			break
		}
	}
	return size
}

// prescriptionScreen asks for the prescription form after consent: two
// large choices, each with one line on what it means, and back to consent.
func (s *Shell) prescriptionScreen() fyne.CanvasObject {
	t := s.tr()
	electronic, paper := t.T(i18n.PrescriptionElectronic), t.T(i18n.PrescriptionPaper)
	size := min(fitChoiceText(electronic), fitChoiceText(paper)) // the same size on both
	return s.layoutScreen([]fyne.CanvasObject{heading(t.T(i18n.PrescriptionTitle))},
		container.NewGridWithColumns(2,
			s.choiceSized("prescribe-electronic", electronic, t.T(i18n.PrescriptionElectronicHint),
				s.send(session.EvPrescribeElectronic), "", size),
			s.choiceSized("prescribe-paper", paper, t.T(i18n.PrescriptionPaperHint),
				s.send(session.EvPrescribePaper), "", size)),
		s.button("back", t.T(i18n.Back), widget.MediumImportance, s.send(session.EvBack)))
}

func (s *Shell) faceReason(v session.View) string {
	if v.Methods.Face {
		return ""
	}
	return s.tr().T(i18n.FaceFailedBody)
}

func (s *Shell) pinReason(v session.View) string {
	t := s.tr()
	switch {
	case v.Methods.PIN:
		return ""
	case v.Methods.NoPIN:
		return t.T(i18n.MethodNoPIN)
	case v.Methods.PINLocked:
		return t.T(i18n.PINLockedBody)
	}
	return ""
}

func (s *Shell) faceScreen(v session.View) fyne.CanvasObject {
	t := s.tr()
	head := []fyne.CanvasObject{heading(t.T(i18n.FaceTitle))}
	if g, ok := guidanceTexts[v.Guidance]; ok {
		// The reason replaces the general instruction: one thing to do at a time.
		l := notice(t.either(g[0], g[1]), widget.WarningImportance)
		l.SizeName = fynetheme.SizeNameSubHeadingText
		head = append(head, l)
	} else {
		head = append(head, body(t.T(i18n.FaceBody)))
	}
	if left := v.Face.MaxAttempts - v.Face.Attempt; v.Face.MaxAttempts > 0 {
		head = append(head, body(t.T(i18n.FaceTriesLeft, i18n.CountArg, left)))
	}
	if v.Face.PhotoReady && v.Guidance == session.GuidanceNone {
		head = append(head, body(t.T(i18n.FaceChecking)))
	}
	head = append(head, s.progress(v.Progress, true))
	var actions []fyne.CanvasObject
	if v.Methods.PIN {
		actions = append(actions, s.button("use-pin", t.T(i18n.FaceRetryUsePIN), widget.MediumImportance, s.send(session.EvChoosePIN)))
	}
	actions = append(actions, s.button("back", t.T(i18n.Back), widget.MediumImportance, s.send(session.EvBack)))
	right := s.layoutScreen(head, nil, actions...)
	return container.NewBorder(nil, nil, s.preview(ovalColour(v)), nil, right)
}

// The oval's colours, fixed rather than the theme's: they are drawn on
// the camera's picture, not on the screen's background, and must stand out
// on a dim room in every mode.
var (
	ovalSearching = color.NRGBA{0xE8, 0xE8, 0xE8, 0xFF} // light grey
	ovalHint      = color.NRGBA{0xFF, 0xB3, 0x00, 0xFF} // amber
	ovalPassing   = color.NRGBA{0x2E, 0xCC, 0x40, 0xFF} // green
)

// ovalColour tells the patient at a glance how the camera sees them:
// neutral while it looks for a face, amber with a hint to follow, green
// while the frames pass.
func ovalColour(v session.View) color.Color {
	switch {
	case v.Guidance != session.GuidanceNone:
		return ovalHint
	case v.Face.Passing:
		return ovalPassing
	}
	return ovalSearching
}

// preview is the face camera's picture under the oval guide in ring's colour.
func (s *Shell) preview(ring color.Color) fyne.CanvasObject {
	bg := canvas.NewRectangle(color.NRGBA{0x30, 0x33, 0x38, 0xFF})
	img := canvas.NewImageFromImage(nil)
	img.FillMode = canvas.ImageFillContain
	img.ScaleMode = canvas.ImageScaleFastest
	if s.cfg.Preview != nil {
		img.Image = s.cfg.Preview.Latest()
	}
	s.startPreviewLoop(img)
	return sized(container.NewStack(bg, img, ovalGuide(ring)), 420, 520)
}

func (s *Shell) faceFailedScreen(v session.View) fyne.CanvasObject {
	t := s.tr()
	title, text := t.T(i18n.FaceRetryTitle), t.T(i18n.FaceRetryBody)
	switch {
	case v.Message == "face_failed.staff_only":
		title, text = t.T(i18n.FaceFailedTitle), t.either("face_failed.staff_only", i18n.FaceFailedBody)
	case !v.Face.CanRetry:
		title, text = t.T(i18n.FaceFailedTitle), t.T(i18n.FaceFailedBody)
	}
	head := []fyne.CanvasObject{heading(title), body(text)}
	if v.Error != session.ErrCodeNone {
		head = append(head, notice(t.T(errorText(v.Error).title), widget.WarningImportance))
	}
	var actions []fyne.CanvasObject
	if v.Face.CanRetry {
		actions = append(actions, s.button("retry", t.T(i18n.TryAgain), widget.HighImportance, s.send(session.EvRetryFace)))
	}
	if v.Methods.PIN {
		actions = append(actions, s.button("use-pin", t.T(i18n.FaceRetryUsePIN), widget.MediumImportance, s.send(session.EvChoosePIN)))
	}
	actions = append(actions, s.button("staff", t.T(i18n.CallStaff), widget.MediumImportance, s.askStaff))
	return s.layoutScreen(head, nil, actions...)
}

func (s *Shell) pinScreen(v session.View) fyne.CanvasObject {
	t := s.tr()
	p := v.PIN
	left := tight(heading(t.T(i18n.PINTitle)))
	if v.Error != session.ErrCodeNone {
		left.Add(notice(t.T(i18n.PINWrong), widget.DangerImportance))
	}
	if p.TriesLeft >= 0 {
		left.Add(notice(t.T(i18n.PINTriesLeft, i18n.CountArg, p.TriesLeft), widget.HighImportance))
	}
	if p.LastTry {
		left.Add(notice(t.T(i18n.PINLastTry), widget.DangerImportance))
	} else {
		left.Add(body(t.T(i18n.PINBody)))
	}
	left.Add(pinDots(p.Digits, p.Length))
	var submit func()
	if p.CanSubmit {
		submit = s.send(session.EvSubmitPIN)
	} else {
		left.Add(body(t.T(i18n.PINNeedDigits)))
	}
	keys := s.keypad("", func(d byte) { s.report(s.cfg.Actions.Digit(d)) }, s.send(session.EvDelete))
	pad := tight(keys, container.NewGridWithColumns(2,
		s.button("back", t.T(i18n.Back), widget.MediumImportance, s.send(session.EvBack)),
		s.button("send", t.T(i18n.PINSend), widget.HighImportance, submit)))
	return container.NewBorder(nil, nil, nil, pad, s.scrollIfLarge(left))
}

// scrollIfLarge lets a column of text scroll in large-text mode.
func (s *Shell) scrollIfLarge(o fyne.CanvasObject) fyne.CanvasObject {
	if s.drawn.LargeText {
		return container.NewVScroll(o)
	}
	return o
}

// keypad is a 3×4 grid of large keys: 1–9, delete, 0. Names are
// prefix+"digit-N" and prefix+"delete".
func (s *Shell) keypad(prefix string, digit func(byte), del func()) fyne.CanvasObject {
	key := func(d byte) fyne.CanvasObject {
		return s.button(fmt.Sprintf("%sdigit-%d", prefix, d), fmt.Sprint(d), widget.MediumImportance, func() { digit(d) })
	}
	var keys []fyne.CanvasObject
	for d := byte(1); d <= 9; d++ {
		keys = append(keys, key(d))
	}
	keys = append(keys, s.button(prefix+"delete", s.tr().T(i18n.PINDelete), widget.MediumImportance, del), key(0))
	return container.NewGridWithColumns(3, keys...)
}

func (s *Shell) staffCheckScreen() fyne.CanvasObject {
	t := s.tr()
	return s.layoutScreen([]fyne.CanvasObject{heading(t.T(i18n.StaffCheckTitle)), body(t.T(i18n.StaffCheckBody)),
		body(t.T(i18n.StaffCalled))},
		container.NewVBox(layout.NewSpacer(), notice(t.T(i18n.StaffPromptVisual), widget.HighImportance)))
}

func (s *Shell) registerScreen() fyne.CanvasObject {
	t := s.tr()
	return s.layoutScreen([]fyne.CanvasObject{heading(t.T(i18n.RegisterTitle)), body(t.T(i18n.RegisterBody))}, nil,
		s.button("register-yes", t.T(i18n.RegisterYes), widget.HighImportance, s.send(session.EvRegisterYes)),
		s.button("register-no", t.T(i18n.RegisterNo), widget.MediumImportance, s.send(session.EvRegisterNo)))
}

// consentGroups are the items the consent screen explains; 診療・薬剤・手術
// are explained and chosen together, as on the national screens.
var consentGroups = []struct {
	name        string
	items       session.ConsentItems
	title, body i18n.Key
}{
	{"medical", session.ConsentMedical | session.ConsentDrug | session.ConsentSurgery, i18n.ConsentMedicalTitle, i18n.ConsentMedicalBody},
	{"checkup", session.ConsentCheckup, i18n.ConsentCheckupTitle, i18n.ConsentCheckupBody},
}

func (s *Shell) consentScreen(v session.View) fyne.CanvasObject {
	t := s.tr()
	head := []fyne.CanvasObject{heading(t.T(i18n.ConsentTitle)), body(t.T(i18n.ConsentBody))}
	if !v.Consent.Individual {
		// The summary names the items; 個別に同意 explains each one.
		var items []fyne.CanvasObject
		for _, g := range consentGroups {
			items = append(items, body("• "+t.T(g.title)))
		}
		items = append(items, body(t.T(i18n.ConsentNote)))
		return s.layoutScreen(head, container.NewVBox(items...),
			s.button("consent-all", t.T(i18n.ConsentAll), widget.HighImportance, s.send(session.EvConsentAll)),
			s.button("consent-each", t.T(i18n.ConsentIndividual), widget.MediumImportance, s.send(session.EvConsentEach)))
	}
	var items []fyne.CanvasObject
	for _, g := range consentGroups {
		items = append(items, s.consentItem(g.title, g.body, s.consentToggle(g.name, g.items, v.Consent.Selected)))
	}
	items = append(items, body(t.T(i18n.ConsentNote)))
	var list fyne.CanvasObject = container.NewVBox(items...)
	if !s.drawn.LargeText { // in large text the whole screen scrolls already
		list = container.NewVScroll(list)
	}
	return s.layoutScreen(head[:1], list,
		s.button("consent-confirm", t.T(i18n.ConsentConfirm), widget.HighImportance, s.send(session.EvConsentDone)))
}

// consentItem is one item's title and explanation, with its agree toggle.
func (s *Shell) consentItem(title, text i18n.Key, toggle fyne.CanvasObject) fyne.CanvasObject {
	t := s.tr()
	l := body(t.T(title))
	l.TextStyle.Bold = true
	words := container.NewVBox(l, body(t.T(text)))
	if toggle == nil {
		return words
	}
	return container.NewBorder(nil, nil, nil, toggle, words)
}

// consentToggle shows agree / do not agree for a group. The current choice
// stays tappable-looking (a disabled look would read as "not allowed") and
// tapping it does nothing; tapping the other flips the group.
func (s *Shell) consentToggle(name string, items, selected session.ConsentItems) fyne.CanvasObject {
	t := s.tr()
	on := selected.Has(items)
	flip := items
	if !on && selected&items != 0 {
		flip = items &^ selected // partly chosen: add only what is missing
	}
	tap := func() { s.report(s.cfg.Actions.Touch(session.Event{Kind: session.EvToggleItem, Items: flip})) }
	stay := func() {}
	agree, disagree := tap, stay
	agreeImp, disImp := widget.MediumImportance, widget.HighImportance
	if on {
		agree, disagree = stay, tap
		agreeImp, disImp = widget.HighImportance, widget.MediumImportance
	}
	a := s.button("consent-"+name+"-agree", t.T(i18n.ConsentAgree), agreeImp, agree)
	d := s.button("consent-"+name+"-disagree", t.T(i18n.ConsentDisagree), disImp, disagree)
	mark(a, on)
	mark(d, !on)
	// Equal columns, so the answers line up under each other.
	return container.NewVBox(sized(container.NewGridWithColumns(2, a, d), touchSize()*4.5, touchSize()))
}

// mark gives the chosen answer a tick icon (drawn, so no font needs it).
func mark(o fyne.CanvasObject, on bool) {
	if c, ok := o.(*fyne.Container); ok && on {
		c.Objects[0].(*widget.Button).SetIcon(fynetheme.ConfirmIcon())
	}
}

func (s *Shell) doneScreen(v session.View) fyne.CanvasObject {
	t := s.tr()
	if v.Message == "done.see_reception" || v.Result.Validity != session.ValidityValid && v.Result.Validity != session.ValidityUnknown {
		if p, ok := resultTexts[v.Result.Validity]; ok {
			return s.layoutScreen([]fyne.CanvasObject{heading(t.T(p.title)), body(t.T(p.body)),
				notice(t.T(i18n.DoneTakeCard), widget.HighImportance)}, takeCardPicture())
		}
	}
	ok := notice(t.T(i18n.ResultValid), widget.SuccessImportance)
	return s.layoutScreen([]fyne.CanvasObject{heading(t.T(i18n.DoneTitle)), ok, body(t.T(i18n.DoneBody)),
		notice(t.T(i18n.DoneTakeCard), widget.HighImportance)}, takeCardPicture())
}
