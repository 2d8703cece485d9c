package secret

// ScrubRegisters overwrites the vector registers that a copy of secret
// bytes leaves holding them. Go's copy (runtime memmove) moves bytes through
// X0–X15 and leaves the last ones there until other code happens to reuse
// those registers. A signal arriving meanwhile makes the kernel save every
// register in a frame on the thread's signal stack, which nothing wipes;
// only the next signal to that thread overwrites it, and the kiosk runs
// without preemption signals (GODEBUG=asyncpreemptoff=1), so that may be
// never. A 256-byte copy loads all sixteen registers at once (memmove's
// 129–256 byte path), so moving 256 zero bytes leaves them zero; longer
// copies end with VZEROUPPER, so the registers' upper halves are zero
// already. On other architectures the zero copy overwrites at least the
// registers a short copy uses.
func ScrubRegisters() {
	var zeros [2 * scrubSize]byte
	moveThroughRegisters(zeros[:scrubSize], zeros[scrubSize:])
}

// scrubSize selects memmove's path through every XMM register.
const scrubSize = 256

// moveThroughRegisters is copy where the compiler cannot see the length,
// so that it calls memmove instead of inlining moves through fewer
// registers.
//
//go:noinline
func moveThroughRegisters(dst, src []byte) { copy(dst, src) }

// Copy is copy for secret bytes: it copies src into dst and then scrubs the
// registers the bytes went through. It returns the number of bytes copied.
func Copy(dst, src []byte) int {
	n := copy(dst, src)
	ScrubRegisters()
	return n
}
