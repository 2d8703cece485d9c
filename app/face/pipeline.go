package face

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/uketsuke/uketsuke/app/secret"
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
	// Ensemble embedders and their weights (Config.Ensemble), scored
	// together with Embedder (weight Config.Embedder.Weight).
	Ensemble []Embedder
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

// EmbedFace aligns the face to each embedder's chip and embeds it. With an
// ensemble the parts are weighted by √w and concatenated, so that the dot
// product of two such vectors is the weighted mean of the parts' scores.
func (e *Engine) EmbedFace(img *Image, f Face) (*Embedding, error) {
	if len(e.Ensemble) == 0 {
		return e.embedOne(e.Embedder, img, f)
	}
	members := append([]Embedder{e.Embedder}, e.Ensemble...)
	weights := e.weights()
	var parts []*Embedding
	defer func() {
		for _, p := range parts {
			p.Destroy()
		}
	}()
	total := 0
	for _, m := range members {
		p, err := e.embedOne(m, img, f)
		if err != nil {
			return nil, err
		}
		parts = append(parts, p)
		total += p.Dim()
	}
	acc, err := secret.New(total * 4)
	if err != nil {
		return nil, err
	}
	defer acc.Destroy()
	v := floats(acc.Bytes())
	off := 0
	for i, p := range parts {
		k := float32(math.Sqrt(weights[i]))
		for j, x := range p.Vector() {
			v[off+j] = k * x
		}
		off += p.Dim()
	}
	return NewEmbedding(v)
}

func (e *Engine) weights() []float64 {
	w := []float64{e.Config.Embedder.Weight}
	for _, m := range e.Config.Ensemble {
		w = append(w, m.Weight)
	}
	for i := range w {
		if w[i] <= 0 {
			w[i] = 1
		}
	}
	return w
}

func (e *Engine) embedOne(m Embedder, img *Image, f Face) (*Embedding, error) {
	spec := m.Chip()
	tr, ok := ChipTransform(f.Keypoints, spec.Template)
	if !ok {
		return nil, fmt.Errorf("%w: degenerate keypoints", ErrQuality)
	}
	chip, err := Extract(img, tr, spec.Width, spec.Height)
	if err != nil {
		return nil, err
	}
	defer chip.Release()
	if e.Config.MatchInGrey {
		chip.ToGrey()
	}
	emb, err := m.Embed(chip)
	if err != nil || !e.Config.FlipAverage {
		return emb, err
	}
	defer emb.Destroy()
	chip.Mirror()
	mirrored, err := m.Embed(chip)
	if err != nil {
		return nil, err
	}
	defer mirrored.Destroy()
	return Fuse([]*Embedding{emb, mirrored})
}

// Result is the outcome of one attempt: several live frames against the
// reference.
type Result struct {
	Decision
	Frames   int                `json:"frames"`
	Temporal TemporalResult     `json:"temporal"`
	Live     map[string]float64 `json:"live,omitempty"` // mean live score per checker
	Attack   bool               `json:"attack"`         // a presentation-attack check fired
	// NeedMotion: the frames were too still to tell a face from a photo
	// and the configuration requires it; ask for a slight head turn.
	NeedMotion bool `json:"need_motion"`
	Accepted   bool `json:"accepted"` // match, no attack, liveness shown
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
	r.NeedMotion = e.Config.Temporal.RequireLive && r.Temporal.Verdict == VerdictInconclusive
	r.Accepted = r.Match && !r.Attack && !r.NeedMotion
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
