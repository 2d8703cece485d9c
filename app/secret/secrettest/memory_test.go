package secrettest

import (
	"bytes"
	"testing"
)

// The scan reads the process's memory into its own buffer; where a chunk
// covers that buffer, what it reads is the previous chunk, so a secret there
// would be counted twice. hideSelf blanks exactly the overlap.
func TestHideSelfBlanksOnlyTheScanBuffer(t *testing.T) {
	for _, c := range []struct {
		name              string
		addr, self        uint64
		chunkLen, selfLen int
		blankLo, blankHi  int
	}{
		{"buffer after the chunk", 1000, 2000, 100, 100, 0, 0},
		{"buffer before the chunk", 5000, 2000, 100, 100, 0, 0},
		{"buffer starts inside", 1000, 1050, 100, 100, 50, 100},
		{"buffer ends inside", 1000, 950, 100, 100, 0, 50},
		{"same place", 1000, 1000, 100, 100, 0, 100},
		{"short last chunk inside a longer buffer", 1500, 1000, 100, 1000, 0, 100},
	} {
		chunk := bytes.Repeat([]byte{7}, c.chunkLen)
		hideSelf(chunk, c.addr, c.self, c.selfLen)
		for i, b := range chunk {
			if blank := i >= c.blankLo && i < c.blankHi; blank != (b == 0) {
				t.Errorf("%s: byte %d is %d, blank %v", c.name, i, b, blank)
				break
			}
		}
	}
}
