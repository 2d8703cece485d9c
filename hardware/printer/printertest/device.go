package printertest

import (
	"fmt"
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// ServeDevice stands in for a USB printer class device (/dev/usb/lpN): a
// pseudo-terminal in raw mode, whose far end the recorder serves, so the
// device transport reads and writes a real character device with the
// kernel's poller and deadlines. It returns the device path to print to.
func (r *Recorder) ServeDevice(t testing.TB) string {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatalf("printertest: no pseudo-terminals: %v", err)
	}
	path, err := unlockPTY(master)
	if err != nil {
		master.Close()
		t.Fatal(err)
	}
	// Holding the device open keeps the master readable between the
	// printer's own opens and closes (the last close would hang it up).
	hold, err := os.OpenFile(path, os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		master.Close()
		t.Fatal(err)
	}
	if err := withFd(hold, makeRaw); err != nil {
		master.Close()
		hold.Close()
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.Serve(master)
	}()
	t.Cleanup(func() {
		master.Close()
		hold.Close()
		<-done
	})
	return path
}

func unlockPTY(master *os.File) (string, error) {
	var n int
	err := withFd(master, func(fd int) error {
		if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
			return fmt.Errorf("printertest: unlockpt: %w", err)
		}
		var err error
		if n, err = unix.IoctlGetInt(fd, unix.TIOCGPTN); err != nil {
			return fmt.Errorf("printertest: ptsname: %w", err)
		}
		return nil
	})
	return fmt.Sprintf("/dev/pts/%d", n), err
}

// withFd runs f on the file's descriptor without File.Fd, which would
// take the file off the poller and make Close unable to end a Read.
func withFd(file *os.File, f func(fd int) error) error {
	raw, err := file.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	if err := raw.Control(func(fd uintptr) { ferr = f(int(fd)) }); err != nil {
		return err
	}
	return ferr
}

// makeRaw turns off every translation the terminal line discipline would
// apply, so bytes pass as a printer port passes them.
func makeRaw(fd int) error {
	tio, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return fmt.Errorf("printertest: tcgetattr: %w", err)
	}
	tio.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON | unix.IXOFF
	tio.Oflag &^= unix.OPOST
	tio.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
	tio.Cflag &^= unix.CSIZE | unix.PARENB
	tio.Cflag |= unix.CS8
	tio.Cc[unix.VMIN], tio.Cc[unix.VTIME] = 1, 0
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, tio); err != nil {
		return fmt.Errorf("printertest: tcsetattr: %w", err)
	}
	return nil
}
