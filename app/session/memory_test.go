//go:build !race

// The race detector's shadow memory makes the scan slow and meaningless.

package session_test

import (
	"bufio"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/uketsuke/uketsuke/app/harden"
	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/sim/standin"
)

// The memory proof: a child process hardens itself, runs whole sessions
// (the face pipeline reads 照合番号B and the photo, the patient types the
// PIN), pulls the card, and then reads its own memory through
// /proc/self/mem over every readable region of /proc/self/maps. It must find
// neither the PIN, nor 照合番号B, nor any 32-byte run of the photo. The
// needles are held XOR-masked, so the search itself does not plant them.
func TestMemoryHoldsNoSecretsAfterSession(t *testing.T) {
	if os.Getenv("UKETSUKE_MEMORY_CHILD") == "1" {
		memoryChild(t)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestMemoryHoldsNoSecretsAfterSession$", "-test.v")
	cmd.Env = append(os.Environ(), "UKETSUKE_MEMORY_CHILD=1")
	out, err := cmd.CombinedOutput()
	t.Logf("child:\n%s", out)
	if err != nil || !strings.Contains(string(out), "--- PASS") {
		t.Fatalf("child failed: %v", err)
	}
}

const xmask = 0xA5

type needles struct {
	pin, keyB, photo []byte // masked
}

func randomDigits(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = ('0' + b[i]%10) ^ xmask
	}
	return b
}

func unmasked(m []byte) []byte {
	out := make([]byte, len(m))
	for i := range m {
		out[i] = m[i] ^ xmask
	}
	return out
}

func memoryChild(t *testing.T) {
	if err := harden.Apply(); err != nil {
		t.Fatal(err)
	}
	n := needles{photo: make([]byte, 4096)}
	rand.Read(n.photo) // random bytes: masked or not, they are the photo's masked form
	n.photo[0] = 7 ^ xmask
	sc := freshNeedles(t, &n)
	runSessions(t, n)
	runtime.GC()
	hits := sc.scan(t)
	t.Logf("after sessions: %+v over %d MiB in %d regions", hits, sc.bytes>>20, sc.regions)
	if hits.pin+hits.keyB+hits.photo > 0 {
		t.Fatalf("secrets left in memory: %+v", hits)
	}
	positiveControl(t, sc, n)
}

// freshNeedles picks a PIN and a 照合番号B that do not occur in memory
// before the session (four digits often do, somewhere).
func freshNeedles(t *testing.T, n *needles) *scanner {
	for range 20 {
		n.pin, n.keyB = randomDigits(4), randomDigits(14)
		sc := newScanner(*n)
		if hits := sc.scan(t); hits.pin+hits.keyB+hits.photo == 0 {
			return sc
		}
	}
	t.Fatal("no PIN absent from memory in 20 draws")
	return nil
}

// positiveControl plants each needle in ordinary memory and checks the
// scanner finds it, so a scanner that reads nothing cannot pass.
func positiveControl(t *testing.T, sc *scanner, n needles) {
	planted := [][]byte{unmasked(n.pin), unmasked(n.keyB), unmasked(n.photo[1000:1032])}
	hits := sc.scan(t)
	for i := range planted {
		clear(planted[i])
	}
	runtime.KeepAlive(planted)
	if hits.pin == 0 || hits.keyB == 0 || hits.photo == 0 {
		t.Fatalf("scanner missed planted needles: %+v", hits)
	}
}

func runSessions(t *testing.T, n needles) {
	r := newRig(t, nil)
	h := standin.Holder{Person: 7, PIN: unmasked(n.pin), KeyB: unmasked(n.keyB)}
	card := r.w.Card(h)
	card.SetPhoto(n.photo)
	r.w.Scene.Show(7, session.GuidanceNone)
	r.must(r.k.CardPlaced(card))
	r.await(session.StateMethod, func(v session.View) bool { return v.Face.PhotoReady })
	r.must(r.k.Press(session.EvChoosePIN))
	r.await(session.StatePIN, nil)
	for _, d := range n.pin {
		r.must(r.k.Digit((d ^ xmask) - '0'))
	}
	r.must(r.k.Press(session.EvSubmitPIN))
	r.await(session.StateConsent, nil)
	r.must(r.k.CardRemoved())
	r.await(session.StateIdle, nil)

	r.must(r.k.CardPlaced(card)) // and once more by face, pulled mid-way
	r.await(session.StateMethod, func(v session.View) bool { return v.Face.PhotoReady })
	r.must(r.k.Press(session.EvChooseFace))
	r.await(session.StateConsent, nil)
	r.must(r.k.CardRemoved())
	r.await(session.StateIdle, nil)
	r.stop()
}

type hits struct{ pin, keyB, photo int }

// scanner looks for the needles in the process's own memory.
type scanner struct {
	n       needles
	bloom   []uint64         // 8-byte grams of the photo (plain), hashed
	grams   map[uint64][]int // gram → offsets in the photo
	bytes   int64
	regions int
}

func newScanner(n needles) *scanner {
	s := &scanner{n: n, bloom: make([]uint64, 1<<14), grams: map[uint64][]int{}}
	for i := 0; i+32 <= len(n.photo); i++ {
		g := binary.LittleEndian.Uint64(n.photo[i:]) ^ maskWord
		s.grams[g] = append(s.grams[g], i)
		h := hash(g)
		s.bloom[h>>6] |= 1 << (h & 63)
	}
	return s
}

const maskWord = 0xA5A5A5A5A5A5A5A5

func hash(g uint64) uint64 { return (g * 0x9E3779B97F4A7C15) >> (64 - 20) }

func (s *scanner) scan(t *testing.T) hits {
	f, err := openSelfMem()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	regions, err := readableRegions()
	if err != nil {
		t.Fatal(err)
	}
	var h hits
	s.bytes, s.regions = 0, len(regions)
	buf := make([]byte, 1<<20)
	for _, r := range regions {
		s.scanRegion(f, r, buf, &h)
	}
	clear(buf)
	return h
}

// openSelfMem opens /proc/self/mem. A non-dumpable process's /proc files
// belong to root; without root the test makes itself dumpable for the scan
// only: the question here is what memory holds, not who may read it.
func openSelfMem() (*os.File, error) {
	f, err := os.Open("/proc/self/mem")
	if err == nil || !errors.Is(err, syscall.EACCES) {
		return f, err
	}
	if err := unix.Prctl(unix.PR_SET_DUMPABLE, 1, 0, 0, 0); err != nil {
		return nil, err
	}
	defer unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0)
	return os.Open("/proc/self/mem")
}

type region struct{ start, end uint64 }

func readableRegions() ([]region, error) {
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []region
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 || fields[1][0] != 'r' {
			continue
		}
		if len(fields) >= 6 && (fields[5] == "[vvar]" || fields[5] == "[vsyscall]" || fields[5] == "[vvar_vclock]") {
			continue
		}
		lo, hi, ok := strings.Cut(fields[0], "-")
		if !ok {
			return nil, fmt.Errorf("maps line %q", sc.Text())
		}
		a, err1 := strconv.ParseUint(lo, 16, 64)
		b, err2 := strconv.ParseUint(hi, 16, 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("maps line %q", sc.Text())
		}
		out = append(out, region{a, b})
	}
	return out, sc.Err()
}

// scanRegion reads a region in chunks overlapping by 31 bytes, so a needle
// across a chunk boundary is still seen.
func (s *scanner) scanRegion(f *os.File, r region, buf []byte, h *hits) {
	const overlap = 31
	for off := r.start; off < r.end; {
		n := min(uint64(len(buf)), r.end-off)
		got, err := f.ReadAt(buf[:n], int64(off))
		if got > 0 {
			s.bytes += int64(got)
			s.scanChunk(buf[:got], h)
		}
		if err != nil && !errors.Is(err, io.EOF) && got == 0 {
			return // unreadable (guard pages, device memory)
		}
		if off+n >= r.end {
			return
		}
		off += n - overlap
	}
}

func (s *scanner) scanChunk(b []byte, h *hits) {
	pin0, key0 := s.n.pin[0]^xmask, s.n.keyB[0]^xmask
	for i := 0; i+8 <= len(b); i++ {
		c := b[i]
		if c == pin0 && matchMasked(b[i:], s.n.pin) {
			h.pin++
		}
		if c == key0 && matchMasked(b[i:], s.n.keyB) {
			h.keyB++
		}
		g := binary.LittleEndian.Uint64(b[i:])
		x := hash(g)
		if s.bloom[x>>6]&(1<<(x&63)) == 0 {
			continue
		}
		for _, at := range s.grams[g] {
			if i+32 <= len(b) && matchMasked(b[i:i+32], s.n.photo[at:at+32]) {
				h.photo++
				break
			}
		}
	}
}

func matchMasked(mem, masked []byte) bool {
	if len(mem) < len(masked) {
		return false
	}
	for j := range masked {
		if mem[j] != masked[j]^xmask {
			return false
		}
	}
	return true
}
