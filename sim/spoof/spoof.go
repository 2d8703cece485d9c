// Package spoof makes presentation-attack and occlusion test cases from
// ordinary face images: frame sequences of a printed photo moved in front of
// the camera, of a phone screen replaying it, and of a live head turning
// (for contrast), plus masks and dark glasses painted over a face. The
// face pipeline's checks are evaluated on them (docs/face-engine.md).
package spoof

import (
	"math"
	"math/rand/v2"

	"github.com/uketsuke/uketsuke/app/face"
)

// Pose is a small 3-D rotation of the presented object, in degrees, and a
// shift in pixels.
type Pose struct{ Yaw, Pitch, Roll, DX, DY float64 }

// Poses returns n gentle poses as a hand holding a photo or a patient
// settling in front of the camera would make: up to max degrees.
func Poses(n int, maxDeg float64, rng *rand.Rand) []Pose {
	ps := []Pose{{}}
	for len(ps) < n {
		r := func() float64 { return (rng.Float64()*2 - 1) * maxDeg }
		ps = append(ps, Pose{Yaw: r(), Pitch: r(), Roll: r() / 3, DX: r() / 2, DY: r() / 2})
	}
	return ps
}

// planeH returns the homography that shows a flat picture, centred at c and
// seen from focal pixels away, turned by p.
func planeH(p Pose, c face.Point, focal float64) face.H {
	r := rotation(p)
	// A picture point (x, y, 0) relative to c → camera (R·[x y 0] + [0 0 f]).
	// Projected: u = f·X/Z + c. As a homography on (x, y, 1):
	h := face.H{
		focal*r[0] + c.X*r[6], focal*r[1] + c.X*r[7], c.X * focal,
		focal*r[3] + c.Y*r[6], focal*r[4] + c.Y*r[7], c.Y * focal,
		r[6], r[7], focal,
	}
	// Shift by the pose and centre the picture coordinates.
	t := face.H{1, 0, -c.X, 0, 1, -c.Y, 0, 0, 1}
	s := face.H{1, 0, p.DX, 0, 1, p.DY, 0, 0, 1}
	return mul(s, mul(h, t))
}

func rotation(p Pose) [9]float64 {
	y, x, z := p.Yaw*math.Pi/180, p.Pitch*math.Pi/180, p.Roll*math.Pi/180
	cy, sy, cx, sx, cz, sz := math.Cos(y), math.Sin(y), math.Cos(x), math.Sin(x), math.Cos(z), math.Sin(z)
	ry := [9]float64{cy, 0, sy, 0, 1, 0, -sy, 0, cy}
	rx := [9]float64{1, 0, 0, 0, cx, -sx, 0, sx, cx}
	rz := [9]float64{cz, -sz, 0, sz, cz, 0, 0, 0, 1}
	return mul3(rz, mul3(rx, ry))
}

func mul3(a, b [9]float64) [9]float64 {
	var c [9]float64
	for r := 0; r < 3; r++ {
		for k := 0; k < 3; k++ {
			for j := 0; j < 3; j++ {
				c[3*r+k] += a[3*r+j] * b[3*j+k]
			}
		}
	}
	return c
}

func mul(a, b face.H) face.H {
	return face.H(mul3([9]float64(a), [9]float64(b)))
}

func invert(h face.H) face.H {
	a, b, c, d, e, f, g, hh, i := h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8]
	det := a*(e*i-f*hh) - b*(d*i-f*g) + c*(d*hh-e*g)
	return face.H{
		(e*i - f*hh) / det, (c*hh - b*i) / det, (b*f - c*e) / det,
		(f*g - d*i) / det, (a*i - c*g) / det, (c*d - a*f) / det,
		(d*hh - e*g) / det, (b*g - a*hh) / det, (a*e - b*d) / det,
	}
}

// warp renders src seen through h (picture → frame) on a background.
func warp(src *face.Image, h face.H, w, hgt int, bg [3]byte) (*face.Image, error) {
	out, err := face.NewImage(w, hgt)
	if err != nil {
		return nil, err
	}
	inv := invert(h)
	for y := 0; y < hgt; y++ {
		for x := 0; x < w; x++ {
			p := inv.Apply(face.Point{X: float64(x) + 0.5, Y: float64(y) + 0.5})
			i := (y*w + x) * 3
			r, g, b, ok := sample(src, p.X-0.5, p.Y-0.5)
			if !ok {
				r, g, b = float64(bg[0]), float64(bg[1]), float64(bg[2])
			}
			out.Pix[i], out.Pix[i+1], out.Pix[i+2] = clamp(r), clamp(g), clamp(b)
		}
	}
	return out, nil
}

func sample(img *face.Image, x, y float64) (r, g, b float64, ok bool) {
	if x < 0 || y < 0 || x > float64(img.W-1) || y > float64(img.H-1) {
		return 0, 0, 0, false
	}
	x0, y0 := int(x), int(y)
	x1, y1 := min(x0+1, img.W-1), min(y0+1, img.H-1)
	fx, fy := x-float64(x0), y-float64(y0)
	px := func(xx, yy int) (float64, float64, float64) {
		a, b, c := img.At(xx, yy)
		return float64(a), float64(b), float64(c)
	}
	r00, g00, b00 := px(x0, y0)
	r10, g10, b10 := px(x1, y0)
	r01, g01, b01 := px(x0, y1)
	r11, g11, b11 := px(x1, y1)
	l := func(a, b, c, d float64) float64 {
		return (a*(1-fx)+b*fx)*(1-fy) + (c*(1-fx)+d*fx)*fy
	}
	return l(r00, r10, r01, r11), l(g00, g10, g01, g11), l(b00, b10, b01, b11), true
}

func clamp(v float64) byte {
	return byte(math.Max(0, math.Min(255, v+0.5)))
}

// PrintedPhoto returns frames of the picture printed on paper (contrast
// reduced, slightly blurred, white margin) and held in front of the camera
// as a flat sheet at the given poses, on a w×h frame.
func PrintedPhoto(src *face.Image, poses []Pose, w, h int) ([]*face.Image, error) {
	sheet, err := printSheet(src)
	if err != nil {
		return nil, err
	}
	defer sheet.Release()
	return render(sheet, poses, w, h, [3]byte{90, 96, 104})
}

func printSheet(src *face.Image) (*face.Image, error) {
	m := src.W / 12
	sheet, err := face.NewImage(src.W+2*m, src.H+2*m)
	if err != nil {
		return nil, err
	}
	for i := range sheet.Pix {
		sheet.Pix[i] = 245
	}
	for y := 0; y < src.H; y++ {
		for x := 0; x < src.W; x++ {
			r, g, b := boxBlur(src, x, y)
			i := ((y+m)*sheet.W + x + m) * 3
			// Ink on paper: blacks lift, whites dull.
			sheet.Pix[i], sheet.Pix[i+1], sheet.Pix[i+2] = clamp(25+r*0.85), clamp(25+g*0.85), clamp(22+b*0.83)
		}
	}
	return sheet, nil
}

func boxBlur(img *face.Image, x, y int) (r, g, b float64) {
	n := 0.0
	for dy := -1; dy <= 1; dy++ {
		for dx := -1; dx <= 1; dx++ {
			xx, yy := min(max(x+dx, 0), img.W-1), min(max(y+dy, 0), img.H-1)
			a, bb, c := img.At(xx, yy)
			r, g, b = r+float64(a), g+float64(bb), b+float64(c)
			n++
		}
	}
	return r / n, g / n, b / n
}

func render(pic *face.Image, poses []Pose, w, h int, bg [3]byte) ([]*face.Image, error) {
	scale := 0.8 * float64(h) / float64(pic.H)
	frames := make([]*face.Image, 0, len(poses))
	for _, p := range poses {
		fit := face.H{scale, 0, float64(w)/2 - scale*float64(pic.W)/2, 0, scale, float64(h)/2 - scale*float64(pic.H)/2, 0, 0, 1}
		hm := mul(planeH(p, face.Point{X: float64(w) / 2, Y: float64(h) / 2}, 1.2*float64(w)), fit)
		f, err := warp(pic, hm, w, h, bg)
		if err != nil {
			release(frames)
			return nil, err
		}
		frames = append(frames, f)
	}
	return frames, nil
}

func release(fs []*face.Image) {
	for _, f := range fs {
		f.Release()
	}
}

// PhoneReplay returns frames of the picture shown on a phone screen held in
// front of the camera: a black bezel around it, the screen's pixel grid
// beating against the camera's (moiré), a blue cast and raised blacks, all
// moving as one flat plane.
func PhoneReplay(src *face.Image, poses []Pose, w, h int) ([]*face.Image, error) {
	scr, err := screen(src)
	if err != nil {
		return nil, err
	}
	defer scr.Release()
	return render(scr, poses, w, h, [3]byte{140, 130, 120})
}

func screen(src *face.Image) (*face.Image, error) {
	bezel := src.W / 10
	out, err := face.NewImage(src.W+2*bezel, src.H+4*bezel)
	if err != nil {
		return nil, err
	}
	for i := range out.Pix {
		out.Pix[i] = 12 // bezel
	}
	for y := 0; y < src.H; y++ {
		for x := 0; x < src.W; x++ {
			r, g, b := src.At(x, y)
			// Moiré: two close spatial frequencies beat into slow bands.
			beat := 1 + 0.12*math.Sin(2*math.Pi*(float64(x)*0.47+float64(y)*0.09))*math.Sin(2*math.Pi*float64(y)*0.51)
			grid := 1.0
			if x%3 == 2 || y%3 == 2 {
				grid = 0.82 // dark gaps between sub-pixels
			}
			k := beat * grid
			i := ((y+2*bezel)*out.W + x + bezel) * 3
			out.Pix[i] = clamp((18 + float64(r)*0.88) * k)
			out.Pix[i+1] = clamp((20 + float64(g)*0.9) * k)
			out.Pix[i+2] = clamp((30 + float64(b)*0.95) * k)
		}
	}
	return out, nil
}

// LiveHead returns frames of a 3-D head turning by the given poses, made from
// one image and its face mesh with depth: each pixel moves by the rotation of
// its interpolated depth, so nose and cheeks shift differently (parallax),
// while the background stays.
func LiveHead(src *face.Image, mesh []face.Point, depth []float64, poses []Pose) ([]*face.Image, error) {
	if len(mesh) == 0 || len(mesh) != len(depth) {
		return nil, face.ErrConfig
	}
	c := centroid(mesh)
	spread := meshSpread(mesh, c)
	frames := make([]*face.Image, 0, len(poses))
	for _, p := range poses {
		disp := displacements(mesh, depth, c, p)
		f, err := warpField(src, mesh, disp, spread)
		if err != nil {
			release(frames)
			return nil, err
		}
		frames = append(frames, f)
	}
	return frames, nil
}

func centroid(ps []face.Point) face.Point {
	var c face.Point
	for _, p := range ps {
		c.X += p.X
		c.Y += p.Y
	}
	return face.Point{X: c.X / float64(len(ps)), Y: c.Y / float64(len(ps))}
}

func meshSpread(ps []face.Point, c face.Point) float64 {
	var s float64
	for _, p := range ps {
		s += math.Hypot(p.X-c.X, p.Y-c.Y)
	}
	return s / float64(len(ps))
}

// displacements moves each mesh point as its 3-D position rotated about the
// head's centre and projected with a 600-pixel focal length.
func displacements(mesh []face.Point, depth []float64, c face.Point, p Pose) []face.Point {
	r := rotation(p)
	var zc float64
	for _, z := range depth {
		zc += z
	}
	zc /= float64(len(depth))
	const focal = 600.0
	out := make([]face.Point, len(mesh))
	for i, m := range mesh {
		x, y, z := m.X-c.X, m.Y-c.Y, depth[i]-zc
		X := r[0]*x + r[1]*y + r[2]*z
		Y := r[3]*x + r[4]*y + r[5]*z
		Z := r[6]*x + r[7]*y + r[8]*z
		k := focal / (focal + Z)
		k0 := focal / (focal + z)
		out[i] = face.Point{X: X*k - x*k0 + p.DX, Y: Y*k - y*k0 + p.DY}
	}
	return out
}

// warpField moves pixels by the mesh displacements, interpolated with
// Gaussian weights and fading to zero away from the face.
func warpField(src *face.Image, mesh, disp []face.Point, spread float64) (*face.Image, error) {
	out, err := face.NewImage(src.W, src.H)
	if err != nil {
		return nil, err
	}
	s2 := 2 * (spread * 0.15) * (spread * 0.15)
	for y := 0; y < src.H; y++ {
		for x := 0; x < src.W; x++ {
			var wsum, dx, dy float64
			wsum = 1e-3 // the background's pull towards no motion
			for i, m := range mesh {
				d2 := (m.X-float64(x))*(m.X-float64(x)) + (m.Y-float64(y))*(m.Y-float64(y))
				if d2 > 9*s2 {
					continue
				}
				w := math.Exp(-d2 / s2)
				wsum += w
				dx += w * disp[i].X
				dy += w * disp[i].Y
			}
			r, g, b, ok := sample(src, float64(x)-dx/wsum, float64(y)-dy/wsum)
			if !ok {
				r, g, b = 0, 0, 0
			}
			i := (y*src.W + x) * 3
			out.Pix[i], out.Pix[i+1], out.Pix[i+2] = clamp(r), clamp(g), clamp(b)
		}
	}
	return out, nil
}
