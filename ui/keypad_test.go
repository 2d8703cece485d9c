package ui

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	fynetheme "fyne.io/fyne/v2/theme"

	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/i18n"
	"github.com/uketsuke/uketsuke/ui/theme"
)

// key sends one synthetic key press as Fyne's desktop driver does: to the
// focused object (KeyDown, TypedKey, KeyUp), or to the canvas's handler
// when nothing has the focus.
func key(t *testing.T, w fyne.Window, name fyne.KeyName) {
	t.Helper()
	ev := &fyne.KeyEvent{Name: name}
	c := w.Canvas()
	f := c.Focused()
	if f == nil {
		h := c.OnTypedKey()
		if h == nil {
			t.Fatalf("key %q: nothing focused and no canvas handler", name)
		}
		h(ev)
		return
	}
	k, keyable := f.(desktop.Keyable)
	if keyable {
		k.KeyDown(ev)
	}
	f.TypedKey(ev)
	if keyable {
		k.KeyUp(ev)
	}
}

// keys sends each digit of a string as its key.
func keys(t *testing.T, w fyne.Window, digits string) {
	t.Helper()
	for _, d := range digits {
		key(t, w, fyne.KeyName(string(d)))
	}
}

// feedbackLog records what the patient would hear.
type feedbackLog struct{ heard []string }

func (f *feedbackLog) Click()   { f.heard = append(f.heard, "click") }
func (f *feedbackLog) Refused() { f.heard = append(f.heard, "refused") }

func newKeypadShell(t *testing.T, opts theme.Options) (*Shell, *recorder, *feedbackLog, fyne.Window) {
	t.Helper()
	s, rec, w := newShell(t, opts)
	fb := &feedbackLog{}
	s.cfg.Feedback = fb
	return s, rec, fb, w
}

func pinView(digits int) session.View {
	return session.View{State: session.StatePIN, Methods: session.MethodsView{Face: true, PIN: true},
		PIN: session.PINView{Length: session.PINLength, Digits: digits, TriesLeft: -1, CanSubmit: digits == session.PINLength}}
}

var singleDigit = regexp.MustCompile(`^digit [0-9]$`)

func TestKeypadEntersThePINAsTheTouchPadDoes(t *testing.T) {
	// The same entry on the touch pad and on the keypad: 1 2 3 4, delete,
	// 5, send.
	touched, touchRec, _ := newShell(t, theme.Options{Lang: i18n.English})
	typed, keyRec, _, w := newKeypadShell(t, theme.Options{Lang: i18n.English})
	for _, s := range []*Shell{touched, typed} {
		s.Show(pinView(0))
	}
	if w.Canvas().Focused() != typed.sink {
		t.Fatalf("the key sink does not have the window's focus (%T has)", w.Canvas().Focused())
	}
	for i, d := range "1234" {
		tap(t, touched, fmt.Sprintf("digit-%c", d))
		key(t, w, fyne.KeyName(string(d)))
		touched.Show(pinView(i + 1))
		typed.Show(pinView(i + 1))
	}
	tap(t, touched, "delete")
	key(t, w, fyne.KeyBackspace)
	touched.Show(pinView(3))
	typed.Show(pinView(3))
	tap(t, touched, "digit-5")
	key(t, w, fyne.Key5)
	touched.Show(pinView(4))
	typed.Show(pinView(4))
	tap(t, touched, "send")
	key(t, w, fyne.KeyEnter) // the keypad's Enter (KP_Enter)

	want := []string{"digit 1", "digit 2", "digit 3", "digit 4", "delete", "digit 5", "submit_pin"}
	if got := touchRec.got(); !slices.Equal(got, want) {
		t.Fatalf("touch pad sent %q, want %q", got, want)
	}
	got := keyRec.got()
	if !slices.Equal(got, want) {
		t.Fatalf("keypad sent %q, want what the touch pad sent: %q", got, want)
	}
	// Only ever one digit at a time: nothing in the UI assembles a PIN.
	for _, ev := range got {
		if ev[:5] == "digit" && !singleDigit.MatchString(ev) {
			t.Errorf("event %q carries more than one digit", ev)
		}
	}
}

func TestKeypadEnterRefusedUntilTheFourthDigit(t *testing.T) {
	s, rec, fb, w := newKeypadShell(t, theme.Options{Lang: i18n.English})
	s.Show(pinView(3))
	key(t, w, fyne.KeyEnter)
	key(t, w, fyne.KeyReturn) // the main keyboard's Enter alike
	if got := rec.got(); len(got) != 0 {
		t.Fatalf("Enter with 3 digits sent %q, want nothing", got)
	}
	if !slices.Equal(fb.heard, []string{"refused", "refused"}) {
		t.Fatalf("feedback %q, want two refusals", fb.heard)
	}
	s.Show(pinView(4))
	key(t, w, fyne.KeyEnter)
	if got := rec.got(); !slices.Equal(got, []string{"submit_pin"}) {
		t.Fatalf("Enter with 4 digits sent %q, want submit_pin", got)
	}
}

func TestKeypadFeedbackNeverTellsTheDigit(t *testing.T) {
	// The port cannot carry a digit: no method takes anything.
	port := reflect.TypeOf((*KeyFeedback)(nil)).Elem()
	for i := 0; i < port.NumMethod(); i++ {
		if m := port.Method(i); m.Type.NumIn() != 0 {
			t.Errorf("KeyFeedback.%s takes arguments: it could be told the digit", m.Name)
		}
	}
	// And two different PINs sound the same, one click per key.
	heard := func(digits string) []string {
		s, rec, fb, w := newKeypadShell(t, theme.Options{Lang: i18n.Japanese})
		s.Show(pinView(0))
		keys(t, w, digits)
		if n := len(rec.got()); n != len(digits) {
			t.Fatalf("%d digits reached the session, want %d", n, len(digits))
		}
		return fb.heard
	}
	a, b := heard("1234"), heard("9870")
	if !slices.Equal(a, []string{"click", "click", "click", "click"}) {
		t.Fatalf("typing 4 digits gave feedback %q, want 4 clicks", a)
	}
	if !slices.Equal(a, b) {
		t.Fatalf("1234 sounds %q but 9870 sounds %q: the feedback tells digits apart", a, b)
	}
}

// moveTo presses keyName until the ring is on target, failing after a
// full round.
func moveTo(t *testing.T, s *Shell, w fyne.Window, keyName fyne.KeyName, target string) {
	t.Helper()
	for i := 0; i <= len(s.targets); i++ {
		key(t, w, keyName)
		if s.Focused() == target {
			return
		}
	}
	t.Fatalf("%q never reached %q (the ring went round %v)", keyName, target, names(s.focusOrder()))
}

func names(ps []placed) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.name)
	}
	return out
}

func consentView(individual bool, selected session.ConsentItems) session.View {
	return session.View{State: session.StateConsent, Consent: session.ConsentView{Individual: individual, Selected: selected}}
}

func TestKeypadMakesTheConsentChoiceAlone(t *testing.T) {
	medical := session.ConsentMedical | session.ConsentDrug | session.ConsentSurgery

	t.Run("まとめて同意", func(t *testing.T) {
		s, rec, _, w := newKeypadShell(t, theme.Options{Lang: i18n.Japanese})
		s.Show(consentView(false, 0))
		key(t, w, fyne.KeyDown)
		if s.Focused() != "consent-all" {
			t.Fatalf("first move focused %q, want consent-all (ring order %v)", s.Focused(), names(s.focusOrder()))
		}
		key(t, w, fyne.KeyEnter)
		if got := rec.got(); !slices.Equal(got, []string{"consent_all"}) {
			t.Fatalf("sent %q, want consent_all", got)
		}
	})

	t.Run("個別に同意", func(t *testing.T) {
		s, rec, _, w := newKeypadShell(t, theme.Options{Lang: i18n.Japanese})
		s.Show(consentView(false, 0))
		key(t, w, fyne.KeyPlus) // the keypad's +: onto the first choice
		key(t, w, fyne.KeyPlus)
		if s.Focused() != "consent-each" {
			t.Fatalf("+ + focused %q, want consent-each (ring order %v)", s.Focused(), names(s.focusOrder()))
		}
		key(t, w, fyne.KeyEnter)
		// The items screen: the ring starts on its first choice.
		s.Show(consentView(true, 0))
		if s.Focused() != "consent-medical-agree" {
			t.Fatalf("the items screen focused %q, want consent-medical-agree (ring order %v)", s.Focused(), names(s.focusOrder()))
		}
		key(t, w, fyne.KeyEnter)
		s.Show(consentView(true, medical))
		if s.Focused() != "consent-medical-agree" {
			t.Fatalf("after agreeing the ring moved to %q", s.Focused())
		}
		moveTo(t, s, w, fyne.KeyRight, "consent-checkup-agree")
		key(t, w, fyne.KeyEnter)
		s.Show(consentView(true, medical|session.ConsentCheckup))
		moveTo(t, s, w, fyne.KeyMinus, "consent-confirm") // backwards, round the end
		key(t, w, fyne.KeyEnter)
		want := []string{"consent_each", fmt.Sprintf("toggle_item %d", medical),
			fmt.Sprintf("toggle_item %d", session.ConsentCheckup), "consent_done"}
		if got := rec.got(); !slices.Equal(got, want) {
			t.Fatalf("sent %q, want %q", got, want)
		}
	})
}

func TestFocusRingSkipsDisabledChoices(t *testing.T) {
	s, rec, _, w := newKeypadShell(t, theme.Options{Lang: i18n.English})
	// No face camera: the face choice is shown but off.
	s.Show(session.View{State: session.StateMethod, Methods: session.MethodsView{Face: false, PIN: true}})
	key(t, w, fyne.KeyDown)
	if s.Focused() != "pin" {
		t.Fatalf("first move focused %q, want pin (face is off; ring order %v)", s.Focused(), names(s.focusOrder()))
	}
	order := names(s.focusOrder())
	if slices.Contains(order, "face") || slices.Contains(order, "staff-corner") {
		t.Fatalf("ring order %v includes a disabled choice or the hidden staff corner", order)
	}
	want := []string{"pin", "staff", "language", "large-text", "high-contrast"}
	if !slices.Equal(order, want) {
		t.Fatalf("ring order %v, want %v (the screen in reading order, then the top bar)", order, want)
	}
	key(t, w, fyne.KeyUp)
	if s.Focused() != "high-contrast" {
		t.Fatalf("up from pin went to %q, want round to high-contrast", s.Focused())
	}
	// The PIN screen with 2 digits: send is off and never focused.
	s.Show(pinView(2))
	for i := 0; i < 30; i++ {
		key(t, w, fyne.KeyRight)
		if s.Focused() == "send" {
			t.Fatal("the ring stopped on the disabled send button")
		}
	}
	if len(rec.got()) != 0 {
		t.Fatalf("moving the ring sent %q", rec.got())
	}
}

func TestFocusRingIsLargeAndSeen(t *testing.T) {
	for _, opts := range []theme.Options{{Lang: i18n.English}, {Lang: i18n.English, HighContrast: true, LargeText: true}} {
		s, _, _, w := newKeypadShell(t, opts)
		s.Show(consentView(false, 0))
		if s.ring.frame.Visible() {
			t.Fatal("the ring shows before any key")
		}
		key(t, w, fyne.KeyRight)
		f := s.ring.frame
		if !f.Visible() {
			t.Fatalf("%+v: no ring after a move", opts)
		}
		if f.StrokeWidth < ringWidth {
			t.Errorf("%+v: ring %v wide, want at least %d", opts, f.StrokeWidth, ringWidth)
		}
		bg := fynetheme.Color(fynetheme.ColorNameBackground)
		if r := theme.ContrastRatio(f.StrokeColor, bg); r < 3 {
			t.Errorf("%+v: ring contrast %.1f:1 against the background, want at least 3:1", opts, r)
		}
		// Around the focused button.
		var at placed
		for _, p := range s.focusOrder() {
			if p.name == s.Focused() {
				at = p
			}
		}
		if f.Position().X > at.pos.X || f.Position().Y > at.pos.Y ||
			f.Position().X+f.Size().Width < at.pos.X+at.size.Width || f.Position().Y+f.Size().Height < at.pos.Y+at.size.Height {
			t.Errorf("%+v: ring at %v %v does not surround %s at %v %v", opts, f.Position(), f.Size(), at.name, at.pos, at.size)
		}
		// Back to idle: the next patient starts without a ring.
		s.Show(session.View{State: session.StateIdle})
		s.Show(consentView(false, 0))
		if f.Visible() || s.Focused() != "" {
			t.Errorf("%+v: the ring outlived the session", opts)
		}
		// Nor with a ring moved at the idle kiosk.
		s.Show(session.View{State: session.StateIdle})
		key(t, w, fyne.KeyDown)
		s.Show(consentView(false, 0))
		if f.Visible() || s.Focused() != "" {
			t.Errorf("%+v: a ring moved at the idle kiosk carried into the session", opts)
		}
	}
}

func TestKeypadTypesOnTheStaffPad(t *testing.T) {
	g := &fakeGuard{}
	s, rec, fc, w := newStaffShell(t, g, nil)
	s.Show(pinView(0))
	press(t, s, fc, StaffHold)
	if s.page != pageStaff {
		t.Fatalf("page %v, want the staff PIN pad", pageNames[s.page])
	}
	keys(t, w, "2468109")
	key(t, w, fyne.KeyBackspace)
	if s.staffN != 6 {
		t.Fatalf("staff pad holds %d digits, want 6", s.staffN)
	}
	key(t, w, fyne.KeyEnter)
	if s.page != pageStaffMenu {
		t.Fatalf("page %v after Enter, want the staff menu (checked %q)", pageNames[s.page], g.typed)
	}
	if len(rec.got()) != 0 {
		t.Fatalf("staff digits reached the patient's session: %q", rec.got())
	}
}

func TestKeysReachTheShellWithNothingFocused(t *testing.T) {
	// A touch on plain text clears Fyne's focus; the canvas handler then
	// takes the key and gives the sink its focus back.
	s, rec, _, w := newKeypadShell(t, theme.Options{Lang: i18n.English})
	s.Show(pinView(0))
	w.Canvas().Unfocus()
	key(t, w, fyne.Key7)
	if got := rec.got(); !slices.Equal(got, []string{"digit 7"}) {
		t.Fatalf("sent %q, want digit 7", got)
	}
	if w.Canvas().Focused() != s.sink {
		t.Fatal("the sink did not take the focus back")
	}
}

func TestDigitsElsewhereDoNothing(t *testing.T) {
	s, rec, fb, w := newKeypadShell(t, theme.Options{Lang: i18n.English})
	s.Show(consentView(false, 0))
	keys(t, w, "12")
	key(t, w, fyne.KeyBackspace)
	if len(rec.got()) != 0 {
		t.Fatalf("digits on the consent screen sent %q", rec.got())
	}
	if !slices.Equal(fb.heard, []string{"refused", "refused", "refused"}) {
		t.Fatalf("feedback %q, want a refusal per key", fb.heard)
	}
}

func TestFocusRingScrollsItsChoiceIntoView(t *testing.T) {
	// Large text in Portuguese: the consent items outgrow the screen and
	// scroll, above the confirm button, which stays put.
	s, _, _, w := newKeypadShell(t, theme.Options{Lang: i18n.Portuguese, LargeText: true})
	s.Show(consentView(true, 0))
	var order []string
	scrolled := false
	for i := 0; i < len(s.focusOrder()); i++ {
		key(t, w, fyne.KeyDown)
		order = append(order, s.Focused())
		at := s.locate()[s.targets[s.Focused()]]
		if at.scroll == nil {
			continue
		}
		scrolled = scrolled || at.scroll.Offset.Y > 0
		view := s.locate()[at.scroll].pos
		top, bottom := at.pos.Y, at.pos.Y+s.targets[s.Focused()].Size().Height
		if top < view.Y || bottom > view.Y+at.scroll.Size().Height {
			t.Errorf("%s at y %v–%v, outside its scroll's view %v–%v", s.Focused(), top, bottom, view.Y, view.Y+at.scroll.Size().Height)
		}
	}
	if !scrolled {
		t.Error("nothing scrolled: the test no longer covers a choice outside the view")
	}
	want := []string{"consent-medical-agree", "consent-medical-disagree", "consent-checkup-agree",
		"consent-checkup-disagree", "consent-confirm", "language", "large-text", "high-contrast"}
	if !slices.Equal(order, want) {
		t.Errorf("ring went %v, want %v", order, want)
	}
}

func TestOnThePINPadEnterSendsWhateverTheRingWasOn(t *testing.T) {
	s, rec, _, w := newKeypadShell(t, theme.Options{Lang: i18n.English})
	// The patient chose 暗証番号 with the ring…
	s.Show(session.View{State: session.StateMethod, Methods: session.MethodsView{Face: true, PIN: true}})
	moveTo(t, s, w, fyne.KeyRight, "pin")
	key(t, w, fyne.KeyEnter)
	// …but on the PIN pad the keypad's own keys are the pad: no ring.
	s.Show(pinView(0))
	if s.Focused() != "" || s.ring.frame.Visible() {
		t.Fatalf("the ring shows on %q over the PIN pad before any move", s.Focused())
	}
	key(t, w, fyne.KeyDown)
	if order := names(s.focusOrder()); !slices.Equal(order, []string{"back", "language", "large-text", "high-contrast"}) {
		t.Fatalf("ring order on the PIN pad %v: want the other choices only (no digit keys, send off)", order)
	}
	if s.Focused() != "back" {
		t.Fatalf("a move on the PIN pad focused %q, want back", s.Focused())
	}
	for i, d := range "1234" {
		key(t, w, fyne.KeyName(string(d)))
		s.Show(pinView(i + 1))
		if s.Focused() != "" {
			t.Fatalf("after a digit the ring is still on %q", s.Focused())
		}
	}
	key(t, w, fyne.KeyEnter)
	want := []string{"choose_pin", "digit 1", "digit 2", "digit 3", "digit 4", "submit_pin"}
	if got := rec.got(); !slices.Equal(got, want) {
		t.Fatalf("sent %q, want %q", got, want)
	}
}
