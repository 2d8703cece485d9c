// Package face is the domain side of face authentication: it turns camera
// frames and the IC-chip photo into a decision. Engines (ONNX Runtime, dlib)
// live in hardware/ and plug in through the small interfaces defined here;
// everything in this package is pure Go so it can be tested without them.
//
// The pipeline: detect (box, score, five keypoints) → quality gate → align
// (similarity transform to the embedder's template) → embed (L2-normalised) →
// score = dot product → decision against a configured threshold.
package face

import (
	"encoding/json"
	"errors"
	"math"
)

// Point is an image position in pixels. In JSON it is [x, y].
type Point struct{ X, Y float64 }

// MarshalJSON writes [x, y].
func (p Point) MarshalJSON() ([]byte, error) { return json.Marshal([2]float64{p.X, p.Y}) }

// UnmarshalJSON reads [x, y].
func (p *Point) UnmarshalJSON(b []byte) error {
	var xy [2]float64
	if err := json.Unmarshal(b, &xy); err != nil {
		return err
	}
	p.X, p.Y = xy[0], xy[1]
	return nil
}

// Rect is an axis-aligned box in pixels, Min inclusive, Max exclusive.
type Rect struct{ Min, Max Point }

// W is the width of the box.
func (r Rect) W() float64 { return r.Max.X - r.Min.X }

// H is the height of the box.
func (r Rect) H() float64 { return r.Max.Y - r.Min.Y }

// Centre is the middle of the box.
func (r Rect) Centre() Point { return Point{(r.Min.X + r.Max.X) / 2, (r.Min.Y + r.Max.Y) / 2} }

// Area is W×H, zero for an empty box.
func (r Rect) Area() float64 { return math.Max(0, r.W()) * math.Max(0, r.H()) }

// IoU is the intersection over union of two boxes.
func (r Rect) IoU(o Rect) float64 {
	in := Rect{
		Min: Point{math.Max(r.Min.X, o.Min.X), math.Max(r.Min.Y, o.Min.Y)},
		Max: Point{math.Min(r.Max.X, o.Max.X), math.Min(r.Max.Y, o.Max.Y)},
	}
	if in.W() <= 0 || in.H() <= 0 {
		return 0
	}
	u := r.Area() + o.Area() - in.Area()
	if u <= 0 {
		return 0
	}
	return in.Area() / u
}

// The five keypoints, in image order (the person's right eye is on the left
// of the image). The same order as the ArcFace template.
const (
	EyeLeft    = iota // eye centre on the image's left (the person's right eye)
	EyeRight          // eye centre on the image's right
	NoseTip           // tip of the nose
	MouthLeft         // mouth corner on the image's left
	MouthRight        // mouth corner on the image's right
	NumKeypoints
)

// Keypoints are the five points alignment and the quality gate use.
type Keypoints [NumKeypoints]Point

// Face is one detection.
type Face struct {
	Box       Rect
	Score     float64   // detector confidence, 0..1
	Keypoints Keypoints // always set
	// Mesh holds dense landmarks (x, y in pixels) when the detector has a
	// landmark model; the temporal presentation-attack check and the
	// occlusion checks use them. Nil otherwise.
	Mesh []Point
	// MeshDepth is each mesh point's relative depth in image pixels (larger
	// is farther), when the landmark model gives it.
	MeshDepth []float64
	// MeshScore is the landmark model's own face confidence, 0..1 (1 if none).
	MeshScore float64
}

// Detector finds faces in an image. Implementations must not keep the image.
type Detector interface {
	Detect(img *Image) ([]Face, error)
}

// Embedder turns an aligned chip into an L2-normalised embedding. Chip says
// which size and template the chip must have; the pipeline aligns to it.
type Embedder interface {
	Chip() ChipSpec
	Embed(chip *Image) (*Embedding, error)
}

// SpoofChecker scores how likely the face is a live person rather than a
// presentation attack: 1 = live, 0 = attack. Name identifies it in reports;
// a score below MinLive counts as an attack.
type SpoofChecker interface {
	Name() string
	MinLive() float64
	LiveScore(img *Image, f Face) (float64, error)
}

// Errors a caller can test with errors.Is.
var (
	ErrDecode     = errors.New("face: image cannot be decoded")
	ErrEmpty      = errors.New("face: image is empty")
	ErrTooLarge   = errors.New("face: image is too large")
	ErrTooSmall   = errors.New("face: image is too small")
	ErrReleased   = errors.New("face: image or embedding already released")
	ErrDimension  = errors.New("face: embedding dimensions differ")
	ErrConfig     = errors.New("face: invalid configuration")
	ErrNoEmbedder = errors.New("face: no embedder configured")
)
