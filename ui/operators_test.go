package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/uketsuke/uketsuke/app/operator"
	"github.com/uketsuke/uketsuke/app/secret"
	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/i18n"
	"github.com/uketsuke/uketsuke/ui/theme"
)

// fakeDesk stands for the authenticator and the reader: the test places and
// removes the staff card, and says what each login answers. It keeps every
// PIN buffer it was given, to check they were destroyed.
type fakeDesk struct {
	hpki        bool
	pinLo       int // what the HPKI module says its PINs are
	pinHi       int
	patientCard bool // a patient's card holds the reader
	listen      func(present bool)
	awaits      int

	answers []error // one per login, in turn; nil logs in
	who     operator.Session
	schemes []operator.Scheme
	typed   []string
	seen    []*secret.Buffer

	current *operator.Session
	expired bool
	uses    []string
	logouts int
}

func (d *fakeDesk) HPKI() bool { return d.hpki }

func (d *fakeDesk) HPKIPINLength() (int, int) { return d.pinLo, d.pinHi }

func (d *fakeDesk) AwaitCard(listen func(bool)) bool {
	d.awaits++
	if d.patientCard {
		return false
	}
	d.listen = listen
	return true
}

func (d *fakeDesk) StopAwaiting() { d.listen = nil }

func (d *fakeDesk) Login(_ context.Context, scheme operator.Scheme, pin *secret.Buffer) (operator.Session, error) {
	d.schemes = append(d.schemes, scheme)
	d.seen = append(d.seen, pin)
	d.typed = append(d.typed, string(pin.Bytes())) // test only: the PIN is fake
	var err error
	if len(d.answers) > 0 {
		err, d.answers = d.answers[0], d.answers[1:]
	}
	if err != nil {
		return operator.Session{}, err
	}
	s := d.who
	d.current = &s
	return s, nil
}

func (d *fakeDesk) Use(f operator.Function) (operator.Session, error) {
	d.uses = append(d.uses, f.String())
	switch {
	case d.current == nil:
		return operator.Session{}, operator.ErrNoSession
	case d.expired:
		d.current = nil
		return operator.Session{}, operator.ErrExpired
	case !d.current.Role.Allowed(f):
		return operator.Session{}, operator.ErrNotAllowed
	}
	return *d.current, nil
}

func (d *fakeDesk) Logout() { d.logouts++; d.current = nil }

// place puts the staff card on the reader, or takes it away.
func (d *fakeDesk) place(t *testing.T, present bool) {
	t.Helper()
	if d.listen == nil {
		t.Fatal("nothing waits for the staff card")
	}
	d.listen(present)
}

var (
	receptionist  = operator.Session{OperatorID: "reception.sato", Name: "佐藤 花子", Role: operator.RoleReception}
	administrator = operator.Session{OperatorID: "admin.tanaka", Name: "田中 一郎", Role: operator.RoleAdministrator}
)

func newOperatorShell(t *testing.T, desk *fakeDesk, check StaffCheck, exit func()) (*Shell, *recorder, *fakeClock, fyne.Window) {
	t.Helper()
	test.NewTempApp(t)
	rec := &recorder{}
	s := New(Config{Catalog: catalog, Defaults: theme.Options{Lang: i18n.English}, Actions: rec,
		Staff: check, Operators: desk, OnStaffExit: exit})
	fc := useFakeClock(s)
	w := test.NewTempWindow(t, s.Content())
	w.SetPadded(false)
	w.Resize(fyne.NewSize(theme.ScreenWidthPx, theme.ScreenHeightPx))
	s.Relayout()
	t.Cleanup(s.Close)
	return s, rec, fc, w
}

func disabled(t *testing.T, s *Shell, name string) bool {
	t.Helper()
	o, ok := s.targets[name]
	if !ok {
		t.Fatalf("no target %q (have %v)", name, targetNames(s))
	}
	return o.(*widget.Button).Disabled()
}

func says(t *testing.T, s *Shell, key i18n.Key, args ...any) {
	t.Helper()
	// MixedText draws a line as runs, one text each: join them again.
	if want := catalog.T(i18n.English, key, args...); !strings.Contains(strings.ReplaceAll(joined(s), "\n", ""), want) {
		t.Errorf("page %s does not say %q: %q", pageNames[s.page], want, joined(s))
	}
}

// cardLogin opens the card login, places the staff card and types pin.
func cardLogin(t *testing.T, s *Shell, fc *fakeClock, d *fakeDesk, pin string) {
	t.Helper()
	press(t, s, fc, StaffHold)
	if s.page != pageStaffCard {
		t.Fatalf("the corner opened page %s, want the card login", pageNames[s.page])
	}
	d.place(t, true)
	if s.page != pageOperatorPIN {
		t.Fatalf("the staff card opened page %s", pageNames[s.page])
	}
	typeStaff(t, s, pin)
	tap(t, s, "staff-ok")
}

func TestStaffCardLoginWithWrongPINThenRight(t *testing.T) {
	d := &fakeDesk{who: receptionist, answers: []error{&operator.WrongPINError{Left: 2}, nil}}
	s, rec, fc, w := newOperatorShell(t, d, nil, func() { t.Error("reception left kiosk mode") })
	s.Show(session.View{State: session.StateStaffCheck})
	// A patient's 目視 is waiting, but no card is on the reader: the
	// patient's session in this test has none.
	s.view.State = session.StateIdle
	press(t, s, fc, StaffHold)
	says(t, s, i18n.StaffCardPlace)
	if _, ok := s.targets["staff-hpki"]; ok {
		t.Error("HPKI offered without a module")
	}
	d.place(t, true)

	// A My Number Card's PIN is four digits: a fifth is not taken.
	typeStaff(t, s, "123")
	if !disabled(t, s, "staff-ok") {
		t.Error("OK enabled with 3 digits")
	}
	typeStaff(t, s, "45")
	if s.staffN != jpkiPINLength {
		t.Errorf("%d digits typed, want %d", s.staffN, jpkiPINLength)
	}
	tap(t, s, "staff-ok")
	says(t, s, i18n.StaffCardWrong, i18n.CountArg, 2)
	if s.page != pageOperatorPIN || s.staffN != 0 || strings.Trim(string(s.staff.Bytes()), "\x00") != "" {
		t.Fatalf("after a wrong PIN: page %s, %d digits kept", pageNames[s.page], s.staffN)
	}
	typeStaff(t, s, "5678")
	tap(t, s, "staff-ok")
	if s.page != pageStaffMenu {
		t.Fatalf("the right PIN gave page %s", pageNames[s.page])
	}
	if strings.Join(d.typed, ",") != "1234,5678" || len(d.schemes) != 2 || d.schemes[1] != operator.SchemeJPKI {
		t.Errorf("logins with %v through %v: the kiosk must send each PIN once, as typed", d.typed, d.schemes)
	}
	for i, b := range d.seen {
		if b.Alive() {
			t.Errorf("login %d: the PIN buffer was not destroyed", i)
		}
	}
	says(t, s, i18n.StaffMenuOperator, "name", "佐藤 花子", "role", catalog.T(i18n.English, i18n.StaffRoleReception))
	for _, p := range problems(s, w, i18n.English, false) {
		t.Error(p)
	}
	// Reception may not leave kiosk mode.
	if !disabled(t, s, "staff-exit-kiosk") {
		t.Error("reception is offered to leave kiosk mode")
	}
	s.Show(session.View{State: session.StateStaffCheck, Seq: 2})
	tap(t, s, "staff-approve")
	if got := rec.got(); strings.Join(got, ",") != "staff staff_approve" {
		t.Errorf("sent %v", got)
	}
	if strings.Join(d.uses, ",") != "visual_check" || s.page != pageSession || d.logouts != 1 {
		t.Errorf("uses %v, page %s, %d logouts", d.uses, pageNames[s.page], d.logouts)
	}
}

func TestBlockedAndUnregisteredCardsAreRefused(t *testing.T) {
	for _, c := range []struct {
		err error
		key i18n.Key
	}{
		{operator.ErrPINBlocked, i18n.StaffCardBlocked},
		{operator.ErrNotRegistered, i18n.StaffCardNotRegistered},
		{operator.ErrUntrusted, i18n.StaffCardRefused},
		{&operator.WrongPINError{Left: -1}, i18n.StaffCardWrongPlain},
	} {
		t.Run(string(c.key), func(t *testing.T) {
			d := &fakeDesk{who: receptionist, answers: []error{c.err}}
			s, _, fc, _ := newOperatorShell(t, d, nil, nil)
			cardLogin(t, s, fc, d, "1234")
			says(t, s, c.key)
			if s.page != pageOperatorPIN {
				t.Fatalf("page %s", pageNames[s.page])
			}
			typeStaff(t, s, "1234")
			final := c.key != i18n.StaffCardWrongPlain
			if disabled(t, s, "staff-ok") != final {
				t.Errorf("OK disabled %v after %v: the card may be tried again only after a wrong PIN", !final, c.err)
			}
			d.place(t, false)
			if s.page != pageSession {
				t.Errorf("removing the card left page %s", pageNames[s.page])
			}
		})
	}
}

func TestAdministratorMayLeaveKioskMode(t *testing.T) {
	d := &fakeDesk{who: administrator}
	exits := 0
	s, _, fc, _ := newOperatorShell(t, d, nil, func() { exits++ })
	cardLogin(t, s, fc, d, "5678")
	says(t, s, i18n.StaffMenuOperator, "name", "田中 一郎", "role", catalog.T(i18n.English, i18n.StaffRoleAdministrator))
	tap(t, s, "staff-exit-kiosk")
	if exits != 1 || strings.Join(d.uses, ",") != "leave_kiosk" {
		t.Errorf("%d exits, uses %v", exits, d.uses)
	}
}

func TestAnExpiredSessionIsRefusedAtTheDecision(t *testing.T) {
	d := &fakeDesk{who: administrator}
	exits := 0
	s, rec, fc, _ := newOperatorShell(t, d, nil, func() { exits++ })
	s.Show(session.View{State: session.StateStaffCheck})
	s.view.State = session.StateIdle // the reader is free (see the first test)
	press(t, s, fc, StaffHold)
	s.view.State = session.StateStaffCheck
	d.place(t, true)
	typeStaff(t, s, "5678")
	tap(t, s, "staff-ok")
	d.expired = true
	tap(t, s, "staff-approve")
	if got := rec.got(); len(got) != 0 {
		t.Errorf("an expired operator's decision reached the session: %v", got)
	}
	says(t, s, i18n.StaffLoginEnded)
	if s.page != pageStaffMenu {
		t.Fatalf("page %s", pageNames[s.page])
	}
	if _, ok := s.targets["staff-approve"]; ok {
		t.Error("approve still offered after the session ended")
	}
	if !disabled(t, s, "staff-exit-kiosk") {
		t.Error("exit still offered after the session ended")
	}
	if exits != 0 {
		t.Error("left kiosk mode")
	}
}

func TestRemovingTheStaffCardClosesTheStaffPages(t *testing.T) {
	d := &fakeDesk{who: receptionist}
	s, _, fc, _ := newOperatorShell(t, d, nil, nil)
	cardLogin(t, s, fc, d, "5678")
	if s.page != pageStaffMenu {
		t.Fatalf("page %s", pageNames[s.page])
	}
	listen := d.listen
	listen(false)
	if s.page != pageSession || d.logouts != 1 || d.listen != nil {
		t.Errorf("after removal: page %s, %d logouts, still listening %v", pageNames[s.page], d.logouts, d.listen != nil)
	}
	// A late event from an earlier login changes nothing.
	press(t, s, fc, StaffHold)
	listen(true)
	if s.page != pageStaffCard {
		t.Errorf("a stale card event opened page %s", pageNames[s.page])
	}
	tap(t, s, "staff-cancel")
	if s.page != pageSession || d.listen != nil {
		t.Errorf("cancel: page %s, still listening %v", pageNames[s.page], d.listen != nil)
	}
}

func TestAPatientsCardSendsStaffToTheConsoleOrThePIN(t *testing.T) {
	d := &fakeDesk{who: receptionist}
	exits := 0
	s, rec, fc, _ := newOperatorShell(t, d, &fakeGuard{}, func() { exits++ })
	s.Show(session.View{State: session.StateStaffCheck})
	press(t, s, fc, StaffHold)
	if s.page != pageStaffCard || d.awaits != 0 {
		t.Fatalf("page %s, %d waits for a card while the patient's is on the reader", pageNames[s.page], d.awaits)
	}
	says(t, s, i18n.StaffCardBusyPIN)
	tap(t, s, "staff-use-pin")
	typeStaff(t, s, "246810")
	tap(t, s, "staff-ok")
	if s.page != pageStaffMenu {
		t.Fatalf("staff PIN gave page %s", pageNames[s.page])
	}
	// Operators win: the staff PIN does the visual check, not the exit.
	if !disabled(t, s, "staff-exit-kiosk") {
		t.Error("the staff PIN may leave kiosk mode though operators are registered")
	}
	tap(t, s, "staff-approve")
	if got := rec.got(); strings.Join(got, ",") != "staff staff_approve" {
		t.Errorf("sent %v", got)
	}

	// Without a staff PIN, only the console is left.
	d2 := &fakeDesk{patientCard: true}
	s2, _, fc2, _ := newOperatorShell(t, d2, nil, nil)
	press(t, s2, fc2, StaffHold)
	says(t, s2, i18n.StaffCardBusy)
	if _, ok := s2.targets["staff-use-pin"]; ok {
		t.Error("staff PIN offered without one")
	}
}

func TestHPKICardLogin(t *testing.T) {
	d := &fakeDesk{hpki: true, who: administrator}
	s, _, fc, _ := newOperatorShell(t, d, nil, nil)
	press(t, s, fc, StaffHold)
	tap(t, s, "staff-hpki")
	if s.page != pageOperatorPIN || d.listen != nil {
		t.Fatalf("HPKI: page %s, the kiosk's reader still waits %v", pageNames[s.page], d.listen != nil)
	}
	says(t, s, i18n.StaffCardPINHPKI, "min", hpkiPINMin, "max", hpkiPINMax)
	typeStaff(t, s, "12345678901234567")
	if s.staffN != hpkiPINMax {
		t.Errorf("%d digits typed, want at most %d", s.staffN, hpkiPINMax)
	}
	tap(t, s, "staff-ok")
	if s.page != pageStaffMenu || len(d.schemes) != 1 || d.schemes[0] != operator.SchemeHPKI {
		t.Fatalf("page %s, logins %v", pageNames[s.page], d.schemes)
	}
	if d.typed[0] != "1234567890123456" {
		t.Errorf("sent %q", d.typed[0])
	}
}

func TestHPKIPINLengthIsTheModules(t *testing.T) {
	d := &fakeDesk{hpki: true, who: administrator, pinLo: 6, pinHi: 8}
	s, _, fc, _ := newOperatorShell(t, d, nil, nil)
	press(t, s, fc, StaffHold)
	tap(t, s, "staff-hpki")
	says(t, s, i18n.StaffCardPINHPKI, "min", 6, "max", 8)
	typeStaff(t, s, "12345")
	if !disabled(t, s, "staff-ok") {
		t.Error("OK enabled under the module's shortest PIN")
	}
	typeStaff(t, s, "6789")
	if s.staffN != 8 {
		t.Errorf("%d digits typed, the module takes at most 8", s.staffN)
	}
	for _, c := range []struct{ lo, hi, wantLo, wantHi int }{
		{4, 255, 4, hpkiPINMax}, // SoftHSM2: the pad has room for 16
		{0, 0, hpkiPINMin, hpkiPINMax},
		{8, 4, hpkiPINMin, hpkiPINMax},
		{20, 30, hpkiPINMax, hpkiPINMax},
	} {
		if lo, hi := hpkiPINRange(c.lo, c.hi); lo != c.wantLo || hi != c.wantHi {
			t.Errorf("module %d–%d: pad %d–%d, want %d–%d", c.lo, c.hi, lo, hi, c.wantLo, c.wantHi)
		}
	}
}
