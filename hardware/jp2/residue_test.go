package jp2

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/app/secret"
	"github.com/uketsuke/uketsuke/app/secret/secrettest"
)

// The photo must not outlive a decode anywhere in the process: neither the
// compressed bytes (which openjp2 copies into its stream and tile buffers)
// nor the decoded pixels. The test keeps only hashes of 32-byte windows,
// wipes its own copies, and scans every readable mapping of the process.

const window = 32

// windowHash is FNV-1a over one window: cheap, and never the data itself.
func windowHash(b []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range b[:window] {
		h = (h ^ uint64(c)) * 1099511628211
	}
	return h
}

// windowSet holds window hashes and a bitset over each window's first
// 8 bytes, so the scan touches the map only on a likely hit.
type windowSet struct {
	hashes map[uint64]bool
	prefix []uint64 // bitset of 1<<24 bits
}

func newWindowSet() *windowSet {
	return &windowSet{hashes: map[uint64]bool{}, prefix: make([]uint64, 1<<18)}
}

func prefixBit(b []byte) uint64 {
	return (binary.LittleEndian.Uint64(b) * 0x9e3779b97f4a7c15) >> 40
}

// add records non-overlapping, non-uniform windows of b.
func (s *windowSet) add(b []byte) {
	for i := 0; i+window <= len(b); i += window {
		w := b[i : i+window]
		if bytes.Count(w, w[:1]) < window/2 {
			s.hashes[windowHash(w)] = true
			bit := prefixBit(w)
			s.prefix[bit/64] |= 1 << (bit % 64)
		}
	}
}

func (s *windowSet) has(b []byte) bool {
	bit := prefixBit(b)
	return s.prefix[bit/64]&(1<<(bit%64)) != 0 && s.hashes[windowHash(b)]
}

// scanSelf counts positions in the process's writable memory (where any
// copy would be) that start a recorded window.
func scanSelf(t *testing.T, set *windowSet) (hits int, where []string) {
	err := secrettest.EachWritable(window, func(addr uint64, chunk []byte, mapping string) {
		f := strings.Fields(mapping)
		for i := 0; i+window <= len(chunk); i++ {
			if set.has(chunk[i:]) {
				hits++
				if len(where) < 5 {
					where = append(where, fmt.Sprintf("%#x %s", addr+uint64(i), strings.Join(f[5:], " ")))
				}
			}
		}
	})
	if err != nil {
		t.Skipf("process memory not readable: %v", err)
	}
	return hits, where
}

// noisePhoto writes a high-entropy grey image with opj_compress (another
// process, so no encoder copy exists here) and returns the codestream.
func noisePhoto(t *testing.T) []byte {
	tool := requireTool(t, "opj_compress")
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	pgm := fmt.Appendf(nil, "P5\n%d %d\n255\n", 200, 160)
	for range 200 * 160 {
		pgm = append(pgm, byte(rng.Uint32()))
	}
	in, out := filepath.Join(dir, "in.pgm"), filepath.Join(dir, "out.j2k")
	if err := os.WriteFile(in, pgm, 0o600); err != nil {
		t.Fatal(err)
	}
	clear(pgm)
	if msg, err := exec.Command(tool, "-i", in, "-o", out, "-r", "4").CombinedOutput(); err != nil {
		t.Fatalf("opj_compress: %v\n%s", err, msg)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	data := make([]byte, st.Size())
	if _, err := io.ReadFull(f, data); err != nil {
		t.Fatal(err)
	}
	return data
}

func TestDecodeLeavesNoCopyOfThePhoto(t *testing.T) {
	data := noisePhoto(t)
	compressed, pixels := newWindowSet(), newWindowSet()
	compressed.add(data[200:]) // past the headers, which all photos share
	var locked *secret.Buffer
	img, err := Decode(data, func(n int) []byte { locked, _ = secret.New(n); return locked.Bytes() })
	if err != nil {
		t.Fatal(err)
	}
	pixels.add(img.(*image.Gray).Pix)
	clear(data)
	locked.Destroy()
	runtime.GC()
	signalEveryThread(t)
	if n, where := scanSelf(t, compressed); n > 0 {
		t.Errorf("%d windows of the compressed photo left in memory, e.g. %v", n, where)
	}
	if n, where := scanSelf(t, pixels); n > 0 {
		t.Errorf("%d windows of the decoded pixels left in memory, e.g. %v", n, where)
	}
}

// noiseColourPhoto is noisePhoto in colour: openjp2 decodes it to RGBA,
// whose pixels are four bytes, the case in which a per-pixel copy through
// image.Image's At leaves a heap object per pixel.
func noiseColourPhoto(t *testing.T) []byte {
	tool := requireTool(t, "opj_compress")
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	ppm := fmt.Appendf(nil, "P6\n%d %d\n255\n", 120, 96)
	for range 120 * 96 * 3 {
		ppm = append(ppm, byte(rng.Uint32()))
	}
	in, out := filepath.Join(dir, "in.ppm"), filepath.Join(dir, "out.j2k")
	if err := os.WriteFile(in, ppm, 0o600); err != nil {
		t.Fatal(err)
	}
	clear(ppm)
	if msg, err := exec.Command(tool, "-i", in, "-o", out, "-r", "4").CombinedOutput(); err != nil {
		t.Fatalf("opj_compress: %v\n%s", err, msg)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// The kiosk's path for the IC photo: DecodeFrame, which hands openjp2's
// pixels to camera.FrameFrom. After the frame is released no 32-byte run
// of its pixels may be anywhere in the process. Copying through At/Set
// left about half of them in the heap's per-pixel colour objects.
func TestDecodeFrameLeavesNoCopyOfThePhoto(t *testing.T) {
	data := noiseColourPhoto(t)
	pixels := newWindowSet()
	// A signal at once, as one may arrive: the kernel saves the registers
	// the frame's copy went through on this thread's signal stack (2 or 4
	// windows of the photo in every run before FrameFrom scrubbed them).
	runtime.LockOSThread()
	f, err := DecodeFrame(data)
	signalErr := secrettest.SignalThisThread()
	runtime.UnlockOSThread()
	if err != nil {
		t.Fatal(err)
	}
	if signalErr != nil {
		t.Fatal(signalErr)
	}
	clear(data)
	pixels.add(f.Image.Pix)
	recorded := len(pixels.hashes)
	f.Release()
	runtime.GC()
	signalEveryThread(t)
	// One window is tolerated, and only one: 32 bytes is one vector
	// register, and a signal arriving during the copy saves the registers
	// on a signal stack nothing wipes. With Go's preemption signals on (as
	// before the unit set GODEBUG=asyncpreemptoff=1; main_test.go runs these
	// tests that way), 3 runs in 20 left 3 to 8 windows; with them off, none
	// of 70 runs failed.
	if n, where := scanSelf(t, pixels); n > 1 {
		t.Errorf("%d of %d windows of the decoded photo left in memory after Release, e.g. %v", n, recorded, where)
	} else if n == 1 {
		t.Logf("one window left (tolerated, see above): %v", where)
	}
}

// signalEveryThread makes every thread save its registers on its signal
// stack, as any signal would, so that photo bytes a copy left in vector
// registers are in memory for the scan.
func signalEveryThread(t *testing.T) {
	if err := secrettest.SignalEveryThread(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * time.Millisecond)
}
