// Package facemodel turns the face models shipped in npm packages into ONNX
// files that ONNX Runtime can run: TensorFlow.js graph models are translated
// node by node, and face-api's port of dlib's ResNet (a bare weights
// manifest) is rebuilt as an ONNX graph from its known architecture.
// The package is pure Go; it reads only files the caller points it at.
package facemodel

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
)

// ErrFormat marks a model or weights file that is malformed or inconsistent.
var ErrFormat = errors.New("facemodel: malformed model")

// ErrUnsupported marks a well-formed model that uses something the converter
// does not translate (an op, an attribute value, a data type).
var ErrUnsupported = errors.New("facemodel: unsupported")

// maxElements bounds one weight tensor so a hostile manifest cannot make the
// converter allocate without limit (the largest real one has ~2.4 M).
const maxElements = 1 << 26

type tfGraphModel struct {
	Format   string        `json:"format"`
	Topology tfTopology    `json:"modelTopology"`
	Manifest []weightGroup `json:"weightsManifest"`
}

type tfTopology struct {
	Node []tfNode `json:"node"`
}

type tfNode struct {
	Name  string            `json:"name"`
	Op    string            `json:"op"`
	Input []string          `json:"input"`
	Attr  map[string]tfAttr `json:"attr"`
}

type tfAttr struct {
	S     string          `json:"s"`
	I     json.RawMessage `json:"i"`
	F     json.RawMessage `json:"f"`
	B     bool            `json:"b"`
	List  *tfList         `json:"list"`
	Shape *tfShape        `json:"shape"`
}

type tfList struct {
	I []json.RawMessage `json:"i"`
	S []string          `json:"s"`
}

type tfShape struct {
	Dim []struct {
		Size json.RawMessage `json:"size"`
	} `json:"dim"`
}

type weightGroup struct {
	Paths   []string     `json:"paths"`
	Weights []weightSpec `json:"weights"`
}

type weightSpec struct {
	Name         string        `json:"name"`
	Shape        []int         `json:"shape"`
	Dtype        string        `json:"dtype"`
	Quantization *quantization `json:"quantization"`
}

type quantization struct {
	Dtype string  `json:"dtype"`
	Min   float64 `json:"min"`
	Scale float64 `json:"scale"`
}

// Weight is one decoded tensor: F32 for float weights, I32 for int32 ones.
type Weight struct {
	Shape []int
	F32   []float32
	I32   []int32
}

// jsonInt reads an int64 that TFJS writes either as a JSON number or a string.
func jsonInt(raw json.RawMessage) (int64, error) {
	s := string(bytes.Trim(raw, `"`))
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: integer %q", ErrFormat, s)
	}
	return v, nil
}

func (a tfAttr) str() string {
	b, err := base64.StdEncoding.DecodeString(a.S)
	if err != nil {
		return ""
	}
	return string(b)
}

func (a tfAttr) ints() ([]int64, error) {
	if a.List == nil {
		return nil, nil
	}
	out := make([]int64, len(a.List.I))
	for i, raw := range a.List.I {
		v, err := jsonInt(raw)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

func (a tfAttr) strs() []string {
	if a.List == nil {
		return nil
	}
	out := make([]string, len(a.List.S))
	for i, s := range a.List.S {
		b, err := base64.StdEncoding.DecodeString(s)
		if err == nil {
			out[i] = string(b)
		}
	}
	return out
}

func (a tfAttr) float() float64 {
	v, err := strconv.ParseFloat(string(bytes.Trim(a.F, `"`)), 64)
	if err != nil {
		return 0
	}
	return v
}

func (s *tfShape) dims() ([]int64, error) {
	if s == nil {
		return nil, fmt.Errorf("%w: placeholder without shape", ErrFormat)
	}
	out := make([]int64, len(s.Dim))
	for i, d := range s.Dim {
		v, err := jsonInt(d.Size)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// parseGraphModel decodes a TFJS model.json.
func parseGraphModel(data []byte) (*tfGraphModel, error) {
	var m tfGraphModel
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	if m.Format != "graph-model" {
		return nil, fmt.Errorf("%w: format %q, want graph-model", ErrUnsupported, m.Format)
	}
	if len(m.Topology.Node) == 0 {
		return nil, fmt.Errorf("%w: no nodes", ErrFormat)
	}
	return &m, nil
}

// parseManifest decodes a bare weights manifest (face-api's *-weights_manifest.json).
func parseManifest(data []byte) ([]weightGroup, error) {
	var groups []weightGroup
	if err := json.Unmarshal(data, &groups); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	return groups, nil
}

// loadWeights reads each group's shards from dir and decodes every weight.
func loadWeights(dir string, groups []weightGroup) (map[string]*Weight, error) {
	out := make(map[string]*Weight)
	for _, g := range groups {
		var buf []byte
		for _, p := range g.Paths {
			if p == "" || filepath.Base(p) != p {
				return nil, fmt.Errorf("%w: weight shard path %q is not a plain file name", ErrFormat, p)
			}
			b, err := os.ReadFile(filepath.Join(dir, p))
			if err != nil {
				return nil, err
			}
			buf = append(buf, b...)
		}
		if err := decodeGroup(buf, g.Weights, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// decodeGroup slices one group's concatenated shards into its weights, in
// manifest order, dequantising as TFJS does.
func decodeGroup(buf []byte, specs []weightSpec, out map[string]*Weight) error {
	for _, s := range specs {
		n, err := elements(s.Shape)
		if err != nil {
			return fmt.Errorf("%s: %w", s.Name, err)
		}
		w, used, err := decodeWeight(buf, s, n)
		if err != nil {
			return fmt.Errorf("%s: %w", s.Name, err)
		}
		out[s.Name] = w
		buf = buf[used:]
	}
	return nil
}

func elements(shape []int) (int, error) {
	n := 1
	for _, d := range shape {
		if d < 0 || d > maxElements || (d > 0 && n > maxElements/d) {
			return 0, fmt.Errorf("%w: shape %v", ErrFormat, shape)
		}
		n *= d
	}
	return n, nil
}

func decodeWeight(buf []byte, s weightSpec, n int) (*Weight, int, error) {
	w := &Weight{Shape: append([]int(nil), s.Shape...)}
	stored := s.Dtype
	if s.Quantization != nil {
		stored = s.Quantization.Dtype
	}
	size := map[string]int{"float32": 4, "int32": 4, "uint8": 1, "uint16": 2, "float16": 2}[stored]
	if size == 0 {
		return nil, 0, fmt.Errorf("%w: weight dtype %q", ErrUnsupported, stored)
	}
	if len(buf) < n*size {
		return nil, 0, fmt.Errorf("%w: weights file too short", ErrFormat)
	}
	raw := buf[:n*size]
	switch s.Dtype {
	case "float32":
		w.F32 = decodeFloats(raw, stored, s.Quantization, n)
	case "int32":
		if stored != "int32" {
			return nil, 0, fmt.Errorf("%w: quantised int32 weight", ErrUnsupported)
		}
		w.I32 = make([]int32, n)
		for i := range w.I32 {
			w.I32[i] = int32(binary.LittleEndian.Uint32(raw[4*i:]))
		}
	default:
		return nil, 0, fmt.Errorf("%w: weight dtype %q", ErrUnsupported, s.Dtype)
	}
	return w, n * size, nil
}

func decodeFloats(raw []byte, stored string, q *quantization, n int) []float32 {
	out := make([]float32, n)
	for i := range out {
		switch stored {
		case "float32":
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		case "float16":
			out[i] = halfToFloat(binary.LittleEndian.Uint16(raw[2*i:]))
		case "uint8":
			out[i] = float32(float64(raw[i])*q.Scale + q.Min)
		case "uint16":
			out[i] = float32(float64(binary.LittleEndian.Uint16(raw[2*i:]))*q.Scale + q.Min)
		}
	}
	return out
}

// halfToFloat widens an IEEE 754 binary16 value.
func halfToFloat(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := int(h>>10) & 0x1f
	frac := uint32(h & 0x3ff)
	switch {
	case exp == 0x1f: // inf or NaN
		return math.Float32frombits(sign | 0xff<<23 | frac<<13)
	case exp == 0 && frac == 0:
		return math.Float32frombits(sign)
	case exp == 0: // subnormal: value = frac * 2^-24
		v := float32(frac) * (1.0 / (1 << 24))
		if sign != 0 {
			v = -v
		}
		return v
	}
	return math.Float32frombits(sign | uint32(exp-15+127)<<23 | frac<<13)
}
