// Package jp2 decodes and encodes JPEG 2000 (JP2 files and raw J2K
// codestreams) through Debian's libopenjp2. It exists for the My Number
// Card's face photo (券面AP DF27, a small greyscale JPEG 2000): Decode writes
// the pixels straight into memory the caller provides, so the session can keep
// them in locked memory, and wipes openjp2's own copy of the samples before
// it is freed.
//
// openjp2 also copies the compressed photo into buffers it frees without
// wiping; while a decode or encode runs, glibc is told to overwrite freed
// memory (M_PERTURB), and the kiosk's service unit sets it process-wide.
//
// Hostile input yields a typed error, never a crash: openjp2 runs in strict
// mode with its messages captured, every pointer it returns is checked, and
// the image area is capped before any sample is allocated.
package jp2

import (
	"bytes"
	"errors"
)

// MaxPixels caps the area Decode accepts. Card photos are about 300x400;
// the cap leaves room for any portrait while bounding what a hostile header
// can make openjp2 allocate (4 bytes per sample per component).
const MaxPixels = 2048 * 2048

// MaxTiles caps the tile count: openjp2 spends time on every declared tile,
// even an empty one, so a tiny file claiming 60,000 tiles would stall a
// decode for seconds. Photos are single-tile.
const MaxTiles = 1024

// Typed failures; test with errors.Is.
var (
	ErrTruncated   = errors.New("jp2: truncated data")
	ErrCorrupt     = errors.New("jp2: corrupt data")
	ErrTooLarge    = errors.New("jp2: image too large")
	ErrUnsupported = errors.New("jp2: unsupported image")
	ErrInvalid     = errors.New("jp2: invalid argument")
)

// Format is the container of JPEG 2000 data.
type Format int

const (
	FormatUnknown Format = iota
	FormatJ2K            // raw codestream, starts with SOC+SIZ
	FormatJP2            // ISO box file with a jp2c box
)

func (f Format) String() string {
	switch f {
	case FormatJ2K:
		return "J2K"
	case FormatJP2:
		return "JP2"
	}
	return "unknown"
}

var (
	j2kMagic = []byte{0xff, 0x4f, 0xff, 0x51}
	jp2Magic = []byte{0, 0, 0, 0x0c, 'j', 'P', ' ', ' ', 0x0d, 0x0a, 0x87, 0x0a}
)

// Detect names the container from the leading magic bytes.
func Detect(data []byte) Format {
	switch {
	case bytes.HasPrefix(data, j2kMagic):
		return FormatJ2K
	case bytes.HasPrefix(data, jp2Magic):
		return FormatJP2
	}
	return FormatUnknown
}

// detectOrError turns an unknown container into the most accurate error:
// a prefix of a magic is cut short, anything else is not JPEG 2000.
func detectOrError(data []byte) (Format, error) {
	if f := Detect(data); f != FormatUnknown {
		return f, nil
	}
	if len(data) < len(jp2Magic) && (bytes.HasPrefix(j2kMagic, data) || bytes.HasPrefix(jp2Magic, data)) {
		return FormatUnknown, ErrTruncated
	}
	return FormatUnknown, ErrUnsupported
}
