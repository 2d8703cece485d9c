package jp2

import (
	"encoding/binary"
	"fmt"
)

// sizInfo is what the codestream's SIZ marker segment declares.
type sizInfo struct {
	width, height, components int
	tiles                     uint64
}

// sizLen is SOC (2) + SIZ up to and including Csiz (40).
const sizLen = 42

// preflight reads SIZ before openjp2 sees the data: openjp2 sets up every
// declared tile while it reads the header, so the limits must be enforced
// first.
func preflight(data []byte, f Format) (sizInfo, error) {
	cs := data
	if f == FormatJP2 {
		var ok bool
		if cs, ok = jp2Codestream(data); !ok {
			return sizInfo{}, fmt.Errorf("%w (JP2): box structure ends early or has no codestream", ErrTruncated)
		}
	}
	return parseSIZ(cs)
}

func parseSIZ(cs []byte) (sizInfo, error) {
	if len(cs) < sizLen {
		return sizInfo{}, fmt.Errorf("%w: %d bytes, shorter than the main header", ErrTruncated, len(cs))
	}
	if [4]byte(cs[:4]) != [4]byte(j2kMagic) {
		return sizInfo{}, fmt.Errorf("%w: codestream does not start with SOC and SIZ", ErrCorrupt)
	}
	u := func(off int) uint64 { return uint64(binary.BigEndian.Uint32(cs[off:])) }
	xsiz, ysiz, xo, yo := u(8), u(12), u(16), u(20)
	xt, yt, xto, yto := u(24), u(28), u(32), u(36)
	comps := int(binary.BigEndian.Uint16(cs[40:]))
	if xo >= xsiz || yo >= ysiz || xt == 0 || yt == 0 || xto > xo || yto > yo ||
		xto+xt <= xo || yto+yt <= yo || comps == 0 {
		return sizInfo{}, fmt.Errorf("%w: inconsistent SIZ (image %dx%d at %d,%d, tiles %dx%d at %d,%d, %d components)",
			ErrCorrupt, xsiz, ysiz, xo, yo, xt, yt, xto, yto, comps)
	}
	tilesX := (xsiz - xto + xt - 1) / xt
	tilesY := (ysiz - yto + yt - 1) / yt
	return sizInfo{width: int(xsiz - xo), height: int(ysiz - yo), components: comps, tiles: tilesX * tilesY}, nil
}

// checkLimits refuses what would be costly to decode.
func (s sizInfo) checkLimits() error {
	if uint64(s.width)*uint64(s.height) > MaxPixels || s.tiles > MaxTiles {
		return fmt.Errorf("%w: %dx%d in %d tiles (at most %d pixels in %d tiles)",
			ErrTooLarge, s.width, s.height, s.tiles, MaxPixels, MaxTiles)
	}
	return nil
}
