package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"syscall"
	"time"

	"github.com/uketsuke/uketsuke/app/face"
	"github.com/uketsuke/uketsuke/hardware/jp2"
)

// evalOptions steer one pass over the sets.
type evalOptions struct {
	frames    int // live frames fused per probe (1 = single image)
	frameW    int // >0: place each image in a frameW×frameH camera-like frame
	frameH    int
	cardPhoto bool // also make each image into the chip's photo
	progress  io.Writer
}

// pool is every image of every set, embedded once, in locked matrices:
// live (the image as a camera frame would show it), fused (jittered frames
// of it fused, or live itself) and card (the image issued as the chip's
// photo and decoded back). Each set's images are contiguous.
type pool struct {
	sets           []faceSet
	start          []int // first image of each set; start[len(sets)] = total
	owner          []int // image → person, numbered across all sets
	group          []string
	liveOK, cardOK []bool
	live, fused    *face.Matrix
	card           *face.Matrix // nil without card photos
	cardBytes      []int        // codestream size of each card photo
}

func newPool(sets []faceSet, dim int, o evalOptions) (*pool, error) {
	p := &pool{sets: sets}
	person := 0
	for _, s := range sets {
		p.start = append(p.start, len(p.owner))
		for _, pr := range s.people {
			for range pr.files {
				p.owner = append(p.owner, person)
				p.group = append(p.group, pr.group)
			}
			person++
		}
	}
	total := len(p.owner)
	p.start = append(p.start, total)
	p.liveOK, p.cardOK = make([]bool, total), make([]bool, total)
	// Locked memory is scarce (8 MiB by default): one matrix per view.
	var errs [3]error
	p.live, errs[0] = face.NewMatrix(total, dim)
	p.fused = p.live
	if o.frames > 1 {
		p.fused, errs[1] = face.NewMatrix(total, dim)
	}
	if o.cardPhoto {
		p.card, errs[2] = face.NewMatrix(total, dim)
	}
	if err := errors.Join(errs[:]...); err != nil {
		p.Destroy()
		return nil, fmt.Errorf("%w (raise it: ulimit -l)", err)
	}
	return p, nil
}

// Destroy wipes every embedding.
func (p *pool) Destroy() {
	p.live.Destroy()
	p.fused.Destroy()
	if p.card != nil {
		p.card.Destroy()
	}
}

// evalStats is what embedding the pool measured (speed, failures).
type evalStats struct {
	images, detectFail  int
	cardFail            int // card photos in which no face was found
	reasons             map[string]int
	detectMs, embedMs   []float64
	detectCPU, embedCPU []float64 // thread CPU time: robust to other load on the machine
	elapsed             time.Duration
	fusedFrames         int
}

// evaluate embeds every image of every set once (in memory only).
func evaluate(ctx context.Context, eng *face.Engine, sets []faceSet, o evalOptions) (*pool, *evalStats, error) {
	runtime.LockOSThread() // for threadCPU
	defer runtime.UnlockOSThread()
	st := &evalStats{reasons: map[string]int{}, fusedFrames: max(o.frames, 1)}
	start := time.Now()
	p, err := newPool(sets, eng.Config.EmbeddingDim(), o)
	if err != nil {
		return nil, nil, err
	}
	i := 0
	for _, s := range sets {
		for _, pr := range s.people {
			for _, file := range pr.files {
				if err := ctx.Err(); err != nil {
					p.Destroy()
					return nil, nil, err
				}
				if err := st.embedFile(eng, file, i, p, o); err != nil {
					p.Destroy()
					return nil, nil, fmt.Errorf("%s: %w", file, err)
				}
				i++
				if o.progress != nil && i%250 == 0 {
					fmt.Fprintf(o.progress, "  %d/%d images, %s\n", i, len(p.owner), time.Since(start).Round(time.Second))
				}
			}
		}
	}
	st.images = len(p.owner)
	st.elapsed = time.Since(start)
	return p, st, nil
}

// embedFile fills row i of the pool's matrices from one file.
func (st *evalStats) embedFile(eng *face.Engine, file string, i int, p *pool, o evalOptions) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	img, err := face.Decode(data)
	clear(data)
	if err != nil {
		st.reasons[decodeReason(err)]++
		st.detectFail++
		st.cardFail++
		return nil
	}
	defer img.Release()
	if o.cardPhoto {
		if err := st.embedCard(eng, img, i, p); err != nil {
			return err
		}
	}
	liveImg := img
	if o.frameW > 0 {
		framed, err := toFrame(img, o.frameW, o.frameH)
		if err != nil {
			return err
		}
		defer framed.Release()
		liveImg = framed
	}
	e, err := st.embedTimed(eng, liveImg, true)
	if err != nil || e == nil {
		return err
	}
	defer e.Destroy()
	if err := p.live.Set(i, e); err != nil {
		return err
	}
	p.liveOK[i] = true
	if o.frames <= 1 {
		return nil
	}
	return st.embedFused(eng, liveImg, i, e, p.fused, o.frames)
}

// embedCard issues the image as the virtual card issues the chip's photo,
// decodes it as the kiosk reads it and embeds it as the kiosk embeds the
// card photo (a face is all that is required of it).
func (st *evalStats) embedCard(eng *face.Engine, img *face.Image, i int, p *pool) error {
	frame, size, err := jp2.CardPhotoRoundTrip(img.View())
	if err != nil {
		return err
	}
	defer frame.Release()
	p.cardBytes = append(p.cardBytes, size)
	photo, err := face.FromFrame(frame)
	if err != nil {
		return err
	}
	defer photo.Release()
	probe, err := eng.Analyse(photo, face.GateFaceOnly)
	if errors.Is(err, face.ErrQuality) {
		st.cardFail++
		return nil
	}
	if err != nil {
		return err
	}
	defer probe.Destroy()
	if err := p.card.Set(i, probe.Embedding); err != nil {
		return err
	}
	p.cardOK[i] = true
	return nil
}

func (st *evalStats) embedFused(eng *face.Engine, img *face.Image, i int, first *face.Embedding, fused *face.Matrix, n int) error {
	rng := rand.New(rand.NewPCG(uint64(i), 99))
	frames := []*face.Embedding{first}
	defer func() {
		for _, f := range frames[1:] {
			f.Destroy()
		}
	}()
	for k := 1; k < n; k++ {
		j, err := jitter(img, rng)
		if err != nil {
			return err
		}
		e, err := st.embedTimed(eng, j, false)
		j.Release()
		if err != nil {
			return err
		}
		if e != nil {
			frames = append(frames, e)
		}
	}
	f, err := face.Fuse(frames)
	if err != nil {
		return err
	}
	defer f.Destroy()
	return fused.Set(i, f)
}

// embedTimed detects and embeds one image, recording timings and reasons.
func (st *evalStats) embedTimed(eng *face.Engine, img *face.Image, record bool) (*face.Embedding, error) {
	t0, c0 := time.Now(), threadCPU()
	faces, err := eng.Detector.Detect(img)
	if err != nil {
		return nil, err
	}
	t1, c1 := time.Now(), threadCPU()
	q := face.Assess(img, faces, eng.Config.Quality)
	if record {
		st.detectMs = append(st.detectMs, ms(t1.Sub(t0)))
		st.detectCPU = append(st.detectCPU, ms(c1-c0))
		for _, r := range q.Reasons {
			st.reasons[string(r)]++
		}
	}
	if len(faces) == 0 {
		if record {
			st.detectFail++
		}
		return nil, nil
	}
	t2, c2 := time.Now(), threadCPU()
	e, err := eng.EmbedFace(img, faces[face.Primary(faces)])
	if record && err == nil {
		st.embedMs = append(st.embedMs, ms(time.Since(t2)))
		st.embedCPU = append(st.embedCPU, ms(threadCPU()-c2))
	}
	return e, err
}

// threadCPU is the CPU time of the calling OS thread. With one intra-op
// thread ONNX Runtime computes on the caller's thread, so differences of
// this (under runtime.LockOSThread) are the work of one call, whatever else
// the machine is doing.
func threadCPU() time.Duration {
	var ru syscall.Rusage
	const rusageThread = 1 // RUSAGE_THREAD on Linux
	if syscall.Getrusage(rusageThread, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// jitter makes another "frame" of the same attempt: a shift of a few
// pixels, ±3 % scale, ±3° roll and ±10 % exposure.
func jitter(img *face.Image, rng *rand.Rand) (*face.Image, error) {
	a := (rng.Float64()*2 - 1) * 3 * math.Pi / 180
	s := 1 + (rng.Float64()*2-1)*0.03
	cx, cy := float64(img.W)/2, float64(img.H)/2
	tx, ty := (rng.Float64()*2-1)*3, (rng.Float64()*2-1)*3
	c, sn := s*math.Cos(a), s*math.Sin(a)
	m := face.Affine{A: c, B: -sn, C: cx - c*cx + sn*cy + tx, D: sn, E: c, F: cy - sn*cx - c*cy + ty}
	out, err := face.Extract(img, m, img.W, img.H)
	if err != nil {
		return nil, err
	}
	gain := 1 + (rng.Float64()*2-1)*0.1
	for k, v := range out.Pix {
		out.Pix[k] = byte(math.Min(255, float64(v)*gain))
	}
	return out, nil
}

// toFrame puts the image, enlarged to the frame's height, in the middle of
// a grey frame: the size a kiosk camera delivers.
func toFrame(img *face.Image, w, h int) (*face.Image, error) {
	k := float64(img.H) / float64(h)
	ox := (float64(w) - float64(img.W)/k) / 2
	m := face.Affine{A: k, C: -ox * k, E: k}
	return face.Extract(img, m, w, h)
}

// modeScores are one set's comparison scores measured one way.
type modeScores struct {
	label             string
	genuine, impostor []float32
	lost              int                  // genuine pairs with an image that gave no embedding
	within            map[string][]float32 // group → impostor scores of pairs inside it
}

// scoreSet scores every pair i<j of set si: image i is the reference (as
// it is, or as the card photo when ref is the card matrix), image j the
// live probe (its fused frames, the same as live when frames = 1).
func (p *pool) scoreSet(si int, ref *face.Matrix, refOK []bool, label string) *modeScores {
	m := &modeScores{label: label, within: map[string][]float32{}}
	lo, hi := p.start[si], p.start[si+1]
	for i := lo; i < hi; i++ {
		r := ref.Row(i)
		for j := i + 1; j < hi; j++ {
			same := p.owner[i] == p.owner[j]
			if !refOK[i] || !p.liveOK[j] {
				if same {
					m.lost++
				}
				continue
			}
			s := dot32(r, p.fused.Row(j))
			switch {
			case same:
				m.genuine = append(m.genuine, s)
			case p.group[i] != "" && p.group[i] == p.group[j]:
				m.within[p.group[i]] = append(m.within[p.group[i]], s)
				m.impostor = append(m.impostor, s)
			default:
				m.impostor = append(m.impostor, s)
			}
		}
	}
	return m
}

// modes are the ways each set is measured: the image itself as the
// reference, and (with card photos) the chip's photo made from it.
func (p *pool) modes(si int) []*modeScores {
	out := []*modeScores{p.scoreSet(si, p.live, p.liveOK, p.sets[si].name)}
	if p.card != nil {
		out = append(out, p.scoreSet(si, p.card, p.cardOK, p.sets[si].name+" (card photo)"))
	}
	return out
}

func dot32(a, b []float32) float32 {
	var s float32
	for k := range a {
		s += a[k] * b[k]
	}
	return s
}

// countAtOrAbove counts scores ≥ t.
func countAtOrAbove(s []float32, t float64) int {
	n := 0
	for _, v := range s {
		if float64(v) >= t {
			n++
		}
	}
	return n
}

func median32(v []float32) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := slices.Clone(v)
	slices.Sort(s)
	return float64(s[len(s)/2])
}

func highest(v []float32) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	return float64(slices.Max(v))
}

func lowest(v []float32) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	return float64(slices.Min(v))
}

func peakRSSMiB() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return math.NaN()
	}
	return float64(ru.Maxrss) / 1024
}
