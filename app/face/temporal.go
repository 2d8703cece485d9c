package face

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// TemporalConfig tunes the presentation-attack check across the frames of
// one attempt. Distances are fractions of the eye distance.
type TemporalConfig struct {
	MinFrames int `json:"min_frames"`
	// MinMotion: out-of-plane motion (what a similarity cannot explain) below
	// which the attempt is too still to judge.
	MinMotion float64 `json:"min_motion"`
	// MinParallax: what even a homography cannot explain. A flat photo or a
	// screen moves as a plane, so its landmarks follow a homography up to
	// landmark noise; a real head shows parallax (nose against cheeks).
	// At or above MinParallax the attempt is live; at or below
	// MaxFlatParallax it is flat; between, inconclusive (a screen's moiré
	// and a real head's small turn overlap there).
	MinParallax     float64 `json:"min_parallax"`
	MaxFlatParallax float64 `json:"max_flat_parallax"`
	// RequireLive refuses attempts the check cannot call live (too still):
	// a photo on a stand does not move at all. The session then asks the
	// patient to turn their head slightly (Result.NeedMotion).
	RequireLive bool `json:"require_live"`
}

// DefaultTemporal are the limits measured on sim/spoof's sequences (docs/face-engine.md).
func DefaultTemporal() TemporalConfig {
	return TemporalConfig{MinFrames: 3, MinMotion: 0.012, MinParallax: 0.016, MaxFlatParallax: 0.010, RequireLive: true}
}

// Verdicts of the temporal check.
const (
	VerdictLive         = "live"
	VerdictFlat         = "flat"
	VerdictInconclusive = "inconclusive"
)

// TemporalResult is the temporal check's verdict and its measures.
type TemporalResult struct {
	Frames   int     `json:"frames"`
	Motion   float64 `json:"motion"`   // largest RMS residual after a similarity fit
	Parallax float64 `json:"parallax"` // RMS residual after a homography fit, at that frame
	Verdict  string  `json:"verdict"`
}

// rigidMeshPoints are landmarks on distinct features (eyes, brows, nose,
// lips), which the mesh model places reliably; the face outline is left out
// because the model guesses it.
var rigidMeshPoints = []int{
	33, 133, 159, 145, 362, 263, 386, 374, // eyes
	70, 105, 107, 336, 334, 300, // brows
	1, 4, 5, 195, 197, 6, 168, 98, 327, 2, 48, 278, // nose ridge, tip, wings
	61, 291, 0, 17, 13, 14, 40, 270, 91, 321, // lips
	10, 151, 9, 152, 234, 454, 50, 280, // forehead, chin, cheeks
}

// TemporalCheck compares every frame's mesh with the first one.
func TemporalCheck(meshes [][]Point, cfg TemporalConfig) TemporalResult {
	res := TemporalResult{Frames: len(meshes), Verdict: VerdictInconclusive}
	if len(meshes) < max(cfg.MinFrames, 2) {
		return res
	}
	ref := pick(meshes[0], rigidMeshPoints)
	eyes := dist(meshes[0][MeshEyeRightOuter], meshes[0][MeshEyeLeftOuter]) * 0.75
	if eyes < 1 {
		return res
	}
	for _, m := range meshes[1:] {
		if len(m) != MeshPoints {
			return res
		}
		cur := pick(m, rigidMeshPoints)
		sim, okS := Similarity(ref, cur)
		h, okH := Homography(ref, cur)
		if !okS || !okH {
			continue
		}
		motion := rmsResidual(ref, cur, sim.Apply) / eyes
		if motion > res.Motion {
			res.Motion = motion
			res.Parallax = rmsResidual(ref, cur, h.Apply) / eyes
		}
	}
	switch {
	case res.Motion < cfg.MinMotion:
		res.Verdict = VerdictInconclusive
	case res.Parallax >= cfg.MinParallax:
		res.Verdict = VerdictLive
	case res.Parallax <= cfg.MaxFlatParallax:
		res.Verdict = VerdictFlat
	default:
		res.Verdict = VerdictInconclusive
	}
	return res
}

func rmsResidual(src, dst []Point, f func(Point) Point) float64 {
	var s float64
	for i := range src {
		p := f(src[i])
		s += (p.X-dst[i].X)*(p.X-dst[i].X) + (p.Y-dst[i].Y)*(p.Y-dst[i].Y)
	}
	return math.Sqrt(s / float64(len(src)))
}

// H is a 3x3 projective transform, row-major.
type H [9]float64

// Apply maps a point through the homography.
func (h H) Apply(p Point) Point {
	w := h[6]*p.X + h[7]*p.Y + h[8]
	if math.Abs(w) < 1e-12 {
		return Point{math.Inf(1), math.Inf(1)}
	}
	return Point{(h[0]*p.X + h[1]*p.Y + h[2]) / w, (h[3]*p.X + h[4]*p.Y + h[5]) / w}
}

// Homography fits src → dst by the normalised direct linear transform
// (least squares over all points); it needs four or more points.
func Homography(src, dst []Point) (H, bool) {
	n := len(src)
	if n < 4 || n != len(dst) {
		return H{}, false
	}
	ts, ok1 := normaliser(src)
	td, ok2 := normaliser(dst)
	if !ok1 || !ok2 {
		return H{}, false
	}
	a := mat.NewDense(2*n, 9, nil)
	for i := range src {
		s, d := ts.Apply(src[i]), td.Apply(dst[i])
		a.SetRow(2*i, []float64{-s.X, -s.Y, -1, 0, 0, 0, d.X * s.X, d.X * s.Y, d.X})
		a.SetRow(2*i+1, []float64{0, 0, 0, -s.X, -s.Y, -1, d.Y * s.X, d.Y * s.Y, d.Y})
	}
	var svd mat.SVD
	if !svd.Factorize(a, mat.SVDThin) {
		return H{}, false
	}
	var v mat.Dense
	svd.VTo(&v)
	var hn H
	for i := 0; i < 9; i++ {
		hn[i] = v.At(i, 8)
	}
	tdInv, ok := td.Invert()
	if !ok {
		return H{}, false
	}
	return mul(mul(affineH(tdInv), hn), affineH(ts)), true
}

// normaliser centres points and scales their mean distance to √2.
func normaliser(ps []Point) (Affine, bool) {
	c := centroid(ps)
	var d float64
	for _, p := range ps {
		d += math.Hypot(p.X-c.X, p.Y-c.Y)
	}
	d /= float64(len(ps))
	if d < 1e-9 {
		return Affine{}, false
	}
	k := math.Sqrt2 / d
	return Affine{A: k, C: -k * c.X, E: k, F: -k * c.Y}, true
}

func affineH(m Affine) H { return H{m.A, m.B, m.C, m.D, m.E, m.F, 0, 0, 1} }

func mul(a, b H) H {
	var c H
	for r := 0; r < 3; r++ {
		for k := 0; k < 3; k++ {
			for j := 0; j < 3; j++ {
				c[3*r+k] += a[3*r+j] * b[3*j+k]
			}
		}
	}
	return c
}
