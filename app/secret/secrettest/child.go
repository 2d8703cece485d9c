// Package secrettest runs a test again in a child process that cannot lock
// memory beyond its limit, as a kiosk started outside its unit could not.
package secrettest

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// InLockLimitedChild reports whether this process is the child. In the
// parent it runs the test named name again with env=1 set (under root
// through setpriv, without CAP_IPC_LOCK, so mlock really fails at the
// limit), fails t unless the child passes, and returns false. The child
// lowers its own RLIMIT_MEMLOCK.
func InLockLimitedChild(t *testing.T, env, name string) bool {
	t.Helper()
	if os.Getenv(env) == "1" {
		return true
	}
	args := []string{os.Args[0], "-test.run=^" + name + "$", "-test.v"}
	if os.Geteuid() == 0 {
		setpriv, err := exec.LookPath("setpriv")
		if err != nil {
			t.Skip("root without setpriv: CAP_IPC_LOCK cannot be dropped")
		}
		args = append([]string{setpriv, "--inh-caps=-ipc_lock", "--bounding-set=-ipc_lock", "--"}, args...)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = append(os.Environ(), env+"=1")
	out, err := cmd.CombinedOutput()
	t.Logf("child:\n%s", out)
	if err != nil || !strings.Contains(string(out), "--- PASS") {
		t.Fatalf("child failed: %v", err)
	}
	return false
}
