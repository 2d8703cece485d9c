package secrettest

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// childEnv marks the child InChildWithoutPreemption starts.
const childEnv = "UKETSUKE_SECRETTEST_NOPREEMPT"

// InChildWithoutPreemption reports whether this process is the child. In the
// parent it runs the test named name again with Go's preemption signals off
// (GODEBUG=asyncpreemptoff=1, as the kiosk's unit runs), fails t unless the
// child passes, and returns false. Without that, the runtime's own signals
// overwrite a signal frame soon after it is written, hiding what a single
// signal left there.
func InChildWithoutPreemption(t *testing.T, name string) bool {
	t.Helper()
	if os.Getenv(childEnv) == "1" {
		if !strings.Contains(os.Getenv("GODEBUG"), "asyncpreemptoff=1") {
			t.Fatal("child without GODEBUG=asyncpreemptoff=1")
		}
		return true
	}
	godebug := strings.TrimPrefix(os.Getenv("GODEBUG")+",asyncpreemptoff=1", ",")
	cmd := exec.Command(os.Args[0], "-test.run=^"+name+"$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"=1", "GODEBUG="+godebug)
	out, err := cmd.CombinedOutput()
	t.Logf("child:\n%s", out)
	if err != nil || !strings.Contains(string(out), "--- PASS") {
		t.Fatalf("child failed: %v", err)
	}
	return false
}

// SignalThisThread sends SIGURG (which Go ignores when preemption is off) to
// the calling thread, as any signal might arrive: the kernel saves every
// register, vector registers included, in a frame on the thread's signal
// stack before the handler runs. The caller holds runtime.LockOSThread.
// The raw system call touches no vector register on the way.
func SignalThisThread() error {
	pid, tid := unix.Getpid(), unix.Gettid()
	if _, _, e := unix.RawSyscall(unix.SYS_TGKILL, uintptr(pid), uintptr(tid), uintptr(unix.SIGURG)); e != 0 {
		return e
	}
	return nil
}

// SignalEveryThread sends SIGURG to every thread of the process, so that
// whatever any thread still holds in its registers lands on its signal
// stack, where a later scan finds it as a real signal would leave it.
func SignalEveryThread() error {
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return err
	}
	pid := unix.Getpid()
	for _, task := range tasks {
		tid, err := strconv.Atoi(task.Name())
		if err != nil {
			continue
		}
		if err := unix.Tgkill(pid, tid, unix.SIGURG); err != nil && err != unix.ESRCH {
			return err
		}
	}
	return nil
}
