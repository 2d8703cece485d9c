package wire

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/uketsuke/uketsuke/app/config"
	"github.com/uketsuke/uketsuke/hardware/usb"
)

// errDeviceNotListed is a device whose USB ids are not in the
// configuration's devices: it is refused whatever its driver or name says.
var errDeviceNotListed = errors.New("wire: device is not on the devices allow-list")

// usbGate admits devices by the USB ids the bus reports, against the
// configuration's devices list. Driver names, V4L2 card names and PC/SC
// reader names are the device's own claims; the ids are what the list names.
type usbGate struct {
	cfg *config.Config
	bus usb.Bus
	log *slog.Logger
}

// camera admits the USB camera behind a V4L2 node as kind (face_camera or
// card_camera).
func (g usbGate) camera(kind, node string) error {
	d, err := g.bus.Video(node)
	if err == nil && !g.cfg.AllowsDevice(kind, d.Vendor, d.Product, d.Serial) {
		err = fmt.Errorf("%w: %s %s is %s", errDeviceNotListed, kind, node, d)
	}
	if err != nil {
		g.log.Warn("device refused", "kind", kind, "device", node, "err", err)
	}
	return err
}

// reader admits a PC/SC reader by the USB device its name stands for. A
// name no USB device matches is a virtual reader, admitted only where the
// configuration allows one (test rigs); a name several devices may stand
// for is admitted only if every one of them is listed.
func (g usbGate) reader(name string) error {
	devs, err := g.bus.Devices()
	if err != nil {
		g.log.Warn("device refused", "kind", "reader", "device", name, "err", err)
		return err
	}
	cands := usb.ReaderDevices(name, devs)
	switch {
	case len(cands) == 0 && g.cfg.Parts.Reader.AllowVirtual:
		return nil
	case len(cands) == 0:
		err = fmt.Errorf("%w: reader %q has no USB device behind it", errDeviceNotListed, name)
	default:
		for _, d := range cands {
			if !g.cfg.AllowsDevice("reader", d.Vendor, d.Product, d.Serial) {
				err = fmt.Errorf("%w: reader %q is %s", errDeviceNotListed, name, d)
				break
			}
		}
	}
	if err != nil {
		g.log.Warn("device refused", "kind", "reader", "device", name, "err", err)
	}
	return err
}
