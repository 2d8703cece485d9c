package onnxface

import "github.com/uketsuke/uketsuke/app/face"

// Open builds the whole engine of cfg: detector (+mesh), embedder and the
// configured spoof models. Close releases every session.
func Open(cfg *face.Config) (*face.Engine, func(), error) {
	var closers []func()
	closeAll := func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}
	det, err := NewDetector(cfg)
	if err != nil {
		return nil, nil, err
	}
	closers = append(closers, det.Close)
	emb, err := NewEmbedder(cfg, cfg.Embedder)
	if err != nil {
		closeAll()
		return nil, nil, err
	}
	closers = append(closers, emb.Close)
	eng := &face.Engine{Detector: det, Embedder: emb, Config: cfg}
	for _, mc := range cfg.Ensemble {
		m, err := NewEmbedder(cfg, mc)
		if err != nil {
			closeAll()
			return nil, nil, err
		}
		closers = append(closers, m.Close)
		eng.Ensemble = append(eng.Ensemble, m)
	}
	for _, sc := range []struct {
		name string
		mc   *face.ModelConfig
	}{{"antispoof", cfg.Antispoof}, {"liveness", cfg.Liveness}} {
		if sc.mc == nil {
			continue
		}
		s, err := NewSpoofModel(cfg, sc.name, *sc.mc)
		if err != nil {
			closeAll()
			return nil, nil, err
		}
		closers = append(closers, s.Close)
		eng.Spoof = append(eng.Spoof, s)
	}
	return eng, closeAll, nil
}
