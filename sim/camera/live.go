package camera

import (
	"context"
	"errors"
	"image"
	"image/draw"
	"math"
	"math/rand/v2"
	"sync"
	"time"

	appcam "github.com/uketsuke/uketsuke/app/camera"
)

// Jitter sets how much a LiveFaceSource moves and varies. Every motion is a
// smooth signal (a few slow sinusoids, 0.1-0.8 Hz) bounded by its amplitude,
// like a patient standing still in front of the kiosk.
type Jitter struct {
	Shift      float64 // pixels of head translation, each axis
	Scale      float64 // relative change in face size (leaning in and out)
	RotateDeg  float64 // in-plane head roll in degrees
	Brightness float64 // relative change in exposure
	Noise      float64 // sensor noise, standard deviation in 8-bit levels
}

// DefaultJitter is a patient standing still in a well-lit kiosk.
var DefaultJitter = Jitter{Shift: 6, Scale: 0.03, RotateDeg: 2, Brightness: 0.08, Noise: 3}

// LiveConfig describes a LiveFaceSource.
type LiveConfig struct {
	Face       image.Image // a face photo (for example a 250x250 LFW image)
	Size       image.Point // frame size; zero = 640x480
	FPS        float64     // frames per second; 0 = as fast as Next is called (motion still advances at 15 fps)
	FaceHeight float64     // the face image's height as a fraction of the frame's; 0 = 0.75
	Jitter     *Jitter     // nil = DefaultJitter
	Seed       uint64      // makes the motion and noise repeatable
}

// ErrNoFace means a LiveFaceSource was given no face image.
var ErrNoFace = errors.New("simcam: no face image")

// LiveFaceSource renders one face as a live camera would see it: on a plain
// background, moving slightly, with exposure drift and sensor noise.
type LiveFaceSource struct {
	mu         sync.Mutex
	face       *image.RGBA // nil: nobody in front of the camera
	size       image.Point
	faceHeight float64
	scale      float64 // face pixels to frame pixels
	jitter     Jitter
	motion     [5]signal
	noise      []int8
	rng        *rand.Rand
	bg         [3]float32
	frameNo    int
	stepSec    float64
	pace       *pacer
}

var _ appcam.Source = (*LiveFaceSource)(nil)

// NewLiveFaceSource prepares the face; frames are rendered on Next.
func NewLiveFaceSource(cfg LiveConfig) (*LiveFaceSource, error) {
	if cfg.Face == nil || cfg.Face.Bounds().Empty() {
		return nil, ErrNoFace
	}
	if cfg.Size == (image.Point{}) {
		cfg.Size = image.Pt(640, 480)
	}
	if cfg.FaceHeight == 0 {
		cfg.FaceHeight = 0.75
	}
	j := DefaultJitter
	if cfg.Jitter != nil {
		j = *cfg.Jitter
	}
	fps := cfg.FPS
	if fps <= 0 {
		fps = 15
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x5eed))
	s := &LiveFaceSource{
		size:       cfg.Size,
		faceHeight: cfg.FaceHeight,
		jitter:     j,
		noise:      gaussianTable(rng, 1<<16),
		rng:        rng,
		stepSec:    1 / fps,
		pace:       newPacer(cfg.FPS),
	}
	s.setFace(cfg.Face)
	for i := range s.motion {
		s.motion[i] = newSignal(rng)
	}
	return s, nil
}

// SetFace shows another face from the next frame on (another person steps
// up), or with nil none at all (the patient steps away): the background
// stays, motion and noise continue.
func (s *LiveFaceSource) SetFace(img image.Image) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if img == nil || img.Bounds().Empty() {
		s.face = nil
		return
	}
	s.setFace(img)
}

func (s *LiveFaceSource) setFace(img image.Image) {
	s.face = toRGBA(img)
	s.scale = s.faceHeight * float64(s.size.Y) / float64(s.face.Rect.Dy())
	s.bg = borderMean(s.face)
}

// Next renders the next frame straight into locked memory.
func (s *LiveFaceSource) Next(ctx context.Context) (*appcam.Frame, error) {
	if err := s.pace.wait(ctx); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := float64(s.frameNo) * s.stepSec
	s.frameNo++
	f, err := appcam.NewFrame(s.size.X, s.size.Y, time.Now())
	if err != nil {
		return nil, err
	}
	s.render(f.Image, s.poseAt(t))
	return f, nil
}

// Close ends the source; Next then returns camera.ErrClosed.
func (s *LiveFaceSource) Close() error {
	s.pace.close()
	return nil
}

// pose is the face's placement in one frame.
type pose struct {
	dx, dy, scale, angle, gain float64
}

func (s *LiveFaceSource) poseAt(t float64) pose {
	j, m := s.jitter, s.motion
	return pose{
		dx:    j.Shift * m[0].at(t),
		dy:    j.Shift * m[1].at(t),
		scale: s.scale * (1 + j.Scale*m[2].at(t)),
		angle: j.RotateDeg * math.Pi / 180 * m[3].at(t),
		gain:  1 + j.Brightness*m[4].at(t),
	}
}

// featherPx softens the face photo's edges into the background.
const featherPx = 12.0

// render maps every frame pixel back into the face image (inverse
// similarity transform) and samples it bilinearly.
func (s *LiveFaceSource) render(dst *image.RGBA, p pose) {
	w, h := s.size.X, s.size.Y
	var fw, fh float64 // an absent face has no extent: every pixel is background
	if s.face != nil {
		fw, fh = float64(s.face.Rect.Dx()), float64(s.face.Rect.Dy())
	}
	cos, sin := math.Cos(p.angle)/p.scale, math.Sin(p.angle)/p.scale
	cx, cy := float64(w)/2+p.dx, float64(h)/2+p.dy
	mask := len(s.noise) - 1
	off := s.rng.IntN(len(s.noise))
	noise := float32(s.jitter.Noise / 32)
	gain := float32(p.gain)
	for y := range h {
		row := dst.Pix[y*dst.Stride : y*dst.Stride+4*w]
		bg := s.background(y, h)
		ry := float64(y) - cy
		for x := range w {
			rx := float64(x) - cx
			u := cos*rx + sin*ry + fw/2
			v := -sin*rx + cos*ry + fh/2
			px := bg
			if alpha := float32(min(u, v, fw-u, fh-v) / featherPx); alpha > 0 {
				face := s.sample(u, v)
				alpha = min(alpha, 1)
				for c := range px {
					px[c] += alpha * (face[c] - bg[c])
				}
			}
			out := row[4*x : 4*x+4 : 4*x+4]
			for c := range px {
				off = (off + 1) & mask
				out[c] = clampByte(px[c]*gain + noise*float32(s.noise[off]))
			}
			out[3] = 0xff
		}
	}
}

// background is a soft vertical gradient of the photo's own border colour,
// so the pasted face has no hard seam.
func (s *LiveFaceSource) background(y, h int) [3]float32 {
	k := float32(0.85 + 0.3*float64(y)/float64(h))
	return [3]float32{s.bg[0] * k, s.bg[1] * k, s.bg[2] * k}
}

// sample is bilinear interpolation at (u, v), clamped to the image.
func (s *LiveFaceSource) sample(u, v float64) [3]float32 {
	maxX, maxY := s.face.Rect.Dx()-1, s.face.Rect.Dy()-1
	u, v = min(max(u-0.5, 0), float64(maxX)), min(max(v-0.5, 0), float64(maxY))
	x0, y0 := int(u), int(v)
	dx, dy := 4, s.face.Stride
	if x0 == maxX {
		dx = 0
	}
	if y0 == maxY {
		dy = 0
	}
	fx, fy := float32(u-float64(x0)), float32(v-float64(y0))
	i := y0*s.face.Stride + 4*x0
	pix := s.face.Pix
	var out [3]float32
	for c := range out {
		top := float32(pix[i+c])*(1-fx) + float32(pix[i+dx+c])*fx
		bottom := float32(pix[i+dy+c])*(1-fx) + float32(pix[i+dy+dx+c])*fx
		out[c] = top*(1-fy) + bottom*fy
	}
	return out
}

// signal is a smooth bounded motion in [-1, 1]: three slow sinusoids.
type signal struct {
	freq, phase [3]float64
}

func newSignal(rng *rand.Rand) signal {
	var s signal
	for i := range 3 {
		s.freq[i] = 0.1 + 0.7*rng.Float64()
		s.phase[i] = 2 * math.Pi * rng.Float64()
	}
	return s
}

func (s signal) at(t float64) float64 {
	var v float64
	for i := range 3 {
		v += math.Sin(2*math.Pi*s.freq[i]*t + s.phase[i])
	}
	return v / 3
}

// gaussianTable holds unit-variance noise scaled by 32, for cheap per-pixel noise.
func gaussianTable(rng *rand.Rand, n int) []int8 {
	t := make([]int8, n)
	for i := range t {
		t[i] = int8(min(max(rng.NormFloat64()*32, -127), 127))
	}
	return t
}

func toRGBA(img image.Image) *image.RGBA {
	b := img.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(out, out.Rect, img, b.Min, draw.Src)
	return out
}

// borderMean is the average colour of the image's outermost pixels.
func borderMean(img *image.RGBA) [3]float32 {
	var sum [3]float64
	var n float64
	w, h := img.Rect.Dx(), img.Rect.Dy()
	for y := range h {
		for x := range w {
			if x != 0 && y != 0 && x != w-1 && y != h-1 {
				continue
			}
			for c := range 3 {
				sum[c] += float64(img.Pix[y*img.Stride+4*x+c])
			}
			n++
		}
	}
	return [3]float32{float32(sum[0] / n), float32(sum[1] / n), float32(sum[2] / n)}
}

func clampByte(v float32) byte {
	return byte(min(max(v+0.5, 0), 255))
}
