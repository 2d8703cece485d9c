package face

import (
	"fmt"
	"math"
	"sort"
)

// Anchor is the centre of one blazeface prior, in model-input pixels.
type Anchor struct{ X, Y float64 }

// AnchorGrid is one output grid of a blazeface-style detector.
type AnchorGrid struct {
	Stride  int // input pixels per cell
	PerCell int // anchors per cell
}

// BlazefaceGrids are the grids of the 256x256 blazeface (back) model.
var BlazefaceGrids = []AnchorGrid{{Stride: 16, PerCell: 2}, {Stride: 32, PerCell: 6}}

// Anchors lists the anchor centres of each grid for a square input of size
// pixels: rows outer, columns inner, a cell's anchors consecutive.
func Anchors(size int, grids []AnchorGrid) [][]Anchor {
	out := make([][]Anchor, len(grids))
	for g, grid := range grids {
		cells := (size + grid.Stride - 1) / grid.Stride
		list := make([]Anchor, 0, cells*cells*grid.PerCell)
		for y := 0; y < cells; y++ {
			for x := 0; x < cells; x++ {
				a := Anchor{X: (float64(x) + 0.5) * float64(grid.Stride), Y: (float64(y) + 0.5) * float64(grid.Stride)}
				for n := 0; n < grid.PerCell; n++ {
					list = append(list, a)
				}
			}
		}
		out[g] = list
	}
	return out
}

// blazeface regressor layout: box (4) then six keypoints (12).
const (
	bfRegressors = 16
	bfKeypoints  = 6
)

// BlazefaceKeypoint indexes the detector's six keypoints.
const (
	BfEyeRight = iota // subject's right eye, image left
	BfEyeLeft
	BfNose
	BfMouth
	BfEarRight
	BfEarLeft
)

// Candidate is one decoded detection in model-input pixels.
type Candidate struct {
	Box       Rect
	Score     float64
	Keypoints [bfKeypoints]Point
}

// DecodeBlazeface turns one grid's raw outputs (logits, 16 regressors per
// anchor) into candidates above minScore.
func DecodeBlazeface(logits, regressors []float32, anchors []Anchor, minScore float64) ([]Candidate, error) {
	if len(logits) != len(anchors) || len(regressors) != len(anchors)*bfRegressors {
		return nil, fmt.Errorf("%w: blazeface outputs %d/%d for %d anchors", ErrConfig, len(logits), len(regressors), len(anchors))
	}
	var out []Candidate
	for i, a := range anchors {
		s := sigmoid(float64(logits[i]))
		if s < minScore {
			continue
		}
		r := regressors[i*bfRegressors : (i+1)*bfRegressors]
		c := Candidate{Score: s}
		cx, cy := a.X+float64(r[0]), a.Y+float64(r[1])
		w, h := float64(r[2]), float64(r[3])
		c.Box = Rect{Min: Point{cx - w/2, cy - h/2}, Max: Point{cx + w/2, cy + h/2}}
		for k := 0; k < bfKeypoints; k++ {
			c.Keypoints[k] = Point{a.X + float64(r[4+2*k]), a.Y + float64(r[5+2*k])}
		}
		out = append(out, c)
	}
	return out, nil
}

func sigmoid(x float64) float64 {
	x = math.Max(-80, math.Min(80, x))
	return 1 / (1 + math.Exp(-x))
}

// WeightedNMS merges overlapping candidates (IoU above iou) into one whose
// box and keypoints are the score-weighted mean of the cluster, as MediaPipe
// does: averaging neighbouring anchors steadies the keypoints between frames.
func WeightedNMS(cands []Candidate, iou float64, maxFaces int) []Candidate {
	sorted := append([]Candidate(nil), cands...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Score > sorted[j].Score })
	used := make([]bool, len(sorted))
	var out []Candidate
	for i := range sorted {
		if used[i] || len(out) == maxFaces {
			continue
		}
		var cluster []Candidate
		for j := i; j < len(sorted); j++ {
			if !used[j] && sorted[i].Box.IoU(sorted[j].Box) >= iou {
				used[j] = true
				cluster = append(cluster, sorted[j])
			}
		}
		out = append(out, blend(cluster))
	}
	return out
}

func blend(cluster []Candidate) Candidate {
	var total float64
	var b Candidate
	for _, c := range cluster {
		w := c.Score
		total += w
		b.Box.Min.X += w * c.Box.Min.X
		b.Box.Min.Y += w * c.Box.Min.Y
		b.Box.Max.X += w * c.Box.Max.X
		b.Box.Max.Y += w * c.Box.Max.Y
		for k := range b.Keypoints {
			b.Keypoints[k].X += w * c.Keypoints[k].X
			b.Keypoints[k].Y += w * c.Keypoints[k].Y
		}
	}
	b.Box.Min.X /= total
	b.Box.Min.Y /= total
	b.Box.Max.X /= total
	b.Box.Max.Y /= total
	for k := range b.Keypoints {
		b.Keypoints[k].X /= total
		b.Keypoints[k].Y /= total
	}
	b.Score = cluster[0].Score
	return b
}

// Letterbox returns the map from a size×size model input to an image of
// w×h pixels that keeps the aspect ratio and centres the image (padding
// black), so faces are not squashed.
func Letterbox(w, h, size int) Affine {
	s := float64(max(w, h)) / float64(size)
	ox := (float64(size) - float64(w)/s) / 2
	oy := (float64(size) - float64(h)/s) / 2
	return Affine{A: s, C: -ox * s, E: s, F: -oy * s}
}

// ToImage maps a candidate from model-input pixels to image pixels.
func (c Candidate) ToImage(m Affine) Candidate {
	c.Box = Rect{Min: m.Apply(c.Box.Min), Max: m.Apply(c.Box.Max)}
	for k := range c.Keypoints {
		c.Keypoints[k] = m.Apply(c.Keypoints[k])
	}
	return c
}

// FromBlazeface gives five keypoints from the detector alone: its eyes and
// nose, and mouth corners estimated from the mouth centre, half an eye
// distance apart, perpendicular to the eye line. Used when no landmark model
// is configured.
func FromBlazeface(c Candidate) Keypoints {
	re, le := c.Keypoints[BfEyeRight], c.Keypoints[BfEyeLeft]
	m := c.Keypoints[BfMouth]
	dx, dy := (le.X-re.X)*0.4, (le.Y-re.Y)*0.4
	return Keypoints{
		EyeLeft:    re,
		EyeRight:   le,
		NoseTip:    c.Keypoints[BfNose],
		MouthLeft:  Point{m.X - dx, m.Y - dy},
		MouthRight: Point{m.X + dx, m.Y + dy},
	}
}
