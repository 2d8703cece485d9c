package face

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// TensorSpec says how an image becomes a model input: size, memory layout,
// colour order and normalisation value = (pixel − Mean[c]) / Std[c], with
// pixels in 0..255.
type TensorSpec struct {
	Width  int        `json:"width"`
	Height int        `json:"height"`
	Layout string     `json:"layout"` // "nhwc" or "nchw"
	Colour string     `json:"colour"` // "rgb", "bgr" or "grey" (one channel)
	Mean   [3]float64 `json:"mean"`
	Std    [3]float64 `json:"std"`
}

// Channels is 1 for grey input, 3 otherwise.
func (s TensorSpec) Channels() int {
	if s.Colour == "grey" {
		return 1
	}
	return 3
}

// Len is the number of float32 values of one input.
func (s TensorSpec) Len() int { return s.Width * s.Height * s.Channels() }

// Validate reports a configuration that cannot work.
func (s TensorSpec) Validate() error {
	switch {
	case s.Width <= 0 || s.Height <= 0 || s.Width > 4096 || s.Height > 4096:
		return fmt.Errorf("%w: input size %dx%d", ErrConfig, s.Width, s.Height)
	case s.Layout != "nhwc" && s.Layout != "nchw":
		return fmt.Errorf("%w: layout %q (want nhwc or nchw)", ErrConfig, s.Layout)
	case s.Colour != "rgb" && s.Colour != "bgr" && s.Colour != "grey":
		return fmt.Errorf("%w: colour %q (want rgb, bgr or grey)", ErrConfig, s.Colour)
	}
	for _, v := range s.Std {
		if v == 0 {
			return fmt.Errorf("%w: std must not be zero", ErrConfig)
		}
	}
	return nil
}

// Fill writes the normalised input into dst, sampling img through m (input
// pixel → image pixel). dst must have Len() values.
func (s TensorSpec) Fill(dst []float32, img *Image, m Affine) error {
	if !img.Alive() {
		return ErrReleased
	}
	if len(dst) != s.Len() {
		return fmt.Errorf("%w: tensor has %d values, spec needs %d", ErrConfig, len(dst), s.Len())
	}
	smp := newSampler(img, m)
	plane := s.Width * s.Height
	ch := s.Channels()
	for y := 0; y < s.Height; y++ {
		for x := 0; x < s.Width; x++ {
			r, g, b := smp.at(float64(x), float64(y))
			px := s.order(r, g, b)
			for c := 0; c < ch; c++ {
				v := float32((px[c] - s.Mean[c]) / s.Std[c])
				if s.Layout == "nchw" {
					dst[c*plane+y*s.Width+x] = v
				} else {
					dst[(y*s.Width+x)*ch+c] = v
				}
			}
		}
	}
	return nil
}

func (s TensorSpec) order(r, g, b float64) [3]float64 {
	switch s.Colour {
	case "bgr":
		return [3]float64{b, g, r}
	case "grey":
		return [3]float64{0.299*r + 0.587*g + 0.114*b}
	}
	return [3]float64{r, g, b}
}

// ModelConfig names one ONNX model and how to feed it.
type ModelConfig struct {
	File   string `json:"file"`   // path, relative to the config file's folder or absolute
	Input  string `json:"input"`  // input tensor name
	Output string `json:"output"` // output tensor name (embedders, spoof models)
	// Outputs lists several output names in the order the engine reads them
	// (the detector: scores and boxes of each anchor grid).
	Outputs []string `json:"outputs,omitempty"`
	TensorSpec
	// Embedders: chip template ("arcface" or "dlib") or explicit points in
	// chip pixels, embedding size, and the score threshold calibrated for it.
	Template       string     `json:"template,omitempty"`
	TemplatePoints *Keypoints `json:"template_points,omitempty"`
	Dim            int        `json:"dim,omitempty"`
	Threshold      float64    `json:"threshold,omitempty"`
	// Weight of this embedder's score in a score-level ensemble (0 = 1).
	Weight float64 `json:"weight,omitempty"`
	// Spoof models: index of the "live" output and the score above which the
	// face counts as live.
	LiveIndex int     `json:"live_index,omitempty"`
	MinLive   float64 `json:"min_live,omitempty"`
	Invert    bool    `json:"invert,omitempty"` // the output is an attack probability
	Crop      float64 `json:"crop,omitempty"`   // spoof models: box enlargement factor
}

// ChipSpec is the chip an embedder wants: its input spec and template.
type ChipSpec struct {
	TensorSpec
	Template Keypoints
}

// Chip resolves the template of an embedder configuration.
func (m ModelConfig) Chip() (ChipSpec, error) {
	if err := m.TensorSpec.Validate(); err != nil {
		return ChipSpec{}, err
	}
	if m.TemplatePoints != nil {
		return ChipSpec{TensorSpec: m.TensorSpec, Template: *m.TemplatePoints}, nil
	}
	if m.Width != m.Height {
		return ChipSpec{}, fmt.Errorf("%w: named templates need a square input", ErrConfig)
	}
	t, ok := TemplateFor(m.Template, m.Width)
	if !ok {
		return ChipSpec{}, fmt.Errorf("%w: template %q (want arcface, dlib or template_points)", ErrConfig, m.Template)
	}
	return ChipSpec{TensorSpec: m.TensorSpec, Template: t}, nil
}

// Config is the whole face engine's configuration, loadable from JSON so that
// a licensed model with its own preprocessing and threshold drops in without
// code changes.
type Config struct {
	Library  string       `json:"library"` // libonnxruntime.so; env UKETSUKE_ORT_LIB overrides
	Threads  int          `json:"threads"` // intra-op threads per session
	Detector ModelConfig  `json:"detector"`
	Mesh     *ModelConfig `json:"mesh,omitempty"`
	Embedder ModelConfig  `json:"embedder"`
	// Ensemble adds embedders whose scores are fused with the main one's:
	// score = Σ wᵢ·sᵢ / Σ wᵢ. The threshold stays on Embedder and applies to
	// the fused score.
	Ensemble []ModelConfig `json:"ensemble,omitempty"`
	// FlipAverage embeds each chip and its mirror image and averages them.
	FlipAverage bool         `json:"flip_average"`
	Antispoof   *ModelConfig `json:"antispoof,omitempty"`
	Liveness    *ModelConfig `json:"liveness,omitempty"`
	// MatchInGrey converts live frames to grey before embedding, as the IC
	// photo is grey.
	MatchInGrey bool `json:"match_in_grey"`
	// Fusion combines the frames of one attempt: "mean-score" (the default:
	// the mean of the frames' scores, which can never exceed the best
	// frame's) or "mean-embedding" (the score of the normalised mean vector,
	// which can exceed every frame's score, see FusedScore). "max-score" is
	// refused: taking the best of several frames raises the false match rate.
	Fusion   string         `json:"fusion"`
	Quality  QualityConfig  `json:"quality"`
	Temporal TemporalConfig `json:"temporal"`
	// MinDetectScore is the detector's confidence floor.
	MinDetectScore float64 `json:"min_detect_score"`

	dir string // folder of the file it was loaded from
}

// Resolve makes a model path absolute against the config file's folder.
func (c *Config) Resolve(file string) string {
	if file == "" || filepath.IsAbs(file) || c.dir == "" {
		return file
	}
	return filepath.Join(c.dir, file)
}

func (c *Config) rebase(file, dir string) string {
	if file == "" || filepath.IsAbs(file) {
		return file
	}
	abs, err1 := filepath.Abs(c.Resolve(file))
	base, err2 := filepath.Abs(dir)
	if err1 != nil || err2 != nil {
		return file
	}
	if rel, err := filepath.Rel(base, abs); err == nil {
		return rel
	}
	return abs
}

// SetDir sets the folder relative model paths are resolved against.
func (c *Config) SetDir(dir string) { c.dir = dir }

// LoadConfig reads a JSON configuration; missing sections keep their defaults.
func LoadConfig(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	c := DefaultConfig(filepath.Dir(path))
	if err := json.Unmarshal(data, c); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrConfig, path, err)
	}
	c.dir = filepath.Dir(path)
	return c, c.Validate()
}

// Save writes the configuration as indented JSON, with relative model paths
// rewritten relative to the file's own folder.
func (c *Config) Save(path string) error {
	out := *c
	dir := filepath.Dir(path)
	out.Library = c.rebase(c.Library, dir)
	for _, m := range []**ModelConfig{&out.Mesh, &out.Antispoof, &out.Liveness} {
		if *m != nil {
			cp := **m
			cp.File = c.rebase(cp.File, dir)
			*m = &cp
		}
	}
	out.Detector.File = c.rebase(c.Detector.File, dir)
	out.Embedder.File = c.rebase(c.Embedder.File, dir)
	out.Ensemble = append([]ModelConfig(nil), c.Ensemble...)
	for i := range out.Ensemble {
		out.Ensemble[i].File = c.rebase(out.Ensemble[i].File, dir)
	}
	data, err := json.MarshalIndent(&out, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(data, '\n'), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// Validate checks the parts every engine needs.
func (c *Config) Validate() error {
	if err := c.Detector.TensorSpec.Validate(); err != nil {
		return fmt.Errorf("detector: %w", err)
	}
	if _, err := c.Embedder.Chip(); err != nil {
		return fmt.Errorf("embedder: %w", err)
	}
	switch c.Fusion {
	case "mean-embedding", "mean-score":
	case "max-score":
		return fmt.Errorf("%w: fusion %q raises the false match rate; use mean-score", ErrConfig, c.Fusion)
	default:
		return fmt.Errorf("%w: fusion %q", ErrConfig, c.Fusion)
	}
	return nil
}

// EmbeddingDim is the size of the engine's embeddings (ensemble included).
func (c *Config) EmbeddingDim() int {
	d := c.Embedder.Dim
	for _, m := range c.Ensemble {
		d += m.Dim
	}
	return d
}

// Threshold is the decision threshold of the configured embedder.
func (c *Config) Threshold() float64 { return c.Embedder.Threshold }
