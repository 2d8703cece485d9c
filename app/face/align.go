package face

import "math"

// Affine maps (x, y) to (A*x + B*y + C, D*x + E*y + F).
type Affine struct{ A, B, C, D, E, F float64 }

// Apply maps one point.
func (m Affine) Apply(p Point) Point {
	return Point{m.A*p.X + m.B*p.Y + m.C, m.D*p.X + m.E*p.Y + m.F}
}

// Invert returns the inverse map; ok is false for a singular map.
func (m Affine) Invert() (Affine, bool) {
	det := m.A*m.E - m.B*m.D
	if math.Abs(det) < 1e-12 {
		return Affine{}, false
	}
	a, b, d, e := m.E/det, -m.B/det, -m.D/det, m.A/det
	return Affine{A: a, B: b, C: -(a*m.C + b*m.F), D: d, E: e, F: -(d*m.C + e*m.F)}, true
}

// Scale is the map's mean linear scale factor.
func (m Affine) Scale() float64 { return math.Sqrt(math.Abs(m.A*m.E - m.B*m.D)) }

// Similarity fits, by least squares, the rotation+uniform scale+translation
// that best maps src onto dst (Umeyama's closed form for 2-D). It needs at
// least two distinct points; ok is false otherwise.
func Similarity(src, dst []Point) (Affine, bool) {
	n := len(src)
	if n < 2 || n != len(dst) {
		return Affine{}, false
	}
	sc, dc := centroid(src), centroid(dst)
	var sxx, a, b float64 // a = Σ(s·d), b = Σ(s×d), over centred points
	for i := range src {
		s := Point{src[i].X - sc.X, src[i].Y - sc.Y}
		d := Point{dst[i].X - dc.X, dst[i].Y - dc.Y}
		sxx += s.X*s.X + s.Y*s.Y
		a += s.X*d.X + s.Y*d.Y
		b += s.X*d.Y - s.Y*d.X
	}
	if sxx < 1e-12 {
		return Affine{}, false
	}
	// The optimal rotation·scale is (a + ib)/Σ|s|² as a complex factor.
	c, s := a/sxx, b/sxx
	m := Affine{A: c, B: -s, D: s, E: c}
	m.C = dc.X - (c*sc.X - s*sc.Y)
	m.F = dc.Y - (s*sc.X + c*sc.Y)
	return m, true
}

func centroid(ps []Point) Point {
	var c Point
	for _, p := range ps {
		c.X += p.X
		c.Y += p.Y
	}
	n := float64(len(ps))
	return Point{c.X / n, c.Y / n}
}

// ArcFace112 is the five-point template of the 112x112 ArcFace chip
// (insightface's reference landmarks), in Keypoints order.
var ArcFace112 = Keypoints{
	{38.2946, 51.6963}, {73.5318, 51.5014}, {56.0252, 71.7366},
	{41.5493, 92.3655}, {70.7299, 92.2041},
}

// Dlib150 is the five-point template of dlib's 150x150 face chip (size 150,
// padding 0.25), derived from dlib's 68-point mean face: eye centres are the
// means of landmarks 36-41 and 42-47, the nose tip is 30, the mouth corners
// 48 and 54, each mapped by (0.25 + m) / 1.5 × 150.
var Dlib150 = Keypoints{
	{47.549, 46.599}, {100.476, 46.599}, {74.013, 76.563},
	{50.415, 103.023}, {97.610, 103.023},
}

// TemplateFor returns the named template scaled to a chip of size×size:
// "arcface" (112 reference) or "dlib" (150 reference).
func TemplateFor(name string, size int) (Keypoints, bool) {
	var base Keypoints
	var ref float64
	switch name {
	case "arcface":
		base, ref = ArcFace112, 112
	case "dlib":
		base, ref = Dlib150, 150
	default:
		return Keypoints{}, false
	}
	k := float64(size) / ref
	for i := range base {
		base[i].X *= k
		base[i].Y *= k
	}
	return base, true
}

// ChipTransform returns the map from chip pixels to image pixels that puts
// the face's keypoints on the template.
func ChipTransform(kp Keypoints, template Keypoints) (Affine, bool) {
	m, ok := Similarity(template[:], kp[:])
	return m, ok
}

// Extract samples the image through m (chip pixel → image pixel) into a new
// w×h image, bilinear with area averaging when shrinking, black outside.
func Extract(img *Image, m Affine, w, h int) (*Image, error) {
	if !img.Alive() {
		return nil, ErrReleased
	}
	out, err := NewImage(w, h)
	if err != nil {
		return nil, err
	}
	s := newSampler(img, m)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			r, g, b := s.at(float64(x), float64(y))
			i := (y*w + x) * 3
			out.Pix[i], out.Pix[i+1], out.Pix[i+2] = clampByte(r), clampByte(g), clampByte(b)
		}
	}
	return out, nil
}

func clampByte(v float64) byte {
	switch {
	case v <= 0:
		return 0
	case v >= 255:
		return 255
	}
	return byte(v + 0.5)
}

// sampler reads an image through an affine map. When the map shrinks by more
// than 1.5 it averages a small grid of bilinear samples, so that chips taken
// from large frames do not alias.
type sampler struct {
	img  *Image
	m    Affine
	taps int
}

func newSampler(img *Image, m Affine) sampler {
	taps := int(math.Ceil(m.Scale() - 0.5))
	return sampler{img: img, m: m, taps: min(max(taps, 1), 4)}
}

func (s sampler) at(x, y float64) (r, g, b float64) {
	if s.taps == 1 {
		p := s.m.Apply(Point{x + 0.5, y + 0.5})
		return bilinear(s.img, p.X-0.5, p.Y-0.5)
	}
	n := float64(s.taps)
	for j := 0; j < s.taps; j++ {
		for i := 0; i < s.taps; i++ {
			p := s.m.Apply(Point{x + (float64(i)+0.5)/n, y + (float64(j)+0.5)/n})
			pr, pg, pb := bilinear(s.img, p.X-0.5, p.Y-0.5)
			r, g, b = r+pr, g+pg, b+pb
		}
	}
	k := n * n
	return r / k, g / k, b / k
}

// bilinear samples at pixel-centre coordinates; outside the image is black.
func bilinear(img *Image, x, y float64) (r, g, b float64) {
	x0, y0 := math.Floor(x), math.Floor(y)
	fx, fy := x-x0, y-y0
	ix, iy := int(x0), int(y0)
	w := [4]float64{(1 - fx) * (1 - fy), fx * (1 - fy), (1 - fx) * fy, fx * fy}
	xs := [4]int{ix, ix + 1, ix, ix + 1}
	ys := [4]int{iy, iy, iy + 1, iy + 1}
	for k := 0; k < 4; k++ {
		if xs[k] < 0 || ys[k] < 0 || xs[k] >= img.W || ys[k] >= img.H || w[k] == 0 {
			continue
		}
		i := (ys[k]*img.W + xs[k]) * 3
		r += w[k] * float64(img.Pix[i])
		g += w[k] * float64(img.Pix[i+1])
		b += w[k] * float64(img.Pix[i+2])
	}
	return r, g, b
}
