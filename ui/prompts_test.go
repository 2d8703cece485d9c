package ui

import (
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/i18n"
	"github.com/uketsuke/uketsuke/ui/theme"
)

// bellLog counts the bell's rings.
type bellLog struct{ rings int }

func (b *bellLog) Ring() { b.rings++ }

func sampleView(t *testing.T, name string) session.View {
	t.Helper()
	sm, ok := SampleByName(name)
	if !ok {
		t.Fatalf("no sample %q", name)
	}
	return sm.View
}

func shows(s *Shell, text string) bool {
	return slices.ContainsFunc(texts(s.Content()), func(v visibleText) bool { return v.text == text })
}

func TestStillThereContinuesByButtonTapOrKey(t *testing.T) {
	v := sampleView(t, "still-there")
	for _, how := range []string{"button", "anywhere", "key"} {
		t.Run(how, func(t *testing.T) {
			s, rec, fb, w := newKeypadShell(t, theme.Options{Lang: i18n.English})
			s.Show(v)
			if !shows(s, catalog.T(i18n.English, i18n.StillThere)) {
				t.Fatal("the question is not on the screen")
			}
			switch how {
			case "button":
				tap(t, s, "still-here")
			case "anywhere":
				test.Tap(findTapArea(t, s))
			case "key":
				key(t, w, fyne.Key7) // a digit answers the question, not the PIN pad
				if len(fb.heard) != 1 || fb.heard[0] != "click" {
					t.Errorf("heard %v, want one click", fb.heard)
				}
			}
			if got := rec.got(); len(got) != 1 || got[0] != "still_here" {
				t.Fatalf("sent %v, want [still_here]", got)
			}
		})
	}
}

func findTapArea(t *testing.T, s *Shell) *tapArea {
	t.Helper()
	for _, o := range test.LaidOutObjects(s.Content()) {
		if a, ok := o.(*tapArea); ok {
			return a
		}
	}
	t.Fatal("no tap area over the screen")
	return nil
}

func TestStillThereBarShowsTheTimeLeft(t *testing.T) {
	s, _, _ := newShell(t, theme.Options{Lang: i18n.English})
	v := sampleView(t, "method")
	s.Show(v)
	v.Prompt, v.PromptEnds = session.MsgStillThere, time.Now().Add(10*time.Second)
	s.Show(v)
	if left := s.promptLeft(); left < 0.9 || left > 1 {
		t.Fatalf("at the start %.2f left, want about 1", left)
	}
	v.PromptEnds = time.Now()
	s.view = v
	if left := s.promptLeft(); left != 0 {
		t.Fatalf("at the end %.2f left", left)
	}
}

func TestCardLeftReminderIsShown(t *testing.T) {
	for _, name := range []string{"done-card-left", "idle-card-left"} {
		s, rec, _ := newShell(t, theme.Options{Lang: i18n.Japanese})
		s.Show(sampleView(t, name))
		if !shows(s, catalog.T(i18n.Japanese, i18n.CardLeft)) {
			t.Errorf("%s: the reminder is not on the screen", name)
		}
		if len(s.loops) == 0 {
			t.Errorf("%s: the reminder does not blink", name)
		}
		if len(rec.got()) != 0 {
			t.Errorf("%s: sent %v", name, rec.got())
		}
	}
}

func TestHelpButtonOnEveryPatientScreen(t *testing.T) {
	s, rec, _ := newShell(t, theme.Options{Lang: i18n.English})
	for _, sm := range Samples() {
		if sm.Page != "" {
			continue
		}
		s.ShowSample(sm)
		_, has := s.targets["help"]
		if want := sm.View.Session != 0; has != want {
			t.Errorf("%s: help button %v, want %v", sm.Name, has, want)
		}
	}
	s.ShowSample(Sample{View: sampleView(t, "consent")})
	tap(t, s, "help")
	if got := rec.got(); len(got) != 1 || got[0] != "help" {
		t.Fatalf("sent %v", got)
	}
}

func TestHelpCalledRingsOnceAndSaysSo(t *testing.T) {
	test.NewTempApp(t)
	bell := &bellLog{}
	s := New(Config{Catalog: catalog, Defaults: theme.Options{Lang: i18n.English}, Actions: &recorder{}, Bell: bell})
	t.Cleanup(s.Close)
	v := sampleView(t, "method")
	s.Show(v)
	v.HelpCalled = true
	s.Show(v)
	s.Show(v) // a later view of the same call does not ring again
	if bell.rings != 1 {
		t.Fatalf("rang %d times", bell.rings)
	}
	if !shows(s, catalog.T(i18n.English, i18n.StaffCalled)) {
		t.Fatal("the screen does not say staff were called")
	}
	v.HelpCalled = false
	s.Show(v)
	if shows(s, catalog.T(i18n.English, i18n.StaffCalled)) {
		t.Fatal("the banner stayed after staff answered")
	}
	tap(t, s, "staff") // calling staff for the card rings too
	if bell.rings != 2 {
		t.Fatalf("rang %d times after call staff", bell.rings)
	}
}

func TestStaffLoginAnswersTheHelpCall(t *testing.T) {
	s, rec, fc, _ := newStaffShell(t, &fakeGuard{}, nil)
	v := sampleView(t, "pin")
	v.HelpCalled = true
	s.Show(v)
	login(t, s, fc)
	if got := strings.Join(rec.got(), ","); got != "staff help_answered" {
		t.Fatalf("sent %q, want the help answered", got)
	}
}

func TestOvalColourFollowsTheGate(t *testing.T) {
	searching := sampleView(t, "face")
	hint := sampleView(t, "face-come_closer")
	passing := sampleView(t, "face-passing")
	if ovalColour(searching) != ovalSearching || ovalColour(hint) != ovalHint || ovalColour(passing) != ovalPassing {
		t.Fatalf("colours %v %v %v", ovalColour(searching), ovalColour(hint), ovalColour(passing))
	}
}

// After the last face attempt the screen says plainly what is left: the
// PIN or staff, and offers no retry.
func TestFaceUsedUpOffersPINAndStaff(t *testing.T) {
	s, _, _ := newShell(t, theme.Options{Lang: i18n.English})
	v := sampleView(t, "face_failed")
	v.Face.Attempt, v.Face.CanRetry = 3, false
	s.Show(v)
	for _, want := range []i18n.Key{i18n.FaceFailedTitle, i18n.FaceFailedBody} {
		if !shows(s, catalog.T(i18n.English, want)) {
			t.Errorf("%s not on the screen", want)
		}
	}
	_, retry := s.targets["retry"]
	_, pin := s.targets["use-pin"]
	_, staff := s.targets["staff"]
	if retry || !pin || !staff {
		t.Fatalf("retry %v, PIN %v, staff %v", retry, pin, staff)
	}
}
