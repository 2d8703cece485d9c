package ui

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/i18n"
	"github.com/uketsuke/uketsuke/ui/theme"
)

// recorder is the session as the screens see it: it records touches.
type recorder struct {
	mu      sync.Mutex
	touches []string
}

func (r *recorder) add(s string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.touches = append(r.touches, s)
	return nil
}
func (r *recorder) Press(k session.EventKind) error { return r.add(k.String()) }
func (r *recorder) Digit(d byte) error              { return r.add(fmt.Sprintf("digit %d", d)) }
func (r *recorder) Touch(ev session.Event) error {
	return r.add(fmt.Sprintf("%s %d", ev.Kind, ev.Items))
}
func (r *recorder) Staff(k session.EventKind) error { return r.add("staff " + k.String()) }
func (r *recorder) got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.touches...)
}

var catalog = i18n.MustLoad()

func newShell(t *testing.T, opts theme.Options) (*Shell, *recorder, fyne.Window) {
	t.Helper()
	test.NewTempApp(t)
	rec := &recorder{}
	s := New(Config{Catalog: catalog, Defaults: opts, Actions: rec, Preview: SyntheticPreview{}})
	w := test.NewTempWindow(t, s.Content())
	w.SetPadded(false)
	w.Resize(fyne.NewSize(theme.ScreenWidthPx, theme.ScreenHeightPx))
	t.Cleanup(s.Close)
	return s, rec, w
}

// keyLike is what Catalog.T returns for a key it does not have.
var keyLike = regexp.MustCompile(`^[a-z_]+(\.[a-z_]+)+$`)

// visibleText is one piece of text on screen with its owner.
type visibleText struct {
	text string
	obj  fyne.CanvasObject
}

func texts(root fyne.CanvasObject) []visibleText {
	var out []visibleText
	for _, o := range test.LaidOutObjects(root) {
		if !o.Visible() {
			continue
		}
		switch x := o.(type) {
		case *widget.Label:
			out = append(out, visibleText{x.Text, x})
		case *widget.Button:
			if x.Text != "" {
				out = append(out, visibleText{x.Text, x})
			}
		case *canvas.Text:
			out = append(out, visibleText{x.Text, x})
		}
	}
	return out
}

// problems lists what is wrong with the laid-out screen: texts that are
// empty or untranslated keys, glyphs the language's font lacks, objects
// outside the window or squeezed below their minimum size, and touch
// targets smaller than 15 mm.
func problems(s *Shell, w fyne.Window, lang i18n.Lang, picker bool) []string {
	var out []string
	win := w.Canvas().Size()
	font := theme.LanguageFont(lang)
	for _, vt := range texts(s.Content()) {
		_, isLabel := vt.obj.(*widget.Label)
		switch {
		case isLabel && strings.TrimSpace(vt.text) == "":
			out = append(out, "empty label")
		case keyLike.MatchString(vt.text):
			out = append(out, "untranslated key "+vt.text)
		case !picker && !covered(fontOf(vt.obj, font), vt.text):
			out = append(out, fmt.Sprintf("no glyph in the %s font for %q", lang, vt.text))
		}
	}
	walk(s.Content(), fyne.NewPos(0, 0), false, func(o fyne.CanvasObject, pos fyne.Position, scrolled bool) {
		switch o.(type) {
		case *container.Scroll:
			// A scroll squeezed to a sliver hides its whole content.
			if o.Size().Height < touchSize() {
				out = append(out, fmt.Sprintf("scroll collapsed to %v", o.Size()))
			}
			return
		case *widget.Label, *widget.Button, *canvas.Text:
		default:
			return
		}
		size := o.Size()
		if !scrolled && (pos.X < -0.5 || pos.Y < -0.5 || pos.X+size.Width > win.Width+0.5 || pos.Y+size.Height > win.Height+0.5) {
			out = append(out, fmt.Sprintf("%s outside the window: %v+%v", describe(o), pos, size))
		}
		if ms := o.MinSize(); size.Width+0.5 < ms.Width || size.Height+0.5 < ms.Height {
			out = append(out, fmt.Sprintf("%s squeezed: %v < min %v", describe(o), size, ms))
		}
	})
	for name, o := range s.targets {
		if o.Visible() && (o.Size().Width+0.5 < touchSize() || o.Size().Height+0.5 < touchSize()) {
			out = append(out, fmt.Sprintf("touch target %s is %v, below 15 mm", name, o.Size()))
		}
	}
	return out
}

// fontOf is the font a text is drawn in: its own (a run of MixedText), or
// the language's.
func fontOf(o fyne.CanvasObject, lang fyne.Resource) fyne.Resource {
	if t, ok := o.(*canvas.Text); ok && t.FontSource != nil {
		return t.FontSource
	}
	return lang
}

// walk visits every visible object with its position in the window,
// descending into containers, scrolls and widgets' renderers; scrolled says
// the object is inside a scroll, where lying outside the window is what
// scrolling is for.
func walk(o fyne.CanvasObject, origin fyne.Position, scrolled bool, fn func(fyne.CanvasObject, fyne.Position, bool)) {
	if !o.Visible() {
		return
	}
	pos := origin.Add(o.Position())
	fn(o, pos, scrolled)
	switch x := o.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			walk(c, pos, scrolled, fn)
		}
	case *container.Scroll:
		walk(x.Content, pos.Add(fyne.NewPos(-x.Offset.X, -x.Offset.Y)), true, fn)
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			walk(c, pos, scrolled, fn)
		}
	}
}

// covered: the language's font or Fyne's built-in Noto Sans (its fallback
// for Latin, digits and punctuation) has every character.
func covered(font fyne.Resource, text string) bool {
	for _, r := range text {
		if !theme.Covers(font, string(r)) && !theme.Covers(fynetheme.DefaultTextFont(), string(r)) {
			return false
		}
	}
	return true
}

func describe(o fyne.CanvasObject) string {
	switch x := o.(type) {
	case *widget.Label:
		return fmt.Sprintf("label %q", x.Text)
	case *widget.Button:
		return fmt.Sprintf("button %q", x.Text)
	case *canvas.Text:
		return fmt.Sprintf("text %q", x.Text)
	}
	return fmt.Sprintf("%T", o)
}

// TestEveryScreenInEveryLanguage walks every screen in every language (and
// the large-text and high-contrast modes) with Fyne's headless driver.
func TestEveryScreenInEveryLanguage(t *testing.T) {
	modes := []theme.Options{{}, {LargeText: true}, {HighContrast: true}}
	for _, l := range i18n.All() {
		for _, m := range modes {
			if m.HighContrast && l.Code != i18n.Japanese && l.Code != i18n.English {
				continue // colours only: the layout is the normal one
			}
			m.Lang = l.Code
			name := fmt.Sprintf("%s/large=%v/contrast=%v", l.Code, m.LargeText, m.HighContrast)
			t.Run(name, func(t *testing.T) {
				s, _, w := newShell(t, m)
				for _, sm := range Samples() {
					s.ShowSample(sm)
					s.Relayout()
					for _, p := range problems(s, w, l.Code, sm.Page == "language") {
						t.Errorf("%s: %s", sm.Name, p)
					}
				}
			})
		}
	}
}

// TestProblemsFindsFaults makes sure the checker can fail: an untranslated
// key, a glyph the font lacks, a squeezed button.
func TestProblemsFindsFaults(t *testing.T) {
	s, _, w := newShell(t, theme.Options{Lang: i18n.English})
	s.root.Objects = []fyne.CanvasObject{widget.NewLabel("pin.title")}
	s.root.Refresh()
	if p := problems(s, w, i18n.English, false); len(p) == 0 || !strings.Contains(p[0], "untranslated") {
		t.Errorf("key not reported: %v", p)
	}
	s.root.Objects = []fyne.CanvasObject{widget.NewLabel("ខ្មែរ")}
	s.root.Refresh()
	if p := problems(s, w, i18n.English, false); len(p) == 0 || !strings.Contains(p[0], "no glyph") {
		t.Errorf("tofu not reported: %v", p)
	}
	b := widget.NewButton("a very long label that cannot fit in forty units", nil)
	s.root.Objects = []fyne.CanvasObject{b}
	s.root.Layout = nil
	s.root.Refresh()
	b.Resize(fyne.NewSize(40, 40))
	s.targets = map[string]fyne.CanvasObject{"small": b}
	p := strings.Join(problems(s, w, i18n.English, false), "\n")
	if !strings.Contains(p, "squeezed") || !strings.Contains(p, "below 15 mm") {
		t.Errorf("squeezed small button not reported: %v", p)
	}
}

func tap(t *testing.T, s *Shell, name string) {
	t.Helper()
	o, ok := s.targets[name]
	if !ok {
		t.Fatalf("no target %q on this screen (have %v)", name, targetNames(s))
	}
	b := o.(*widget.Button)
	if b.Disabled() {
		t.Fatalf("target %q is disabled", name)
	}
	test.Tap(b)
}

func targetNames(s *Shell) []string {
	var n []string
	for k := range s.targets {
		n = append(n, k)
	}
	return n
}

func TestPINPadSendsDigitsAndSubmitOnlyWhenFull(t *testing.T) {
	s, rec, _ := newShell(t, theme.Options{Lang: i18n.English})
	pin, _ := SampleByName("pin")
	s.ShowSample(pin)
	tap(t, s, "digit-7")
	tap(t, s, "delete")
	if !s.targets["send"].(*widget.Button).Disabled() {
		t.Error("send is enabled with 2 of 4 digits")
	}
	full, _ := SampleByName("pin-full")
	s.ShowSample(full)
	tap(t, s, "send")
	want := []string{"digit 7", "delete", "submit_pin"}
	if got := rec.got(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("touches %v, want %v", got, want)
	}
}

func TestPINScreenShowsTriesLeftAndLastTryWarning(t *testing.T) {
	s, _, _ := newShell(t, theme.Options{Lang: i18n.English})
	last, _ := SampleByName("pin-last-try")
	s.ShowSample(last)
	all := joined(s)
	for _, want := range []string{catalog.T(i18n.English, i18n.PINTriesLeft, "count", 1),
		catalog.T(i18n.English, i18n.PINLastTry), catalog.T(i18n.English, i18n.PINWrong)} {
		if !strings.Contains(all, want) {
			t.Errorf("last-try PIN screen lacks %q", want)
		}
	}
}

func joined(s *Shell) string {
	var b strings.Builder
	for _, vt := range texts(s.Content()) {
		b.WriteString(vt.text + "\n")
	}
	return b.String()
}

func TestMethodChoiceDisabledWithReason(t *testing.T) {
	s, rec, _ := newShell(t, theme.Options{Lang: i18n.English})
	np, _ := SampleByName("method-no-pin")
	s.ShowSample(np)
	if !s.targets["pin"].(*widget.Button).Disabled() {
		t.Error("PIN offered for a card without a PIN")
	}
	if !strings.Contains(joined(s), catalog.T(i18n.English, i18n.MethodNoPIN)) {
		t.Error("no reason shown for the disabled PIN choice")
	}
	tap(t, s, "face")
	if got := rec.got(); len(got) != 1 || got[0] != "choose_face" {
		t.Errorf("touches %v", got)
	}
}

func TestLanguageReturnsToDefaultWhenSessionEnds(t *testing.T) {
	s, _, _ := newShell(t, theme.Options{Lang: i18n.Japanese})
	m, _ := SampleByName("method")
	s.ShowSample(m)
	tap(t, s, "language")
	tap(t, s, "lang-th")
	if s.Options().Lang != i18n.Thai {
		t.Fatalf("language %s after picking Thai", s.Options().Lang)
	}
	if !strings.Contains(joined(s), catalog.T(i18n.Thai, i18n.MethodTitle)) {
		t.Error("method screen not in Thai")
	}
	tap(t, s, "large-text")
	s.Show(session.View{State: session.StateIdle})
	if o := s.Options(); o.Lang != i18n.Japanese || o.LargeText {
		t.Errorf("after the session: %+v, want the facility's Japanese, normal text", o)
	}
}

func TestEveryScreenHasTheLanguageButton(t *testing.T) {
	s, _, _ := newShell(t, theme.Options{Lang: i18n.English})
	for _, sm := range Samples() {
		if strings.HasPrefix(sm.Page, "staff") {
			continue // staff pages: the patient's choices do not apply
		}
		s.ShowSample(sm)
		for _, name := range []string{"language", "large-text", "high-contrast", "staff-corner"} {
			if _, ok := s.targets[name]; !ok {
				t.Errorf("%s: no %s button", sm.Name, name)
			}
		}
	}
}

func TestConsentIndividualTogglesGroups(t *testing.T) {
	s, rec, _ := newShell(t, theme.Options{Lang: i18n.English})
	c, _ := SampleByName("consent-individual")
	s.ShowSample(c)
	tap(t, s, "consent-medical-disagree")
	tap(t, s, "consent-checkup-agree")
	tap(t, s, "consent-confirm")
	medical := session.ConsentMedical | session.ConsentDrug | session.ConsentSurgery
	want := []string{fmt.Sprintf("toggle_item %d", medical), fmt.Sprintf("toggle_item %d", session.ConsentCheckup), "consent_done"}
	if got := rec.got(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("touches %v, want %v", got, want)
	}
}

func TestFaceScreenShowsGuidanceInWords(t *testing.T) {
	s, _, _ := newShell(t, theme.Options{Lang: i18n.English})
	for _, g := range Guidances() {
		s.Show(session.View{State: session.StateFace, Guidance: g, Face: session.FaceView{Attempt: 1, MaxAttempts: 3}})
		keys := guidanceTexts[g]
		want := translator{catalog, i18n.English}.either(keys[0], keys[1])
		if !strings.Contains(joined(s), want) {
			t.Errorf("%s: %q not shown", g, want)
		}
	}
}

// The prescription screen: two large choices with their one-line
// explanations, and back to consent; each sends its own touch.
func TestPrescriptionScreenSendsTheChoice(t *testing.T) {
	for _, l := range []i18n.Lang{i18n.Japanese, i18n.English} {
		s, rec, _ := newShell(t, theme.Options{Lang: l})
		p, ok := SampleByName("prescription")
		if !ok {
			t.Fatal("no prescription sample")
		}
		s.ShowSample(p)
		all := joined(s)
		for _, k := range []i18n.Key{i18n.PrescriptionTitle, i18n.PrescriptionElectronic, i18n.PrescriptionElectronicHint,
			i18n.PrescriptionPaper, i18n.PrescriptionPaperHint, i18n.Back} {
			if want := catalog.T(l, k); !strings.Contains(all, want) {
				t.Errorf("%s: prescription screen lacks %q", l, want)
			}
		}
		for _, name := range []string{"prescribe-electronic", "prescribe-paper"} {
			if b := s.targets[name].(*widget.Button); b.Size().Height < 2*touchSize() {
				t.Errorf("%s: %s is %v, not a large choice", l, name, b.Size())
			}
		}
		tap(t, s, "prescribe-electronic")
		tap(t, s, "prescribe-paper")
		tap(t, s, "back")
		want := []string{"prescribe_electronic", "prescribe_paper", "back"}
		if got := rec.got(); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s: touches %v, want %v", l, got, want)
		}
	}
}
