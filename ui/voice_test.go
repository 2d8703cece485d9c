package ui

import (
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2"

	"github.com/uketsuke/uketsuke/app/guidance"
	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/i18n"
	"github.com/uketsuke/uketsuke/ui/theme"
)

// voiceLog records what the shell tells the voice guidance.
type voiceLog struct {
	shown   []string // "lang state"
	repeats int
	hushes  int
	silent  map[i18n.Lang]bool // languages without a voice
}

func (v *voiceLog) Show(lang i18n.Lang, view session.View) {
	v.shown = append(v.shown, fmt.Sprintf("%s %s", lang, view.State))
}
func (v *voiceLog) Repeat()                       { v.repeats++ }
func (v *voiceLog) Hush()                         { v.hushes++ }
func (v *voiceLog) Available(lang i18n.Lang) bool { return !v.silent[lang] }

func (v *voiceLog) last() string {
	if len(v.shown) == 0 {
		return ""
	}
	return v.shown[len(v.shown)-1]
}

// espeakLike has no voice where espeak-ng has none, nor for the doubtful ones.
func espeakLike() *voiceLog {
	return &voiceLog{silent: map[i18n.Lang]bool{i18n.Tagalog: true, i18n.Khmer: true, i18n.Mongolian: true,
		i18n.Thai: true, i18n.Burmese: true}}
}

func newVoiceShell(t *testing.T, opts theme.Options) (*Shell, *voiceLog, *feedbackLog, fyne.Window) {
	t.Helper()
	s, _, fb, w := newKeypadShell(t, opts)
	v := espeakLike()
	s.cfg.Voice = v
	s.render()
	return s, v, fb, w
}

var methodScreen = session.View{State: session.StateMethod, Message: "screen.method",
	Methods: session.MethodsView{Face: true, PIN: true}}

func TestVoiceHearsEveryScreenInThePatientsLanguage(t *testing.T) {
	s, v, _, _ := newVoiceShell(t, theme.Options{Lang: i18n.Japanese})
	s.Show(methodScreen)
	if got := v.last(); got != "ja method" {
		t.Fatalf("last shown %q", got)
	}
	tap(t, s, "language")
	tap(t, s, "lang-ko")
	if got := v.last(); got != "ko method" {
		t.Fatalf("after choosing Korean: %q", got)
	}
	s.OpenStaffLogin()
	if v.hushes == 0 {
		t.Fatal("the staff page did not hush the voice")
	}
}

func TestRepeatByButtonAndByStarKey(t *testing.T) {
	s, v, fb, w := newVoiceShell(t, theme.Options{Lang: i18n.English})
	s.Show(methodScreen)
	tap(t, s, "voice-repeat")
	key(t, w, fyne.KeyAsterisk)
	if v.repeats != 2 {
		t.Fatalf("%d repeats, want 2 (button and * key)", v.repeats)
	}
	if strings.Join(fb.heard, ",") != "click" {
		t.Fatalf("the * key's feedback: %v", fb.heard)
	}
	// Without voice guidance: no button, and * is refused.
	s.cfg.Voice = nil
	s.render()
	if _, ok := s.targets["voice-repeat"]; ok {
		t.Fatal("a repeat button without voice guidance")
	}
	key(t, w, fyne.KeyAsterisk)
	if fb.heard[len(fb.heard)-1] != "refused" {
		t.Fatalf("* without voice guidance: %v", fb.heard)
	}
}

func TestNoVoiceOffersJapaneseOrEnglish(t *testing.T) {
	s, v, _, _ := newVoiceShell(t, theme.Options{Lang: i18n.Tagalog})
	s.Show(methodScreen)
	if !strings.Contains(joined(s), catalog.T(i18n.Tagalog, i18n.VoiceUnavailable)) {
		t.Fatal("the screen does not say Tagalog has no voice")
	}
	if _, ok := s.targets["voice-repeat"]; ok {
		t.Fatal("a repeat button with nothing to hear")
	}
	tap(t, s, "voice-en")
	if got := v.last(); got != "en method" || s.Options().Lang != i18n.Tagalog {
		t.Fatalf("after English voice: heard %q, screen in %s", got, s.Options().Lang)
	}
	if _, ok := s.targets["voice-repeat"]; !ok {
		t.Fatal("no repeat button once English voice was chosen")
	}
	tap(t, s, "voice-ja")
	if got := v.last(); got != "ja method" {
		t.Fatalf("after Japanese voice: %q", got)
	}
	// The next patient starts from the facility's language, without the choice.
	s.Show(session.View{State: session.StateIdle, Message: "screen.idle"})
	s.SetOptions(theme.Options{Lang: i18n.Tagalog})
	s.Show(methodScreen)
	if got := v.last(); got != "tl method" {
		t.Fatalf("the next patient hears %q", got)
	}
	// A language with a voice has no such line.
	s.SetOptions(theme.Options{Lang: i18n.Vietnamese})
	if strings.Contains(joined(s), catalog.T(i18n.Vietnamese, i18n.VoiceUnavailable)) {
		t.Fatal("Vietnamese has a voice but the screen says it has none")
	}
}

// The repeat button and the "no voice" line fit every language's screens.
func TestVoiceControlsFitEveryLanguage(t *testing.T) {
	views := []session.View{methodScreen, {State: session.StateIdle, Message: "screen.idle"}, pinView(2),
		{State: session.StateFace, Message: "screen.face", Guidance: session.GuidanceCloser, Methods: session.MethodsView{PIN: true}}}
	for _, l := range i18n.All() {
		for _, large := range []bool{false, true} {
			s, _, _, w := newVoiceShell(t, theme.Options{Lang: l.Code, LargeText: large})
			for _, v := range views {
				s.Show(v)
				s.Relayout()
				for _, p := range problems(s, w, l.Code, false) {
					t.Errorf("%s large=%v %s: %s", l.Code, large, v.State, p)
				}
			}
			s.OpenLanguagePicker()
			s.Relayout()
			for _, p := range problems(s, w, l.Code, true) {
				t.Errorf("%s large=%v language list: %s", l.Code, large, p)
			}
		}
	}
}

// What a screen shows is what is said: every key the voice guidance says
// for a View is on the screen the shell draws for it.
func TestScreenShowsWhatIsSaid(t *testing.T) {
	s, _, _ := newShell(t, theme.Options{Lang: i18n.English})
	for _, v := range guidance.Views() {
		s.Show(v)
		all := joined(s)
		for _, k := range guidance.ForView(v) {
			if want := catalog.T(i18n.English, k); !strings.Contains(all, want) {
				t.Errorf("%s %s/%s/%s/%s: says %s %q, not on screen", v.State, v.Message, v.Error, v.Fault, v.Guidance, k, want)
			}
		}
		s.Show(session.View{State: session.StateIdle})
	}
}
