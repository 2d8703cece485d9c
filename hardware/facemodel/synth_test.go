package facemodel

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// A small TFJS graph model written by the test, covering the layout-sensitive
// paths of the converter (SAME padding with stride 2 on an even size, which
// pads only at the end, in conv and max pool; depthwise multiplier; explicit
// Pad of an NCHW activation; NHWC constants broadcast in NCHW; channel
// concat; mean; reshape back to NHWC order), and a plain NHWC reference of the same
// computation to check the ONNX output against.

type synthModel struct {
	nodes   []map[string]any
	specs   []weightSpec
	data    []byte
	weights map[string]*Weight
	rng     *rand.Rand
}

func newSynth() *synthModel {
	return &synthModel{weights: map[string]*Weight{}, rng: rand.New(rand.NewPCG(7, 11))}
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func intList(v ...int) map[string]any {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.Itoa(x)
	}
	return map[string]any{"list": map[string]any{"i": s}}
}

func (m *synthModel) op(name, op string, attr map[string]any, in ...string) string {
	node := map[string]any{"name": name, "op": op, "input": in}
	if attr != nil {
		node["attr"] = attr
	}
	m.nodes = append(m.nodes, node)
	return name
}

func (m *synthModel) floats(name string, shape ...int) string {
	n, _ := elements(shape)
	w := &Weight{Shape: shape, F32: make([]float32, n)}
	for i := range w.F32 {
		w.F32[i] = float32(m.rng.Float64()*2 - 1)
		m.data = binary.LittleEndian.AppendUint32(m.data, math.Float32bits(w.F32[i]))
	}
	return m.constant(name, "float32", w)
}

func (m *synthModel) ints(name string, shape []int, v ...int32) string {
	w := &Weight{Shape: shape, I32: v}
	for _, x := range v {
		m.data = binary.LittleEndian.AppendUint32(m.data, uint32(x))
	}
	return m.constant(name, "int32", w)
}

func (m *synthModel) constant(name, dtype string, w *Weight) string {
	m.weights[name] = w
	m.specs = append(m.specs, weightSpec{Name: name, Shape: w.Shape, Dtype: dtype})
	return m.op(name, "Const", nil)
}

func (m *synthModel) write(t *testing.T, dir string) string {
	t.Helper()
	path := m.writeTo(dir)
	if path == "" {
		t.Fatal("cannot write the synthetic model")
	}
	return path
}

// writeTo saves model.json and its shard in dir; "" on failure.
func (m *synthModel) writeTo(dir string) string {
	doc := map[string]any{
		"format":          "graph-model",
		"modelTopology":   map[string]any{"node": m.nodes},
		"weightsManifest": []any{map[string]any{"paths": []string{"synth.bin"}, "weights": m.specs}},
	}
	js, err := json.Marshal(doc)
	if err != nil {
		return ""
	}
	if os.WriteFile(filepath.Join(dir, "synth.bin"), m.data, 0o644) != nil {
		return ""
	}
	path := filepath.Join(dir, "synth.json")
	if os.WriteFile(path, js, 0o644) != nil {
		return ""
	}
	return path
}

var convAttrs = func(stride int, padding string) map[string]any {
	return map[string]any{
		"strides": intList(1, stride, stride, 1), "padding": map[string]any{"s": b64(padding)},
		"data_format": map[string]any{"s": b64("NHWC")}, "dilations": intList(1, 1, 1, 1),
	}
}

// buildSynth returns the model and the TF names of its two outputs.
func buildSynth() (*synthModel, []OutputMap) {
	m := newSynth()
	m.op("x", "Placeholder", map[string]any{"shape": map[string]any{"shape": map[string]any{"dim": []any{
		map[string]any{"size": "-1"}, map[string]any{"size": "10"}, map[string]any{"size": "10"}, map[string]any{"size": "3"}}}}})
	fusedConv := convAttrs(2, "SAME")
	fusedConv["fused_ops"] = map[string]any{"list": map[string]any{"s": []string{b64("BiasAdd"), b64("Relu")}}}
	fusedConv["num_args"] = map[string]any{"i": "1"}
	m.op("a", "_FusedConv2D", fusedConv, "x", m.floats("w1", 3, 3, 3, 4), m.floats("b1", 4))
	m.op("b", "DepthwiseConv2dNative", convAttrs(1, "SAME"), "a", m.floats("d1", 3, 3, 4, 2))
	m.op("c", "Prelu", nil, "b", m.floats("alpha", 8))
	pool := convAttrs(2, "SAME")
	pool["ksize"] = intList(1, 3, 3, 1)
	m.op("e", "MaxPool", pool, "x")
	m.op("f", "ConcatV2", nil, "c", "e", m.ints("axis", []int{}, -1))
	m.op("p", "Pad", nil, "f", m.ints("pads", []int{4, 2}, 0, 0, 1, 0, 0, 1, 0, 0))
	m.op("g", "AddV2", nil, "p", m.floats("shift", 11))
	m.op("h", "Mul", nil, m.floats("gain", 1, 1, 1, 11), "g")
	m.op("i", "Mean", map[string]any{"keep_dims": map[string]any{"b": false}}, "h", m.ints("hw", []int{2}, 1, 2))
	fusedMM := map[string]any{"fused_ops": map[string]any{"list": map[string]any{"s": []string{b64("BiasAdd")}}}}
	m.op("j", "_FusedMatMul", fusedMM, "i", m.floats("fc", 11, 6), m.floats("fcb", 6))
	m.op("k", "Softmax", nil, "j")
	m.op("r", "Reshape", nil, "h", m.ints("flat", []int{2}, -1, 396))
	return m, []OutputMap{{TF: "k", Name: "probs", Shape: []int64{-1, 6}}, {TF: "r", Name: "flat", Shape: []int64{-1, 396}}}
}

// nhwc is a plain float64 NHWC tensor for the reference computation.
type nhwc struct {
	h, w, c int
	v       []float64
}

func newNHWC(h, w, c int) *nhwc { return &nhwc{h, w, c, make([]float64, h*w*c)} }

func (t *nhwc) at(y, x, ch int) float64 { return t.v[(y*t.w+x)*t.c+ch] }

func (t *nhwc) set(y, x, ch int, v float64) { t.v[(y*t.w+x)*t.c+ch] = v }

// samePad is TF's SAME: output ceil(in/stride), the odd pixel padded at the end.
func samePad(in, k, stride int) (out, before int) {
	out = (in + stride - 1) / stride
	total := max((out-1)*stride+k-in, 0)
	return out, total / 2
}

func refConv(x *nhwc, w *Weight, stride int, depthwise bool) *nhwc {
	kh, kw, ci, co := w.Shape[0], w.Shape[1], w.Shape[2], w.Shape[3]
	oh, pt := samePad(x.h, kh, stride)
	ow, pl := samePad(x.w, kw, stride)
	outC := co
	if depthwise {
		outC = ci * co
	}
	out := newNHWC(oh, ow, outC)
	for y := 0; y < oh; y++ {
		for xx := 0; xx < ow; xx++ {
			for o := 0; o < outC; o++ {
				var s float64
				for dy := 0; dy < kh; dy++ {
					for dx := 0; dx < kw; dx++ {
						iy, ix := y*stride+dy-pt, xx*stride+dx-pl
						if iy < 0 || ix < 0 || iy >= x.h || ix >= x.w {
							continue
						}
						if depthwise {
							i, mult := o/co, o%co
							s += x.at(iy, ix, i) * float64(w.F32[((dy*kw+dx)*ci+i)*co+mult])
							continue
						}
						for i := 0; i < ci; i++ {
							s += x.at(iy, ix, i) * float64(w.F32[((dy*kw+dx)*ci+i)*co+o])
						}
					}
				}
				out.set(y, xx, o, s)
			}
		}
	}
	return out
}

func (t *nhwc) mapC(f func(v float64, ch int) float64) *nhwc {
	out := newNHWC(t.h, t.w, t.c)
	for i, v := range t.v {
		out.v[i] = f(v, i%t.c)
	}
	return out
}

// refSynth computes buildSynth's two outputs for one 10x10x3 image.
func refSynth(m *synthModel, img []float32) (probs, flat []float64) {
	x := newNHWC(10, 10, 3)
	for i, v := range img {
		x.v[i] = float64(v)
	}
	wt := m.weights
	a := refConv(x, wt["w1"], 2, false).mapC(func(v float64, ch int) float64 { return math.Max(0, v+float64(wt["b1"].F32[ch])) })
	c := refConv(a, wt["d1"], 1, true).mapC(func(v float64, ch int) float64 {
		if v < 0 {
			return v * float64(wt["alpha"].F32[ch])
		}
		return v
	})
	e := newNHWC(5, 5, 3) // 3x3/2 SAME max pool of 10x10: one ignored pixel at the end
	for y := 0; y < 5; y++ {
		for xx := 0; xx < 5; xx++ {
			for ch := 0; ch < 3; ch++ {
				best := math.Inf(-1)
				for dy := 0; dy < 3; dy++ {
					for dx := 0; dx < 3; dx++ {
						if py, px := 2*y+dy, 2*xx+dx; py < 10 && px < 10 {
							best = math.Max(best, x.at(py, px, ch))
						}
					}
				}
				e.set(y, xx, ch, best)
			}
		}
	}
	h := newNHWC(6, 6, 11) // concat, then one zero row on top and column on the right
	for y := 0; y < 6; y++ {
		for xx := 0; xx < 6; xx++ {
			for ch := 0; ch < 11; ch++ {
				v := 0.0
				switch sy := y - 1; {
				case sy < 0 || xx > 4:
				case ch < 8:
					v = c.at(sy, xx, ch)
				default:
					v = e.at(sy, xx, ch-8)
				}
				h.set(y, xx, ch, (v+float64(wt["shift"].F32[ch]))*float64(wt["gain"].F32[ch]))
			}
		}
	}
	mean := make([]float64, 11)
	for i, v := range h.v {
		mean[i%11] += v / 36
	}
	logits := make([]float64, 6)
	var sum float64
	for o := range logits {
		logits[o] = float64(wt["fcb"].F32[o])
		for i := range mean {
			logits[o] += mean[i] * float64(wt["fc"].F32[i*6+o])
		}
	}
	top := math.Inf(-1)
	for _, l := range logits {
		top = math.Max(top, l)
	}
	for o, l := range logits {
		logits[o] = math.Exp(l - top)
		sum += logits[o]
	}
	for o := range logits {
		logits[o] /= sum
	}
	return logits, h.v
}
