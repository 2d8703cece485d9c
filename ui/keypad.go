package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"github.com/uketsuke/uketsuke/app/session"
)

// A USB ten-key pad is a keyboard to the system: its keys reach the window
// as Fyne key events (the GLFW driver names the keypad's digits as the main
// row's, KP_Enter fyne.KeyEnter, KP_Add and KP_Subtract fyne.KeyPlus and
// fyne.KeyMinus). Every key acts by pressing the button a touch would, so
// the keypad can do nothing the screen does not allow and the session sees
// exactly the events of the touch pad: one digit at a time, never a PIN.

// KeyFeedback confirms a key to a patient who may not see the screen: a
// beep or a short spoken word. It is told only that a key was taken or
// refused, never which: a PIN digit must not be heard. The speech work
// (app/guidance, hardware/speech) fills it; nil is silent. Calls come on
// Fyne's goroutine and must return at once.
type KeyFeedback interface {
	// Click: the key was taken (a digit, delete, a move, a press).
	Click()
	// Refused: the key does nothing here (Enter before the PIN is complete,
	// a digit where nothing is typed).
	Refused()
}

// keyAction is what a key means on the kiosk.
type keyAction uint8

const (
	keyNone   keyAction = iota
	keyDigit            // 0–9: the digit on the screen's pad
	keyDelete           // Backspace, Delete: the pad's delete key
	keyEnter            // Enter, Return: press the focused choice, or send the PIN
	keyNext             // →, ↓, +, Tab: the focus ring to the next choice
	keyPrev             // ←, ↑, -: the focus ring to the previous choice
	keyRepeat           // *: say the screen again (voice guidance)
)

// digitKeys are the digit keys, from the keypad or the main row.
var digitKeys = map[fyne.KeyName]byte{
	fyne.Key0: 0, fyne.Key1: 1, fyne.Key2: 2, fyne.Key3: 3, fyne.Key4: 4,
	fyne.Key5: 5, fyne.Key6: 6, fyne.Key7: 7, fyne.Key8: 8, fyne.Key9: 9,
}

var actionKeys = map[fyne.KeyName]keyAction{
	fyne.KeyBackspace: keyDelete, fyne.KeyDelete: keyDelete,
	fyne.KeyEnter: keyEnter, fyne.KeyReturn: keyEnter,
	fyne.KeyRight: keyNext, fyne.KeyDown: keyNext, fyne.KeyPlus: keyNext, fyne.KeyTab: keyNext,
	fyne.KeyLeft: keyPrev, fyne.KeyUp: keyPrev, fyne.KeyMinus: keyPrev,
	fyne.KeyAsterisk: keyRepeat, // the ten-key pad's KP_Multiply
}

// actionOf reads a key; d is the digit for keyDigit.
func actionOf(name fyne.KeyName) (a keyAction, d byte) {
	if d, ok := digitKeys[name]; ok {
		return keyDigit, d
	}
	return actionKeys[name], 0
}

// keySink holds the window's keyboard focus so that keys reach the shell
// whatever was touched before: Fyne would otherwise give them to a focused
// button, and move that focus on Tab. It is invisible and has no size, so
// it never takes a touch.
type keySink struct {
	widget.BaseWidget
	onKey func(*fyne.KeyEvent)
}

var (
	_ fyne.Focusable  = (*keySink)(nil)
	_ fyne.Tabbable   = (*keySink)(nil)
	_ desktop.Keyable = (*keySink)(nil)
)

func newKeySink(onKey func(*fyne.KeyEvent)) *keySink {
	k := &keySink{onKey: onKey}
	k.ExtendBaseWidget(k)
	return k
}

func (k *keySink) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(canvas.NewRectangle(color.Transparent))
}

func (k *keySink) MinSize() fyne.Size { return fyne.Size{} }

func (k *keySink) FocusGained()   {}
func (k *keySink) FocusLost()     {}
func (k *keySink) TypedRune(rune) {}

// TypedKey ignores the key: KeyDown has acted on it already, and a key held
// down repeats here, where one press must stay one digit, as a touch is.
func (k *keySink) TypedKey(*fyne.KeyEvent) {}

// KeyDown is a key pressed (not repeated).
func (k *keySink) KeyDown(ev *fyne.KeyEvent) { k.onKey(ev) }
func (k *keySink) KeyUp(*fyne.KeyEvent)      {}

// AcceptsTab keeps Tab a key like the others instead of Fyne's focus move.
func (k *keySink) AcceptsTab() bool { return true }

// sinkLayout keeps the sink at the origin with no size.
type sinkLayout struct{}

func (sinkLayout) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.Size{} }
func (sinkLayout) Layout(objs []fyne.CanvasObject, _ fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.Position{})
		o.Resize(fyne.Size{})
	}
}

// attachKeys gives the sink the window's focus and, for keys that arrive
// while nothing has it (a touch on plain text clears Fyne's focus), listens
// on the canvas itself. It runs after every render: the shell learns its
// canvas only once it is in a window.
func (s *Shell) attachKeys() {
	app := fyne.CurrentApp()
	if app == nil {
		return
	}
	c := app.Driver().CanvasForObject(s.root)
	if c == nil {
		return
	}
	if c != s.keyCanvas {
		s.keyCanvas = c
		if dc, ok := c.(desktop.Canvas); ok {
			dc.SetOnKeyDown(s.canvasKey)
		} else {
			c.SetOnTypedKey(s.canvasKey)
		}
	}
	if c.Focused() != s.sink {
		c.Focus(s.sink)
	}
}

// canvasKey is a key that found no focused object: the sink takes the
// focus back and the key is handled as if it had it.
func (s *Shell) canvasKey(ev *fyne.KeyEvent) {
	if s.keyCanvas != nil {
		s.keyCanvas.Focus(s.sink)
	}
	s.keyDown(ev)
}

// keyDown acts on one key press.
func (s *Shell) keyDown(ev *fyne.KeyEvent) {
	action, d := actionOf(ev.Name)
	if action == keyNone {
		return
	}
	if s.page.staff() {
		s.touchStaff() // a key is staff's activity as a touch is
	} else if s.view.Prompt == session.MsgStillThere {
		// Any key answers "are you still there?", as a tap anywhere does.
		s.click()
		s.report(s.cfg.Actions.Press(session.EvStillHere))
		return
	}
	switch action {
	case keyDigit:
		s.padKey(digitName(d))
	case keyDelete:
		s.padKey("delete")
	case keyEnter:
		s.enterKey()
	case keyNext:
		s.click()
		s.moveFocus(1)
	case keyPrev:
		s.click()
		s.moveFocus(-1)
	case keyRepeat:
		if !s.canHear() || s.page.staff() {
			s.refused()
			return
		}
		s.click()
		s.repeatVoice()
	}
}

// padKey presses the key of the PIN pad on screen, if there is one.
func (s *Shell) padKey(key string) {
	prefix, _, ok := s.pinPad()
	if !ok || !s.canPress(prefix+key) {
		s.refused()
		return
	}
	s.click()
	// Typing puts the ring away, so that Enter sends rather than presses
	// whatever it was left on.
	s.focus = ""
	s.ring.hide()
	s.pressTarget(prefix + key)
}

// enterKey presses the focused choice; with no focus shown, it sends a PIN
// pad's digits when its send button allows it, and elsewhere shows the
// focus on the first choice. On a PIN pad the ring shows only when the
// patient moves it (to back, say), and a digit typed puts it away again.
func (s *Shell) enterKey() {
	if s.focus != "" && s.canPress(s.focus) {
		s.click()
		s.pressTarget(s.focus)
		return
	}
	if _, send, ok := s.pinPad(); ok {
		if !s.canPress(send) {
			s.refused()
			return
		}
		s.click()
		s.pressTarget(send)
		return
	}
	s.click()
	s.moveFocus(0)
}

// pinPad names the PIN pad on screen: its keys' prefix and its send
// button; ok is false where nothing is typed.
func (s *Shell) pinPad() (prefix, send string, ok bool) {
	switch {
	case s.page == pageStaff || s.page == pageOperatorPIN:
		return "staff-", "staff-ok", true
	case s.page == pageSession && s.view.State == session.StatePIN:
		return "", "send", true
	}
	return "", "", false
}

func digitName(d byte) string { return "digit-" + string(rune('0'+d)) }

// canPress: name is an enabled button on the current screen.
func (s *Shell) canPress(name string) bool {
	b, ok := s.targets[name].(*widget.Button)
	return ok && !b.Disabled()
}

// pressTarget taps a button as a finger would (its own checks and look).
func (s *Shell) pressTarget(name string) {
	if b, ok := s.targets[name].(*widget.Button); ok && !b.Disabled() {
		b.Tapped(&fyne.PointEvent{})
	}
}

func (s *Shell) click() {
	if s.cfg.Feedback != nil {
		s.cfg.Feedback.Click()
	}
}

func (s *Shell) refused() {
	if s.cfg.Feedback != nil {
		s.cfg.Feedback.Refused()
	}
}
