package onnxface

import (
	"fmt"

	"github.com/uketsuke/uketsuke/app/face"
)

// Detector is blazeface, optionally refined by the face-mesh model (which
// gives eye centres and mouth corners for alignment, and the dense landmarks
// of the occlusion and temporal checks).
type Detector struct {
	det      *model
	mesh     *model
	detSpec  face.TensorSpec
	meshSpec face.TensorSpec
	meshCrop float64
	anchors  [][]face.Anchor
	minScore float64
	maxFaces int
}

// NewDetector opens the detector (and mesh, when cfg.Mesh is set).
func NewDetector(cfg *face.Config) (*Detector, error) {
	if err := Init(cfg.Resolve(cfg.Library)); err != nil {
		return nil, err
	}
	dc := cfg.Detector
	if len(dc.Outputs) != 2*len(face.BlazefaceGrids) || dc.Width != dc.Height {
		return nil, fmt.Errorf("%w: detector needs square input and scores/boxes per grid", face.ErrConfig)
	}
	det, err := newModel(cfg.Resolve(dc.File), dc.Input, dc.Outputs, cfg.Threads)
	if err != nil {
		return nil, err
	}
	d := &Detector{det: det, detSpec: dc.TensorSpec, minScore: cfg.MinDetectScore, maxFaces: 4,
		anchors: face.Anchors(dc.Width, face.BlazefaceGrids)}
	if mc := cfg.Mesh; mc != nil {
		if d.mesh, err = newModel(cfg.Resolve(mc.File), mc.Input, mc.Outputs, cfg.Threads); err != nil {
			det.Close()
			return nil, err
		}
		d.meshSpec, d.meshCrop = mc.TensorSpec, mc.Crop
	}
	return d, nil
}

// Close releases the sessions.
func (d *Detector) Close() {
	d.det.Close()
	d.mesh.Close()
}

// Detect finds faces, letterboxing the image into the detector's square input.
func (d *Detector) Detect(img *face.Image) ([]face.Face, error) {
	toImage := face.Letterbox(img.W, img.H, d.detSpec.Width)
	cands, err := d.candidates(img, toImage)
	if err != nil {
		return nil, err
	}
	faces := make([]face.Face, 0, len(cands))
	for _, c := range cands {
		c = c.ToImage(toImage)
		f := face.Face{Box: c.Box, Score: c.Score, Keypoints: face.FromBlazeface(c), MeshScore: 1}
		if d.mesh != nil {
			if err := d.refine(img, c, &f); err != nil {
				return nil, err
			}
		}
		faces = append(faces, f)
	}
	return faces, nil
}

func (d *Detector) candidates(img *face.Image, toImage face.Affine) ([]face.Candidate, error) {
	d.det.mu.Lock()
	defer d.det.mu.Unlock()
	if err := d.detSpec.Fill(d.det.input(), img, toImage); err != nil {
		return nil, err
	}
	var all []face.Candidate
	err := d.det.run(func(outs [][]float32) error {
		for g := range d.anchors {
			c, err := face.DecodeBlazeface(outs[2*g], outs[2*g+1], d.anchors[g], d.minScore)
			if err != nil {
				return err
			}
			all = append(all, c...)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return face.WeightedNMS(all, 0.3, d.maxFaces), nil
}

// refine runs the mesh model on a crop around the detection.
func (d *Detector) refine(img *face.Image, c face.Candidate, f *face.Face) error {
	m := face.MeshCrop(c, d.meshSpec.Width, d.meshCrop)
	d.mesh.mu.Lock()
	defer d.mesh.mu.Unlock()
	if err := d.meshSpec.Fill(d.mesh.input(), img, m); err != nil {
		return err
	}
	return d.mesh.run(func(outs [][]float32) error {
		pts, err := face.MeshToImage(outs[0], m)
		if err != nil {
			return err
		}
		f.Mesh = pts
		f.MeshDepth = meshDepth(outs[0], m.Scale())
		f.MeshScore = float64(outs[1][0])
		f.Keypoints = face.KeypointsFromMesh(pts)
		return nil
	})
}

func meshDepth(raw []float32, scale float64) []float64 {
	z := make([]float64, len(raw)/3)
	for i := range z {
		z[i] = float64(raw[3*i+2]) * scale
	}
	return z
}
