package ui

import (
	"errors"
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/uketsuke/uketsuke/app/operator"
	"github.com/uketsuke/uketsuke/app/secret"
	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/app/staff"
	"github.com/uketsuke/uketsuke/i18n"
	"github.com/uketsuke/uketsuke/ui/theme"
)

// StaffCheck checks a staff PIN typed on screen: nil for the right PIN,
// staff.ErrWrong, or a *staff.LockedError saying how long the pad is locked.
// *staff.Guard implements it. The buffer holds ASCII digits; the shell
// destroys it after Check returns.
type StaffCheck interface {
	Check(pin *secret.Buffer) error
}

var _ StaffCheck = (*staff.Guard)(nil)

// StaffHold is how long staff hold the hidden top-right corner to open the
// staff login; StaffIdle closes the staff pages after that long untouched.
const (
	StaffHold = 3 * time.Second
	StaffIdle = 60 * time.Second
)

// clock is time as the shell sees it; tests replace it.
type clock struct {
	now   func() time.Time
	after func(d time.Duration, f func()) (stop func()) // f runs on another goroutine
	run   func(f func())                                // background work (the PIN hash)
}

func realClock() *clock {
	return &clock{
		now: time.Now,
		after: func(d time.Duration, f func()) func() {
			t := time.AfterFunc(d, f)
			return func() { t.Stop() }
		},
		run: func(f func()) { go f() },
	}
}

// holdCorner is the invisible staff entry in the window's top-right corner:
// held for StaffHold with a mouse, or a touchscreen driven as one, it calls
// onHold (as soon as the time is up, or on release if the timer was late);
// a secondary tap (a long press on mobile drivers, a right click) does too.
// A quick tap does nothing.
type holdCorner struct {
	widget.BaseWidget
	clock  *clock
	onHold func()

	pressed bool
	since   time.Time
	stop    func()
}

var (
	_ desktop.Mouseable      = (*holdCorner)(nil)
	_ fyne.Tappable          = (*holdCorner)(nil)
	_ fyne.SecondaryTappable = (*holdCorner)(nil)
)

func newHoldCorner(c *clock, onHold func()) *holdCorner {
	h := &holdCorner{clock: c, onHold: onHold}
	h.ExtendBaseWidget(h)
	return h
}

func (h *holdCorner) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(canvas.NewRectangle(color.Transparent))
}

func (h *holdCorner) MinSize() fyne.Size { return fyne.NewSquareSize(touchSize()) }

// MouseDown starts timing a press.
func (h *holdCorner) MouseDown(ev *desktop.MouseEvent) {
	if ev.Button != desktop.MouseButtonPrimary {
		return
	}
	h.release()
	h.pressed, h.since = true, h.clock.now()
	since := h.since
	h.stop = h.clock.after(StaffHold, func() {
		fyne.Do(func() {
			if h.pressed && h.since.Equal(since) {
				h.fire()
			}
		})
	})
}

// MouseUp ends the press: long enough opens, shorter does nothing.
func (h *holdCorner) MouseUp(*desktop.MouseEvent) {
	if !h.pressed {
		return
	}
	held := h.clock.now().Sub(h.since)
	h.release()
	if held >= StaffHold {
		h.fire()
	}
}

// Tapped: a quick tap does nothing (and reaches nothing underneath).
func (h *holdCorner) Tapped(*fyne.PointEvent) {}

// TappedSecondary is the mobile drivers' long press.
func (h *holdCorner) TappedSecondary(*fyne.PointEvent) { h.fire() }

func (h *holdCorner) release() {
	h.pressed = false
	if h.stop != nil {
		h.stop()
		h.stop = nil
	}
}

func (h *holdCorner) fire() {
	h.release()
	if h.onHold != nil {
		h.onHold()
	}
}

// cornerLayout puts its one object in the top-right corner, a touch target
// square.
type cornerLayout struct{}

func (cornerLayout) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.NewSize(0, 0) }

func (cornerLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	side := touchSize()
	for _, o := range objs {
		o.Resize(fyne.NewSquareSize(side))
		o.Move(fyne.NewPos(size.Width-side, 0))
	}
}

// staffMsg is what the staff PIN pad says after a check.
type staffMsg uint8

const (
	staffNoMsg staffMsg = iota
	staffWrong
	staffLocked
)

// cornerHeld opens the staff login: the card login where operators are
// registered, else the staff PIN pad, if the kiosk has a staff PIN.
func (s *Shell) cornerHeld() {
	if s.page.staff() {
		return
	}
	switch {
	case s.cfg.Operators != nil:
		s.openStaffCard()
	case s.cfg.Staff != nil:
		s.openStaff()
	}
}

func (s *Shell) openStaff() {
	s.clearStaff()
	s.staffMsg, s.staffBusy = staffNoMsg, false
	s.staffGen++
	s.page = pageStaff
	s.touchStaff()
	s.render()
}

// leaveStaff closes the staff pages without rendering; an operator's
// session ends with them, and the reader is the patients' again.
func (s *Shell) leaveStaff() {
	s.clearStaff()
	s.staffMsg = staffNoMsg
	s.staffGen++
	s.stopStaffIdle()
	s.page = pageSession
	if s.cfg.Operators != nil {
		s.cfg.Operators.StopAwaiting()
		if s.staffBy == byOperator {
			s.cfg.Operators.Logout()
		}
	}
	s.staffBy, s.operator, s.opMsg, s.readerBusy = byNobody, operator.Session{}, opNoMsg, false
}

func (s *Shell) closeStaff() {
	s.leaveStaff()
	s.render()
}

// touchStaff restarts the staff pages' inactivity timer.
func (s *Shell) touchStaff() {
	s.stopStaffIdle()
	s.idleGen++
	gen := s.idleGen
	s.idleStop = s.clock.after(StaffIdle, func() {
		fyne.Do(func() {
			if gen == s.idleGen && s.page.staff() {
				s.closeStaff()
			}
		})
	})
}

func (s *Shell) stopStaffIdle() {
	if s.idleStop != nil {
		s.idleStop()
		s.idleStop = nil
	}
}

func (s *Shell) clearStaff() {
	secret.Wipe(s.staff.Bytes())
	s.staffN = 0
}

// staffPage is the staff PIN pad.
func (s *Shell) staffPage() fyne.CanvasObject {
	t := s.tr()
	keys := s.keypad("staff-", func(d byte) {
		s.touchStaff()
		if b := s.staff.Bytes(); !s.staffBusy && s.staffN < min(len(b), staff.MaxPINLength) {
			b[s.staffN] = '0' + d
			s.staffN++
		}
		s.render()
	}, func() {
		s.touchStaff()
		if s.staffN > 0 && !s.staffBusy {
			s.staffN--
			s.staff.Bytes()[s.staffN] = 0
		}
		s.render()
	})
	var ok func()
	if s.staffN >= staff.MinPINLength && !s.staffBusy && s.cfg.Staff != nil {
		ok = s.checkStaff
	}
	cancel := s.button("staff-cancel", t.T(i18n.Cancel), widget.MediumImportance, s.closeStaff)
	left := tight(heading(t.T(i18n.StaffAuthRequired)),
		body(t.T(i18n.StaffPINBody, "min", staff.MinPINLength, "max", staff.MaxPINLength)),
		pinDots(s.staffN, max(s.staffN, staff.MinPINLength)))
	switch {
	case s.staffBusy:
		left.Add(body(t.T(i18n.PleaseWait)))
	case s.staffMsg == staffWrong:
		left.Add(notice(t.T(i18n.StaffPINWrong), widget.DangerImportance))
	case s.staffMsg == staffLocked:
		secs := int((s.staffWait + time.Second - 1) / time.Second)
		left.Add(notice(t.T(i18n.StaffLocked, i18n.CountArg, secs), widget.DangerImportance))
	}
	left.Add(container.NewHBox(s.button("staff-ok", t.T(i18n.OK), widget.HighImportance, ok), cancel))
	return container.NewBorder(nil, nil, nil, keys, s.scrollIfLarge(left))
}

// checkStaff hands a copy of the typed digits, in locked memory, to the
// check (a memory-hard hash: off the UI goroutine), wipes the pad at once
// and destroys the copy when the check returns.
func (s *Shell) checkStaff() {
	n := s.staffN
	if s.cfg.Staff == nil || s.staffBusy || n < staff.MinPINLength {
		return
	}
	pin, ok := s.takeStaffDigits(n)
	if !ok {
		return
	}
	s.staffBusy, s.staffMsg = true, staffNoMsg
	gen, check := s.staffGen, s.cfg.Staff
	s.render()
	s.clock.run(func() {
		err := check.Check(pin)
		pin.Destroy()
		fyne.Do(func() { s.staffChecked(gen, err) })
	})
}

// takeStaffDigits moves the n digits typed on a staff pad into a locked
// buffer of their own and wipes the pad; without locked memory it only
// wipes the pad. The caller destroys the buffer.
func (s *Shell) takeStaffDigits(n int) (*secret.Buffer, bool) {
	s.touchStaff()
	pin, err := secret.New(n)
	if err == nil {
		copy(pin.Bytes(), s.staff.Bytes()[:n])
	}
	s.clearStaff()
	if err != nil {
		s.render()
		return nil, false
	}
	return pin, true
}

func (s *Shell) staffChecked(gen int, err error) {
	s.staffBusy = false
	if gen != s.staffGen || s.page != pageStaff {
		return // closed meanwhile: the answer is for nobody
	}
	var locked *staff.LockedError
	switch {
	case err == nil:
		s.page, s.staffBy = pageStaffMenu, byPIN
		s.staffArrived()
	case errors.As(err, &locked):
		s.staffMsg, s.staffWait = staffLocked, locked.For
	default:
		s.staffMsg = staffWrong
	}
	s.touchStaff()
	s.render()
}

// staffStartStates are where staff may begin a visual check (the table's
// EvStaffStart row); in StateStaffCheck it has begun already.
var staffStartStates = map[session.State]bool{
	session.StateMethod: true, session.StateFace: true, session.StateFaceFailed: true, session.StatePIN: true,
}

// canDecide: a visual check is waiting, or the patient asked for staff and
// the session can still turn to one.
func (s *Shell) canDecide(v session.View) bool {
	return v.State == session.StateStaffCheck || v.StaffAsked && staffStartStates[v.State]
}

// askStaff is the patient's "call staff".
func (s *Shell) askStaff() {
	s.ringBell()
	s.report(s.cfg.Actions.Press(session.EvRequestStaff))
}

// staffMenuPage is what authenticated staff can do.
func (s *Shell) staffMenuPage() fyne.CanvasObject {
	t := s.tr()
	head := []fyne.CanvasObject{heading(t.T(i18n.StaffMenuTitle))}
	if s.staffBy == byOperator {
		// The name is the facility's own, in whatever script it is written.
		// Inset as a label's text is, so the line sits under the title.
		pad := fynetheme.Size(fynetheme.SizeNameInnerPadding)
		head = append(head, container.New(layout.NewCustomPaddedLayout(pad/2, pad/2, pad, pad),
			theme.MixedText(s.operatorLine(), s.drawn.Lang, fynetheme.Size(fynetheme.SizeNameText), nil)))
	}
	if m := s.opMessage(); m != "" {
		head = append(head, notice(m, widget.DangerImportance))
	}
	if f := s.view.Fault; f != session.ErrCodeNone {
		p := faultText(f)
		head = append(head, notice(t.T(p.title), widget.DangerImportance))
		if p.staff != "" {
			head = append(head, body(t.T(p.staff)))
		}
		s.faultDrawn = true
	}
	var center fyne.CanvasObject
	switch {
	case !s.allows(operator.FuncVisualCheck):
		center = container.NewVBox()
	case s.canDecide(s.view):
		center = container.NewVBox(notice(t.T(i18n.StaffPromptVisual), widget.HighImportance),
			container.NewHBox(
				s.button("staff-approve", t.T(i18n.StaffConfirm), widget.HighImportance, s.decide(session.EvStaffApprove)),
				s.button("staff-reject", t.T(i18n.StaffReject), widget.DangerImportance, s.decide(session.EvStaffReject))))
	default:
		center = container.NewVBox(body(t.T(i18n.StaffMenuNoCheck)))
	}
	center = s.withRevisitLock(center)
	var exit func()
	if s.cfg.OnStaffExit != nil && s.allows(operator.FuncLeaveKiosk) {
		exit = s.staffExit
	}
	return s.layoutScreen(head, container.NewVBox(center, layout.NewSpacer()),
		s.button("staff-back", t.T(i18n.StaffMenuBack), widget.MediumImportance, s.closeStaff),
		s.button("staff-exit-kiosk", t.T(i18n.StaffExitKiosk), widget.MediumImportance, exit))
}

// decide sends staff's verdict on the visual check, starting the check
// first where the session has not yet, and returns to the patient's screen.
// An operator's session must still allow it.
func (s *Shell) decide(kind session.EventKind) func() {
	return func() {
		if !s.permit(operator.FuncVisualCheck) {
			return
		}
		if s.view.State != session.StateStaffCheck {
			s.report(s.cfg.Actions.Staff(session.EvStaffStart))
		}
		s.report(s.cfg.Actions.Staff(kind))
		s.closeStaff()
	}
}

func (s *Shell) staffExit() {
	if !s.permit(operator.FuncLeaveKiosk) {
		return
	}
	s.closeStaff()
	s.cfg.OnStaffExit()
}
