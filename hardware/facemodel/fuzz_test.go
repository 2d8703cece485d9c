package facemodel

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzConvert feeds arbitrary model.json text and weight bytes through the
// parser, the weight decoder and the graph translation: any outcome but a
// panic is acceptable.
func FuzzConvert(f *testing.F) {
	m, _ := buildSynth()
	dir := f.TempDir()
	path := m.writeTo(dir)
	js, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	bin, err := os.ReadFile(filepath.Join(dir, "synth.bin"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(js, bin, "k")
	f.Add(js, bin[:len(bin)/2], "r")
	f.Add([]byte(`{"format":"graph-model","modelTopology":{"node":[{"name":"x","op":"Placeholder","attr":{"shape":{"shape":{"dim":[{"size":"1"}]}}}},{"name":"y","op":"Relu","input":["x"]}]},"weightsManifest":[]}`), []byte{}, "y")
	f.Fuzz(func(t *testing.T, modelJSON, weights []byte, output string) {
		model, err := parseGraphModel(modelJSON)
		if err != nil {
			return
		}
		decoded := map[string]*Weight{}
		for _, g := range model.Manifest {
			if decodeGroup(weights, g.Weights, decoded) != nil {
				return
			}
		}
		g, err := convertGraph("fuzz", model, decoded, []OutputMap{{TF: output, Name: "out"}})
		if err == nil {
			(&Model{Graph: *g}).Marshal()
		}
	})
}

// FuzzDlib gives the dlib builder arbitrary manifests over arbitrary bytes.
func FuzzDlib(f *testing.F) {
	f.Add([]byte(`[{"paths":["a.bin"],"weights":[{"name":"conv32_down/conv/filters","shape":[7,7,3,32],"dtype":"float32","quantization":{"dtype":"uint8","scale":0.1,"min":-1}}]}]`), make([]byte, 7*7*3*32))
	f.Add([]byte(`[{"paths":["a.bin"],"weights":[{"name":"fc","shape":[2,2],"dtype":"float32"}]}]`), make([]byte, 16))
	f.Fuzz(func(t *testing.T, manifest, weights []byte) {
		groups, err := parseManifest(manifest)
		if err != nil {
			return
		}
		decoded := map[string]*Weight{}
		for _, g := range groups {
			if decodeGroup(weights, g.Weights, decoded) != nil {
				return
			}
		}
		_, _ = buildDlibResNet(decoded)
	})
}
