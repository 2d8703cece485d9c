package face

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"
)

func TestEmbeddingNormalisesAndWipes(t *testing.T) {
	src := []float32{3, 4}
	e, err := NewEmbedding(src)
	if err != nil {
		t.Fatal(err)
	}
	if src[0] != 0 || src[1] != 0 {
		t.Fatal("source not wiped")
	}
	v := e.Vector()
	if !near(float64(v[0]), 0.6, 1e-6) || !near(float64(v[1]), 0.8, 1e-6) {
		t.Fatalf("vector %v", v)
	}
	e.Destroy()
	if e.Vector() != nil {
		t.Fatal("destroyed embedding readable")
	}
	if _, err := Score(e, e); !errors.Is(err, ErrReleased) {
		t.Fatalf("score of destroyed: %v", err)
	}
	if _, err := NewEmbedding([]float32{0, 0}); !errors.Is(err, ErrDimension) {
		t.Fatalf("zero vector: %v", err)
	}
	if _, err := NewEmbedding([]float32{float32(math.NaN()), 1}); err == nil {
		t.Fatal("NaN accepted")
	}
}

func mustEmb(t *testing.T, v ...float32) *Embedding {
	e, err := NewEmbedding(v)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Destroy)
	return e
}

func TestScoreFusionDecision(t *testing.T) {
	ref := mustEmb(t, 1, 0, 0)
	a := mustEmb(t, 0.8, 0.6, 0)
	b := mustEmb(t, 0.8, -0.6, 0)
	s, err := Score(ref, a)
	if err != nil || !near(s, 0.8, 1e-6) {
		t.Fatalf("score %v %v", s, err)
	}
	// Fused mean cancels the opposite errors: exactly the reference direction.
	f, _ := FusedScore(ref, []*Embedding{a, b}, "mean-embedding")
	m, _ := FusedScore(ref, []*Embedding{a, b}, "mean-score")
	x, _ := FusedScore(ref, []*Embedding{a, mustEmb(t, 0, 1, 0)}, "max-score")
	if !near(f, 1, 1e-6) || !near(m, 0.8, 1e-6) || !near(x, 0.8, 1e-6) {
		t.Fatalf("fusion %v %v %v", f, m, x)
	}
	if _, err := Score(ref, mustEmb(t, 1, 0)); !errors.Is(err, ErrDimension) {
		t.Fatalf("dimension mismatch: %v", err)
	}
	if d := Decide(0.5, 0.5); !d.Match {
		t.Fatal("score equal to threshold must match")
	}
	if d := Decide(0.49, 0.5); d.Match {
		t.Fatal("score below threshold matched")
	}
}

func TestMatrix(t *testing.T) {
	m, err := NewMatrix(3, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Destroy()
	for i, e := range []*Embedding{mustEmb(t, 1, 0), mustEmb(t, 0, 1), mustEmb(t, 1, 1)} {
		if err := m.Set(i, e); err != nil {
			t.Fatal(err)
		}
	}
	if !near(m.Dot(0, 2), math.Sqrt2/2, 1e-6) || m.Dot(0, 1) != 0 {
		t.Fatal("matrix dots")
	}
	if err := m.Set(0, mustEmb(t, 1, 0, 0)); !errors.Is(err, ErrDimension) {
		t.Fatal("wrong dim accepted")
	}
	m.Destroy()
	if m.Row(0) != nil {
		t.Fatal("destroyed matrix readable")
	}
}

func TestCalibrate(t *testing.T) {
	imp := make([]float32, 10000)
	for i := range imp {
		imp[i] = float32(i) / 10000 // 0 … 0.9999
	}
	gen := []float32{0.5, 0.9995, 0.99995, 0.9999, 1}
	ops := Calibrate(gen, imp, []float64{1e-3, 1e-4})
	// FMR 1e-3 allows 10 impostors: the top ten are ≥ 0.999.
	if ops[0].FMR > 1e-3 || ops[0].Threshold <= 0.9989 || ops[0].Threshold > 0.99901 {
		t.Fatalf("1e-3: %+v", ops[0])
	}
	if !near(ops[0].FNMR, 0.2, 1e-9) {
		t.Fatalf("FNMR at 1e-3: %v, want 0.2", ops[0].FNMR)
	}
	// FMR 1e-4 allows one impostor: 0.9999 passes, 0.9998 must not.
	if ops[1].FMR > 1e-4 || !(ops[1].Threshold > 0.9998) {
		t.Fatalf("1e-4: %+v", ops[1])
	}
}

func TestTensorFillLayouts(t *testing.T) {
	img, _ := NewImage(2, 1)
	defer img.Release()
	copy(img.Pix, []byte{10, 20, 30, 40, 50, 60})
	id := Affine{A: 1, E: 1}
	spec := TensorSpec{Width: 2, Height: 1, Layout: "nhwc", Colour: "rgb", Mean: [3]float64{10, 0, 0}, Std: [3]float64{1, 2, 1}}
	dst := make([]float32, 6)
	if err := spec.Fill(dst, img, id); err != nil {
		t.Fatal(err)
	}
	if dst[0] != 0 || dst[1] != 10 || dst[3] != 30 {
		t.Fatalf("nhwc %v", dst)
	}
	spec.Layout, spec.Colour, spec.Mean, spec.Std = "nchw", "bgr", [3]float64{}, [3]float64{1, 1, 1}
	spec.Fill(dst, img, id)
	if dst[0] != 30 || dst[1] != 60 || dst[4] != 10 {
		t.Fatalf("nchw bgr %v", dst)
	}
	spec.Colour = "grey"
	if err := spec.Fill(dst, img, id); err == nil {
		t.Fatal("wrong tensor size accepted")
	}
}

func TestConfigRoundTripAndValidation(t *testing.T) {
	dir := t.TempDir()
	c := DefaultConfig(dir)
	c.Embedder.Threshold = 0.42
	path := filepath.Join(dir, "face.json")
	if err := c.Save(path); err != nil {
		t.Fatal(err)
	}
	got, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Threshold() != 0.42 || got.Resolve("x.onnx") != filepath.Join(dir, "x.onnx") {
		t.Fatalf("loaded %+v", got.Embedder)
	}
	// A licensed model with its own preprocessing: NCHW, BGR, explicit template.
	custom := map[string]any{"embedder": map[string]any{
		"file": "/opt/model.onnx", "input": "data", "output": "fc1", "width": 112, "height": 112,
		"layout": "nchw", "colour": "bgr", "mean": []float64{127.5, 127.5, 127.5}, "std": []float64{128, 128, 128},
		"template_points": [][]float64{{38.3, 51.7}, {73.5, 51.5}, {56.0, 71.7}, {41.5, 92.4}, {70.7, 92.2}}, "threshold": 0.31,
	}}
	data, _ := json.Marshal(custom)
	os.WriteFile(path, data, 0o644)
	got, err = LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	chip, err := got.Embedder.Chip()
	if err != nil || chip.Template[NoseTip] != (Point{56.0, 71.7}) || chip.Layout != "nchw" || got.Threshold() != 0.31 || got.Resolve(got.Embedder.File) != "/opt/model.onnx" {
		t.Fatalf("custom embedder: %+v %v", chip, err)
	}
	os.WriteFile(path, []byte(`{"embedder":{"layout":"nwhc"}}`), 0o644)
	if _, err := LoadConfig(path); !errors.Is(err, ErrConfig) {
		t.Fatalf("bad layout: %v", err)
	}
}

func TestSaveRebasesModelPaths(t *testing.T) {
	root := t.TempDir()
	models := filepath.Join(root, "build", "models")
	c := DefaultConfig(models)
	path := filepath.Join(root, "build", "face.json")
	if err := c.Save(path); err != nil {
		t.Fatal(err)
	}
	got, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(models, "dlib_resnet.onnx"); got.Resolve(got.Embedder.File) != want {
		t.Fatalf("embedder resolves to %s, want %s", got.Resolve(got.Embedder.File), want)
	}
	if want := filepath.Join(root, "build", "lib", "libonnxruntime.so"); got.Resolve(got.Library) != want {
		t.Fatalf("library resolves to %s, want %s", got.Resolve(got.Library), want)
	}
	if c.Embedder.File != "dlib_resnet.onnx" {
		t.Fatal("Save changed the live configuration")
	}
}
