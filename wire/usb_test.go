package wire

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/uketsuke/uketsuke/app/config"
	"github.com/uketsuke/uketsuke/hardware/usb"
	"github.com/uketsuke/uketsuke/hardware/usb/usbtest"
)

// The kiosk's devices on a fake bus: the listed face camera, a webcam of
// another make on the same uvcvideo driver, the listed reader and a reader
// of another make that pcscd would name the same way.
var (
	listedCam  = usb.Device{Vendor: "046d", Product: "085e", Serial: "C0FFEE", Name: "BRIO", BusID: "1-1"}
	otherCam   = usb.Device{Vendor: "1bcf", Product: "2c99", Name: "USB Camera", BusID: "1-2"}
	listedRdr  = usb.Device{Vendor: "054c", Product: "0dc9", Serial: "0123", Manufacturer: "SONY", Name: "RC-S300/P", BusID: "1-3"}
	forgedRdr  = usb.Device{Vendor: "dead", Product: "beef", Serial: "0666", Manufacturer: "SONY", Name: "RC-S300/P", BusID: "1-4"}
	listedDevs = []config.AllowedDevice{
		{Kind: "face_camera", Vendor: "046d", Product: "085e", Serial: "C0FFEE"},
		{Kind: "reader", Vendor: "054c", Product: "0dc9"},
	}
)

func fakeBus(t *testing.T) usb.Bus {
	tr := usbtest.New(t)
	for _, d := range []usb.Device{listedCam, otherCam, listedRdr, forgedRdr} {
		tr.Add(d)
	}
	tr.AddVideo("video0", listedCam.BusID)
	tr.AddVideo("video2", otherCam.BusID)
	return tr.Bus()
}

func captureLog() (*slog.Logger, *bytes.Buffer) {
	var buf bytes.Buffer
	return slog.New(slog.NewTextHandler(&buf, nil)), &buf
}

// A camera rule naming only the uvcvideo driver would admit any webcam; the
// USB ids in devices admit only the listed one, and the refusal is logged.
func TestACameraOfAnotherMakeOnTheAllowedDriverIsRefused(t *testing.T) {
	cfg := SimulatedConfig(Simulated{Dir: t.TempDir(), Fast: true})
	cfg.Devices = listedDevs
	cfg.Parts.FaceCamera = config.Camera{Kind: config.KindV4L2, Device: "/dev/video2",
		Allow: []config.CameraRule{{Driver: "uvcvideo"}}}
	log, buf := captureLog()
	w, err := Build(cfg, Options{Log: log, USB: fakeBus(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.Devices.FaceCamera.Next(context.Background()); !errors.Is(err, errDeviceNotListed) {
		t.Fatalf("the other webcam: %v", err)
	}
	if !strings.Contains(buf.String(), "device refused") || !strings.Contains(buf.String(), "1bcf:2c99") {
		t.Fatalf("refusal not logged:\n%s", buf)
	}
	g := usbGate{cfg: cfg, bus: fakeBus(t), log: log}
	if err := g.camera("face_camera", "/dev/video0"); err != nil {
		t.Fatalf("the listed camera: %v", err)
	}
	if err := g.camera("card_camera", "/dev/video0"); !errors.Is(err, errDeviceNotListed) {
		t.Fatalf("the face camera as the card camera: %v", err)
	}
	cfg.Devices = []config.AllowedDevice{{Kind: "face_camera", Vendor: "046d", Product: "085e", Serial: "OTHER"}}
	if err := g.camera("face_camera", "/dev/video0"); !errors.Is(err, errDeviceNotListed) {
		t.Fatalf("another unit of the listed model: %v", err)
	}
}

// A reader is admitted by the USB device its name stands for: the listed
// one is, a device of another make that names itself the same is not, and
// vpcd's reader only where the configuration allows a virtual one.
func TestAReaderOfAnotherMakeOrAVirtualOneIsRefused(t *testing.T) {
	cfg := SimulatedConfig(Simulated{Dir: t.TempDir(), Fast: true})
	cfg.Devices = listedDevs
	log, buf := captureLog()
	r := newPCSCReader([]string{"SONY RC-S300*", "Virtual PCD*"}, usbGate{cfg: cfg, bus: fakeBus(t), log: log, logged: new(sync.Map)}, nil, log)
	forged, listed, virtual := "SONY RC-S300/P (0666) 00 00", "SONY RC-S300/P (0123) 01 00", "Virtual PCD 00 00"
	if got, err := r.pick([]string{forged, virtual, listed}); err != nil || got != listed {
		t.Fatalf("picked %q %v", got, err)
	}
	for _, want := range []string{"device refused", "dead:beef", "no USB device behind it"} {
		if !strings.Contains(buf.String(), want) {
			t.Fatalf("log lacks %q:\n%s", want, buf)
		}
	}
	if _, err := r.pick([]string{forged}); !errors.Is(err, errNoAllowedReader) {
		t.Fatalf("only the forged reader: %v", err)
	}
	if n := strings.Count(buf.String(), "dead:beef"); n != 1 {
		t.Fatalf("the watch loop's retries logged the refusal %d times", n)
	}
	// Without a serial in the name the two cannot be told apart: refused.
	if err := r.gate.reader("SONY RC-S300/P 00 00"); !errors.Is(err, errDeviceNotListed) {
		t.Fatalf("ambiguous name: %v", err)
	}
	cfg.Parts.Reader.AllowVirtual = true
	if got, err := r.pick([]string{forged, virtual}); err != nil || got != virtual {
		t.Fatalf("virtual allowed: %q %v", got, err)
	}
}

// A machine with no USB bus in sysfs (a container, some virtual machines):
// no reader can be a listed device, and a virtual one is admitted only where
// the configuration allows it — the missing bus is no reason to refuse it.
func TestNoUSBBusAdmitsOnlyAnAllowedVirtualReader(t *testing.T) {
	cfg := SimulatedConfig(Simulated{Dir: t.TempDir(), Fast: true})
	cfg.Devices = listedDevs
	log, _ := captureLog()
	gate := usbGate{cfg: cfg, bus: usb.Sysfs{Root: t.TempDir()}, log: log, logged: new(sync.Map)}
	if err := gate.reader("SONY RC-S300/P (0123) 01 00"); !errors.Is(err, errDeviceNotListed) {
		t.Fatalf("a real reader's name without a bus: %v", err)
	}
	cfg.Parts.Reader.AllowVirtual = false
	if err := gate.reader("Virtual PCD 00 01"); !errors.Is(err, errDeviceNotListed) {
		t.Fatalf("virtual reader not allowed: %v", err)
	}
	cfg.Parts.Reader.AllowVirtual = true
	if err := gate.reader("Virtual PCD 00 01"); err != nil {
		t.Fatalf("virtual reader allowed, no USB bus: %v", err)
	}
}
