package ui

import (
	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/i18n"
	"github.com/uketsuke/uketsuke/ui/theme"
)

// SetFacility takes the facility's wording and default language changed
// while the kiosk runs (the management console). The wording shows at the
// next redraw; a patient already at the kiosk keeps their language, and
// the next session starts in the new default. Call it on Fyne's goroutine.
func (s *Shell) SetFacility(c *i18n.Catalog, lang i18n.Lang) {
	if c == nil {
		return
	}
	d := s.cfg.Defaults
	d.Lang = lang
	s.cfg.Defaults = theme.New(d).Options()
	s.cfg.Catalog = c
	if s.view.State == session.StateIdle && !s.page.staff() {
		s.opts = s.cfg.Defaults
	}
	s.render()
}
