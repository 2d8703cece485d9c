package ui

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/uketsuke/uketsuke/app/secret"
	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/app/staff"
	"github.com/uketsuke/uketsuke/i18n"
	"github.com/uketsuke/uketsuke/ui/theme"
)

// fakeClock runs the shell's timers when the test says, and its background
// work at once.
type fakeClock struct {
	now    time.Time
	timers []*fakeTimer
}

type fakeTimer struct {
	at      time.Time
	f       func()
	stopped bool
}

func useFakeClock(s *Shell) *fakeClock {
	fc := &fakeClock{now: time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)}
	// The corner shares the shell's clock: change it in place.
	*s.clock = clock{
		now: func() time.Time { return fc.now },
		after: func(d time.Duration, f func()) func() {
			t := &fakeTimer{at: fc.now.Add(d), f: f}
			fc.timers = append(fc.timers, t)
			return func() { t.stopped = true }
		},
		run: func(f func()) { f() },
	}
	return fc
}

func (fc *fakeClock) advance(d time.Duration) {
	fc.now = fc.now.Add(d)
	for _, t := range slices.Clone(fc.timers) {
		if !t.stopped && !t.at.After(fc.now) {
			t.stopped = true
			t.f()
		}
	}
}

// fakeGuard accepts 246810, or says the pad is locked; it keeps every
// buffer it was given to check they were destroyed.
type fakeGuard struct {
	locked time.Duration
	seen   []*secret.Buffer
	typed  []string
}

func (g *fakeGuard) Check(pin *secret.Buffer) error {
	g.seen = append(g.seen, pin)
	g.typed = append(g.typed, string(pin.Bytes())) // test only: the PIN is fake
	switch {
	case g.locked > 0:
		return &staff.LockedError{For: g.locked}
	case string(pin.Bytes()) == "246810":
		return nil
	}
	return staff.ErrWrong
}

func newStaffShell(t *testing.T, check StaffCheck, exit func()) (*Shell, *recorder, *fakeClock, fyne.Window) {
	t.Helper()
	test.NewTempApp(t)
	rec := &recorder{}
	s := New(Config{Catalog: catalog, Defaults: theme.Options{Lang: i18n.English}, Actions: rec,
		Staff: check, OnStaffExit: exit})
	fc := useFakeClock(s)
	w := test.NewTempWindow(t, s.Content())
	w.SetPadded(false)
	w.Resize(fyne.NewSize(theme.ScreenWidthPx, theme.ScreenHeightPx))
	s.Relayout()
	t.Cleanup(s.Close)
	return s, rec, fc, w
}

func corner(t *testing.T, s *Shell) *holdCorner {
	t.Helper()
	c, ok := s.targets["staff-corner"].(*holdCorner)
	if !ok {
		t.Fatalf("no staff-corner on this page (have %v)", targetNames(s))
	}
	return c
}

var primary = &desktop.MouseEvent{Button: desktop.MouseButtonPrimary}

// press holds the corner for d on the fake clock, timers firing as time
// passes, and releases it.
func press(t *testing.T, s *Shell, fc *fakeClock, d time.Duration) {
	t.Helper()
	c := corner(t, s)
	c.MouseDown(primary)
	fc.advance(d)
	c.MouseUp(primary)
}

func TestLongPressOnTheCornerOpensTheStaffLogin(t *testing.T) {
	s, _, fc, w := newStaffShell(t, &fakeGuard{}, nil)
	s.Show(session.View{State: session.StateMethod, Methods: session.MethodsView{Face: true, PIN: true}})

	// Where the e2e test clicks: the window's top-right corner, 15 mm square.
	var r Rect
	for _, x := range s.Targets() {
		if x.Name == "staff-corner" {
			r = x
		}
	}
	if win := w.Canvas().Size(); r.W < int(touchSize()) || r.H < int(touchSize()) || r.Y != 0 || r.X+r.W != int(win.Width) {
		t.Errorf("staff-corner at %+v, want a %v square in the top-right corner of %v", r, touchSize(), win)
	}

	test.Tap(corner(t, s))
	press(t, s, fc, time.Second)
	press(t, s, fc, StaffHold-time.Millisecond)
	if s.page != pageSession {
		t.Fatalf("a short press opened page %s", pageNames[s.page])
	}
	c := corner(t, s)
	c.MouseDown(&desktop.MouseEvent{Button: desktop.MouseButtonSecondary})
	fc.advance(StaffHold * 2)
	c.MouseUp(primary)
	if s.page != pageSession {
		t.Fatal("holding the right button opened the staff login")
	}

	// Held: opens when the time is up, before the finger lifts.
	c.MouseDown(primary)
	fc.advance(StaffHold)
	if s.page != pageStaff {
		t.Fatalf("a 3 s hold left page %s", pageNames[s.page])
	}
	c.MouseUp(primary)
	if _, ok := s.targets["staff-corner"]; ok {
		t.Error("the staff login has the corner")
	}
	if strings.Contains(joined(s), catalog.T(i18n.English, i18n.MethodTitle)) {
		t.Error("the patient's screen still shows under the staff login")
	}

	// The timer late: the release decides.
	s.closeStaff()
	fc.timers = nil
	c.MouseDown(primary)
	fc.timers = nil // lost
	fc.now = fc.now.Add(StaffHold + time.Second)
	c.MouseUp(primary)
	if s.page != pageStaff {
		t.Fatal("a long press whose timer was late did not open the login")
	}

	// The mobile drivers' long press.
	s.closeStaff()
	test.TapSecondary(corner(t, s))
	if s.page != pageStaff {
		t.Fatal("a secondary tap (mobile long press) did not open the login")
	}
}

func TestCornerDoesNothingWithoutAStaffPIN(t *testing.T) {
	s, _, fc, _ := newStaffShell(t, nil, nil)
	press(t, s, fc, 2*StaffHold)
	test.TapSecondary(corner(t, s))
	if s.page != pageSession {
		t.Fatalf("page %s without a staff PIN", pageNames[s.page])
	}
}

func typeStaff(t *testing.T, s *Shell, digits string) {
	t.Helper()
	for _, c := range digits {
		tap(t, s, fmt.Sprintf("staff-digit-%c", c))
	}
}

func TestStaffPINPad(t *testing.T) {
	g := &fakeGuard{}
	exits := 0
	s, rec, fc, _ := newStaffShell(t, g, func() { exits++ })
	press(t, s, fc, StaffHold)

	typeStaff(t, s, "24681")
	if !s.targets["staff-ok"].(*widget.Button).Disabled() {
		t.Errorf("OK enabled with 5 digits (the minimum is %d)", staff.MinPINLength)
	}
	typeStaff(t, s, "1")
	tap(t, s, "staff-ok")
	if s.page != pageStaff || !strings.Contains(joined(s), catalog.T(i18n.English, i18n.StaffPINWrong)) {
		t.Fatalf("wrong PIN: page %s, texts %q", pageNames[s.page], joined(s))
	}
	if s.staffN != 0 || strings.Trim(string(s.staff.Bytes()), "\x00") != "" {
		t.Error("the typed digits outlived the check")
	}

	// Up to twelve digits; a thirteenth is not taken.
	typeStaff(t, s, "1234567890123")
	if s.staffN != staff.MaxPINLength {
		t.Errorf("%d digits typed, want at most %d", s.staffN, staff.MaxPINLength)
	}
	tap(t, s, "staff-delete")
	g.locked = 29*time.Second + time.Millisecond
	tap(t, s, "staff-ok")
	want := catalog.T(i18n.English, i18n.StaffLocked, i18n.CountArg, 30)
	if !strings.Contains(joined(s), want) {
		t.Errorf("locked: want %q in %q", want, joined(s))
	}
	if got := g.typed[1]; got != "12345678901" {
		t.Errorf("checked %q, want the 11 digits typed", got)
	}

	g.locked = 0
	typeStaff(t, s, "246810")
	tap(t, s, "staff-ok")
	if s.page != pageStaffMenu {
		t.Fatalf("the right PIN gave page %s", pageNames[s.page])
	}
	for i, b := range g.seen {
		if b.Alive() {
			t.Errorf("check %d: the PIN buffer was not destroyed", i)
		}
	}
	if _, ok := s.targets["staff-approve"]; ok {
		t.Error("approve offered with no visual check waiting")
	}
	if !strings.Contains(joined(s), catalog.T(i18n.English, i18n.StaffMenuNoCheck)) {
		t.Error("the menu does not say no check is waiting")
	}
	tap(t, s, "staff-exit-kiosk")
	if exits != 1 || s.page != pageSession {
		t.Errorf("exit: %d calls, page %s", exits, pageNames[s.page])
	}
	if got := rec.got(); len(got) != 0 {
		t.Errorf("the session got %v", got)
	}
}

// login opens the staff menu with the right PIN.
func login(t *testing.T, s *Shell, fc *fakeClock) {
	t.Helper()
	press(t, s, fc, StaffHold)
	typeStaff(t, s, "246810")
	tap(t, s, "staff-ok")
	if s.page != pageStaffMenu {
		t.Fatalf("not logged in: page %s", pageNames[s.page])
	}
}

func TestStaffMenuSendsTheVisualCheck(t *testing.T) {
	method := session.View{State: session.StateMethod, Methods: session.MethodsView{Face: true, PIN: true, Staff: true}}
	cases := []struct {
		name   string
		setup  func(*Shell)
		button string
		want   []string
	}{
		{"waiting, approve", func(s *Shell) { s.Show(session.View{State: session.StateStaffCheck}) },
			"staff-approve", []string{"staff staff_approve"}},
		{"waiting, reject", func(s *Shell) { s.Show(session.View{State: session.StateStaffCheck}) },
			"staff-reject", []string{"staff staff_reject"}},
		{"asked on the method screen, approve", func(s *Shell) {
			s.Show(method)
			tap(t, s, "staff") // the session refused or has not moved yet
			asked := method
			asked.StaffAsked = true // as the session remembers it
			s.Show(asked)
		}, "staff-approve", []string{"request_staff", "staff staff_start", "staff staff_approve"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, rec, fc, w := newStaffShell(t, &fakeGuard{}, nil)
			c.setup(s)
			login(t, s, fc)
			for _, p := range problems(s, w, i18n.English, false) {
				t.Error(p)
			}
			tap(t, s, c.button)
			if got := rec.got(); strings.Join(got, ",") != strings.Join(c.want, ",") {
				t.Errorf("sent %v, want %v", got, c.want)
			}
			if s.page != pageSession {
				t.Errorf("page %s after the decision", pageNames[s.page])
			}
		})
	}
	t.Run("nobody asked", func(t *testing.T) {
		s, _, fc, _ := newStaffShell(t, &fakeGuard{}, nil)
		s.Show(method)
		login(t, s, fc)
		if _, ok := s.targets["staff-approve"]; ok {
			t.Error("approve offered on the method screen though nobody asked for staff")
		}
		tap(t, s, "staff-back")
		if s.page != pageSession {
			t.Errorf("back gave page %s", pageNames[s.page])
		}
	})
}

func TestStaffPagesClose(t *testing.T) {
	s, _, fc, _ := newStaffShell(t, &fakeGuard{}, nil)
	s.Show(session.View{State: session.StateStaffCheck})
	login(t, s, fc)
	fc.advance(StaffIdle - time.Second)
	tap(t, s, "staff-back") // a touch...
	login(t, s, fc)
	fc.advance(StaffIdle / 2)
	s.Show(session.View{State: session.StateStaffCheck, Seq: 2}) // ...a new view is not one
	fc.advance(StaffIdle / 2)
	if s.page != pageSession {
		t.Fatalf("the menu stayed open %v untouched", StaffIdle)
	}

	// The login too, and with the digits typed.
	press(t, s, fc, StaffHold)
	typeStaff(t, s, "2468")
	fc.advance(StaffIdle)
	if s.page != pageSession || s.staffN != 0 {
		t.Fatalf("login untouched for %v: page %s, %d digits kept", StaffIdle, pageNames[s.page], s.staffN)
	}

	login(t, s, fc)
	s.Show(session.View{State: session.StateIdle})
	if s.page != pageSession {
		t.Fatal("the menu stayed open when the session ended")
	}
}

func TestStaffPagesInTheFacilitysLanguage(t *testing.T) {
	s, _, fc, _ := newStaffShell(t, &fakeGuard{}, nil)
	s.Show(session.View{State: session.StateMethod})
	s.SetOptions(theme.Options{Lang: i18n.Thai})
	login(t, s, fc)
	if !strings.Contains(joined(s), catalog.T(i18n.English, i18n.StaffMenuTitle)) {
		t.Errorf("staff menu not in the facility's English: %q", joined(s))
	}
	tap(t, s, "staff-back")
	if s.Options().Lang != i18n.Thai || !strings.Contains(joined(s), catalog.T(i18n.Thai, i18n.LanguageButton)) {
		t.Error("the patient's Thai did not come back after the staff menu")
	}
}

func TestFaultsSayWhatIsWrongAndWhatStaffDo(t *testing.T) {
	for _, f := range session.Faults() {
		if _, ok := faultTexts[f]; !ok {
			t.Errorf("fault %s has no words", f)
		}
	}
	for _, l := range []i18n.Lang{i18n.English, i18n.Japanese} {
		s, _, w := newShell(t, theme.Options{Lang: l})
		place := []string{catalog.T(l, i18n.PlaceCardTitle), catalog.T(l, i18n.PlaceCardHow)}
		for _, f := range session.Faults() {
			p := faultTexts[f]
			s.Show(session.View{State: session.StateIdle, Fault: f})
			all := joined(s)
			for _, k := range []i18n.Key{p.title, p.body, p.staff} {
				if !strings.Contains(all, catalog.T(l, k)) {
					t.Errorf("%s idle with %s: no %q", l, f, catalog.T(l, k))
				}
			}
			for _, text := range place {
				if asks := strings.Contains(all, text); asks == p.blocksCards {
					t.Errorf("%s idle with %s: says %q: %v", l, f, text, asks)
				}
			}
			if f == session.ErrCodeNoReader && strings.Contains(all, catalog.T(l, i18n.PlaceCardTitle)) {
				t.Errorf("%s: asks for the card with no reader", l)
			}
			for _, p := range problems(s, w, l, false) {
				t.Errorf("%s idle with %s: %s", l, f, p)
			}

			// Other screens: a banner with the title.
			s.Show(session.View{State: session.StateMethod, Fault: f, Methods: session.MethodsView{PIN: true}})
			if !strings.Contains(joined(s), catalog.T(l, p.title)) {
				t.Errorf("%s method screen with %s: no banner", l, f)
			}
			s.Show(session.View{State: session.StateIdle})
		}
		s.Show(session.View{State: session.StateIdle})
		if strings.Contains(joined(s), catalog.T(l, faultTexts[session.ErrCodeNoReader].title)) {
			t.Errorf("%s: the fault stayed after it cleared", l)
		}
	}
}

func TestKeyBLowTriesHasWords(t *testing.T) {
	if !slices.Contains(ErrorCodes(), session.ErrCodeKeyBLowTries) {
		t.Error("ErrorCodes lacks card.keyb_low_tries")
	}
	p := errorText(session.ErrCodeKeyBLowTries)
	if p.title != i18n.ErrKeyBLowTriesTitle || p.body != i18n.ErrKeyBLowTriesBody {
		t.Errorf("card.keyb_low_tries → %+v", p)
	}
}
