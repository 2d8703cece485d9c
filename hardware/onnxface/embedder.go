package onnxface

import (
	"fmt"

	"github.com/uketsuke/uketsuke/app/face"
)

// Embedder runs any embedding model described by a face.ModelConfig: a
// licensed model drops in with its own size, layout, normalisation and
// template through configuration.
type Embedder struct {
	m    *model
	spec face.ChipSpec
	dim  int
}

// NewEmbedder opens the embedder of cfg.
func NewEmbedder(cfg *face.Config, mc face.ModelConfig) (*Embedder, error) {
	if err := Init(cfg.Resolve(cfg.Library)); err != nil {
		return nil, err
	}
	spec, err := mc.Chip()
	if err != nil {
		return nil, err
	}
	m, err := newModel(cfg.Resolve(mc.File), mc.Input, []string{mc.Output}, cfg.Threads)
	if err != nil {
		return nil, err
	}
	if got := len(m.in.GetData()); got != spec.Len() {
		m.Close()
		return nil, fmt.Errorf("%w: model input has %d values, config says %dx%dx%d", face.ErrConfig, got, spec.Width, spec.Height, spec.Channels())
	}
	return &Embedder{m: m, spec: spec, dim: len(m.outs[0].GetData())}, nil
}

// Chip is the chip the model wants.
func (e *Embedder) Chip() face.ChipSpec { return e.spec }

// Embed runs the model on an aligned chip of Chip()'s size.
func (e *Embedder) Embed(chip *face.Image) (*face.Embedding, error) {
	if chip.W != e.spec.Width || chip.H != e.spec.Height {
		return nil, fmt.Errorf("%w: chip %dx%d, model wants %dx%d", face.ErrConfig, chip.W, chip.H, e.spec.Width, e.spec.Height)
	}
	e.m.mu.Lock()
	defer e.m.mu.Unlock()
	if err := e.spec.Fill(e.m.input(), chip, face.Affine{A: 1, E: 1}); err != nil {
		return nil, err
	}
	var emb *face.Embedding
	err := e.m.run(func(outs [][]float32) error {
		var err error
		emb, err = face.NewEmbedding(outs[0])
		return err
	})
	return emb, err
}

// Close releases the session.
func (e *Embedder) Close() { e.m.Close() }
