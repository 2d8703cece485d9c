// Package enclosure reads the kiosk enclosure's tamper switch from a file
// holding one value: a sysfs GPIO line (/sys/class/gpio/gpioN/value), or any
// file a driver or udev rule keeps as "0" or "1". It fills
// revisit.EnclosureSwitch for the theft lock.
package enclosure

import (
	"bytes"
	"errors"
	"fmt"
	"os"
)

// Switch reads one value file.
type Switch struct {
	path      string
	openValue byte // '1' or '0': the value the file holds while the enclosure is open
}

// ErrValue is a switch file whose content is neither 0 nor 1.
var ErrValue = errors.New("enclosure: switch value is neither 0 nor 1")

// ErrOption is a switch configured without a path or with an open value
// other than 0 or 1.
var ErrOption = errors.New("enclosure: switch configuration")

// New reads path as the switch; openValue is "1" (default when "") or "0"
// for a switch that reads 0 when open.
func New(path, openValue string) (*Switch, error) {
	switch openValue {
	case "", "1":
		openValue = "1"
	case "0":
	default:
		return nil, fmt.Errorf("%w: open value %q, want 0 or 1", ErrOption, openValue)
	}
	if path == "" {
		return nil, fmt.Errorf("%w: no path", ErrOption)
	}
	return &Switch{path: path, openValue: openValue[0]}, nil
}

// Opened reads the file once (a sysfs value is read fresh every time).
func (s *Switch) Opened() (bool, error) {
	data, err := os.ReadFile(s.path)
	if err != nil {
		return false, fmt.Errorf("enclosure: %w", err)
	}
	v := bytes.TrimSpace(data)
	if len(v) != 1 || (v[0] != '0' && v[0] != '1') {
		return false, ErrValue
	}
	return v[0] == s.openValue, nil
}
