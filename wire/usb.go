package wire

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"sync"

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
	// logged keeps the reader's watch loop, which asks every second, from
	// logging the same refusal each time; nil logs every refusal.
	logged *sync.Map
}

func (g usbGate) refused(kind, device string, err error) {
	if g.logged != nil {
		if _, seen := g.logged.LoadOrStore(kind+"\x00"+device+"\x00"+err.Error(), true); seen {
			return
		}
	}
	g.log.Warn("device refused", "kind", kind, "device", device, "err", err)
}

// camera admits the USB camera behind a V4L2 node as kind (face_camera or
// card_camera).
func (g usbGate) camera(kind, node string) error {
	d, err := g.bus.Video(node)
	if err == nil && !g.cfg.AllowsDevice(kind, d.Vendor, d.Product, d.Serial) {
		err = fmt.Errorf("%w: %s %s is %s", errDeviceNotListed, kind, node, d)
	}
	if err != nil {
		g.refused(kind, node, err)
	}
	return err
}

// reader admits a PC/SC reader by the USB device its name stands for. A
// name no USB device matches is a virtual reader, admitted only where the
// configuration allows one (test rigs); a name several devices may stand
// for is admitted only if every one of them is listed.
func (g usbGate) reader(name string) error {
	devs, err := g.bus.Devices()
	if errors.Is(err, fs.ErrNotExist) {
		// No USB bus at all (a container, some virtual machines): no
		// reader can be one of the listed devices, and only a virtual
		// one, where allowed, is admitted below.
		devs, err = nil, nil
	}
	if err != nil {
		g.refused("reader", name, err)
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
		g.refused("reader", name, err)
	}
	return err
}
