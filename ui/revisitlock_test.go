package ui

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/uketsuke/uketsuke/app/operator"
	"github.com/uketsuke/uketsuke/app/revisit"
	"github.com/uketsuke/uketsuke/i18n"
	"github.com/uketsuke/uketsuke/ui/theme"
)

// fakeLock is the theft lock: it asks the authorizer as the real one does.
type fakeLock struct {
	locked  bool
	saveErr error
	unlocks int
}

func (l *fakeLock) Locked() bool { return l.locked }

func (l *fakeLock) Unlock(auth revisit.Authorizer) error {
	l.unlocks++
	if _, err := auth.Use(operator.FuncUnlockRevisit); err != nil {
		return err
	}
	if l.saveErr != nil {
		return l.saveErr
	}
	l.locked = false
	return nil
}

func lockedShell(t *testing.T, who operator.Session, lock *fakeLock) (*Shell, *fakeDesk) {
	t.Helper()
	d := &fakeDesk{who: who}
	s, _, fc, _ := newOperatorShell(t, d, nil, nil)
	s.cfg.RevisitLock = lock
	cardLogin(t, s, fc, d, "5678")
	if s.page != pageStaffMenu {
		t.Fatalf("page %s", pageNames[s.page])
	}
	return s, d
}

func TestAdministratorUnlocksRevisitReception(t *testing.T) {
	lock := &fakeLock{locked: true}
	s, d := lockedShell(t, administrator, lock)
	says(t, s, i18n.StaffRevisitLocked)
	tap(t, s, "staff-unlock-revisit")
	if lock.locked || lock.unlocks != 1 || strings.Join(d.uses, ",") != "unlock_revisit" {
		t.Fatalf("locked %v after %d unlocks, uses %v", lock.locked, lock.unlocks, d.uses)
	}
	if s.page != pageStaffMenu {
		t.Fatalf("the unlock left page %s", pageNames[s.page])
	}
	if _, ok := s.targets["staff-unlock-revisit"]; ok {
		t.Error("the unlock is still offered once the lock is gone")
	}
	if strings.Contains(joined(s), catalog.T(i18n.English, i18n.StaffRevisitLocked)) {
		t.Error("the menu still says locked")
	}
}

func TestReceptionSeesTheLockButCannotUnlock(t *testing.T) {
	lock := &fakeLock{locked: true}
	s, _ := lockedShell(t, receptionist, lock)
	says(t, s, i18n.StaffRevisitLocked)
	if _, ok := s.targets["staff-unlock-revisit"]; ok {
		t.Error("reception is offered the unlock")
	}
}

func TestNoLockNoUnlock(t *testing.T) {
	s, _ := lockedShell(t, administrator, &fakeLock{})
	if _, ok := s.targets["staff-unlock-revisit"]; ok {
		t.Error("the unlock is offered while nothing is locked")
	}
	if strings.Contains(joined(s), catalog.T(i18n.English, i18n.StaffRevisitLocked)) {
		t.Error("the menu says locked while nothing is")
	}
}

func TestAFailedUnlockSaysSo(t *testing.T) {
	lock := &fakeLock{locked: true, saveErr: errors.New("disk full")}
	s, _ := lockedShell(t, administrator, lock)
	tap(t, s, "staff-unlock-revisit")
	says(t, s, i18n.StaffRevisitUnlockFailed)
	if !lock.locked {
		t.Fatal("unlocked despite the failure")
	}
	if _, ok := s.targets["staff-unlock-revisit"]; !ok {
		t.Error("the unlock is not offered again after a failure")
	}
}

func TestAnExpiredOperatorCannotUnlock(t *testing.T) {
	lock := &fakeLock{locked: true}
	s, d := lockedShell(t, administrator, lock)
	d.expired = true
	tap(t, s, "staff-unlock-revisit")
	says(t, s, i18n.StaffLoginEnded)
	if !lock.locked {
		t.Fatal("an expired session unlocked")
	}
}

// TestRevisitLockFitsEveryLanguage draws an administrator's staff menu
// with the lock's notice and button in every language, normal and large text.
func TestRevisitLockFitsEveryLanguage(t *testing.T) {
	for _, l := range i18n.All() {
		for _, large := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/large=%v", l.Code, large), func(t *testing.T) {
				s, _, w := newShell(t, theme.Options{Lang: l.Code, LargeText: large})
				s.cfg.RevisitLock = &fakeLock{locked: true}
				s.openStaff()
				s.page, s.staffBy, s.operator = pageStaffMenu, byOperator, administrator
				s.render()
				s.Relayout()
				if _, ok := s.targets["staff-unlock-revisit"]; !ok {
					t.Fatal("no unlock button")
				}
				for _, p := range problems(s, w, l.Code, false) {
					t.Error(p)
				}
			})
		}
	}
}
