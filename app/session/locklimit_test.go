package session_test

import (
	"errors"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/uketsuke/uketsuke/app/secret"
	"github.com/uketsuke/uketsuke/app/secret/secrettest"
	"github.com/uketsuke/uketsuke/app/session"
)

// The attack: locked memory runs out in the middle of a session (another
// session's buffers, a camera larger than the limit was sized for). The
// patient's next PIN digit has nowhere to go: the session must end on the
// error screen with a code, and the kiosk must go on to the next card, not
// crash (memguard would wipe every buffer and panic). A child process runs
// it with RLIMIT_MEMLOCK lowered and, under root, without CAP_IPC_LOCK.
func TestLockedMemoryRunningOutEndsTheSessionNotTheKiosk(t *testing.T) {
	if secrettest.InLockLimitedChild(t, "UKETSUKE_SESSION_LOCK_CHILD", "TestLockedMemoryRunningOutEndsTheSessionNotTheKiosk") {
		lockChild(t)
	}
}

func lockChild(t *testing.T) {
	if err := unix.Setrlimit(unix.RLIMIT_MEMLOCK, &unix.Rlimit{Cur: 8 << 20, Max: 8 << 20}); err != nil {
		t.Fatal(err)
	}
	if secret.LockLimit() != 8<<20 {
		t.Fatalf("lock limit %d: CAP_IPC_LOCK still held?", secret.LockLimit())
	}
	r := newRig(t, nil)
	card := r.place(holder())
	r.await(session.StateMethod, func(v session.View) bool { return v.Face.PhotoReady })
	r.must(r.k.Press(session.EvChoosePIN))
	r.await(session.StatePIN, nil)

	var hog []*secret.Buffer // everything the limit still allows, a page at a time
	for {
		b, err := secret.New(4096)
		if errors.Is(err, secret.ErrLockLimit) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		hog = append(hog, b)
	}
	r.must(r.k.Digit(4))
	v := r.await(session.StateError, nil)
	if v.Error != session.ErrCodeCardError {
		t.Errorf("error code %q, want %q", v.Error, session.ErrCodeCardError)
	}
	r.must(r.k.CardRemoved())
	r.await(session.StateIdle, nil)
	for _, b := range hog {
		b.Destroy()
	}
	// The kiosk takes the next card as if nothing happened.
	r.must(r.k.CardPlaced(card))
	r.await(session.StateMethod, func(v session.View) bool { return v.Face.PhotoReady })
	r.must(r.k.Press(session.EvChoosePIN))
	r.await(session.StatePIN, nil)
	r.typePIN("4821")
	r.must(r.k.Press(session.EvSubmitPIN))
	r.await(session.StateConsent, nil)
}
