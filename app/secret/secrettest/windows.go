package secrettest

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
)

// RunBytes is the length of the runs Windows looks for: one AVX register,
// long enough that a chance match in noise is impossible.
const RunBytes = 32

// Windows remembers runs of a secret (noise, in tests) by hash only, so the
// test itself keeps no copy, and counts where they stand in the process's
// writable memory.
type Windows struct {
	hashes map[uint64]int // run hash → offset in what was added
	prefix []uint64       // bitset over each run's first 8 bytes: the map only on a likely hit
}

// NewWindows returns an empty set.
func NewWindows() *Windows {
	return &Windows{hashes: map[uint64]int{}, prefix: make([]uint64, 1<<18)}
}

// Add records the runs of b that start every step bytes, leaving out
// nearly uniform ones (a run of zeros is everywhere).
func (w *Windows) Add(b []byte, step int) {
	for i := 0; i+RunBytes <= len(b); i += step {
		r := b[i : i+RunBytes]
		if bytes.Count(r, r[:1]) >= RunBytes/2 {
			continue
		}
		w.hashes[runHash(r)] = i
		bit := prefixBit(r)
		w.prefix[bit/64] |= 1 << (bit % 64)
	}
}

// Len is the number of runs recorded.
func (w *Windows) Len() int { return len(w.hashes) }

// Scan counts the positions in writable memory that start a recorded run,
// and says where the first eight are: address, mapping and the run's
// offset in what was added.
func (w *Windows) Scan() (hits int, where []string, err error) {
	err = EachWritable(RunBytes, func(addr uint64, chunk []byte, mapping string) {
		for i := 0; i+RunBytes <= len(chunk); i++ {
			off, ok := w.find(chunk[i:])
			if !ok {
				continue
			}
			hits++
			if len(where) < 8 {
				where = append(where, fmt.Sprintf("%#x (%s) = byte %d", addr+uint64(i), mappingName(mapping), off))
			}
		}
	})
	return hits, where, err
}

func (w *Windows) find(b []byte) (int, bool) {
	bit := prefixBit(b)
	if w.prefix[bit/64]&(1<<(bit%64)) == 0 {
		return 0, false
	}
	off, ok := w.hashes[runHash(b)]
	return off, ok
}

// runHash is FNV-1a over one run: cheap, and never the data itself.
func runHash(b []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range b[:RunBytes] {
		h = (h ^ uint64(c)) * 1099511628211
	}
	return h
}

func prefixBit(b []byte) uint64 {
	return (binary.LittleEndian.Uint64(b) * 0x9e3779b97f4a7c15) >> 40
}

// mappingName is a /proc/self/maps line's range and path, or "anonymous".
func mappingName(line string) string {
	f := strings.Fields(line)
	if len(f) < 6 {
		return strings.Join(append(f[:min(1, len(f))], "anonymous"), " ")
	}
	return f[0] + " " + strings.Join(f[5:], " ")
}
