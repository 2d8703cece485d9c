package jp2

import "encoding/binary"

// eoc is the codestream's mandatory end marker.
var eoc = []byte{0xff, 0xd9}

// looksTruncated tells a stream cut short (missing end marker or a box that
// runs past the data) from one that is damaged inside, after openjp2 failed.
func looksTruncated(data []byte, f Format) bool {
	switch f {
	case FormatJ2K:
		return !endsWithEOC(data)
	case FormatJP2:
		cs, ok := jp2Codestream(data)
		return !ok || !endsWithEOC(cs)
	}
	return false
}

func endsWithEOC(cs []byte) bool {
	n := len(cs)
	return n >= 2 && cs[n-2] == eoc[0] && cs[n-1] == eoc[1]
}

// jp2Codestream walks the top-level boxes and returns the jp2c payload; ok is
// false when a box header or body runs past the end or no jp2c box exists.
func jp2Codestream(data []byte) (cs []byte, ok bool) {
	for off := 0; off < len(data); {
		if len(data)-off < 8 {
			return nil, false
		}
		size := uint64(binary.BigEndian.Uint32(data[off:]))
		typ := string(data[off+4 : off+8])
		head := 8
		switch size {
		case 0:
			size = uint64(len(data) - off)
		case 1:
			if len(data)-off < 16 {
				return nil, false
			}
			size = binary.BigEndian.Uint64(data[off+8:])
			head = 16
		}
		if size < uint64(head) || size > uint64(len(data)-off) {
			return nil, false
		}
		if typ == "jp2c" {
			return data[off+head : off+int(size)], true
		}
		off += int(size)
	}
	return nil, false
}
