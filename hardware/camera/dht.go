package camera

import "encoding/binary"

// Many UVC cameras send MJPEG frames without Huffman tables (DHT), relying
// on the standard tables of JPEG Annex K.3; Go's decoder needs them present.

type huffTable struct {
	classID byte // class (0 DC, 1 AC) << 4 | table id
	counts  [16]byte
	values  []byte
}

func span(lo, hi byte) []byte {
	s := make([]byte, 0, int(hi-lo)+1)
	for v := lo; v <= hi; v++ {
		s = append(s, v)
	}
	return s
}

func concat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

var annexK = []huffTable{
	{0x00, [16]byte{0, 1, 5, 1, 1, 1, 1, 1, 1}, span(0, 11)},
	{0x10, [16]byte{0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d}, concat(
		[]byte{0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06,
			0x13, 0x51, 0x61, 0x07, 0x22, 0x71, 0x14, 0x32, 0x81, 0x91, 0xa1, 0x08,
			0x23, 0x42, 0xb1, 0xc1, 0x15, 0x52, 0xd1, 0xf0, 0x24, 0x33, 0x62, 0x72,
			0x82, 0x09, 0x0a, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x25, 0x26, 0x27, 0x28,
			0x29, 0x2a},
		span(0x34, 0x3a), span(0x43, 0x4a), span(0x53, 0x5a), span(0x63, 0x6a),
		span(0x73, 0x7a), span(0x83, 0x8a), span(0x92, 0x9a), span(0xa2, 0xaa),
		span(0xb2, 0xba), span(0xc2, 0xca), span(0xd2, 0xda), span(0xe1, 0xea),
		span(0xf1, 0xfa))},
	{0x01, [16]byte{0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1}, span(0, 11)},
	{0x11, [16]byte{0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77}, concat(
		[]byte{0x00, 0x01, 0x02, 0x03, 0x11, 0x04, 0x05, 0x21, 0x31, 0x06, 0x12, 0x41,
			0x51, 0x07, 0x61, 0x71, 0x13, 0x22, 0x32, 0x81, 0x08, 0x14, 0x42, 0x91,
			0xa1, 0xb1, 0xc1, 0x09, 0x23, 0x33, 0x52, 0xf0, 0x15, 0x62, 0x72, 0xd1,
			0x0a, 0x16, 0x24, 0x34, 0xe1, 0x25, 0xf1, 0x17, 0x18, 0x19, 0x1a, 0x26,
			0x27, 0x28, 0x29, 0x2a},
		span(0x35, 0x3a), span(0x43, 0x4a), span(0x53, 0x5a), span(0x63, 0x6a),
		span(0x73, 0x7a), span(0x82, 0x8a), span(0x92, 0x9a), span(0xa2, 0xaa),
		span(0xb2, 0xba), span(0xc2, 0xca), span(0xd2, 0xda), span(0xe2, 0xea),
		span(0xf2, 0xfa))},
}

// annexKSegment is the complete DHT marker segment for the four tables.
var annexKSegment = func() []byte {
	body := []byte{}
	for _, t := range annexK {
		body = append(body, t.classID)
		body = append(body, t.counts[:]...)
		body = append(body, t.values...)
	}
	seg := []byte{0xff, 0xc4, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(body)+2))
	return append(seg, body...)
}()

// hasHuffmanTables walks the marker segments before the first scan.
// Unparseable data reports true, leaving the decoder to reject it.
func hasHuffmanTables(jpg []byte) bool {
	for off := 2; off+4 <= len(jpg); {
		if jpg[off] != 0xff {
			return true
		}
		marker := jpg[off+1]
		switch marker {
		case 0xc4:
			return true
		case 0xda:
			return false
		case 0xff: // fill byte
			off++
			continue
		}
		off += 2 + int(binary.BigEndian.Uint16(jpg[off+2:]))
	}
	return true
}

// withHuffmanTables returns jpg, or a copy with the Annex K tables inserted
// after SOI when the frame has none. The copy is the caller's to wipe.
func withHuffmanTables(jpg []byte) (out []byte, copied bool) {
	if len(jpg) < 4 || jpg[0] != 0xff || jpg[1] != 0xd8 || hasHuffmanTables(jpg) {
		return jpg, false
	}
	out = make([]byte, 0, len(jpg)+len(annexKSegment))
	out = append(out, jpg[:2]...)
	out = append(out, annexKSegment...)
	return append(out, jpg[2:]...), true
}
