package ui

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"

	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/i18n"
	"github.com/uketsuke/uketsuke/ui/theme"
)

// departmentRecorder records touches with the department they name.
type departmentRecorder struct {
	recorder
	mu   sync.Mutex
	seen []string
}

func (r *departmentRecorder) Touch(ev session.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seen = append(r.seen, fmt.Sprintf("%s %d", ev.Kind, ev.Department))
	return nil
}

func sample(t *testing.T, name string) Sample {
	t.Helper()
	sm, ok := SampleByName(name)
	if !ok {
		t.Fatalf("no sample %q", name)
	}
	return sm
}

// The re-visit screens send their touches: 初診 / 再診, link yes / no,
// unlink and its confirmation.
func TestRevisitScreensSendTheirTouches(t *testing.T) {
	s, rec, _ := newShell(t, theme.Options{Lang: i18n.Japanese})
	for _, c := range []struct{ screen, target string }{
		{"visit_kind", "visit-first"}, {"visit_kind", "visit-revisit"},
		{"link_offer", "link-yes"}, {"link_offer", "link-no"},
		{"ticket", "unlink"}, {"unlink_confirm", "unlink-yes"}, {"unlink_confirm", "back"},
	} {
		s.ShowSample(sample(t, c.screen))
		tap(t, s, c.target)
	}
	want := []string{"choose_first_visit", "choose_revisit", "link_yes", "link_no", "unlink_ask", "unlink_yes", "back"}
	if got := rec.got(); !slices.Equal(got, want) {
		t.Fatalf("touches %v, want %v", got, want)
	}
}

// A department button sends its index; the names are the configuration's.
func TestDepartmentButtonsSendTheirIndex(t *testing.T) {
	s, _, _ := newShell(t, theme.Options{Lang: i18n.English})
	rec := &departmentRecorder{}
	s.cfg.Actions = rec
	sm := sample(t, "department")
	s.ShowSample(sm)
	all := joined(s)
	for _, name := range sm.View.Revisit.Departments {
		if !strings.Contains(all, name) {
			t.Errorf("department %q not shown", name)
		}
	}
	tap(t, s, "department-2")
	tap(t, s, "department-0")
	if want := []string{"choose_department 2", "choose_department 0"}; !slices.Equal(rec.seen, want) {
		t.Fatalf("touches %v, want %v", rec.seen, want)
	}
}

// The ticket shows its number large; a printer fault says so in words and
// the number stays; no unlink for a card that is not linked.
func TestTicketScreenShowsTheNumber(t *testing.T) {
	for _, l := range []i18n.Lang{i18n.Japanese, i18n.English} {
		s, _, _ := newShell(t, theme.Options{Lang: l})
		s.ShowSample(sample(t, "ticket-not-printed"))
		var big *canvas.Text
		for _, o := range test.LaidOutObjects(s.Content()) {
			if x, ok := o.(*canvas.Text); ok && x.Text == "7" {
				big = x
			}
		}
		if big == nil || big.TextSize < 100 {
			t.Fatalf("%s: the number is not shown large: %+v", l, big)
		}
		if all := joined(s); !strings.Contains(all, catalog.T(l, i18n.TicketNotPrinted)) {
			t.Errorf("%s: the printer fault is not said", l)
		}
		s.ShowSample(sample(t, "ticket-no-printer"))
		if _, ok := s.targets["unlink"]; ok {
			t.Errorf("%s: unlink offered for a card that is not linked", l)
		}
		if all := joined(s); !strings.Contains(all, catalog.T(l, i18n.TicketBodyNoPrinter)) {
			t.Errorf("%s: no printer, yet the screen does not say to remember the number", l)
		}
	}
}

// The keypad's ring reaches the department buttons and Enter chooses.
func TestKeypadChoosesADepartment(t *testing.T) {
	s, _, _, w := newKeypadShell(t, theme.Options{Lang: i18n.Japanese})
	rec := &departmentRecorder{}
	s.cfg.Actions = rec
	s.ShowSample(sample(t, "department"))
	s.Relayout()
	moveTo(t, s, w, fyne.KeyDown, "department-1")
	key(t, w, fyne.KeyEnter)
	if want := []string{"choose_department 1"}; !slices.Equal(rec.seen, want) {
		t.Fatalf("sent %v, want %v", rec.seen, want)
	}
}
