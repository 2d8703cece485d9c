package face

import "math"

// Reason is why a frame cannot be used, as a stable key a screen translates.
type Reason string

// Quality gate reasons.
const (
	NoFace           Reason = "no_face"
	MultipleFaces    Reason = "multiple_faces"
	TooSmall         Reason = "too_small"
	TooClose         Reason = "too_close"
	TooDark          Reason = "too_dark"
	TooBright        Reason = "too_bright"
	Blurred          Reason = "blurred"
	NotFacing        Reason = "not_facing"
	EyesNotVisible   Reason = "eyes_not_visible"
	LowerFaceCovered Reason = "lower_face_covered"
)

// QualityConfig holds the gate's limits.
type QualityConfig struct {
	MinEyeDistance float64 `json:"min_eye_distance"` // pixels between eye centres
	MaxFaceWidth   float64 `json:"max_face_width"`   // box width / image width
	EdgeMargin     float64 `json:"edge_margin"`      // keypoints this close to the border (fraction of eye distance) = too close
	MinBrightness  float64 `json:"min_brightness"`   // mean face luma, 0..255
	MaxBrightness  float64 `json:"max_brightness"`
	MaxClipped     float64 `json:"max_clipped"`   // fraction of face pixels at 0-5 or 250-255
	MinSharpness   float64 `json:"min_sharpness"` // Laplacian energy on the grey eye-region chip
	MaxYaw         float64 `json:"max_yaw"`       // degrees
	MaxPitch       float64 `json:"max_pitch"`     // degrees
	MinEyeOpen     float64 `json:"min_eye_open"`  // lid gap / eye width, both eyes
	MinEyeContrast float64 `json:"min_eye_contrast"`
	MaxLowerFace   float64 `json:"max_lower_face"` // lower-face vs forehead chroma distance
	// MultipleFaceRatio: a second face counts when its eye distance is at
	// least this fraction of the main face's (people far behind are ignored).
	MultipleFaceRatio float64 `json:"multiple_face_ratio"`
}

// DefaultQuality are limits measured on lfw-devtrain and the synthetic
// occlusions of sim/spoof (docs/face-engine.md).
func DefaultQuality() QualityConfig {
	return QualityConfig{
		MinEyeDistance: 28, MaxFaceWidth: 0.85, EdgeMargin: 0.3,
		MinBrightness: 45, MaxBrightness: 215, MaxClipped: 0.25,
		MinSharpness: 5, MaxYaw: 30, MaxPitch: 25,
		MinEyeOpen: 0.12, MinEyeContrast: 0.15, MaxLowerFace: 17,
		MultipleFaceRatio: 0.5,
	}
}

// Quality is the gate's verdict and the measures behind it.
type Quality struct {
	OK          bool     `json:"ok"`
	Reasons     []Reason `json:"reasons,omitempty"`
	EyeDistance float64  `json:"eye_distance"`
	Brightness  float64  `json:"brightness"`
	Clipped     float64  `json:"clipped"`
	Sharpness   float64  `json:"sharpness"`
	Yaw         float64  `json:"yaw"`
	Pitch       float64  `json:"pitch"`
	EyeOpen     float64  `json:"eye_open,omitempty"`
	EyeContrast float64  `json:"eye_contrast,omitempty"`
	LowerFace   float64  `json:"lower_face,omitempty"`
}

// Primary picks the face the patient is: the one with the widest eye distance.
func Primary(faces []Face) int {
	best, bestD := -1, -1.0
	for i, f := range faces {
		if d := eyeDistance(f.Keypoints); d > bestD {
			best, bestD = i, d
		}
	}
	return best
}

func eyeDistance(k Keypoints) float64 { return dist(k[EyeLeft], k[EyeRight]) }

func dist(a, b Point) float64 { return math.Hypot(a.X-b.X, a.Y-b.Y) }

// Assess runs the quality gate on the faces found in img.
func Assess(img *Image, faces []Face, cfg QualityConfig) Quality {
	if len(faces) == 0 {
		return Quality{Reasons: []Reason{NoFace}}
	}
	p := Primary(faces)
	f := faces[p]
	q := Quality{EyeDistance: eyeDistance(f.Keypoints)}
	var rs []Reason
	add := func(cond bool, r Reason) {
		if cond {
			rs = append(rs, r)
		}
	}
	add(hasSecondFace(faces, p, q.EyeDistance*cfg.MultipleFaceRatio), MultipleFaces)
	add(q.EyeDistance < cfg.MinEyeDistance, TooSmall)
	add(tooClose(img, f, q.EyeDistance, cfg), TooClose)
	q.Brightness, q.Clipped = exposure(img, f)
	add(q.Brightness < cfg.MinBrightness || (q.Clipped > cfg.MaxClipped && q.Brightness < 128), TooDark)
	add(q.Brightness > cfg.MaxBrightness || (q.Clipped > cfg.MaxClipped && q.Brightness >= 128), TooBright)
	q.Sharpness = sharpness(img, f.Keypoints)
	add(q.Sharpness < cfg.MinSharpness, Blurred)
	q.Yaw, q.Pitch = HeadPose(f.Keypoints)
	add(math.Abs(q.Yaw) > cfg.MaxYaw || math.Abs(q.Pitch) > cfg.MaxPitch, NotFacing)
	if len(f.Mesh) == MeshPoints {
		q.EyeOpen = eyeOpenness(f.Mesh)
		q.EyeContrast = eyeContrast(img, f.Mesh)
		add(q.EyeOpen < cfg.MinEyeOpen || q.EyeContrast < cfg.MinEyeContrast, EyesNotVisible)
		q.LowerFace = lowerFaceDifference(img, f.Mesh)
		add(q.LowerFace > cfg.MaxLowerFace, LowerFaceCovered)
	}
	q.Reasons, q.OK = rs, len(rs) == 0
	return q
}

func hasSecondFace(faces []Face, primary int, minEyes float64) bool {
	for i, f := range faces {
		if i != primary && eyeDistance(f.Keypoints) >= minEyes {
			return true
		}
	}
	return false
}

func tooClose(img *Image, f Face, eyes float64, cfg QualityConfig) bool {
	if f.Box.W() > cfg.MaxFaceWidth*float64(img.W) {
		return true
	}
	m := cfg.EdgeMargin * eyes
	for _, k := range f.Keypoints {
		if k.X < m || k.Y < m || k.X > float64(img.W)-m || k.Y > float64(img.H)-m {
			return true
		}
	}
	return false
}

// faceRegion is the central part of the face (eyes to mouth), where lighting
// matters for matching; hair and background are left out.
func faceRegion(img *Image, k Keypoints) (x0, y0, x1, y1 int) {
	e := eyeDistance(k)
	minX := math.Min(k[EyeLeft].X, k[MouthLeft].X) - 0.2*e
	maxX := math.Max(k[EyeRight].X, k[MouthRight].X) + 0.2*e
	minY := math.Min(k[EyeLeft].Y, k[EyeRight].Y) - 0.3*e
	maxY := math.Max(k[MouthLeft].Y, k[MouthRight].Y) + 0.1*e
	return clampInt(int(minX), 0, img.W), clampInt(int(minY), 0, img.H), clampInt(int(maxX)+1, 0, img.W), clampInt(int(maxY)+1, 0, img.H)
}

func clampInt(v, lo, hi int) int { return max(lo, min(v, hi)) }

func exposure(img *Image, f Face) (mean, clipped float64) {
	x0, y0, x1, y1 := faceRegion(img, f.Keypoints)
	var sum float64
	var n, clip int
	for y := y0; y < y1; y++ {
		for x := x0; x < x1; x++ {
			l := luma(img.At(x, y))
			sum += float64(l)
			if l <= 5 || l >= 250 {
				clip++
			}
			n++
		}
	}
	if n == 0 {
		return 0, 1
	}
	return sum / float64(n), float64(clip) / float64(n)
}

// sharpness is the mean squared Laplacian of a 64x64 grey chip around the
// eyes and nose (scale-normalised by aligning first), divided by the chip's
// contrast so that dim but sharp faces are not called blurred.
func sharpness(img *Image, k Keypoints) float64 {
	const n = 64
	t, _ := TemplateFor("arcface", n)
	m, ok := ChipTransform(k, t)
	if !ok {
		return 0
	}
	s := newSampler(img, m)
	g := make([]float64, n*n)
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			r, gg, b := s.at(float64(x), float64(y))
			g[y*n+x] = 0.299*r + 0.587*gg + 0.114*b
		}
	}
	defer clear(g)
	var lap, mean, sq float64
	cnt := 0
	for y := 16; y < 48; y++ {
		for x := 12; x < 52; x++ {
			v := g[y*n+x]
			l := 4*v - g[y*n+x-1] - g[y*n+x+1] - g[(y-1)*n+x] - g[(y+1)*n+x]
			lap += l * l
			mean += v
			sq += v * v
			cnt++
		}
	}
	mean /= float64(cnt)
	std := math.Sqrt(math.Max(sq/float64(cnt)-mean*mean, 1))
	return lap / float64(cnt) / std
}

// HeadPose estimates yaw and pitch in degrees from the five keypoints: the
// nose tip moves off the eye-mouth midline when the head turns, and along it
// when the head nods. The nose sits about 0.45 eye distances in front of the
// eye-mouth plane (anthropometric average), which sets the scale.
func HeadPose(k Keypoints) (yaw, pitch float64) {
	eyes := Point{(k[EyeLeft].X + k[EyeRight].X) / 2, (k[EyeLeft].Y + k[EyeRight].Y) / 2}
	mouth := Point{(k[MouthLeft].X + k[MouthRight].X) / 2, (k[MouthLeft].Y + k[MouthRight].Y) / 2}
	ax := Point{mouth.X - eyes.X, mouth.Y - eyes.Y}
	axLen := math.Hypot(ax.X, ax.Y)
	e := eyeDistance(k)
	if axLen < 1e-6 || e < 1e-6 {
		return 90, 90
	}
	n := Point{k[NoseTip].X - eyes.X, k[NoseTip].Y - eyes.Y}
	side := (ax.X*n.Y - ax.Y*n.X) / axLen  // signed offset from the midline
	along := (ax.X*n.X + ax.Y*n.Y) / axLen // distance down the midline
	depth := 0.45 * math.Max(e, 0.9*axLen)
	yaw = asinDeg(-side / depth)
	pitch = asinDeg((along - frontalNoseAlong*axLen) / depth)
	return yaw, pitch
}

// frontalNoseAlong is where the nose tip sits between eye line and mouth
// line on a frontal face with the mesh's nose tip (median over lfw-devtrain;
// the ArcFace template's nose point sits higher, at 0.49).
const frontalNoseAlong = 0.61

func asinDeg(v float64) float64 {
	return math.Asin(math.Max(-1, math.Min(1, v))) * 180 / math.Pi
}

// eyeOpenness is the smaller of the two eyes' lid gap over eye width.
func eyeOpenness(m []Point) float64 {
	r := dist(m[MeshEyeRightUpper], m[MeshEyeRightLower]) / math.Max(dist(m[MeshEyeRightOuter], m[MeshEyeRightInner]), 1e-6)
	l := dist(m[MeshEyeLeftUpper], m[MeshEyeLeftLower]) / math.Max(dist(m[MeshEyeLeftOuter], m[MeshEyeLeftInner]), 1e-6)
	return math.Min(r, l)
}

// eyeContrast is the darker eye's luma spread (p90 − p10) relative to the
// cheeks' mean: an open, visible eye has dark iris and bright sclera; dark
// glasses or a hand make the region flat.
func eyeContrast(img *Image, m []Point) float64 {
	cheek := math.Max(patchMeanLuma(img, m[MeshCheekRight], m[MeshCheekLeft], m), 1)
	r := spread(img, BoxOf(pick(m, meshEyeRightRing)))
	l := spread(img, BoxOf(pick(m, meshEyeLeftRing)))
	return math.Min(r, l) / cheek
}

func pick(m []Point, idx []int) []Point {
	out := make([]Point, len(idx))
	for i, j := range idx {
		out[i] = m[j]
	}
	return out
}

func patchMeanLuma(img *Image, a, b Point, m []Point) float64 {
	e := dist(m[MeshEyeRightOuter], m[MeshEyeLeftOuter]) * 0.08
	var sum float64
	var n int
	for _, c := range []Point{a, b} {
		px := pixelsIn(img, Rect{Min: Point{c.X - e, c.Y - e}, Max: Point{c.X + e, c.Y + e}})
		for _, p := range px {
			sum += float64(p[0])
			n++
		}
		clear(px)
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

// pixelsIn returns (luma, Cb, Cr) of the pixels inside r, clipped to img:
// part of a face on the heap, which the caller wipes once read.
func pixelsIn(img *Image, r Rect) [][3]byte {
	x0, y0 := clampInt(int(r.Min.X), 0, img.W), clampInt(int(r.Min.Y), 0, img.H)
	x1, y1 := clampInt(int(math.Ceil(r.Max.X)), 0, img.W), clampInt(int(math.Ceil(r.Max.Y)), 0, img.H)
	out := make([][3]byte, 0, max(0, (x1-x0)*(y1-y0)))
	for y := y0; y < y1; y++ {
		for x := x0; x < x1; x++ {
			rr, g, b := img.At(x, y)
			out = append(out, ycc(rr, g, b))
		}
	}
	return out
}

func ycc(r, g, b byte) [3]byte {
	fr, fg, fb := float64(r), float64(g), float64(b)
	y := 0.299*fr + 0.587*fg + 0.114*fb
	cb := 128 - 0.168736*fr - 0.331264*fg + 0.5*fb
	cr := 128 + 0.5*fr - 0.418688*fg - 0.081312*fb
	return [3]byte{clampByte(y), clampByte(cb), clampByte(cr)}
}

func spread(img *Image, r Rect) float64 {
	px := pixelsIn(img, r)
	defer clear(px)
	if len(px) < 4 {
		return 0
	}
	var hist [256]int
	for _, p := range px {
		hist[p[0]]++
	}
	return float64(percentile(hist, len(px), 0.9) - percentile(hist, len(px), 0.1))
}

func percentile(hist [256]int, n int, q float64) int {
	target := int(q * float64(n))
	acc := 0
	for v, c := range hist {
		acc += c
		if acc > target {
			return v
		}
	}
	return 255
}

// lowerFaceDifference is the chroma distance between the area between nose
// and chin and the forehead. Skin keeps its hue under any lighting, while
// white, black and blue masks do not; brightness is left out because
// lighting from above darkens the chin of a bare face. Grey images give 0
// (the check cannot tell there). Beige masks close to skin colour escape it.
func lowerFaceDifference(img *Image, m []Point) float64 {
	e := dist(m[MeshEyeRightOuter], m[MeshEyeLeftOuter])
	lowC := Point{(m[MeshNoseBottom].X + m[MeshChin].X) / 2, (m[MeshNoseBottom].Y + m[MeshChin].Y) / 2}
	lower := meanYCC(img, Rect{Min: Point{lowC.X - 0.25*e, lowC.Y - 0.12*e}, Max: Point{lowC.X + 0.25*e, lowC.Y + 0.12*e}})
	eyeMid := Point{(m[MeshEyeRightUpper].X + m[MeshEyeLeftUpper].X) / 2, (m[MeshEyeRightUpper].Y + m[MeshEyeLeftUpper].Y) / 2}
	top := Point{(eyeMid.X + m[MeshForehead].X) / 2, (eyeMid.Y + m[MeshForehead].Y) / 2}
	upper := meanYCC(img, Rect{Min: Point{top.X - 0.2*e, top.Y - 0.08*e}, Max: Point{top.X + 0.2*e, top.Y + 0.08*e}})
	return math.Hypot(lower[1]-upper[1], lower[2]-upper[2])
}

func meanYCC(img *Image, r Rect) [3]float64 {
	px := pixelsIn(img, r)
	defer clear(px)
	var s [3]float64
	for _, p := range px {
		s[0] += float64(p[0])
		s[1] += float64(p[1])
		s[2] += float64(p[2])
	}
	if len(px) == 0 {
		return s
	}
	n := float64(len(px))
	return [3]float64{s[0] / n, s[1] / n, s[2] / n}
}
