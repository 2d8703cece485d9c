// Package secret keeps sensitive bytes (PIN digits, 照合番号B, card-face fields,
// photos, frames, embeddings) in locked, guarded memory that is overwritten when
// destroyed. Values here must never be turned into Go strings or logged.
package secret

import (
	"sync"

	"github.com/awnumar/memguard"
)

// Buffer is a fixed-size region of locked memory. The zero value is not usable;
// a nil *Buffer behaves as an empty, destroyed buffer.
type Buffer struct {
	mu sync.Mutex
	lb *memguard.LockedBuffer
}

// New returns a zeroed locked buffer of n bytes (n may be 0).
func New(n int) *Buffer {
	if n <= 0 {
		return &Buffer{}
	}
	return &Buffer{lb: memguard.NewBuffer(n)}
}

// Take moves src into a new locked buffer and wipes src.
func Take(src []byte) *Buffer {
	b := New(len(src))
	if len(src) > 0 {
		copy(b.lb.Bytes(), src)
		Wipe(src)
	}
	return b
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
