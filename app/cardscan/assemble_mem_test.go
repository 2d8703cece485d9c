//go:build !race

// The race detector's shadow memory makes the scan slow and meaningless.

package cardscan

import (
	"crypto/rand"
	"math/big"
	"runtime"
	"testing"

	"github.com/uketsuke/uketsuke/app/secret/secrettest"
	"github.com/uketsuke/uketsuke/app/wareki"
)

const keyMask = 0x5A

// TestAssembleLeavesNoKeyOnOldStacks: assemble on a fresh goroutine, whose
// small stack grows while the locked buffers are allocated. Growing copies
// the stack and frees the old one unwiped, so 照合番号B must never sit on
// the stack across a call (wire.TestRealPathLeavesNoSecrets found it there
// now and then, when a GC had shrunk the stack before).
func TestAssembleLeavesNoKeyOnOldStacks(t *testing.T) {
	for round := range 20 {
		b, e, code, needle := randomFields(t)
		done := make(chan *Result)
		go func() {
			res, err := assemble(b, e, code)
			if err != nil {
				t.Error(err)
			}
			done <- res
		}()
		res := <-done
		if res == nil {
			t.FailNow()
		}
		if !maskedEqual(res.CodeB.Bytes(), needle) {
			t.Fatalf("round %d: assemble built another key", round)
		}
		res.Destroy()
		runtime.GC()
		if n := countMasked(t, needle); n > 0 {
			t.Fatalf("round %d: 照合番号B left in memory %d times", round, n)
		}
	}
}

func randomInt(t *testing.T, n int64) int {
	v, err := rand.Int(rand.Reader, big.NewInt(n))
	if err != nil {
		t.Fatal(err)
	}
	return int(v.Int64())
}

// randomFields makes a holder's fields and the key they give, masked, so
// that no plain copy of the key exists but assemble's.
func randomFields(t *testing.T) (Birth, Expiry, [4]byte, []byte) {
	b := Birth{Era: wareki.Unknown, Year: 1950 + randomInt(t, 50), Month: 1 + randomInt(t, 12), Day: 1 + randomInt(t, 28)}
	b.GregorianYear = b.Year
	e := Expiry{Year: 2030 + randomInt(t, 5), Month: b.Month, Day: b.Day}
	var code [4]byte
	for i := range code {
		code[i] = digit(randomInt(t, 10))
	}
	yy := b.Year % 100
	plain := []int{yy / 10, yy, b.Month / 10, b.Month, b.Day / 10, b.Day, e.Year / 1000, e.Year / 100, e.Year / 10, e.Year}
	needle := make([]byte, 0, 14)
	for _, d := range plain {
		needle = append(needle, digit(d)^keyMask)
	}
	for _, c := range code {
		needle = append(needle, c^keyMask)
	}
	return b, e, code, needle
}

func maskedEqual(mem, needle []byte) bool {
	if len(mem) < len(needle) {
		return false
	}
	for i, m := range needle {
		if mem[i] != m^keyMask {
			return false
		}
	}
	return true
}

// countMasked counts the key in every writable mapping of the process.
func countMasked(t *testing.T, needle []byte) int {
	n := 0
	err := secrettest.EachWritable(len(needle), func(_ uint64, chunk []byte, _ string) {
		for i := 0; i+len(needle) <= len(chunk); i++ {
			if chunk[i] == needle[0]^keyMask && maskedEqual(chunk[i:], needle) {
				n++
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
