package ui

import (
	"strings"
	"testing"

	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/i18n"
	"github.com/uketsuke/uketsuke/ui/theme"
)

// Wording and the default language changed from the console: the idle
// screen takes them at once; a patient keeps their language until the
// session ends.
func TestTheFacilityChangesFromTheConsole(t *testing.T) {
	s, _, _ := newShell(t, theme.Options{Lang: i18n.Japanese})
	s.Show(session.View{State: session.StateIdle})
	c, err := catalog.WithOverrides(map[i18n.Lang]map[i18n.Key]string{i18n.English: {i18n.PlaceCardTitle: "Card here, please"}})
	if err != nil {
		t.Fatal(err)
	}
	s.SetFacility(c, i18n.English)
	if s.Options().Lang != i18n.English || !strings.Contains(joined(s), "Card here, please") {
		t.Errorf("idle after the change: %s, %q", s.Options().Lang, joined(s))
	}
	m, _ := SampleByName("method")
	s.ShowSample(m)
	s.SetFacility(c, i18n.Japanese)
	if s.Options().Lang != i18n.English {
		t.Errorf("a patient's language changed to %s mid-session", s.Options().Lang)
	}
	s.Show(session.View{State: session.StateIdle})
	if s.Options().Lang != i18n.Japanese {
		t.Errorf("the next session starts in %s", s.Options().Lang)
	}
}
