//go:build !race

// The race detector's shadow memory makes the scan slow and meaningless.

package wire

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"image"
	"image/png"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/app/camera"
	"github.com/uketsuke/uketsuke/app/harden"
	"github.com/uketsuke/uketsuke/app/secret"
	"github.com/uketsuke/uketsuke/app/secret/secrettest"
	"github.com/uketsuke/uketsuke/sim/cardface"
	"github.com/uketsuke/uketsuke/sim/profile"
)

// The memory proof on the real path, through the composition root: the
// simulated world's configuration with the real pieces (Tesseract reading
// a rendered card front, openjp2 decoding a chip photo, ONNX Runtime
// embedding it). Another process renders the card front and the photo
// with fresh values, so this one never held them except through the
// kiosk's own path; afterwards no 照合番号B, no birth date as the key's
// YYMMDD and no 32-byte run of the decoded photo (as the RGBA frame or as
// app/face's RGB image) may remain, even once every thread has taken a
// signal, which saves whatever its registers still hold.
//
// Known exception, listed rather than skipped: gosseract returns the
// recognised text as Go strings and its C bridge leaks them
// (docs/cardscan.md, Known limits), so the printed security code and
// birth date may remain as recognised text; the test reports them.
//
// Not covered here: the PIN and a whole session. The simulated world keeps
// its virtual card (PIN, 照合番号B, photo) in this process; that proof
// needs the card in another process (app/session's memory test covers the
// session on stand-ins).
func TestRealPathLeavesNoSecrets(t *testing.T) {
	if dir := os.Getenv("UKETSUKE_REALMEM_RENDER"); dir != "" {
		renderChild(t, dir)
		return
	}
	if dir := os.Getenv("UKETSUKE_REALMEM_CHILD"); dir != "" {
		realMemChild(t, dir)
		return
	}
	models, _ := filepath.Abs("../build/models")
	holder, _ := filepath.Abs("../build/demo/astronaut.png")
	for _, f := range []string{filepath.Join(models, "models.json"), holder} {
		if _, err := os.Stat(f); err != nil {
			t.Skipf("%v (make models demo-photos)", err)
		}
	}
	if _, err := exec.LookPath("opj_compress"); err != nil {
		t.Skip("no opj_compress (apt install libopenjp2-tools)")
	}
	dir := t.TempDir()
	for _, env := range []string{"UKETSUKE_REALMEM_RENDER=" + dir, "UKETSUKE_REALMEM_CHILD=" + dir} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestRealPathLeavesNoSecrets$", "-test.v")
		cmd.Env = append(os.Environ(), env, "UKETSUKE_REALMEM_MODELS="+models, "UKETSUKE_REALMEM_HOLDER="+holder, "OMP_THREAD_LIMIT=1",
			// As the unit runs the kiosk: no preemption signals saving registers
			// full of photo bytes on unwiped signal stacks.
			"GODEBUG=asyncpreemptoff=1")
		if gogc := os.Getenv(realMemGOGC); gogc != "" {
			// Frequent collections shrink and move goroutine stacks, and
			// so show up values a function kept on its stack.
			cmd.Env = append(cmd.Env, "GOGC="+gogc)
		}
		out, err := cmd.CombinedOutput()
		t.Logf("%s:\n%s", env[:strings.Index(env, "=")], out)
		if err != nil || !strings.Contains(string(out), "--- PASS") {
			t.Fatalf("child failed: %v", err)
		}
	}
}

const realMask = 0xA5

// realMemGOGC sets the children's GOGC (e.g. 5: a collection every few
// hundred kilobytes); unset, they run with Go's default as the kiosk does.
const realMemGOGC = "UKETSUKE_REALMEM_GOGC"

func masked(s string) []byte {
	b := []byte(s)
	for i := range b {
		b[i] ^= realMask
	}
	return b
}

func randInt(n int64) int {
	v, _ := rand.Int(rand.Reader, big.NewInt(n))
	return int(v.Int64())
}

// renderChild draws a card front for a fresh holder and a noise photo, and
// writes the values to look for, masked.
func renderChild(t *testing.T, dir string) {
	p := profile.Default()
	p.Birth = fmt.Sprintf("%04d-%02d-%02d", 1950+randInt(50), 1+randInt(12), 1+randInt(28))
	p.Expiry = fmt.Sprintf("%04d-%s", 2030+randInt(5), p.Birth[5:])
	p.SecurityCode = fmt.Sprintf("%04d", randInt(10000))
	img, truth, err := cardface.Render(p, nil, cardface.Options{Seed: 1, Mix: cardface.Clean, Width: 960, Height: 720}) // with the world, within the default 8 MiB lock limit
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(dir, "card.png"))
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	f.Close()
	needles := bytes.Join([][]byte{masked(truth.CodeB), masked(truth.BirthYYMMDD), masked(truth.SecurityCode)}, []byte{'\n' ^ realMask})
	if err := os.WriteFile(filepath.Join(dir, "needles"), needles, 0o600); err != nil {
		t.Fatal(err)
	}
	// The chip photo: the holder's face with noise on every sample, so
	// the ONNX engine finds a face and every 32-byte run is unique.
	hf, err := os.Open(os.Getenv("UKETSUKE_REALMEM_HOLDER"))
	if err != nil {
		t.Fatal(err)
	}
	face, _, err := image.Decode(hf)
	hf.Close()
	if err != nil {
		t.Fatal(err)
	}
	const side = 256 // half the holder photo: about a chip photo's size
	ppm := fmt.Appendf(nil, "P6\n%d %d\n255\n", side, side)
	noise := make([]byte, side*side*3)
	rand.Read(noise)
	b := face.Bounds()
	for y := range side {
		for x := range side {
			r, g, bl, _ := face.At(b.Min.X+x*b.Dx()/side, b.Min.Y+y*b.Dy()/side).RGBA()
			for c, v := range []uint32{r >> 8, g >> 8, bl >> 8} {
				n := int(v) + int(noise[(y*side+x)*3+c]%25) - 12
				ppm = append(ppm, byte(max(0, min(255, n))))
			}
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "photo.ppm"), ppm, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("opj_compress", "-i", filepath.Join(dir, "photo.ppm"), "-o", filepath.Join(dir, "photo.j2k"), "-r", "4").CombinedOutput(); err != nil {
		t.Fatalf("opj_compress: %v\n%s", err, out)
	}
	os.Remove(filepath.Join(dir, "photo.ppm"))
}

func realMemChild(t *testing.T, dir string) {
	if err := harden.Apply(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "needles"))
	if err != nil {
		t.Fatal(err)
	}
	parts := bytes.Split(raw, []byte{'\n' ^ realMask})
	keyB, birth, code := parts[0], parts[1], parts[2]
	cfg := SimulatedConfig(Simulated{Dir: t.TempDir(), RealFace: true, Fast: true, Models: os.Getenv("UKETSUKE_REALMEM_MODELS")})
	cfg.Parts.World.Holder = os.Getenv("UKETSUKE_REALMEM_HOLDER")
	w, err := Build(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	before, _ := scanMasked(t, [][]byte{keyB, birth, code}, nil)
	t.Logf("before: %v (a 4- or 6-digit value may occur by chance; only an increase counts)", before)

	ctx := context.Background()
	// The card front: the file's pixels into a locked frame, read by the
	// kiosk's own key reader (cardscan on Tesseract).
	fh, err := os.Open(filepath.Join(dir, "card.png"))
	if err != nil {
		t.Fatal(err)
	}
	img, _, err := image.Decode(fh)
	fh.Close()
	if err != nil {
		t.Fatal(err)
	}
	still, err := camera.FrameFrom(img, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if rgba, ok := img.(*image.RGBA); ok {
		clear(rgba.Pix)
	} else if nrgba, ok := img.(*image.NRGBA); ok {
		clear(nrgba.Pix)
	}
	key, err := w.Devices.KeyReader.ReadKeyB(ctx, still)
	still.Release()
	if err != nil {
		t.Fatalf("the real key reader did not read the rendered card: %v", err)
	}
	if !matchMaskedRun(key.Bytes(), keyB) {
		t.Fatal("the key reader read another 照合番号B")
	}
	key.Destroy()

	// The chip photo: openjp2 into a locked frame, then ONNX Runtime.
	j2k, err := os.ReadFile(filepath.Join(dir, "photo.j2k"))
	if err != nil {
		t.Fatal(err)
	}
	jb, err := secret.Take(j2k)
	if err != nil {
		t.Fatal(err)
	}
	frame, err := w.Devices.Decoder.Decode(ctx, jb)
	jb.Destroy()
	if err != nil {
		t.Fatal(err)
	}
	photo := map[uint64]string{}
	for i := 0; i+32 <= len(frame.Image.Pix); i += 32 {
		photo[fnv32(frame.Image.Pix[i:])] = fmt.Sprintf("RGBA byte %d", i)
	}
	addRGBRuns(t, photo, frame.Image)
	s, err := w.Devices.Face.EmbedPhoto(ctx, frame)
	if err != nil {
		t.Fatalf("the ONNX engine found no face in the chip photo: %v", err)
	}
	s.Destroy()
	frame.Release()
	w.Close()
	runtime.GC()
	// Whatever a thread still holds in its registers lands on its signal
	// stack when a signal arrives, and stays there: send one to each.
	if err := secrettest.SignalEveryThread(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * time.Millisecond)

	after, where := scanMasked(t, [][]byte{keyB, birth, code}, photo)
	t.Logf("after: 照合番号B %d, birth YYMMDD %d, security code %d, photo windows %d %v", after[0], after[1], after[2], after[3], where)
	if after[0] > 0 {
		t.Errorf("照合番号B left in memory %d times", after[0])
	}
	if after[1] > before[1] {
		t.Errorf("the birth date as YYMMDD left in memory %d times", after[1]-before[1])
	}
	if after[3] > 1 { // one window tolerated: hardware/jp2's residue test says why
		t.Errorf("%d 32-byte runs of the decoded photo left in memory", after[3])
	}
	if after[2] > before[2] {
		t.Logf("KNOWN EXCEPTION: the security code remains %d more times as Tesseract's recognised text (gosseract strings, docs/cardscan.md)", after[2]-before[2])
	}
}

// addRGBRuns adds the photo's runs as app/face holds it (three bytes a
// pixel), built a row at a time in locked memory.
func addRGBRuns(t *testing.T, photo map[uint64]string, img *image.RGBA) {
	w := img.Rect.Dx()
	row, err := secret.New(3 * w)
	if err != nil {
		t.Fatal(err)
	}
	defer row.Destroy()
	rgb := row.Bytes()
	for y := range img.Rect.Dy() {
		for x := range w {
			copy(rgb[3*x:3*x+3], img.Pix[y*img.Stride+4*x:])
		}
		for i := 0; i+32 <= len(rgb); i += 3 {
			photo[fnv32(rgb[i:])] = fmt.Sprintf("RGB row %d byte %d", y, i)
		}
	}
}

func fnv32(b []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range b[:32] {
		h = (h ^ uint64(c)) * 1099511628211
	}
	return h
}

func matchMaskedRun(mem, m []byte) bool {
	if len(mem) < len(m) {
		return false
	}
	for j := range m {
		if mem[j] != m[j]^realMask {
			return false
		}
	}
	return true
}

// scanMasked counts occurrences of each masked needle and of the photo's
// windows in every writable mapping of the process, and says where the
// first photo windows were: address, mapping and which run of the photo,
// which tells a copy of a row from a stray register.
func scanMasked(t *testing.T, needles [][]byte, photo map[uint64]string) (hits []int, where []string) {
	hits = make([]int, len(needles)+1)
	err := secrettest.EachWritable(32, func(addr uint64, chunk []byte, mapping string) {
		n := len(chunk)
		for i := 0; i+8 <= n; i++ {
			for k, m := range needles {
				if chunk[i] == m[0]^realMask && matchMaskedRun(chunk[i:n], m) {
					hits[k]++
				}
			}
			if photo == nil || i+32 > n {
				continue
			}
			if run, ok := photo[fnv32(chunk[i:])]; ok {
				hits[len(needles)]++
				if len(where) < 8 {
					f := strings.Fields(mapping)
					where = append(where, fmt.Sprintf("%#x (mapping %s %s) = %s", addr+uint64(i), f[0], strings.Join(f[5:], " "), run))
				}
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return hits, where
}
