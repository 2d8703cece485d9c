package cardscan

import (
	"errors"
	"math"
)

// Pt is a point in pixels.
type Pt struct{ X, Y float64 }

// Homography maps points of one plane to another (row-major 3x3, h[8] = 1).
type Homography [9]float64

var errDegenerate = errors.New("cardscan: degenerate quadrilateral")

// HomographyFromQuads returns the homography taking src[i] to dst[i].
func HomographyFromQuads(src, dst [4]Pt) (Homography, error) {
	// Eight equations in the eight unknowns h0..h7, solved by Gaussian
	// elimination with partial pivoting.
	var a [8][9]float64
	for i := 0; i < 4; i++ {
		x, y, u, v := src[i].X, src[i].Y, dst[i].X, dst[i].Y
		a[2*i] = [9]float64{x, y, 1, 0, 0, 0, -u * x, -u * y, u}
		a[2*i+1] = [9]float64{0, 0, 0, x, y, 1, -v * x, -v * y, v}
	}
	for col := 0; col < 8; col++ {
		pivot := col
		for r := col + 1; r < 8; r++ {
			if math.Abs(a[r][col]) > math.Abs(a[pivot][col]) {
				pivot = r
			}
		}
		if math.Abs(a[pivot][col]) < 1e-12 {
			return Homography{}, errDegenerate
		}
		a[col], a[pivot] = a[pivot], a[col]
		for r := 0; r < 8; r++ {
			if r == col {
				continue
			}
			f := a[r][col] / a[col][col]
			for c := col; c < 9; c++ {
				a[r][c] -= f * a[col][c]
			}
		}
	}
	var h Homography
	for i := 0; i < 8; i++ {
		h[i] = a[i][8] / a[i][i]
	}
	h[8] = 1
	return h, nil
}

// Apply maps p.
func (h Homography) Apply(p Pt) Pt {
	w := h[6]*p.X + h[7]*p.Y + h[8]
	if w == 0 {
		return Pt{math.Inf(1), math.Inf(1)}
	}
	return Pt{(h[0]*p.X + h[1]*p.Y + h[2]) / w, (h[3]*p.X + h[4]*p.Y + h[5]) / w}
}
