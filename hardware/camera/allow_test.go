package camera

import (
	"errors"
	"strings"
	"testing"

	"github.com/blackjack/webcam"

	appcam "github.com/uketsuke/uketsuke/app/camera"
)

type webcamFormat = webcam.PixelFormat

var c920 = Identity{Path: "/dev/video0", Driver: "uvcvideo", Card: "HD Pro Webcam C920", BusInfo: "usb-0000:00:14.0-2"}

func TestAllowListMatchesEveryNamedField(t *testing.T) {
	cases := []struct {
		rule Rule
		want bool
	}{
		{Rule{Driver: "uvcvideo"}, true},
		{Rule{Card: "HD Pro Webcam C9*"}, true},
		{Rule{Path: "/dev/video*", Card: "HD Pro Webcam C920"}, true},
		{Rule{Card: "HD Pro Webcam C920", BusInfo: "usb-0000:00:14.0-2"}, true},
		{Rule{Card: "HD Pro Webcam C920", BusInfo: "usb-0000:00:14.0-3"}, false},
		{Rule{Path: "/dev/video1", Driver: "uvcvideo"}, false},
		{Rule{Driver: "v4l2loopback"}, false},
		{Rule{Card: "HD Pro Webcam"}, false},
	}
	for _, c := range cases {
		err := AllowList{c.rule}.Check(c920)
		if (err == nil) != c.want {
			t.Errorf("rule %+v: err %v, want allowed=%v", c.rule, err, c.want)
		}
	}
}

func TestUnknownDeviceIsRefusedWithErrNoDevice(t *testing.T) {
	for _, list := range []AllowList{nil, {{Driver: "v4l2loopback"}}} {
		err := list.Check(c920)
		if !errors.Is(err, appcam.ErrNoDevice) {
			t.Fatalf("list %v: err %v, want ErrNoDevice", list, err)
		}
		if !strings.Contains(err.Error(), "HD Pro Webcam C920") || !strings.Contains(err.Error(), "/dev/video0") {
			t.Fatalf("error does not name the device: %v", err)
		}
	}
}

func TestAllowListRejectsBroadOrBrokenRules(t *testing.T) {
	for _, bad := range []AllowList{
		{{}},
		{{Path: "/dev/video*"}},
		{{BusInfo: "usb-*"}},
		{{Card: "[unclosed"}},
	} {
		if err := bad.Validate(); !errors.Is(err, ErrBadRule) {
			t.Errorf("%+v: Validate = %v, want ErrBadRule", bad, err)
		}
		if err := bad.Check(c920); !errors.Is(err, ErrBadRule) {
			t.Errorf("%+v: Check = %v, want ErrBadRule", bad, err)
		}
	}
}

func TestIdentityFromQueryCap(t *testing.T) {
	var c v4l2Capability
	copy(c.Driver[:], "uvcvideo")
	copy(c.Card[:], "HD Pro Webcam C920\x00junk")
	copy(c.BusInfo[:], "usb-0000:00:14.0-2")
	if got := identityOf("/dev/video0", &c); got != c920 {
		t.Fatalf("identity %+v, want %+v", got, c920)
	}
	if vidiocQueryCap != 0x80685600 {
		t.Fatalf("VIDIOC_QUERYCAP = %#x, want 0x80685600", vidiocQueryCap)
	}
}

func TestOpenRefusesMissingAndNonV4L2Devices(t *testing.T) {
	allow := AllowList{{Driver: "*"}}
	for _, path := range []string{"/dev/video-does-not-exist", "/dev/null"} {
		s, err := Open(Config{Path: path, Allow: allow})
		if !errors.Is(err, appcam.ErrNoDevice) {
			t.Fatalf("%s: Open = %v, %v; want ErrNoDevice", path, s, err)
		}
	}
}

func TestChooseFormatPrefersYUYV(t *testing.T) {
	if f, err := chooseFormat(map[webcamFormat]string{FormatMJPG: "Motion-JPEG", FormatYUYV: "YUYV 4:2:2"}); err != nil || f != FormatYUYV {
		t.Fatalf("both: %v %v", f, err)
	}
	if f, err := chooseFormat(map[webcamFormat]string{FormatMJPG: "Motion-JPEG"}); err != nil || f != FormatMJPG {
		t.Fatalf("MJPEG only: %v %v", f, err)
	}
	if _, err := chooseFormat(map[webcamFormat]string{0x32315559: "YU12"}); !errors.Is(err, ErrNoFormat) {
		t.Fatalf("neither: %v", err)
	}
	if FormatYUYV != 0x56595559 || FormatMJPG != 0x47504a4d {
		t.Fatalf("fourcc constants wrong: %#x %#x", uint32(FormatYUYV), uint32(FormatMJPG))
	}
}

func TestListSkipsNodesThatAreNotCameras(t *testing.T) {
	ids, err := listIn("/dev/nul*") // /dev/null answers no QUERYCAP
	if err != nil || len(ids) != 0 {
		t.Fatalf("listIn(/dev/nul*) = %v, %v; want nothing", ids, err)
	}
	if _, err := List(); err != nil {
		t.Fatalf("List: %v", err)
	}
}
