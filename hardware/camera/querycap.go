package camera

import (
	"bytes"
	"fmt"
	"path/filepath"
	"unsafe"

	"golang.org/x/sys/unix"
)

// v4l2Capability mirrors struct v4l2_capability from linux/videodev2.h.
type v4l2Capability struct {
	Driver       [16]byte
	Card         [32]byte
	BusInfo      [32]byte
	Version      uint32
	Capabilities uint32
	DeviceCaps   uint32
	Reserved     [3]uint32
}

// vidiocQueryCap is _IOR('V', 0, struct v4l2_capability).
const vidiocQueryCap = 2<<30 | uint32(unsafe.Sizeof(v4l2Capability{}))<<16 | 'V'<<8

// Query reads a device's identity without starting it, so a device that is
// not allowed is refused before anything else touches it.
func Query(path string) (Identity, error) {
	fd, err := unix.Open(path, unix.O_RDWR|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return Identity{}, fmt.Errorf("open %s: %w", path, err)
	}
	defer unix.Close(fd)
	var c v4l2Capability
	if _, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), uintptr(vidiocQueryCap), uintptr(unsafe.Pointer(&c))); errno != 0 {
		return Identity{}, fmt.Errorf("%s is not a V4L2 device: %w", path, errno)
	}
	return identityOf(path, &c), nil
}

func identityOf(path string, c *v4l2Capability) Identity {
	return Identity{Path: path, Driver: cString(c.Driver[:]), Card: cString(c.Card[:]), BusInfo: cString(c.BusInfo[:])}
}

func cString(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

// List reports the identity of every V4L2 node under /dev (video0, video1,
// …), for staff writing the allow-list. Nodes that do not answer QUERYCAP
// are left out.
func List() ([]Identity, error) {
	return listIn("/dev/video*")
}

func listIn(pattern string) ([]Identity, error) {
	paths, err := filepath.Glob(pattern)
	if err != nil {
		return nil, err
	}
	var ids []Identity
	for _, p := range paths {
		if id, err := Query(p); err == nil {
			ids = append(ids, id)
		}
	}
	return ids, nil
}
