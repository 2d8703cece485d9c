// Package secret keeps sensitive bytes (PIN digits, 照合番号B, card-face fields,
// photos, frames, embeddings) in locked, guarded memory that is overwritten when
// destroyed. Values here must never be turned into Go strings or logged.
package secret

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/awnumar/memguard"
	"golang.org/x/sys/unix"
)

// Buffer is a fixed-size region of locked memory. The zero value is not usable;
// a nil *Buffer behaves as an empty, destroyed buffer.
type Buffer struct {
	mu     sync.Mutex
	lb     *memguard.LockedBuffer
	locked int64 // bytes counted against the lock limit
}

// ErrLockLimit means the memory could not be locked: RLIMIT_MEMLOCK would
// be exceeded. memguard would panic there (after wiping every buffer of the
// process), so New refuses first and the caller ends only its own work.
var ErrLockLimit = errors.New("secret: locked-memory limit reached")

// lockedNow is what this package holds locked, page-rounded as mlock counts
// it; lockReserve is memguard's own key pages and a margin.
var lockedNow atomic.Int64

const lockReserve = 64 << 10

// New returns a zeroed locked buffer of n bytes (n may be 0), or
// ErrLockLimit when the lock limit would be exceeded.
func New(n int) (*Buffer, error) {
	if n <= 0 {
		return &Buffer{}, nil
	}
	need := pages(n) // memguard locks the inner pages only, not its guard pages
	if lim := LockLimit(); lim >= 0 {
		if now := lockedNow.Add(need); now+lockReserve > lim {
			lockedNow.Add(-need)
			return nil, fmt.Errorf("%w: %d bytes more would make %d of RLIMIT_MEMLOCK %d", ErrLockLimit, n, now, lim)
		}
	} else {
		lockedNow.Add(need)
	}
	return &Buffer{lb: memguard.NewBuffer(n), locked: need}, nil
}

// Take moves src into a new locked buffer and wipes src, also when the
// buffer cannot be had.
func Take(src []byte) (*Buffer, error) {
	defer Wipe(src)
	b, err := New(len(src))
	if err != nil {
		return nil, err
	}
	if len(src) > 0 {
		Copy(b.lb.Bytes(), src)
	}
	return b, nil
}

func pages(n int) int64 {
	ps := int64(os.Getpagesize())
	return (int64(n) + ps - 1) / ps * ps
}

// LockLimit is how many bytes this process may lock, or -1 when it is not
// bounded (RLIM_INFINITY, or CAP_IPC_LOCK, which mlock does not count).
func LockLimit() int64 {
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_MEMLOCK, &lim); err != nil || lim.Cur == unix.RLIM_INFINITY || lim.Cur > 1<<62 {
		return -1
	}
	if capIPCLock() {
		return -1
	}
	return int64(lim.Cur)
}

// Locked is what live buffers hold locked now, page-rounded.
func Locked() int64 { return lockedNow.Load() }

var (
	capOnce sync.Once
	capLock bool
)

// capIPCLock reports CAP_IPC_LOCK (bit 14) in the effective set, read once:
// capabilities do not come back during a run.
func capIPCLock() bool {
	capOnce.Do(func() {
		f, err := os.Open("/proc/self/status")
		if err != nil {
			return
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "CapEff:"); ok {
				bits, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
				capLock = err == nil && bits&(1<<unix.CAP_IPC_LOCK) != 0
			}
		}
	})
	return capLock
}

// Bytes exposes the locked memory. The slice is valid until Destroy; callers
// must not keep it, copy it to the heap, or convert it to a string.
func (b *Buffer) Bytes() []byte {
	if b == nil {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.lb == nil || !b.lb.IsAlive() {
		return nil
	}
	return b.lb.Bytes()
}

// Len is the buffer's size, 0 once destroyed.
func (b *Buffer) Len() int { return len(b.Bytes()) }

// Alive reports whether the buffer still holds its memory.
func (b *Buffer) Alive() bool {
	if b == nil {
		return false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.lb != nil && b.lb.IsAlive()
}

// Destroy overwrites and releases the memory. Safe to call more than once.
func (b *Buffer) Destroy() {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.lb != nil {
		b.lb.Destroy()
		b.lb = nil
		lockedNow.Add(-b.locked)
	}
}

// Equal compares two buffers in constant time.
func Equal(a, b *Buffer) bool {
	x, y := a.Bytes(), b.Bytes()
	if len(x) != len(y) {
		return false
	}
	var d byte
	for i := range x {
		d |= x[i] ^ y[i]
	}
	return d == 0
}

// Wipe overwrites an ordinary byte slice with zeros, for transient copies that
// had to leave locked memory (for example an APDU on its way to the reader).
func Wipe(b []byte) {
	clear(b)
}

// Purge destroys every buffer the process still holds; for shutdown paths.
func Purge() { memguard.Purge() }
