package pcsc

import (
	"encoding/binary"
	"testing"
)

func TestResponseLimitFromMaxInput(t *testing.T) {
	dword := func(n uint32) []byte { return binary.NativeEndian.AppendUint32(nil, n) }
	long := func(n uint64) []byte { return binary.NativeEndian.AppendUint64(nil, n) }
	for _, tc := range []struct {
		attr []byte
		want int
	}{
		{dword(261), 0},             // a short-APDU CCID reader: its driver may still chain
		{dword(262), 260},           // more than a short APDU needs
		{dword(0x1000), 0x1000 - 2}, // room for SW1 SW2
		{long(0x10000 + 10), 0x10000},
		{dword(0xFFFFFFFF), 0x10000},
		{[]byte{1, 2, 3}, 0},
		{nil, 0},
	} {
		if got := responseLimit(tc.attr); got != tc.want {
			t.Errorf("% X: %d, want %d", tc.attr, got, tc.want)
		}
	}
}
