// Package usb tells which USB device stands behind a camera node or a
// PC/SC reader name, from sysfs. Names a device reports about itself (a
// V4L2 card name, a driver, a reader name) say nothing about which device
// it is; the vendor:product ids and serial let the allow-list name one.
package usb

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Device is one USB device as sysfs describes it.
type Device struct {
	Vendor, Product string // 4 lower-case hex digits
	Serial          string // "" when the device has none
	Manufacturer    string // the device's own strings, for matching reader names
	Name            string // sysfs "product"
	BusID           string // e.g. 1-2.4
}

func (d Device) String() string {
	s := d.Vendor + ":" + d.Product
	if d.Serial != "" {
		s += " serial " + d.Serial
	}
	return s
}

// Bus is where device identities come from: sysfs on a kiosk, a fake tree
// in tests (usbtest).
type Bus interface {
	// Devices lists the attached USB devices.
	Devices() ([]Device, error)
	// Video is the USB device behind a V4L2 node (/dev/videoN).
	Video(node string) (Device, error)
}

// ErrNotUSB says a node or name has no USB device behind it (a virtual or
// platform device).
var ErrNotUSB = errors.New("usb: no USB device behind it")

// Sysfs reads a sysfs tree mounted at Root ("/sys" on a kiosk).
type Sysfs struct{ Root string }

// Devices reads Root/bus/usb/devices; interfaces and hubs' ports without
// ids are skipped.
func (s Sysfs) Devices() ([]Device, error) {
	entries, err := os.ReadDir(filepath.Join(s.Root, "bus", "usb", "devices"))
	if err != nil {
		return nil, err
	}
	var out []Device
	for _, e := range entries {
		d, ok := s.read(filepath.Join(s.Root, "bus", "usb", "devices", e.Name()))
		if ok {
			out = append(out, d)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].BusID < out[j].BusID })
	return out, nil
}

// Video follows Root/class/video4linux/videoN/device up to the USB device
// that holds the interface.
func (s Sysfs) Video(node string) (Device, error) {
	if real, err := filepath.EvalSymlinks(node); err == nil {
		node = real // /dev/v4l/by-id/... names the same videoN
	}
	name := filepath.Base(node)
	if !strings.HasPrefix(name, "video") {
		return Device{}, fmt.Errorf("%w: %s is not a video node", ErrNotUSB, node)
	}
	root, err := filepath.EvalSymlinks(s.Root)
	if err != nil {
		return Device{}, err
	}
	dir, err := filepath.EvalSymlinks(filepath.Join(s.Root, "class", "video4linux", name, "device"))
	if err != nil {
		return Device{}, fmt.Errorf("%w: %s: %v", ErrNotUSB, node, err)
	}
	for ; strings.HasPrefix(dir, root+string(filepath.Separator)); dir = filepath.Dir(dir) {
		if d, ok := s.read(dir); ok {
			return d, nil
		}
	}
	return Device{}, fmt.Errorf("%w: %s", ErrNotUSB, node)
}

func (s Sysfs) read(dir string) (Device, bool) {
	attr := func(name string) string {
		b, _ := os.ReadFile(filepath.Join(dir, name))
		return strings.TrimSpace(string(b))
	}
	d := Device{Vendor: strings.ToLower(attr("idVendor")), Product: strings.ToLower(attr("idProduct")),
		Serial: attr("serial"), Manufacturer: attr("manufacturer"), Name: attr("product"), BusID: filepath.Base(dir)}
	return d, len(d.Vendor) == 4 && len(d.Product) == 4
}

// ReaderDevices are the devices a PC/SC reader name may stand for.
// pcscd's CCID driver names a reader after the device's own strings,
// "<manufacturer> <product> [<interface>] (<serial>) NN MM"; other drivers
// use the product string. A device whose serial appears in the name is
// that reader; otherwise every device whose strings begin the name is a
// candidate, and a caller admits the reader only if all of them are
// allowed (two readers of one model without serials cannot be told apart).
func ReaderDevices(name string, devs []Device) []Device {
	var prefixed, serialed []Device
	for _, d := range devs {
		if d.Name == "" {
			continue
		}
		if !strings.HasPrefix(name, d.Name) && !strings.HasPrefix(name, d.Manufacturer+" "+d.Name) {
			continue
		}
		prefixed = append(prefixed, d)
		if d.Serial != "" && strings.Contains(name, "("+d.Serial+")") {
			serialed = append(serialed, d)
		}
	}
	if len(serialed) > 0 {
		return serialed
	}
	return prefixed
}
