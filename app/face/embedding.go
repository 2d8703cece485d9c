package face

import (
	"fmt"
	"math"
	"unsafe"

	"github.com/uketsuke/uketsuke/app/secret"
)

// Embedding is an L2-normalised face vector in locked memory.
type Embedding struct {
	buf *secret.Buffer
	dim int
}

// NewEmbedding moves v into locked memory, L2-normalised, and wipes v.
func NewEmbedding(v []float32) (*Embedding, error) {
	if len(v) == 0 {
		return nil, fmt.Errorf("%w: empty vector", ErrDimension)
	}
	buf, err := secret.New(len(v) * 4)
	if err != nil {
		clear(v)
		return nil, err
	}
	e := &Embedding{buf: buf, dim: len(v)}
	dst := e.Vector()
	copy(dst, v)
	secret.ScrubRegisters()
	clear(v)
	if !normalise(dst) {
		e.Destroy()
		return nil, fmt.Errorf("%w: zero or non-finite vector", ErrDimension)
	}
	return e, nil
}

// Vector exposes the values in locked memory; valid until Destroy, never to
// be copied to the heap.
func (e *Embedding) Vector() []float32 {
	if e == nil {
		return nil
	}
	return floats(e.buf.Bytes())
}

// Dim is the number of values.
func (e *Embedding) Dim() int { return e.dim }

// Destroy wipes the values. Safe on nil and more than once.
func (e *Embedding) Destroy() {
	if e != nil {
		e.buf.Destroy()
	}
}

// floats views locked bytes as float32s without copying them to the heap.
func floats(b []byte) []float32 {
	if len(b) < 4 {
		return nil
	}
	return unsafe.Slice((*float32)(unsafe.Pointer(&b[0])), len(b)/4)
}

func normalise(v []float32) bool {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	if s == 0 || math.IsNaN(s) || math.IsInf(s, 0) {
		return false
	}
	k := float32(1 / math.Sqrt(s))
	for i := range v {
		v[i] *= k
	}
	return true
}

// Score is the cosine similarity of two embeddings (their dot product).
func Score(a, b *Embedding) (float64, error) {
	x, y := a.Vector(), b.Vector()
	if x == nil || y == nil {
		return 0, ErrReleased
	}
	if len(x) != len(y) {
		return 0, fmt.Errorf("%w: %d vs %d", ErrDimension, len(x), len(y))
	}
	return dot(x, y), nil
}

func dot(x, y []float32) float64 {
	var s float32
	for i := range x {
		s += x[i] * y[i]
	}
	return float64(s)
}

// Fuse combines the embeddings of several live frames of one attempt into
// one: the normalised mean. Averaging cancels per-frame noise (blur, a
// blink, landmark jitter) that a single frame carries.
func Fuse(frames []*Embedding) (*Embedding, error) {
	if len(frames) == 0 {
		return nil, fmt.Errorf("%w: nothing to fuse", ErrDimension)
	}
	d := frames[0].Dim()
	acc, err := secret.New(d * 4)
	if err != nil {
		return nil, err
	}
	defer acc.Destroy()
	sum := floats(acc.Bytes())
	for _, f := range frames {
		v := f.Vector()
		if v == nil {
			return nil, ErrReleased
		}
		if len(v) != d {
			return nil, fmt.Errorf("%w: %d vs %d", ErrDimension, len(v), d)
		}
		for i := range v {
			sum[i] += v[i]
		}
	}
	return NewEmbedding(sum)
}

// FusedScore scores a reference against several frames with the configured
// fusion: "mean-score" (mean of the frames' scores), "mean-embedding" (score
// of the fused vector) or "max-score" (for measurements only). The mean
// score never exceeds the best frame's score. The fused vector's score can:
// normalising the mean of two frames that err on opposite sides of the
// reference lands on the reference itself, so two impostor frames at 0.8
// can fuse to 1.0.
func FusedScore(ref *Embedding, frames []*Embedding, fusion string) (float64, error) {
	if len(frames) == 0 {
		return 0, fmt.Errorf("%w: no frames", ErrDimension)
	}
	if fusion == "mean-embedding" {
		f, err := Fuse(frames)
		if err != nil {
			return 0, err
		}
		defer f.Destroy()
		return Score(ref, f)
	}
	var sum, best float64
	best = math.Inf(-1)
	for _, fr := range frames {
		s, err := Score(ref, fr)
		if err != nil {
			return 0, err
		}
		sum += s
		best = math.Max(best, s)
	}
	if fusion == "max-score" {
		return best, nil
	}
	return sum / float64(len(frames)), nil
}

// Decision is the outcome of one comparison.
type Decision struct {
	Score     float64 `json:"score"`
	Threshold float64 `json:"threshold"`
	Match     bool    `json:"match"`
}

// Decide compares a score with the threshold: a match needs score ≥ threshold.
func Decide(score, threshold float64) Decision {
	return Decision{Score: score, Threshold: threshold, Match: score >= threshold}
}

// Matrix holds many embeddings of one dimension in a single locked buffer,
// for calibration over thousands of images (one buffer, not thousands of
// locked pages).
type Matrix struct {
	buf  *secret.Buffer
	dim  int
	rows int
}

// NewMatrix reserves n rows of dim values.
func NewMatrix(n, dim int) (*Matrix, error) {
	buf, err := secret.New(n * dim * 4)
	if err != nil {
		return nil, err
	}
	return &Matrix{buf: buf, dim: dim, rows: n}, nil
}

// Row exposes row i.
func (m *Matrix) Row(i int) []float32 {
	v := floats(m.buf.Bytes())
	if v == nil || i < 0 || i >= m.rows {
		return nil
	}
	return v[i*m.dim : (i+1)*m.dim]
}

// Set copies e into row i.
func (m *Matrix) Set(i int, e *Embedding) error {
	r := m.Row(i)
	if r == nil {
		return ErrReleased
	}
	if e.Dim() != m.dim {
		return fmt.Errorf("%w: %d vs %d", ErrDimension, e.Dim(), m.dim)
	}
	copy(r, e.Vector())
	secret.ScrubRegisters()
	return nil
}

// Dot is the score of rows i and j.
func (m *Matrix) Dot(i, j int) float64 { return dot(m.Row(i), m.Row(j)) }

// Rows is the number of rows; Dim their size.
func (m *Matrix) Rows() int { return m.rows }

// Dim is the embedding size.
func (m *Matrix) Dim() int { return m.dim }

// Destroy wipes every row.
func (m *Matrix) Destroy() { m.buf.Destroy() }
