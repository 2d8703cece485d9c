package secret

import (
	"errors"
	"testing"

	"github.com/uketsuke/uketsuke/app/secret/secrettest"
	"golang.org/x/sys/unix"
)

// The attack: a kiosk started outside its unit has the default 8 MiB lock
// limit, and one 1920x1080 frame is 8.3 MB. memguard answers a failed
// mlock by wiping every buffer of the process and panicking; New must
// refuse with ErrLockLimit instead, and the process must go on (smaller
// buffers still work, a destroyed one gives its room back).
//
// The child runs with RLIMIT_MEMLOCK lowered and, when the test runs as
// root, without CAP_IPC_LOCK (setpriv), so mlock really would fail.
func TestLockLimitIsAnErrorNotAPanic(t *testing.T) {
	if secrettest.InLockLimitedChild(t, "UKETSUKE_LOCKLIMIT_CHILD", "TestLockLimitIsAnErrorNotAPanic") {
		lockLimitChild(t)
	}
}

func lockLimitChild(t *testing.T) {
	if capIPCLock() {
		t.Fatal("child still holds CAP_IPC_LOCK")
	}
	lim := unix.Rlimit{Cur: 8 << 20, Max: 8 << 20}
	if err := unix.Setrlimit(unix.RLIMIT_MEMLOCK, &lim); err != nil {
		t.Fatal(err)
	}
	if got := LockLimit(); got != 8<<20 {
		t.Fatalf("LockLimit = %d", got)
	}
	small, err := New(1 << 20)
	if err != nil {
		t.Fatalf("1 MiB under an 8 MiB limit: %v", err)
	}
	small.Bytes()[0] = 42
	frame, err := New(1920 * 1080 * 4)
	if !errors.Is(err, ErrLockLimit) || frame != nil {
		t.Fatalf("a 1920x1080 frame under 8 MiB: buffer %v, err %v; want ErrLockLimit", frame, err)
	}
	if _, err := Take(make([]byte, 9<<20)); !errors.Is(err, ErrLockLimit) {
		t.Fatalf("Take over the limit: %v", err)
	}
	if !small.Alive() || small.Bytes()[0] != 42 {
		t.Fatal("a refused allocation disturbed a live buffer")
	}
	small.Destroy()
	for range 3 { // room is given back when buffers are destroyed
		b, err := New(6 << 20)
		if err != nil {
			t.Fatalf("6 MiB after destroying the others: %v", err)
		}
		b.Destroy()
	}
}
