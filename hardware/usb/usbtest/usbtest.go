// Package usbtest lays out a temporary directory like sysfs, with the USB
// devices and video nodes a test needs, for usb.Sysfs to read.
package usbtest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/uketsuke/uketsuke/hardware/usb"
)

// Tree is a fake sysfs root.
type Tree struct {
	t    testing.TB
	Root string
}

// New makes an empty tree under t.TempDir().
func New(t testing.TB) *Tree {
	root := t.TempDir()
	for _, d := range []string{"bus/usb/devices", "class/video4linux", "devices/pci0000:00/usb1"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return &Tree{t: t, Root: root}
}

// Bus reads the tree as a kiosk reads /sys.
func (tr *Tree) Bus() usb.Bus { return usb.Sysfs{Root: tr.Root} }

// Add plugs in a device (with one interface, busid:1.0) at d.BusID.
func (tr *Tree) Add(d usb.Device) {
	dir := filepath.Join(tr.Root, "devices/pci0000:00/usb1", d.BusID)
	tr.must(os.MkdirAll(filepath.Join(dir, d.BusID+":1.0"), 0o755))
	for name, v := range map[string]string{"idVendor": d.Vendor, "idProduct": d.Product, "serial": d.Serial,
		"manufacturer": d.Manufacturer, "product": d.Name} {
		if v != "" {
			tr.must(os.WriteFile(filepath.Join(dir, name), []byte(v+"\n"), 0o644))
		}
	}
	tr.must(os.Symlink(dir, filepath.Join(tr.Root, "bus/usb/devices", d.BusID)))
	tr.must(os.Symlink(filepath.Join(dir, d.BusID+":1.0"), filepath.Join(tr.Root, "bus/usb/devices", d.BusID+":1.0")))
}

// AddVideo makes /sys/class/video4linux/<node> a video interface of the
// device at busID ("" : a platform device with no USB parent).
func (tr *Tree) AddVideo(node, busID string) {
	cls := filepath.Join(tr.Root, "class/video4linux", node)
	tr.must(os.MkdirAll(cls, 0o755))
	target := filepath.Join(tr.Root, "devices/platform", node)
	if busID != "" {
		target = filepath.Join(tr.Root, "devices/pci0000:00/usb1", busID, busID+":1.0")
	}
	tr.must(os.MkdirAll(target, 0o755))
	tr.must(os.Symlink(target, filepath.Join(cls, "device")))
}

func (tr *Tree) must(err error) {
	tr.t.Helper()
	if err != nil {
		tr.t.Fatal(err)
	}
}
