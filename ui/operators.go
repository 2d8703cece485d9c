package ui

import (
	"context"
	"errors"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/uketsuke/uketsuke/app/operator"
	"github.com/uketsuke/uketsuke/app/secret"
	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/i18n"
)

// OperatorDesk is operator login as the staff pages use it: registered
// staff log in with their own card and a PIN, and each privileged use is
// checked against their role. *wire.StaffDesk implements it; kiosk.go
// connects the two.
type OperatorDesk interface {
	// HPKI says whether an HPKI card (a PKCS#11 module's own reader) can log in.
	HPKI() bool
	// HPKIPINLength is the PIN lengths the HPKI card's module accepts; 0, 0
	// when it does not say.
	HPKIPINLength() (lo, hi int)
	// AwaitCard routes the next card placed on the kiosk's reader to the
	// login instead of a patient session, and reports its arrival and its
	// removal to listen, on another goroutine. False: a patient's card is on
	// the reader and nothing waits.
	AwaitCard(listen func(present bool)) bool
	// StopAwaiting: cards placed from now on are patients' again.
	StopAwaiting()
	// Login presents pin once to the operator's card: the one on the
	// kiosk's reader (SchemeJPKI) or the HPKI module's (SchemeHPKI). A
	// wrong PIN is an *operator.WrongPINError; the caller destroys pin.
	Login(ctx context.Context, scheme operator.Scheme, pin *secret.Buffer) (operator.Session, error)
	// Use checks the logged-in operator may use f now, and records the use.
	Use(f operator.Function) (operator.Session, error)
	// Logout ends the operator session.
	Logout()
}

// PIN lengths of the operator cards: a My Number Card's user-authentication
// PIN is 4 digits; an HPKI card takes what its module says, within 1 to
// hpkiPINMax digits (the pad's room), or 4 to 16 when the module does not say.
const (
	jpkiPINLength = 4
	hpkiPINMin    = 4
	hpkiPINMax    = 16
)

// hpkiPINRange is the module's PIN lengths as the pad takes them.
func hpkiPINRange(lo, hi int) (int, int) {
	if lo <= 0 || hi < lo {
		return hpkiPINMin, hpkiPINMax
	}
	hi = min(hi, hpkiPINMax)
	return min(lo, hi), hi
}

// loginTimeout bounds one login: certificate, PIN and signature.
const loginTimeout = 30 * time.Second

// opMsg is what the card login pages say after a try.
type opMsg uint8

const (
	opNoMsg         opMsg = iota
	opWrong               // wrong PIN (opLeft tries left, -1 unknown)
	opBlocked             // the card's PIN is blocked
	opNotRegistered       // not a registered operator's card
	opRefused             // untrusted, bad signature, or unreadable
	opEnded               // the session expired or is gone
	opNotAllowed          // the role does not allow it
	opUnlockFailed        // the theft lock's release was not saved
)

// staffBy is how staff authenticated for the menu.
type staffBy uint8

const (
	byNobody   staffBy = iota
	byPIN              // the staff PIN (kiosks without operators, or its fallback)
	byOperator         // an operator's card
)

// final: the card cannot be tried again on this page.
func (m opMsg) final() bool { return m == opBlocked || m == opNotRegistered || m == opRefused }

// openStaffCard is the card login page. While a patient's session runs the
// reader is theirs: the page says where else staff can log in.
func (s *Shell) openStaffCard() {
	s.leaveStaff()
	s.staffGen++
	s.page = pageStaffCard
	s.touchStaff()
	s.readerBusy = s.view.State != session.StateIdle
	if !s.readerBusy {
		gen := s.staffGen
		s.readerBusy = !s.cfg.Operators.AwaitCard(func(present bool) {
			fyne.Do(func() { s.operatorCard(gen, present) })
		})
	}
	s.render()
}

// operatorCard follows the staff card on the reader: its arrival opens the
// PIN pad; its removal ends the operator session and closes the staff pages.
func (s *Shell) operatorCard(gen int, present bool) {
	if gen != s.staffGen || !s.page.staff() {
		return
	}
	if !present {
		s.closeStaff()
		return
	}
	if s.page != pageStaffCard {
		return
	}
	s.openOperatorPIN(operator.SchemeJPKI)
}

func (s *Shell) openOperatorPIN(scheme operator.Scheme) {
	s.clearStaff()
	s.opScheme, s.opMsg, s.staffBusy = scheme, opNoMsg, false
	s.page = pageOperatorPIN
	s.touchStaff()
	s.render()
}

// useHPKI: the HPKI card sits in its own reader, so the kiosk's reader is
// left to patients.
func (s *Shell) useHPKI() {
	s.cfg.Operators.StopAwaiting()
	s.hpkiLo, s.hpkiHi = hpkiPINRange(s.cfg.Operators.HPKIPINLength())
	s.openOperatorPIN(operator.SchemeHPKI)
}

// useStaffPIN is the staff PIN pad, where one is configured.
func (s *Shell) useStaffPIN() {
	s.cfg.Operators.StopAwaiting()
	s.clearStaff()
	s.staffMsg, s.staffBusy = staffNoMsg, false
	s.page = pageStaff
	s.touchStaff()
	s.render()
}

// staffCardPage asks for the staff card, or says the reader is taken.
func (s *Shell) staffCardPage() fyne.CanvasObject {
	t := s.tr()
	head := []fyne.CanvasObject{heading(t.T(i18n.StaffCardTitle))}
	switch {
	case s.readerBusy && s.cfg.Staff != nil:
		head = append(head, notice(t.T(i18n.StaffCardBusyPIN), widget.WarningImportance))
	case s.readerBusy:
		head = append(head, notice(t.T(i18n.StaffCardBusy), widget.WarningImportance))
	default:
		head = append(head, body(t.T(i18n.StaffCardPlace)))
	}
	var center fyne.CanvasObject
	if !s.readerBusy {
		center = container.NewCenter(cardPicture())
	}
	actions := []fyne.CanvasObject{s.button("staff-cancel", t.T(i18n.Cancel), widget.MediumImportance, s.closeStaff)}
	if s.cfg.Operators != nil && s.cfg.Operators.HPKI() {
		actions = append(actions, s.button("staff-hpki", t.T(i18n.StaffCardHPKI), widget.MediumImportance, s.useHPKI))
	}
	if s.cfg.Staff != nil {
		actions = append(actions, s.button("staff-use-pin", t.T(i18n.StaffCardUsePIN), widget.MediumImportance, s.useStaffPIN))
	}
	return s.layoutScreen(head, center, actions...)
}

// opPINLengths are the PIN lengths the card on the pad takes.
func (s *Shell) opPINLengths() (lo, hi int) {
	if s.opScheme == operator.SchemeHPKI {
		return s.hpkiLo, s.hpkiHi
	}
	return jpkiPINLength, jpkiPINLength
}

// operatorPINPage is the PIN pad for the operator's card.
func (s *Shell) operatorPINPage() fyne.CanvasObject {
	t := s.tr()
	lo, hi := s.opPINLengths()
	keys := s.keypad("staff-", func(d byte) {
		s.touchStaff()
		if b := s.staff.Bytes(); !s.staffBusy && s.staffN < min(len(b), hi) {
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
	hint := t.T(i18n.StaffCardPINJPKI, "digits", jpkiPINLength)
	if s.opScheme == operator.SchemeHPKI {
		hint = t.T(i18n.StaffCardPINHPKI, "min", lo, "max", hi)
	}
	left := tight(heading(t.T(i18n.StaffCardPINTitle)), body(hint), pinDots(s.staffN, max(s.staffN, lo)))
	if s.staffBusy {
		left.Add(body(t.T(i18n.PleaseWait)))
	} else if m := s.opMessage(); m != "" {
		left.Add(notice(m, widget.DangerImportance))
	}
	var ok func()
	if s.staffN >= lo && s.staffN <= hi && !s.staffBusy && !s.opMsg.final() {
		ok = s.loginOperator
	}
	left.Add(container.NewHBox(s.button("staff-ok", t.T(i18n.OK), widget.HighImportance, ok),
		s.button("staff-cancel", t.T(i18n.Cancel), widget.MediumImportance, s.closeStaff)))
	return container.NewBorder(nil, nil, nil, keys, s.scrollIfLarge(left))
}

// opMessage words the last answer.
func (s *Shell) opMessage() string {
	t := s.tr()
	switch s.opMsg {
	case opWrong:
		if s.opLeft < 0 {
			return t.T(i18n.StaffCardWrongPlain)
		}
		return t.T(i18n.StaffCardWrong, i18n.CountArg, s.opLeft)
	case opBlocked:
		return t.T(i18n.StaffCardBlocked)
	case opNotRegistered:
		return t.T(i18n.StaffCardNotRegistered)
	case opRefused:
		return t.T(i18n.StaffCardRefused)
	case opEnded:
		return t.T(i18n.StaffLoginEnded)
	case opNotAllowed:
		return t.T(i18n.StaffNotAllowed)
	case opUnlockFailed:
		return t.T(i18n.StaffRevisitUnlockFailed)
	}
	return ""
}

// loginOperator hands a copy of the typed PIN, in locked memory, to one
// login (off the UI goroutine: the card signs), wipes the pad at once and
// destroys the copy when the login returns. The kiosk never tries a PIN
// again by itself.
func (s *Shell) loginOperator() {
	n := s.staffN
	lo, hi := s.opPINLengths()
	if s.staffBusy || n < lo || n > hi || s.opMsg.final() {
		return
	}
	pin, ok := s.takeStaffDigits(n)
	if !ok {
		return
	}
	s.staffBusy, s.opMsg = true, opNoMsg
	gen, desk, scheme := s.staffGen, s.cfg.Operators, s.opScheme
	s.render()
	s.clock.run(func() {
		ctx, cancel := context.WithTimeout(context.Background(), loginTimeout)
		sess, err := desk.Login(ctx, scheme, pin)
		cancel()
		pin.Destroy()
		fyne.Do(func() { s.operatorLoggedIn(gen, sess, err) })
	})
}

func (s *Shell) operatorLoggedIn(gen int, sess operator.Session, err error) {
	s.staffBusy = false
	if gen != s.staffGen || s.page != pageOperatorPIN {
		if err == nil {
			s.cfg.Operators.Logout() // the pages closed meanwhile: nobody is there
		}
		return
	}
	if err == nil {
		s.operator, s.staffBy, s.page = sess, byOperator, pageStaffMenu
		s.staffArrived()
		s.touchStaff()
		s.render()
		return
	}
	s.opMsg, s.opLeft = loginMessage(err)
	s.touchStaff()
	s.render()
}

// loginMessage says what a failed login means on screen.
func loginMessage(err error) (opMsg, int) {
	var wrong *operator.WrongPINError
	switch {
	case errors.As(err, &wrong):
		return opWrong, wrong.Left
	case errors.Is(err, operator.ErrWrongPIN):
		return opWrong, -1
	case errors.Is(err, operator.ErrPINBlocked):
		return opBlocked, 0
	case errors.Is(err, operator.ErrNotRegistered):
		return opNotRegistered, 0
	}
	return opRefused, 0
}

// allows says whether the staff on the menu may use f: an operator as
// their role allows; the staff PIN for the visual check, and for leaving
// kiosk mode only where no operators are registered (operators win).
func (s *Shell) allows(f operator.Function) bool {
	switch s.staffBy {
	case byOperator:
		return s.opMsg != opEnded && s.operator.Role.Allowed(f)
	case byPIN:
		return f == operator.FuncVisualCheck || s.cfg.Operators == nil
	}
	return false
}

// permit asks the authenticator, for an operator, whether f may be used
// now; a refusal stays on the menu with the reason.
func (s *Shell) permit(f operator.Function) bool {
	if s.staffBy != byOperator {
		return s.allows(f)
	}
	_, err := s.cfg.Operators.Use(f)
	switch {
	case err == nil:
		return true
	case errors.Is(err, operator.ErrExpired), errors.Is(err, operator.ErrNoSession):
		s.opMsg = opEnded
	default:
		s.opMsg = opNotAllowed
	}
	s.touchStaff()
	s.render()
	return false
}

// operatorLine is the menu's "logged in: name (role)".
func (s *Shell) operatorLine() string {
	t := s.tr()
	role := t.T(i18n.StaffRoleReception)
	if s.operator.Role == operator.RoleAdministrator {
		role = t.T(i18n.StaffRoleAdministrator)
	}
	return t.T(i18n.StaffMenuOperator, "name", s.operator.Name, "role", role)
}
