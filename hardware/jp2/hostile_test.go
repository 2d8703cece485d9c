package jp2

import (
	"bytes"
	"encoding/binary"
	"testing"
	"time"
)

// A header that promises tens of thousands of tiles (or a huge component
// count) but carries no data must fail fast with a typed error.
func TestHostileHeadersFailCleanly(t *testing.T) {
	data := mustEncode(t, testGray(16, 16, 2).Pix, 16, 16, 1, 100, FormatJ2K)
	manyTiles := withSize(data, 2000, 2000)
	binary.BigEndian.PutUint32(manyTiles[24:], 8) // XTsiz
	binary.BigEndian.PutUint32(manyTiles[28:], 8) // YTsiz
	cases := map[string][]byte{
		"62500 tiles":       manyTiles,
		"width overflow":    withSize(data, 0xffffffff, 0xffffffff),
		"one column":        withSize(data, 1, 4000000),
		"components 16384":  withComponents(data, 16384),
		"EOC only":          append(bytes.Clone(data[:4]), 0xff, 0xd9),
		"SOC SIZ then junk": append(bytes.Clone(data[:50]), bytes.Repeat([]byte{0xff}, 200)...),
	}
	for name, in := range cases {
		start := time.Now()
		img, err := Decode(in, nil)
		if err == nil || !typed(err) {
			t.Errorf("%s: Decode = %T, %v; want a typed error", name, img, err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("%s: took %v to refuse", name, d)
		}
	}
}

// withComponents rewrites SIZ's Csiz (it then disagrees with Lsiz).
func withComponents(data []byte, n uint16) []byte {
	out := bytes.Clone(data)
	binary.BigEndian.PutUint16(out[40:], n)
	return out
}
