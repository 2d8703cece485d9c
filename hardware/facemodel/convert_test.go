package facemodel

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"
)

func TestHalfToFloat(t *testing.T) {
	cases := map[uint16]float32{
		0x3c00: 1, 0xc000: -2, 0x7bff: 65504, 0x3555: 0.33325195,
		0x0001: 5.9604645e-8, 0x0000: 0, 0x7c00: float32(math.Inf(1)), 0xfc00: float32(math.Inf(-1)),
	}
	for h, want := range cases {
		if got := halfToFloat(h); got != want {
			t.Errorf("halfToFloat(%#04x) = %g, want %g", h, got, want)
		}
	}
	if got := halfToFloat(0x8000); got != 0 || !math.Signbit(float64(got)) {
		t.Errorf("halfToFloat(0x8000) = %g, want -0", got)
	}
	if got := halfToFloat(0x7e00); !math.IsNaN(float64(got)) {
		t.Errorf("halfToFloat(0x7e00) = %g, want NaN", got)
	}
}

func TestDecodeQuantisedWeights(t *testing.T) {
	buf := []byte{0, 255, 10}
	buf = binary.LittleEndian.AppendUint16(buf, 0x3c00) // float16 1.0
	buf = binary.LittleEndian.AppendUint32(buf, uint32(0xfffffffe))
	specs := []weightSpec{
		{Name: "q8", Shape: []int{3}, Dtype: "float32", Quantization: &quantization{Dtype: "uint8", Scale: 0.5, Min: -1}},
		{Name: "h", Shape: []int{1}, Dtype: "float32", Quantization: &quantization{Dtype: "float16"}},
		{Name: "i", Shape: []int{}, Dtype: "int32"},
	}
	out := map[string]*Weight{}
	if err := decodeGroup(buf, specs, out); err != nil {
		t.Fatal(err)
	}
	if got := out["q8"].F32; got[0] != -1 || got[1] != 126.5 || got[2] != 4 {
		t.Errorf("uint8 dequantised to %v, want [-1 126.5 4]", got)
	}
	if got := out["h"].F32[0]; got != 1 {
		t.Errorf("float16 decoded to %g, want 1", got)
	}
	if got := out["i"].I32[0]; got != -2 {
		t.Errorf("int32 decoded to %d, want -2", got)
	}
}

func TestDecodeRejectsBadWeights(t *testing.T) {
	cases := map[string]struct {
		buf  []byte
		spec weightSpec
		want error
	}{
		"short":          {make([]byte, 7), weightSpec{Name: "w", Shape: []int{2}, Dtype: "float32"}, ErrFormat},
		"negative dim":   {nil, weightSpec{Name: "w", Shape: []int{-1}, Dtype: "float32"}, ErrFormat},
		"huge":           {nil, weightSpec{Name: "w", Shape: []int{1 << 20, 1 << 20}, Dtype: "float32"}, ErrFormat},
		"string dtype":   {nil, weightSpec{Name: "w", Shape: []int{1}, Dtype: "string"}, ErrUnsupported},
		"quantised int":  {make([]byte, 1), weightSpec{Name: "w", Shape: []int{1}, Dtype: "int32", Quantization: &quantization{Dtype: "uint8"}}, ErrUnsupported},
		"unknown quant":  {make([]byte, 8), weightSpec{Name: "w", Shape: []int{1}, Dtype: "float32", Quantization: &quantization{Dtype: "int4"}}, ErrUnsupported},
		"unknown dtype2": {make([]byte, 8), weightSpec{Name: "w", Shape: []int{1}, Dtype: "bool"}, ErrUnsupported},
	}
	for name, c := range cases {
		err := decodeGroup(c.buf, []weightSpec{c.spec}, map[string]*Weight{})
		if !errors.Is(err, c.want) {
			t.Errorf("%s: error %v, want %v", name, err, c.want)
		}
	}
}

func TestLoadWeightsRefusesPathsOutsideTheModelDir(t *testing.T) {
	for _, p := range []string{"../secret.bin", "/etc/passwd", "sub/x.bin", ""} {
		_, err := loadWeights(t.TempDir(), []weightGroup{{Paths: []string{p}}})
		if !errors.Is(err, ErrFormat) {
			t.Errorf("path %q: error %v, want ErrFormat", p, err)
		}
	}
}

func writeSynthVariant(t *testing.T, edit func(m *synthModel)) (string, []OutputMap) {
	t.Helper()
	m, outs := buildSynth()
	edit(m)
	return m.write(t, t.TempDir()), outs
}

func TestConvertRejectsBadGraphs(t *testing.T) {
	cases := map[string]struct {
		edit func(m *synthModel)
		want error
	}{
		"unknown op": {func(m *synthModel) { m.nodes[len(m.nodes)-1]["op"] = "Einsum" }, ErrUnsupported},
		"missing input": {func(m *synthModel) {
			m.nodes[len(m.nodes)-1]["input"] = []string{"nowhere", "flat"}
		}, ErrFormat},
		"cycle": {func(m *synthModel) {
			for _, n := range m.nodes {
				if n["name"] == "a" {
					n["input"] = []string{"k", "w1", "b1"}
				}
			}
		}, ErrFormat},
		"NCHW data format": {func(m *synthModel) {
			for _, n := range m.nodes {
				if n["name"] == "b" {
					n["attr"].(map[string]any)["data_format"] = map[string]any{"s": b64("NCHW")}
				}
			}
		}, ErrUnsupported},
		"second output of a node": {func(m *synthModel) {
			m.nodes[len(m.nodes)-1]["input"] = []string{"h:1", "flat"}
		}, ErrUnsupported},
	}
	for name, c := range cases {
		path, outs := writeSynthVariant(t, c.edit)
		if _, err := ConvertTFJS(path, outs); !errors.Is(err, c.want) {
			t.Errorf("%s: error %v, want %v", name, err, c.want)
		}
	}
}

func TestConvertIsDeterministic(t *testing.T) {
	m, outs := buildSynth()
	path := m.write(t, t.TempDir())
	a, err := ConvertTFJS(path, outs)
	if err != nil {
		t.Fatal(err)
	}
	b, err := ConvertTFJS(path, outs)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Marshal(), b.Marshal()) {
		t.Fatal("two conversions of the same model differ")
	}
}

func TestParseGraphModelRejectsOtherFormats(t *testing.T) {
	for _, doc := range []string{`{"format":"layers-model","modelTopology":{"node":[{"name":"x","op":"Placeholder"}]}}`, `{"format":"graph-model"}`, `[`, ``} {
		if _, err := parseGraphModel([]byte(doc)); err == nil {
			t.Errorf("%q parsed without error", doc)
		}
	}
}

func TestDlibRejectsIncompleteWeights(t *testing.T) {
	if _, err := buildDlibResNet(map[string]*Weight{}); !errors.Is(err, ErrFormat) {
		t.Fatalf("empty weights: %v, want ErrFormat", err)
	}
}

// TestConvertAllFromPacks converts the real npm packs when `make models` has
// fetched them, and checks models.json against the files written.
func TestConvertAllFromPacks(t *testing.T) {
	npm := filepath.Join(repoRoot, "build/npm")
	needBuilt(t, filepath.Join(npm, "human-models/models/blazeface.json"), "extracted npm packs")
	out := t.TempDir()
	man, err := ConvertAll(npm, out)
	if err != nil {
		t.Fatal(err)
	}
	if len(man.Models) != 9 {
		t.Fatalf("%d models, want 9", len(man.Models))
	}
	data, err := os.ReadFile(filepath.Join(out, "models.json"))
	if err != nil {
		t.Fatal(err)
	}
	var back Manifest
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	broken := 0
	for _, m := range back.Models {
		info, err := os.Stat(filepath.Join(out, m.File))
		if err != nil || info.Size() < 100_000 {
			t.Errorf("%s: %v (size %v)", m.File, err, info)
		}
		if m.Inputs[0].Layout != "NHWC" || m.Inputs[0].Scale == 0 || len(m.Outputs) == 0 || len(m.SHA256) != 64 {
			t.Errorf("%s: incomplete entry %+v", m.Name, m)
		}
		if m.Broken {
			broken++
		}
	}
	if broken != 1 {
		t.Errorf("%d models marked broken, want 1 (mobilefacenet)", broken)
	}
	if _, err := back.Find("dlib_resnet"); err != nil {
		t.Error(err)
	}
	if _, err := back.Find("nope"); !errors.Is(err, ErrNoModel) {
		t.Errorf("Find(nope): %v, want ErrNoModel", err)
	}
}
