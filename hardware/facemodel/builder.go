package facemodel

import (
	"fmt"
	"sort"
	"strings"
)

// value is one tensor of the graph being built. TensorFlow models are NHWC
// but ONNX convolutions are NCHW, so 4-D activations are kept in NCHW between
// convolutions (nchw=true) and transposed back only where an op depends on
// the axis order (reshape, softmax, outputs). A constant is kept as its
// weight until an op asks for it in one layout or the other.
type value struct {
	name  string
	rank  int
	nchw  bool
	konst *Weight
}

var (
	toNCHW = []int64{0, 3, 1, 2}
	toNHWC = []int64{0, 2, 3, 1}
	// nhwcAxisInNCHW maps an NHWC axis to its place in NCHW.
	nhwcAxisInNCHW = [4]int64{0, 2, 3, 1}
)

type builder struct {
	g     Graph
	names map[string]int
	cache map[string]string
}

func newBuilder(name string) *builder {
	return &builder{g: Graph{Name: name}, names: map[string]int{}, cache: map[string]string{}}
}

// fresh returns a graph-unique tensor name derived from base.
func (b *builder) fresh(base string) string {
	base = strings.TrimSpace(base)
	b.names[base]++
	if n := b.names[base]; n > 1 {
		return fmt.Sprintf("%s__%d", base, n)
	}
	return base
}

// node appends an operator and returns the name of its single output.
func (b *builder) node(op, base string, in []string, attrs ...Attr) string {
	out := b.fresh(base)
	b.g.Nodes = append(b.g.Nodes, Node{Op: op, Name: out, In: in, Out: []string{out}, Attrs: attrs})
	return out
}

func (b *builder) initF32(base string, dims []int64, data []float32) string {
	name := b.fresh(base)
	b.g.Inits = append(b.g.Inits, Tensor{Name: name, Dims: dims, F32: data})
	return name
}

func (b *builder) initI64(base string, dims []int64, data []int64) string {
	name := b.fresh(base)
	b.g.Inits = append(b.g.Inits, Tensor{Name: name, Dims: dims, I64: data})
	return name
}

func dims64(shape []int) []int64 {
	out := make([]int64, len(shape))
	for i, d := range shape {
		out[i] = int64(d)
	}
	return out
}

// native returns v's name in TensorFlow's own axis order.
func (b *builder) native(v value) string {
	switch {
	case v.konst != nil:
		return b.cached(v.name+"#native", func() string {
			if v.konst.I32 != nil {
				name := b.fresh(v.name)
				b.g.Inits = append(b.g.Inits, Tensor{Name: name, Dims: dims64(v.konst.Shape), I32: v.konst.I32})
				return name
			}
			return b.initF32(v.name, dims64(v.konst.Shape), v.konst.F32)
		})
	case v.nchw:
		return b.cached(v.name+"#nhwc", func() string {
			return b.node("Transpose", v.name+"_nhwc", []string{v.name}, intsAttr("perm", toNHWC...))
		})
	}
	return v.name
}

// asNCHW returns v's name as a 4-D NCHW tensor, or a constant laid out to
// broadcast against one.
func (b *builder) asNCHW(v value) (string, error) {
	switch {
	case v.nchw:
		return v.name, nil
	case v.konst != nil:
		if v.konst.F32 == nil || len(v.konst.Shape) > 4 {
			return "", fmt.Errorf("%w: constant %s cannot broadcast in NCHW", ErrUnsupported, v.name)
		}
		return b.cached(v.name+"#nchw", func() string {
			dims, data := constToNCHW(v.konst)
			return b.initF32(v.name+"_nchw", dims, data)
		}), nil
	case v.rank == 4:
		return b.cached(v.name+"#nchw", func() string {
			return b.node("Transpose", v.name+"_nchw", []string{v.name}, intsAttr("perm", toNCHW...))
		}), nil
	}
	return "", fmt.Errorf("%w: rank-%d tensor %s mixed with NCHW", ErrUnsupported, v.rank, v.name)
}

func (b *builder) cached(key string, build func() string) string {
	if name, ok := b.cache[key]; ok {
		return name
	}
	name := build()
	b.cache[key] = name
	return name
}

// constToNCHW pads a constant's shape to 4-D NHWC (numpy broadcasting adds
// leading ones) and transposes it to NCHW.
func constToNCHW(w *Weight) ([]int64, []float32) {
	shape := [4]int{1, 1, 1, 1}
	copy(shape[4-len(w.Shape):], w.Shape)
	n, h, wd, c := shape[0], shape[1], shape[2], shape[3]
	out := make([]float32, len(w.F32))
	for src, v := range w.F32 { // src = ((in*h+y)*wd+x)*c+ch
		ch, rest := src%c, src/c
		x, rest := rest%wd, rest/wd
		y, in := rest%h, rest/h
		out[((in*c+ch)*h+y)*wd+x] = v
	}
	return []int64{int64(n), int64(c), int64(h), int64(wd)}, out
}

// convWeights turns a TF Conv2D filter [kh,kw,in,out] into ONNX [out,in,kh,kw].
func convWeights(w *Weight) ([]int64, []float32, error) {
	if len(w.Shape) != 4 || w.F32 == nil {
		return nil, nil, fmt.Errorf("%w: conv filter shape %v", ErrFormat, w.Shape)
	}
	kh, kw, ci, co := w.Shape[0], w.Shape[1], w.Shape[2], w.Shape[3]
	out := make([]float32, len(w.F32))
	for src, v := range w.F32 { // src = ((y*kw+x)*ci+i)*co+o
		o, rest := src%co, src/co
		i, rest := rest%ci, rest/ci
		x, y := rest%kw, rest/kw
		out[((o*ci+i)*kh+y)*kw+x] = v
	}
	return []int64{int64(co), int64(ci), int64(kh), int64(kw)}, out, nil
}

// depthwiseWeights turns a TF depthwise filter [kh,kw,in,mult] into ONNX
// grouped-conv weights [in*mult,1,kh,kw]; TF orders output channels i*mult+m,
// which is also ONNX's group order.
func depthwiseWeights(w *Weight) ([]int64, []float32, int, error) {
	if len(w.Shape) != 4 || w.F32 == nil {
		return nil, nil, 0, fmt.Errorf("%w: depthwise filter shape %v", ErrFormat, w.Shape)
	}
	kh, kw, ci, mult := w.Shape[0], w.Shape[1], w.Shape[2], w.Shape[3]
	out := make([]float32, len(w.F32))
	for src, v := range w.F32 { // src = ((y*kw+x)*ci+i)*mult+m
		m, rest := src%mult, src/mult
		i, rest := rest%ci, rest/ci
		x, y := rest%kw, rest/kw
		out[((i*mult+m)*kh+y)*kw+x] = v
	}
	return []int64{int64(ci * mult), 1, int64(kh), int64(kw)}, out, ci, nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
