package spoof

import (
	"math"

	"github.com/uketsuke/uketsuke/app/face"
)

// The lower face outline of the MediaPipe mesh, cheek to cheek under the
// chin, closed over the nose bridge: where a surgical mask sits.
var maskOutline = []int{234, 93, 132, 58, 172, 136, 150, 149, 176, 148, 152, 377, 400, 378, 379, 365, 397, 288, 361, 323, 454, 351, 6, 122}

// Colours of common masks.
var (
	MaskWhite = [3]byte{232, 234, 236}
	MaskBlue  = [3]byte{120, 170, 215}
	MaskBlack = [3]byte{30, 30, 34}
	MaskBeige = [3]byte{205, 180, 160} // close to skin: the hard case
)

// Mask paints a face mask of colour c over the lower face, with soft
// vertical shading like folds, in place.
func Mask(img *face.Image, mesh []face.Point, c [3]byte) {
	poly := make([]face.Point, len(maskOutline))
	for i, j := range maskOutline {
		poly[i] = mesh[j]
	}
	box := face.BoxOf(poly)
	fill(img, box, func(p face.Point) (float64, bool) {
		if !inside(poly, p) {
			return 0, false
		}
		fold := 0.93 + 0.07*math.Sin((p.Y-box.Min.Y)/box.H()*5*math.Pi)
		return fold, true
	}, c)
}

// DarkGlasses paints dark lenses over both eyes and a bridge, in place.
func DarkGlasses(img *face.Image, mesh []face.Point) {
	re := face.KeypointsFromMesh(mesh)
	eyeW := math.Hypot(mesh[face.MeshEyeRightOuter].X-mesh[face.MeshEyeRightInner].X, mesh[face.MeshEyeRightOuter].Y-mesh[face.MeshEyeRightInner].Y)
	rx, ry := 0.85*eyeW, 0.6*eyeW
	for _, c := range []face.Point{re[face.EyeLeft], re[face.EyeRight]} {
		box := face.Rect{Min: face.Point{X: c.X - rx, Y: c.Y - ry}, Max: face.Point{X: c.X + rx, Y: c.Y + ry}}
		fill(img, box, func(p face.Point) (float64, bool) {
			dx, dy := (p.X-c.X)/rx, (p.Y-c.Y)/ry
			return 1, dx*dx+dy*dy <= 1
		}, [3]byte{22, 22, 28})
	}
}

func fill(img *face.Image, box face.Rect, at func(face.Point) (float64, bool), c [3]byte) {
	for y := max(0, int(box.Min.Y)); y < min(img.H, int(box.Max.Y)+1); y++ {
		for x := max(0, int(box.Min.X)); x < min(img.W, int(box.Max.X)+1); x++ {
			k, ok := at(face.Point{X: float64(x) + 0.5, Y: float64(y) + 0.5})
			if !ok {
				continue
			}
			i := (y*img.W + x) * 3
			for ch := 0; ch < 3; ch++ {
				img.Pix[i+ch] = clamp(float64(c[ch]) * k)
			}
		}
	}
}

// inside is the even-odd point-in-polygon test.
func inside(poly []face.Point, p face.Point) bool {
	in := false
	for i, j := 0, len(poly)-1; i < len(poly); j, i = i, i+1 {
		a, b := poly[i], poly[j]
		if (a.Y > p.Y) != (b.Y > p.Y) && p.X < (b.X-a.X)*(p.Y-a.Y)/(b.Y-a.Y)+a.X {
			in = !in
		}
	}
	return in
}
