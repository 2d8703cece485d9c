package face

import (
	"fmt"
	"math"
)

// MediaPipe face-mesh indices the pipeline uses.
var (
	meshEyeRightRing = []int{33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161, 246}
	meshEyeLeftRing  = []int{362, 382, 381, 380, 374, 373, 390, 249, 263, 466, 388, 387, 386, 385, 384, 398}
)

// Mesh landmark indices.
const (
	MeshNoseTip       = 1
	MeshMouthRight    = 61  // subject's right, image left
	MeshMouthLeft     = 291 // image right
	MeshUpperLip      = 13
	MeshLowerLip      = 14
	MeshChin          = 152
	MeshForehead      = 10
	MeshNoseBottom    = 2
	MeshEyeRightOuter = 33
	MeshEyeRightInner = 133
	MeshEyeRightUpper = 159
	MeshEyeRightLower = 145
	MeshEyeLeftOuter  = 263
	MeshEyeLeftInner  = 362
	MeshEyeLeftUpper  = 386
	MeshEyeLeftLower  = 374
	MeshCheekRight    = 205
	MeshCheekLeft     = 425
	MeshPoints        = 468
)

// MeshCrop returns the map from a size×size landmark-model input to the
// image: a square around the detection, enlarge times its larger side,
// rotated so the detector's eyes are level (the mesh model expects an
// upright face).
func MeshCrop(c Candidate, size int, enlarge float64) Affine {
	centre := c.Box.Centre()
	side := math.Max(c.Box.W(), c.Box.H()) * enlarge
	re, le := c.Keypoints[BfEyeRight], c.Keypoints[BfEyeLeft]
	angle := math.Atan2(le.Y-re.Y, le.X-re.X)
	k := side / float64(size)
	cos, sin := math.Cos(angle)*k, math.Sin(angle)*k
	h := float64(size) / 2
	// input (u, v) → centre + R·k·(u−h, v−h)
	return Affine{A: cos, B: -sin, C: centre.X - cos*h + sin*h, D: sin, E: cos, F: centre.Y - sin*h - cos*h}
}

// MeshToImage maps the model's flat (x, y, z) output to image points.
func MeshToImage(raw []float32, m Affine) ([]Point, error) {
	if len(raw) != MeshPoints*3 {
		return nil, fmt.Errorf("%w: mesh output has %d values, want %d", ErrConfig, len(raw), MeshPoints*3)
	}
	pts := make([]Point, MeshPoints)
	for i := range pts {
		pts[i] = m.Apply(Point{float64(raw[3*i]), float64(raw[3*i+1])})
	}
	return pts, nil
}

// KeypointsFromMesh takes the five alignment points from a face mesh: eye
// centres as the mean of each eye's contour, the nose tip, the mouth corners.
func KeypointsFromMesh(mesh []Point) Keypoints {
	return Keypoints{
		EyeLeft:    meanOf(mesh, meshEyeRightRing),
		EyeRight:   meanOf(mesh, meshEyeLeftRing),
		NoseTip:    mesh[MeshNoseTip],
		MouthLeft:  mesh[MeshMouthRight],
		MouthRight: mesh[MeshMouthLeft],
	}
}

func meanOf(mesh []Point, idx []int) Point {
	var p Point
	for _, i := range idx {
		p.X += mesh[i].X
		p.Y += mesh[i].Y
	}
	n := float64(len(idx))
	return Point{p.X / n, p.Y / n}
}

// BoxOf is the bounding box of points.
func BoxOf(pts []Point) Rect {
	r := Rect{Min: Point{math.Inf(1), math.Inf(1)}, Max: Point{math.Inf(-1), math.Inf(-1)}}
	for _, p := range pts {
		r.Min.X, r.Min.Y = math.Min(r.Min.X, p.X), math.Min(r.Min.Y, p.Y)
		r.Max.X, r.Max.Y = math.Max(r.Max.X, p.X), math.Max(r.Max.Y, p.Y)
	}
	return r
}
