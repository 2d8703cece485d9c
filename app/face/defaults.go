package face

import "path/filepath"

// Normalisations of the bundled models (docs/face-models.md), as mean/std on
// 0..255 pixels.
var (
	minusOneToOne = TensorSpec{Layout: "nhwc", Colour: "rgb", Mean: [3]float64{127.5, 127.5, 127.5}, Std: [3]float64{127.5, 127.5, 127.5}}
	zeroToOne     = TensorSpec{Layout: "nhwc", Colour: "rgb", Std: [3]float64{255, 255, 255}}
	rawPixels     = TensorSpec{Layout: "nhwc", Colour: "rgb", Std: [3]float64{1, 1, 1}}
)

func sized(s TensorSpec, w, h int) TensorSpec {
	s.Width, s.Height = w, h
	return s
}

// Embedder presets for the bundled candidates, by name.
var embedderPresets = map[string]ModelConfig{
	// The dlib ResNet port. Threshold: the lowest that keeps FMR ≤ 1e-4 on
	// every set of ../shared/faces, plain and against card photos, in grey
	// with flip averaging (`face calibrate`, docs/face-engine.md). Studio
	// portraits decided it: LFW alone would allow 0.9451, which let
	// look-alike pairs in controlled light through.
	"dlib_resnet": {File: "dlib_resnet.onnx", Input: "input", Output: "embedding",
		TensorSpec: sized(rawPixels, 150, 150), Template: "dlib", Dim: 128, Threshold: 0.9525},
	"mobileface": {File: "mobileface.onnx", Input: "input", Output: "embedding",
		TensorSpec: sized(rawPixels, 112, 112), Template: "arcface", Dim: 256, Threshold: 0.5176},
	// faceres: Human feeds it a box crop; here it gets the ArcFace template
	// scaled to 224 (not tuned further: it is far behind the dlib port).
	"faceres": {File: "faceres.onnx", Input: "input", Output: "descriptor",
		TensorSpec: sized(rawPixels, 224, 224), Template: "arcface", Dim: 1024, Threshold: 0.6791},
}

// EmbedderPreset returns a bundled embedder's configuration by name.
func EmbedderPreset(name string) (ModelConfig, bool) {
	m, ok := embedderPresets[name]
	return m, ok
}

// DefaultConfig is the bundled engine with models in modelDir.
func DefaultConfig(modelDir string) *Config {
	c := &Config{
		Library: filepath.Join("..", "lib", "libonnxruntime.so"),
		Threads: 1,
		Detector: ModelConfig{File: "blazeface.onnx", Input: "input",
			Outputs:    []string{"scores_stride16", "boxes_stride16", "scores_stride32", "boxes_stride32"},
			TensorSpec: sized(minusOneToOne, 256, 256)},
		Mesh: &ModelConfig{File: "facemesh.onnx", Input: "input", Outputs: []string{"mesh", "faceflag"},
			TensorSpec: sized(zeroToOne, 192, 192), Crop: 1.5},
		Embedder: embedderPresets["dlib_resnet"],
		// antispoof is reported but does not gate: on sim/spoof's attempts it
		// did not separate live heads from photos (docs/face-engine.md).
		Antispoof: &ModelConfig{File: "antispoof.onnx", Input: "input", Output: "real",
			TensorSpec: sized(zeroToOne, 128, 128), MinLive: 0, Crop: 1.0},
		Liveness: &ModelConfig{File: "liveness.onnx", Input: "input", Output: "live",
			TensorSpec: sized(zeroToOne, 32, 32), MinLive: 0.5, Crop: 1.0},
		MatchInGrey: true,
		FlipAverage: true,
		// Score fusion: an impostor's attempt can score no higher than its
		// best frame, so fusing frames never lifts it over the threshold.
		Fusion:         "mean-score",
		Quality:        DefaultQuality(),
		Temporal:       DefaultTemporal(),
		MinDetectScore: 0.5,
	}
	c.dir = modelDir
	return c
}
