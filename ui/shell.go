// Package ui is the kiosk's Fyne front end: one screen per session state,
// rendering the session core's View and sending the patient's touches back as
// session events. It holds no logic of its own beyond which screen to draw:
// every decision (what is allowed, how many tries are left) is in the View.
// It imports Fyne but never fyne/v2/app, so every screen can be built and
// checked with Fyne's headless test driver.
package ui

import (
	"image"
	"image/color"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
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

// Actions is what the screens send: the session core's touch interface and,
// after staff authenticated on screen, its staff commands (*session.Kiosk
// implements it).
type Actions interface {
	Press(kind session.EventKind) error
	Digit(d byte) error
	Touch(ev session.Event) error
	// Staff sends a staff command: EvStaffStart, EvStaffApprove, EvStaffReject.
	Staff(kind session.EventKind) error
}

// Preview supplies the face camera's latest picture for the live preview;
// nil when there is none yet.
type Preview interface {
	Latest() image.Image
}

// Config builds a Shell.
type Config struct {
	Catalog *i18n.Catalog
	// Defaults are the facility's language and display modes; whatever the
	// patient changed returns to them when the session ends.
	Defaults theme.Options
	Actions  Actions
	Preview  Preview // nil: the face screen shows the oval only
	// Staff checks the staff PIN typed after a long press on the hidden
	// top-right corner (*staff.Guard). nil: the corner does nothing, and only
	// the staff terminal (OnStaffExit called by the caller) ends kiosk mode.
	Staff StaffCheck
	// Operators logs registered staff in with their own card; nil: the
	// staff PIN alone. With both, the corner opens the card login, which
	// offers the staff PIN too (for the visual check only: leaving kiosk
	// mode then needs an administrator's card).
	Operators OperatorDesk
	// OnStaffExit runs when authenticated staff choose "exit" in the staff menu.
	OnStaffExit func()
	// RevisitLock is re-visit reception's theft lock; nil: none.
	RevisitLock RevisitLock
	// OnRender runs after every redraw (test hooks: WriteTargets).
	OnRender func()
	// Feedback confirms each key of a physical keypad (a beep or a word,
	// never the digit); nil: silent.
	Feedback KeyFeedback
	// Voice is the voice guidance (voice.go); nil: off, no repeat key.
	Voice Voice
	// Bell rings when the patient calls for help or for staff; nil: silent.
	Bell Bell
}

// page is what the shell shows on top of the session's screen.
type page uint8

const (
	pageSession     page = iota
	pageLanguage         // the language picker
	pageStaff            // the staff PIN pad
	pageStaffMenu        // what authenticated staff can do
	pageStaffCard        // "place your staff card", or where else to log in
	pageOperatorPIN      // the PIN pad for the operator's card
)

var pageNames = [...]string{pageSession: "session", pageLanguage: "language",
	pageStaff: "staff-login", pageStaffMenu: "staff-menu", pageStaffCard: "staff-card", pageOperatorPIN: "staff-operator-pin"}

func (p page) staff() bool { return p >= pageStaff }

// Shell is the kiosk window's content. All methods run on Fyne's goroutine
// (use fyne.Do from others).
type Shell struct {
	cfg     Config
	opts    theme.Options // the patient's language and modes
	drawn   theme.Options // what the current page is drawn in
	view    session.View
	page    page
	root    *fyne.Container
	targets map[string]fyne.CanvasObject
	clock   *clock
	corner  *holdCorner

	staff     *secret.Buffer // staff PIN or operator card PIN digits typed so far
	staffN    int
	staffMsg  staffMsg
	staffWait time.Duration // how long the pad stays locked (staffLocked)
	staffBusy bool          // a check is running
	staffGen  int           // bumped when the staff pages open or close
	idleGen   int           // bumped by every staff touch
	idleStop  func()
	// The operator's card login.
	readerBusy bool             // a patient's card holds the reader
	opScheme   operator.Scheme  // the card on the PIN pad
	hpkiLo     int              // the HPKI card's shortest PIN
	hpkiHi     int              // and longest
	opMsg      opMsg            // what the last login or use answered
	opLeft     int              // the tries the card has left (opWrong; -1 unknown)
	staffBy    staffBy          // how the staff on the menu authenticated
	operator   operator.Session // the operator logged in (staffBy byOperator)
	// voiceLang is the voice the patient chose where the screen's
	// language has none (Japanese or English); empty: none chosen.
	voiceLang  i18n.Lang
	faultDrawn bool // the page drew View.Fault itself: no banner

	spinners []*widget.Activity // animations of the current screen
	loops    []chan struct{}    // tickers of the current screen (every)

	promptFrom time.Time // when the inactivity question appeared

	// The physical keypad (keypad.go, focus.go).
	sink      *keySink
	keyCanvas fyne.Canvas // the canvas the shell listens on
	ring      *focusRing
	focus     string // the target the ring is on
	keyMode   bool   // the patient moved the ring in this session

	previewMu   sync.Mutex
	stopPreview chan struct{}
}

// New makes the shell showing an idle kiosk and installs the facility's theme.
func New(cfg Config) *Shell {
	if cfg.Catalog == nil {
		cfg.Catalog = i18n.MustLoad()
	}
	cfg.Defaults = theme.New(cfg.Defaults).Options()
	// Without locked memory the staff pad takes no digits (a nil buffer
	// has no room) rather than keep them on the heap.
	pad, _ := secret.New(max(staff.MaxPINLength, hpkiPINMax))
	s := &Shell{cfg: cfg, opts: cfg.Defaults, root: container.NewStack(), staff: pad, clock: realClock()}
	s.corner = newHoldCorner(s.clock, s.cornerHeld)
	s.sink, s.ring = newKeySink(s.keyDown), newFocusRing()
	s.view = session.View{State: session.StateIdle, PIN: session.PINView{Length: session.PINLength, TriesLeft: -1}}
	s.render()
	return s
}

// Content is the object to put in the window.
func (s *Shell) Content() fyne.CanvasObject { return s.root }

// Options are the current language and display modes.
func (s *Shell) Options() theme.Options { return s.opts }

// Show renders a new snapshot. When a session ends (back to idle) the
// language and modes return to the facility's defaults and any open picker
// or staff page closes.
func (s *Shell) Show(v session.View) {
	if v.State == session.StateIdle && s.view.State != session.StateIdle {
		s.opts = s.cfg.Defaults
		s.voiceLang = ""
		s.keyMode, s.focus = false, ""
		switch {
		case s.page == pageLanguage:
			s.page = pageSession
		case s.page.staff():
			s.leaveStaff()
		}
	}
	if v.State != session.StateIdle && s.view.State == session.StateIdle {
		s.keyMode, s.focus = false, "" // keys pressed at an idle kiosk are not this patient's
	}
	if s.page == pageStaffCard && v.State != session.StateIdle && !s.readerBusy {
		// A patient's card got there first: the reader is theirs.
		s.cfg.Operators.StopAwaiting()
		s.readerBusy = true
	}
	if v.HelpCalled && !s.view.HelpCalled {
		s.ringBell()
	}
	if v.Prompt == session.MsgStillThere && s.view.Prompt != session.MsgStillThere {
		s.promptFrom = time.Now()
	}
	s.view = v
	s.render()
}

// SetOptions changes the language or modes (the operator window, tests).
func (s *Shell) SetOptions(o theme.Options) {
	s.opts = theme.New(o).Options()
	s.render()
}

// OpenLanguagePicker shows the language list (screenshots, tests).
func (s *Shell) OpenLanguagePicker() { s.page = pageLanguage; s.render() }

// OpenStaffLogin shows the staff login (screenshots, tests) as a long
// press on the corner does: the card login with operators, else the PIN pad.
func (s *Shell) OpenStaffLogin() {
	if s.cfg.Operators != nil {
		s.openStaffCard()
		return
	}
	s.openStaff()
}

// Close stops the preview and the timers and wipes the staff digits.
func (s *Shell) Close() {
	s.stopPreviewLoop()
	s.stopLoops()
	s.stopStaffIdle()
	s.corner.release()
	s.staff.Destroy()
}

func (s *Shell) tr() translator { return translator{s.cfg.Catalog, s.drawn.Lang} }

// render rebuilds the whole screen: the views are small and change a few
// times a second at most, so rebuilding keeps the screens free of state.
func (s *Shell) render() {
	s.stopPreviewLoop()
	s.stopLoops()
	for _, a := range s.spinners {
		a.Stop()
	}
	s.spinners = nil
	// Staff pages are for the facility's staff: in its language and modes,
	// whatever the patient chose.
	s.drawn = s.opts
	if s.page.staff() {
		s.drawn = s.cfg.Defaults
	}
	s.installTheme()
	s.targets = map[string]fyne.CanvasObject{}
	s.faultDrawn = false
	bg := canvas.NewRectangle(fynetheme.Color(fynetheme.ColorNameBackground))
	var page fyne.CanvasObject
	switch s.page {
	case pageLanguage:
		page = s.languagePage()
	case pageStaff:
		page = s.staffPage()
	case pageStaffMenu:
		page = s.staffMenuPage()
	case pageStaffCard:
		page = s.staffCardPage()
	case pageOperatorPIN:
		page = s.operatorPINPage()
	default:
		page = s.screen(s.view)
	}
	top := container.NewVBox(s.topBar())
	if line := s.voiceLine(); line != nil {
		top.Add(line)
	}
	if s.view.Fault != session.ErrCodeNone && !s.faultDrawn {
		top.Add(s.faultBanner(s.view.Fault))
	}
	if s.view.HelpCalled && !s.page.staff() {
		top.Add(s.helpBanner())
	}
	content := container.NewBorder(top, nil, nil, nil, container.NewPadded(page))
	// The key sink first: Fyne's focus, if it is ever lost, comes back to it first.
	s.root.Objects = []fyne.CanvasObject{container.New(sinkLayout{}, s.sink), bg, content}
	if p := s.prompt(); p != nil {
		s.root.Objects = append(s.root.Objects, p)
	}
	if !s.page.staff() {
		// The hidden staff entry: a long press opens the staff login.
		s.targets["staff-corner"] = s.corner
		s.root.Objects = append(s.root.Objects, container.New(cornerLayout{}, s.corner))
	}
	s.root.Objects = append(s.root.Objects, s.ring.box)
	s.Relayout()
	s.keepFocus()
	s.attachKeys()
	s.narrate()
	if s.cfg.OnRender != nil {
		s.cfg.OnRender()
	}
}

// Relayout lays the screen out twice: wrapped labels know their height only
// once they know their width, so the first pass can leave gaps or overlaps.
// Call it after resizing the window.
func (s *Shell) Relayout() {
	s.root.Refresh()
	s.root.Refresh()
	s.placeRing(nil)
}

// installTheme changes the app's theme only when the options changed:
// installing a theme makes Fyne drop and re-parse its fonts, which takes
// long for the CJK collections.
func (s *Shell) installTheme() {
	app := fyne.CurrentApp()
	if app == nil {
		return
	}
	if t, ok := app.Settings().Theme().(kioskTheme); ok && t.Options() == s.drawn {
		return
	}
	app.Settings().SetTheme(newKioskTheme(s.drawn))
}

// button is a touch target of at least 15 mm; a nil tap disables it.
func (s *Shell) button(name, label string, imp widget.Importance, tap func()) fyne.CanvasObject {
	b := widget.NewButton(label, tap)
	b.Importance = imp
	if tap == nil {
		b.Disable()
	}
	s.targets[name] = b
	return sized(b, touchSize()*1.6, touchSize())
}

// send returns a tap handler that sends a touch to the session.
func (s *Shell) send(kind session.EventKind) func() {
	return func() { s.report(s.cfg.Actions.Press(kind)) }
}

// report ignores a touch the session refused: the next View shows why.
func (s *Shell) report(err error) {
	if err != nil {
		fyne.LogError("touch not taken", err)
	}
}

func (s *Shell) topBar() fyne.CanvasObject {
	if s.page.staff() {
		// The patient's choices do not apply to the staff pages; the bar's
		// height stays so the pages line up with the patient's.
		return container.NewPadded(sized(layout.NewSpacer(), 0, touchSize()))
	}
	t := s.tr()
	langLabel := t.T(i18n.LanguageButton)
	if s.opts.Lang != i18n.English {
		langLabel += " / Language"
	}
	lang := s.chip("language", langLabel, false, func() {
		s.page = pageLanguage
		s.render()
	})
	large := s.chip("large-text", t.T(i18n.LargeTextToggle), s.opts.LargeText, func() {
		s.opts.LargeText = !s.opts.LargeText
		s.render()
	})
	contrast := s.chip("high-contrast", t.T(i18n.HighContrastToggle), s.opts.HighContrast, func() {
		s.opts.HighContrast = !s.opts.HighContrast
		s.render()
	})
	bar := container.NewHBox(lang, large, contrast)
	if repeat := s.repeatChip(); repeat != nil {
		bar.Add(repeat)
	}
	if s.view.Session != 0 {
		// A patient stands at the kiosk: help is one touch away on every
		// screen, in the same place.
		bar.Add(s.chip("help", t.T(i18n.Help), s.view.HelpCalled, s.callHelp))
	}
	// No staff button: staff hold the top-right corner (staff-corner).
	return container.NewPadded(bar)
}

// chipTextSize is the top bar's text size in every mode: the bar must fit
// one line in every language, and large text enlarges the screen's own words.
const chipTextSize = 24

// pickerTextSize is the size of the language names in the picker.
const pickerTextSize = 30

// chip is a top-bar button: a touch target with text of a fixed size, and
// highlighted when its mode is on.
func (s *Shell) chip(name, label string, on bool, tap func()) fyne.CanvasObject {
	b := widget.NewButton("", tap)
	col := fynetheme.Color(fynetheme.ColorNameForeground)
	row := container.NewHBox()
	if on {
		b.Importance = widget.HighImportance
		col = fynetheme.Color(fynetheme.ColorNameForegroundOnPrimary)
		tick := canvas.NewImageFromResource(fynetheme.NewInvertedThemedResource(fynetheme.ConfirmIcon()))
		tick.SetMinSize(fyne.NewSquareSize(chipTextSize))
		row.Add(tick)
	}
	s.targets[name] = b
	text := canvas.NewText(label, col)
	text.TextSize = chipTextSize
	row.Add(text)
	pad := fynetheme.Size(fynetheme.SizeNameInnerPadding)
	face := container.NewStack(b, container.New(layout.NewCustomPaddedLayout(0, 0, pad, pad), container.NewCenter(row)))
	return sized(face, touchSize()*1.2, touchSize())
}

// languagePage lists every language in its own script.
func (s *Shell) languagePage() fyne.CanvasObject {
	t := s.tr()
	var cells []fyne.CanvasObject
	for _, l := range i18n.All() {
		l := l
		b := widget.NewButton("", func() {
			s.opts.Lang = l.Code
			s.page = pageSession
			s.render()
		})
		var col color.Color // nil: the theme's foreground
		if l.Code == s.opts.Lang {
			b.Importance = widget.HighImportance
			col = fynetheme.Color(fynetheme.ColorNameForegroundOnPrimary)
		}
		s.targets["lang-"+string(l.Code)] = b
		// A fixed size: each name is for readers of that language, whatever
		// mode the previous patient left on.
		name := container.NewCenter(theme.MixedText(l.Name, l.Code, pickerTextSize, col))
		cells = append(cells, sized(container.NewStack(b, name), touchSize()*2.5, touchSize()))
	}
	grid := container.NewGridWithColumns(4, cells...)
	back := s.button("back", t.T(i18n.Back), widget.MediumImportance, func() {
		s.page = pageSession
		s.render()
	})
	return container.NewBorder(heading(t.T(i18n.LanguageTitle)), container.NewHBox(back), nil, nil, s.scrollIfLarge(grid))
}

// startPreviewLoop refreshes the preview image about ten times a second
// until the next render.
func (s *Shell) startPreviewLoop(img *canvas.Image) {
	if s.cfg.Preview == nil {
		return
	}
	stop := make(chan struct{})
	s.previewMu.Lock()
	s.stopPreview = stop
	s.previewMu.Unlock()
	go func() {
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				if frame := s.cfg.Preview.Latest(); frame != nil {
					fyne.Do(func() { img.Image = frame; img.Refresh() })
				}
			}
		}
	}()
}

func (s *Shell) stopPreviewLoop() {
	s.previewMu.Lock()
	defer s.previewMu.Unlock()
	if s.stopPreview != nil {
		close(s.stopPreview)
		s.stopPreview = nil
	}
}
