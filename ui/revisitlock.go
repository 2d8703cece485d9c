package ui

import (
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/uketsuke/uketsuke/app/operator"
	"github.com/uketsuke/uketsuke/app/revisit"
	"github.com/uketsuke/uketsuke/i18n"
)

// RevisitLock is re-visit reception's theft lock as the staff menu sees it
// (*revisit.TheftLock): whether it holds, and the unlock, which checks and
// records the operator's right itself through the authorizer.
type RevisitLock interface {
	Locked() bool
	Unlock(auth revisit.Authorizer) error
}

// withRevisitLock adds to the staff menu, while the theft lock holds, a
// notice for every staff member and the unlock for an operator whose role
// allows it (an administrator logged in with their card; the staff PIN
// never unlocks).
func (s *Shell) withRevisitLock(center fyne.CanvasObject) fyne.CanvasObject {
	l := s.cfg.RevisitLock
	if l == nil || !l.Locked() {
		return center
	}
	t := s.tr()
	rows := []fyne.CanvasObject{center, notice(t.T(i18n.StaffRevisitLocked), widget.WarningImportance)}
	if s.staffBy == byOperator && s.allows(operator.FuncUnlockRevisit) {
		rows = append(rows, s.button("staff-unlock-revisit", t.T(i18n.StaffRevisitUnlock), widget.HighImportance, s.unlockRevisit))
	}
	return container.NewVBox(rows...)
}

// unlockRevisit releases the lock and stays on the menu, which then shows
// the lock gone or why it is not.
func (s *Shell) unlockRevisit() {
	err := s.cfg.RevisitLock.Unlock(s.cfg.Operators)
	switch {
	case err == nil:
		s.opMsg = opNoMsg
	case errors.Is(err, operator.ErrExpired), errors.Is(err, operator.ErrNoSession):
		s.opMsg = opEnded
	case errors.Is(err, operator.ErrNotAllowed):
		s.opMsg = opNotAllowed
	default:
		fyne.LogError("theft lock not released", err) // names a file error, nothing personal
		s.opMsg = opUnlockFailed
	}
	s.touchStaff()
	s.render()
}
