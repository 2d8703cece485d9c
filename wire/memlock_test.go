package wire

import (
	"errors"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/uketsuke/uketsuke/app/config"
)

func bigCameras() *config.Config {
	c := config.Default()
	c.Parts = &config.Parts{
		FaceCamera: config.Camera{Kind: config.KindV4L2, Device: "/dev/video0", Width: 1920, Height: 1080},
		CardCamera: config.Camera{Kind: config.KindV4L2, Device: "/dev/video2", Width: 1920, Height: 1080},
		OCR:        config.OCR{Kind: config.KindTesseract, Workers: 1},
	}
	return c
}

// The kiosk started with the default 8 MiB lock limit (outside the unit)
// and 1920x1080 cameras must stop at start with ErrMemLock and a message
// that names the limit, not panic in memguard during the first session.
// The limit is lowered in a child process so this one keeps its own.
func TestLowLockLimitIsRefusedAtStart(t *testing.T) {
	if os.Getenv("UKETSUKE_MEMLOCK_CHILD") == "1" {
		lim := unix.Rlimit{Cur: 8 << 20, Max: 8 << 20}
		var old unix.Rlimit
		if err := unix.Getrlimit(unix.RLIMIT_MEMLOCK, &old); err == nil && old.Max < lim.Max {
			lim = old
		}
		if err := unix.Setrlimit(unix.RLIMIT_MEMLOCK, &lim); err != nil {
			t.Fatal(err)
		}
		err := checkMemLock(bigCameras())
		if !errors.Is(err, ErrMemLock) || !strings.Contains(err.Error(), "LimitMEMLOCK") {
			t.Fatalf("err = %v, want ErrMemLock naming LimitMEMLOCK", err)
		}
		t.Logf("refused: %v", err)
		return
	}
	args := []string{os.Args[0], "-test.run=^TestLowLockLimitIsRefusedAtStart$", "-test.v"}
	if os.Geteuid() == 0 { // root: without CAP_IPC_LOCK, as the unit's user
		setpriv, err := exec.LookPath("setpriv")
		if err != nil {
			t.Skip("root without setpriv: CAP_IPC_LOCK cannot be dropped")
		}
		args = append([]string{setpriv, "--inh-caps=-ipc_lock", "--bounding-set=-ipc_lock", "--"}, args...)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = append(os.Environ(), "UKETSUKE_MEMLOCK_CHILD=1")
	out, err := cmd.CombinedOutput()
	t.Logf("child:\n%s", out)
	if err != nil || !strings.Contains(string(out), "--- PASS") {
		t.Fatalf("child failed: %v", err)
	}
}

// The service unit must lock enough for two 1920x1080 cameras and keep the
// process out of swap: memguard locks only its own buffers.
func TestUnitLocksEnoughAndNeverSwaps(t *testing.T) {
	unit, err := os.ReadFile("../packaging/systemd/uketsuke.service")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^MemorySwapMax=0$`).Match(unit) {
		t.Error("unit lacks MemorySwapMax=0: working memory outside memguard could be paged out")
	}
	m := regexp.MustCompile(`(?m)^LimitMEMLOCK=(\d+)M$`).FindSubmatch(unit)
	if m == nil {
		t.Fatal("unit lacks LimitMEMLOCK=<n>M")
	}
	mib, _ := strconv.ParseInt(string(m[1]), 10, 64)
	if need := LockedBytes(bigCameras()); mib<<20 < need {
		t.Errorf("LimitMEMLOCK=%dM, two 1920x1080 cameras need %d bytes", mib, need)
	}
}
