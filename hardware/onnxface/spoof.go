package onnxface

import (
	"math"

	"github.com/uketsuke/uketsuke/app/face"
)

// SpoofModel is a classifier on a square crop around the face box that
// tells a live face from a photo or screen (Human's antispoof and liveness).
type SpoofModel struct {
	name string
	m    *model
	cfg  face.ModelConfig
}

// NewSpoofModel opens one antispoof/liveness model; name labels its scores.
func NewSpoofModel(cfg *face.Config, name string, mc face.ModelConfig) (*SpoofModel, error) {
	if err := Init(cfg.Resolve(cfg.Library)); err != nil {
		return nil, err
	}
	if err := mc.TensorSpec.Validate(); err != nil {
		return nil, err
	}
	m, err := newModel(cfg.Resolve(mc.File), mc.Input, []string{mc.Output}, cfg.Threads)
	if err != nil {
		return nil, err
	}
	return &SpoofModel{name: name, m: m, cfg: mc}, nil
}

// Name labels the checker in results.
func (s *SpoofModel) Name() string { return s.name }

// MinLive is the configured live-score floor.
func (s *SpoofModel) MinLive() float64 { return s.cfg.MinLive }

// LiveScore runs the model on the face's box, squared and enlarged by Crop.
func (s *SpoofModel) LiveScore(img *face.Image, f face.Face) (float64, error) {
	c := f.Box.Centre()
	side := math.Max(f.Box.W(), f.Box.H()) * math.Max(s.cfg.Crop, 0.1)
	k := side / float64(s.cfg.Width)
	m := face.Affine{A: k, C: c.X - side/2, E: side / float64(s.cfg.Height), F: c.Y - side/2}
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	if err := s.cfg.Fill(s.m.input(), img, m); err != nil {
		return 0, err
	}
	var v float64
	err := s.m.run(func(outs [][]float32) error {
		out := outs[0]
		v = float64(out[min(s.cfg.LiveIndex, len(out)-1)])
		if s.cfg.Invert {
			v = 1 - v
		}
		return nil
	})
	return v, err
}

// Close releases the session.
func (s *SpoofModel) Close() { s.m.Close() }
