//go:build !kiosk

package cli

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
)

func TestHelpListsTestTools(t *testing.T) {
	out, err := run(t, "help")
	if err != nil || !strings.Contains(out, "card read") || !strings.Contains(out, "scan ") {
		t.Fatalf("help: %v %q", err, out)
	}
}

func TestCardReadRefusesMalformedCredentialsBeforeTouchingTheCard(t *testing.T) {
	for _, c := range []struct {
		stdin string
		args  []string
	}{
		{"5502172035228\n", []string{"card", "read"}},
		{"55021720352285X\n", []string{"card", "read"}},
		{"", []string{"card", "read"}},
		{"55021720352285\n123\n", []string{"card", "read", "--pin-fd", "0"}},
		{"55021720352285\n12345\n", []string{"card", "read", "--pin-fd", "0"}},
		{"1\n", []string{"card", "bench"}},
	} {
		out, err := runIn(t, c.stdin, c.args...)
		if !errors.Is(err, ErrUsage) || !strings.Contains(err.Error(), "nothing was sent") {
			t.Errorf("%q %v: %v %s", c.stdin, c.args, err, out)
		}
	}
}

func TestReadCredentialFromAFileDescriptor(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	go func() { w.Write([]byte("1234\r\nrest")); w.Close() }()
	fd, err := syscall.Dup(int(r.Fd())) // readCredential closes its descriptor
	r.Close()
	if err != nil {
		t.Fatal(err)
	}
	pin, err := readCredential(&Env{}, fd, 4, "the PIN")
	if err != nil {
		t.Fatal(err)
	}
	defer pin.Destroy()
	if !bytes.Equal(pin.Bytes(), []byte("1234")) {
		t.Fatal("wrong PIN read")
	}
}

// A credential on the command line is readable by every user of the machine
// (/proc/PID/cmdline): the tools refuse it whatever its spelling, and do not
// echo it.
func TestCardToolsRefuseCredentialsOnTheCommandLine(t *testing.T) {
	for _, args := range [][]string{
		{"card", "read", "--pin", "1234"},
		{"card", "read", "-pin=1234"},
		{"card", "read", "--code-b", "55021720352285"},
		{"card", "read", "--code-b=55021720352285", "--json"},
		{"card", "bench", "-code-b", "55021720352285"},
	} {
		out, err := runIn(t, "55021720352285\n1234\n", args...)
		if !errors.Is(err, ErrUsage) || !strings.Contains(err.Error(), "refused") {
			t.Errorf("%v: %v %s", args, err, out)
		}
		if strings.Contains(out+err.Error(), "1234") {
			t.Errorf("%v: the credential was echoed: %s %v", args, out, err)
		}
	}
}

// The .deb's kiosk is built with the kiosk tag (mk/devices.mk); this builds
// the package that way and runs kiosk_test.go there, which checks the test
// tools are not registered.
func TestKioskVariantLeavesOutTestTools(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	cmd := exec.Command(goTool, "test", "-tags", "kiosk", "-count=1", "-v", "-run", "^TestKioskBuildHasNoTestTools$", ".")
	cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestKioskBuildHasNoTestTools") {
		t.Fatalf("the kiosk build: %v\n%s", err, out)
	}
}
