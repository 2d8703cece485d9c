package secrettest

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"strconv"
	"strings"
	"syscall"
	"unsafe"

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
	self := uint64(uintptr(unsafe.Pointer(&buf[0])))
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
			hideSelf(buf[:n], off, self, len(buf))
			visit(off, buf[:n], sc.Text())
			if n < len(buf) {
				break
			}
		}
	}
	return sc.Err()
}

// hideSelf blanks the part of chunk (read from addr) that is the scan's own
// buffer (selfLen bytes at self): what was read there is the previous
// chunk, and a secret in it would be counted twice.
func hideSelf(chunk []byte, addr, self uint64, selfLen int) {
	lo, hi := max(addr, self), min(addr+uint64(len(chunk)), self+uint64(selfLen))
	if lo < hi {
		clear(chunk[lo-addr : hi-addr])
	}
}
