package secrettest

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// EachWritable hands visit the process's writable memory (where any copy of
// a secret would be), a megabyte at a time, with the chunk's address and its
// mapping's line from /proc/self/maps. Chunks of one mapping overlap by
// overlap bytes, so a run no longer than that is never cut in two. A
// process hardened to be undumpable is made dumpable for the scan only.
func EachWritable(overlap int, visit func(addr uint64, chunk []byte, mapping string)) error {
	maps, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return err
	}
	mem, err := os.Open("/proc/self/mem")
	if errors.Is(err, syscall.EACCES) {
		unix.Prctl(unix.PR_SET_DUMPABLE, 1, 0, 0, 0)
		defer unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0)
		mem, err = os.Open("/proc/self/mem")
	}
	if err != nil {
		return err
	}
	defer mem.Close()
	buf := make([]byte, 1<<20)
	defer clear(buf)
	sc := bufio.NewScanner(bytes.NewReader(maps))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 || !strings.HasPrefix(f[1], "rw") {
			continue
		}
		lo, hi, _ := strings.Cut(f[0], "-")
		start, _ := strconv.ParseUint(lo, 16, 64)
		end, _ := strconv.ParseUint(hi, 16, 64)
		for off := start; off < end; off += uint64(len(buf) - overlap) {
			n, _ := mem.ReadAt(buf[:min(uint64(len(buf)), end-off)], int64(off))
			visit(off, buf[:n], sc.Text())
			if n < len(buf) {
				break
			}
		}
	}
	return sc.Err()
}
