// Package camera is the kiosk's real camera: a V4L2 frame source (through
// github.com/blackjack/webcam) that implements app/camera.Source, converts
// YUYV and MJPEG frames to RGBA in locked memory, and opens only devices on
// an allow-list (the requirement: refuse unknown attached devices).
package camera

import (
	"errors"
	"fmt"
	"path"

	appcam "github.com/uketsuke/uketsuke/app/camera"
)

// Identity is what V4L2 reports about a device (VIDIOC_QUERYCAP), plus the
// path it was opened by. None of it is personal data.
type Identity struct {
	Path    string // e.g. /dev/video0 or /dev/v4l/by-id/usb-…-video-index0
	Driver  string // e.g. uvcvideo
	Card    string // e.g. HD Pro Webcam C920
	BusInfo string // e.g. usb-0000:00:14.0-2
}

func (id Identity) String() string {
	return fmt.Sprintf("%s (driver %q, card %q, bus %q)", id.Path, id.Driver, id.Card, id.BusInfo)
}

// Rule allows devices whose every non-empty field matches. Fields are
// shell patterns (path.Match): "/dev/video*", "HD Pro Webcam C9*".
type Rule struct {
	Path    string `json:"path,omitempty"`
	Driver  string `json:"driver,omitempty"`
	Card    string `json:"card,omitempty"`
	BusInfo string `json:"bus_info,omitempty"`
}

// AllowList is deny-by-default: an empty list allows nothing.
type AllowList []Rule

// ErrBadRule marks an allow-list entry that is malformed or too broad.
var ErrBadRule = errors.New("camera: bad allow-list rule")

// Validate rejects patterns that do not parse and rules that would let any
// device through: each rule must name the hardware (driver or card).
func (a AllowList) Validate() error {
	for i, r := range a {
		if r.Driver == "" && r.Card == "" {
			return fmt.Errorf("%w %d: name a driver or card, not only a path or bus", ErrBadRule, i)
		}
		for _, p := range []string{r.Path, r.Driver, r.Card, r.BusInfo} {
			if _, err := path.Match(p, ""); err != nil {
				return fmt.Errorf("%w %d: pattern %q: %v", ErrBadRule, i, p, err)
			}
		}
	}
	return nil
}

// Check returns nil when some rule allows id, otherwise an error wrapping
// app/camera.ErrNoDevice that names the device, so staff can add it.
func (a AllowList) Check(id Identity) error {
	if err := a.Validate(); err != nil {
		return err
	}
	for _, r := range a {
		if r.matches(id) {
			return nil
		}
	}
	return fmt.Errorf("%w: %s is not on the camera allow-list", appcam.ErrNoDevice, id)
}

func (r Rule) matches(id Identity) bool {
	return field(r.Path, id.Path) && field(r.Driver, id.Driver) &&
		field(r.Card, id.Card) && field(r.BusInfo, id.BusInfo)
}

func field(pattern, value string) bool {
	if pattern == "" {
		return true
	}
	ok, err := path.Match(pattern, value)
	return err == nil && ok
}
