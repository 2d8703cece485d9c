package facemodel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	ort "github.com/yalue/onnxruntime_go"
)

// These tests run the converter's output in the real ONNX Runtime library
// that `make models` puts in build/lib. Without it they skip, unless
// UKETSUKE_REQUIRE_MODELS=1 (set by `make test`) turns the skip into a failure.

const repoRoot = "../.."

var (
	ortOnce sync.Once
	ortErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if ort.IsInitialized() {
		_ = ort.DestroyEnvironment()
	}
	os.Exit(code)
}

func needBuilt(t *testing.T, path, what string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		msg := fmt.Sprintf("%s not found at %s: run `make models`", what, path)
		if os.Getenv("UKETSUKE_REQUIRE_MODELS") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
}

func requireORT(t *testing.T) {
	t.Helper()
	lib := filepath.Join(repoRoot, RuntimeLibrary)
	needBuilt(t, lib, "ONNX Runtime")
	ortOnce.Do(func() {
		ort.SetSharedLibraryPath(lib)
		ortErr = ort.InitializeEnvironment()
	})
	if ortErr != nil {
		t.Fatalf("ONNX Runtime from %s does not load: %v", lib, ortErr)
	}
}

// TestRuntimeVersion checks the npm-packed library is new enough for the
// C API version onnxruntime_go v1.27.0 was built against (ORT 1.24).
func TestRuntimeVersion(t *testing.T) {
	requireORT(t)
	v := ort.GetVersion()
	parts := strings.Split(v, ".")
	minor := -1
	if len(parts) >= 2 && parts[0] == "1" {
		minor, _ = strconv.Atoi(parts[1])
	}
	if minor < 24 {
		t.Fatalf("ONNX Runtime %s is older than 1.24, the C API onnxruntime_go v1.27.0 needs", v)
	}
	if v != RuntimeVersion {
		t.Errorf("library reports %s, models.json promises %s", v, RuntimeVersion)
	}
}

type runResult map[string][]float32

func runModel(t *testing.T, path string, inShape []int64, input []float32, outputs []string) runResult {
	t.Helper()
	opts, err := ort.NewSessionOptions()
	if err != nil {
		t.Fatal(err)
	}
	defer opts.Destroy()
	if err := opts.SetIntraOpNumThreads(1); err != nil {
		t.Fatal(err)
	}
	s, err := ort.NewDynamicAdvancedSession(path, []string{"input"}, outputs, opts)
	if err != nil {
		t.Fatalf("session on %s: %v", path, err)
	}
	defer s.Destroy()
	in, err := ort.NewTensor(ort.NewShape(inShape...), input)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Destroy()
	outs := make([]ort.Value, len(outputs))
	if err := s.Run([]ort.Value{in}, outs); err != nil {
		t.Fatalf("run %s: %v", path, err)
	}
	res := runResult{}
	for i, o := range outs {
		res[outputs[i]] = slices.Clone(o.(*ort.Tensor[float32]).GetData())
		o.Destroy()
	}
	return res
}

func TestSynthMatchesReference(t *testing.T) {
	requireORT(t)
	dir := t.TempDir()
	m, outs := buildSynth()
	model, err := ConvertTFJS(m.write(t, dir), outs)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "synth.onnx")
	if err := os.WriteFile(path, model.Marshal(), 0o644); err != nil {
		t.Fatal(err)
	}
	const batch = 2
	img := make([]float32, batch*10*10*3)
	r := rand.New(rand.NewPCG(3, 5))
	for i := range img {
		img[i] = float32(r.Float64()*2 - 1)
	}
	got := runModel(t, path, []int64{batch, 10, 10, 3}, img, []string{"probs", "flat"})
	for b := 0; b < batch; b++ {
		probs, flat := refSynth(m, img[b*300:(b+1)*300])
		assertClose(t, fmt.Sprintf("probs[%d]", b), got["probs"][b*6:(b+1)*6], probs, 1e-5)
		assertClose(t, fmt.Sprintf("flat[%d]", b), got["flat"][b*396:(b+1)*396], flat, 1e-4)
	}
}

func assertClose(t *testing.T, what string, got []float32, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if d := math.Abs(float64(got[i]) - want[i]); !(d <= tol) {
			t.Fatalf("%s[%d] = %g, reference %g (|diff| %g > %g)", what, i, got[i], want[i], d, tol)
		}
	}
}

// TestConvertedModelsRun loads every file listed in build/models/models.json,
// checks its declared inputs and outputs against ONNX Runtime's view of the
// file, and runs it on two inputs.
func TestConvertedModelsRun(t *testing.T) {
	requireORT(t)
	manPath := filepath.Join(repoRoot, "build/models/models.json")
	needBuilt(t, manPath, "converted models")
	man, err := ReadManifest(manPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"blazeface", "blazeface_front", "facemesh", "antispoof", "liveness", "faceres", "mobileface", "dlib_resnet"} {
		info, err := man.Find(name)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(name, func(t *testing.T) { checkConverted(t, filepath.Join(repoRoot, "build/models", info.File), info) })
	}
}

func checkConverted(t *testing.T, path string, info *ModelInfo) {
	ins, outs, err := ort.GetInputOutputInfo(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(ins) != 1 || ins[0].Name != "input" || !slices.Equal([]int64(ins[0].Dimensions), info.Inputs[0].Shape) {
		t.Fatalf("inputs %v, manifest says %v", ins, info.Inputs)
	}
	var names []string
	for i, o := range outs {
		if o.Name != info.Outputs[i].Name || !slices.Equal([]int64(o.Dimensions), info.Outputs[i].Shape) {
			t.Fatalf("output %d is %s %v, manifest says %s %v", i, o.Name, o.Dimensions, info.Outputs[i].Name, info.Outputs[i].Shape)
		}
		names = append(names, o.Name)
	}
	shape := slices.Clone(info.Inputs[0].Shape)
	shape[0] = 1
	n := int(shape[1] * shape[2] * shape[3])
	first := runModel(t, path, shape, pixels(n, 1, info.Inputs[0]), names)
	second := runModel(t, path, shape, pixels(n, 2, info.Inputs[0]), names)
	for i, o := range info.Outputs {
		want := 1
		for _, d := range o.Shape[1:] {
			want *= int(d)
		}
		a, b := first[o.Name], second[o.Name]
		if len(a) != want {
			t.Fatalf("%s: %d values, want %d", o.Name, len(a), want)
		}
		for _, v := range a {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				t.Fatalf("%s: non-finite output %g", o.Name, v)
			}
		}
		if i == 0 && slices.Equal(a, b) {
			t.Fatalf("%s: the same output for two different inputs", o.Name)
		}
	}
}

// pixels is a deterministic noise image in 0..255, normalised as the manifest says.
func pixels(n int, seed uint64, in TensorInfo) []float32 {
	r := rand.New(rand.NewPCG(seed, 99))
	out := make([]float32, n)
	for i := range out {
		out[i] = float32(float64(r.IntN(256))*in.Scale + in.Offset)
	}
	return out
}
