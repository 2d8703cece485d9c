package face

import (
	"errors"
	"fmt"
	"strings"
)

// ErrQuality is matched by every *QualityError.
var ErrQuality = errors.New("face: quality gate failed")

// QualityError carries the reasons a screen shows.
type QualityError struct{ Reasons []Reason }

func (e *QualityError) Error() string {
	rs := make([]string, len(e.Reasons))
	for i, r := range e.Reasons {
		rs[i] = string(r)
	}
	return "face: " + strings.Join(rs, ", ")
}

// Is makes errors.Is(err, ErrQuality) true.
func (e *QualityError) Is(target error) bool { return target == ErrQuality }

// Engine runs the pipeline with pluggable parts.
type Engine struct {
	Detector Detector
	Embedder Embedder
	Spoof    []SpoofChecker // optional
	Config   *Config
}

// Probe is what one image yields. Destroy wipes its embedding.
type Probe struct {
	Face      Face
	Quality   Quality
	Embedding *Embedding
	Live      map[string]float64 // spoof checker name → live score
}

// Destroy wipes the embedding. Safe on nil.
func (p *Probe) Destroy() {
	if p != nil {
		p.Embedding.Destroy()
	}
}

// Gate says which quality failures stop an image from being embedded.
type Gate int

const (
	// GateStrict refuses any quality failure: live frames.
	GateStrict Gate = iota
	// GateFaceOnly needs a face and nothing else: the IC photo and
	// calibration images, whose quality is what it is.
	GateFaceOnly
)

// Analyse detects, checks and embeds the primary face of img. On a quality
// failure under GateStrict it returns the probe (with Quality) and a
// *QualityError, and no embedding.
func (e *Engine) Analyse(img *Image, gate Gate) (*Probe, error) {
	if e.Embedder == nil {
		return nil, ErrNoEmbedder
	}
	faces, err := e.Detector.Detect(img)
	if err != nil {
		return nil, err
	}
	q := Assess(img, faces, e.Config.Quality)
	if len(faces) == 0 || (gate == GateStrict && !q.OK) {
		return &Probe{Quality: q}, &QualityError{Reasons: q.Reasons}
	}
	p := &Probe{Face: faces[Primary(faces)], Quality: q}
	if p.Embedding, err = e.EmbedFace(img, p.Face); err != nil {
		return nil, err
	}
	if len(e.Spoof) > 0 {
		p.Live = map[string]float64{}
		for _, s := range e.Spoof {
			v, err := s.LiveScore(img, p.Face)
			if err != nil {
				p.Destroy()
				return nil, fmt.Errorf("%s: %w", s.Name(), err)
			}
			p.Live[s.Name()] = v
		}
	}
	return p, nil
}

// EmbedFace aligns the face to the embedder's chip and embeds it.
func (e *Engine) EmbedFace(img *Image, f Face) (*Embedding, error) {
	spec := e.Embedder.Chip()
	m, ok := ChipTransform(f.Keypoints, spec.Template)
	if !ok {
		return nil, fmt.Errorf("%w: degenerate keypoints", ErrQuality)
	}
	chip, err := Extract(img, m, spec.Width, spec.Height)
	if err != nil {
		return nil, err
	}
	defer chip.Release()
	if e.Config.MatchInGrey {
		chip.ToGrey()
	}
	return e.Embedder.Embed(chip)
}

// Result is the outcome of one attempt: several live frames against the
// reference.
type Result struct {
	Decision
	Frames   int                `json:"frames"`
	Temporal TemporalResult     `json:"temporal"`
	Live     map[string]float64 `json:"live,omitempty"` // mean live score per checker
	Attack   bool               `json:"attack"`         // a presentation-attack check fired
	Accepted bool               `json:"accepted"`       // match and no attack
}

// Verify fuses the frames' embeddings, decides against the threshold and
// runs the presentation-attack checks. Frames without an embedding count
// for the temporal check only.
func (e *Engine) Verify(ref *Embedding, frames []*Probe) (Result, error) {
	var embs []*Embedding
	var meshes [][]Point
	for _, p := range frames {
		if p.Embedding != nil {
			embs = append(embs, p.Embedding)
		}
		if len(p.Face.Mesh) == MeshPoints {
			meshes = append(meshes, p.Face.Mesh)
		}
	}
	if len(embs) == 0 {
		return Result{}, &QualityError{Reasons: []Reason{NoFace}}
	}
	s, err := FusedScore(ref, embs, e.Config.Fusion)
	if err != nil {
		return Result{}, err
	}
	r := Result{Decision: Decide(s, e.Config.Threshold()), Frames: len(embs)}
	r.Temporal = TemporalCheck(meshes, e.Config.Temporal)
	r.Live = meanLive(frames)
	r.Attack = r.Temporal.Verdict == VerdictFlat || e.spoofFired(r.Live)
	r.Accepted = r.Match && !r.Attack
	return r, nil
}

func meanLive(frames []*Probe) map[string]float64 {
	sum, n := map[string]float64{}, map[string]int{}
	for _, p := range frames {
		for k, v := range p.Live {
			sum[k] += v
			n[k]++
		}
	}
	for k := range sum {
		sum[k] /= float64(n[k])
	}
	return sum
}

func (e *Engine) spoofFired(live map[string]float64) bool {
	for _, s := range e.Spoof {
		if v, ok := live[s.Name()]; ok && v < s.MinLive() {
			return true
		}
	}
	return false
}
