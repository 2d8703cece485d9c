package usb_test

import (
	"errors"
	"testing"

	"github.com/uketsuke/uketsuke/hardware/usb"
	"github.com/uketsuke/uketsuke/hardware/usb/usbtest"
)

func TestSysfsNamesTheDeviceBehindNodesAndReaderNames(t *testing.T) {
	tr := usbtest.New(t)
	cam := usb.Device{Vendor: "046d", Product: "085e", Serial: "ABC123", Name: "BRIO 4K Stream Edition", BusID: "1-2"}
	rdr := usb.Device{Vendor: "054c", Product: "0dc9", Manufacturer: "SONY", Name: "RC-S300/P", Serial: "0123", BusID: "1-3"}
	twin := rdr
	twin.Serial, twin.BusID = "9999", "1-4"
	tr.Add(cam)
	tr.Add(rdr)
	tr.Add(twin)
	tr.AddVideo("video0", "1-2")
	tr.AddVideo("video9", "")
	bus := tr.Bus()
	if d, err := bus.Video("/dev/video0"); err != nil || d.Vendor != "046d" || d.Product != "085e" || d.Serial != "ABC123" {
		t.Fatalf("video0: %+v %v", d, err)
	}
	if _, err := bus.Video("/dev/video9"); !errors.Is(err, usb.ErrNotUSB) {
		t.Fatalf("platform node: %v", err)
	}
	if _, err := bus.Video("/dev/video7"); !errors.Is(err, usb.ErrNotUSB) {
		t.Fatalf("absent node: %v", err)
	}
	devs, err := bus.Devices()
	if err != nil || len(devs) != 3 {
		t.Fatalf("devices %+v %v", devs, err)
	}
	if got := usb.ReaderDevices("SONY RC-S300/P (9999) 00 00", devs); len(got) != 1 || got[0].Serial != "9999" {
		t.Fatalf("by serial: %+v", got)
	}
	if got := usb.ReaderDevices("RC-S300/P 00 00", devs); len(got) != 2 {
		t.Fatalf("no serial in the name: both of the model, %+v", got)
	}
	if got := usb.ReaderDevices("Virtual PCD 00 00", devs); len(got) != 0 {
		t.Fatalf("virtual: %+v", got)
	}
}
