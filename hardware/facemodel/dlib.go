package facemodel

import (
	"fmt"
)

// face-api's FaceRecognitionNet, the TFJS port of dlib's
// dlib_face_recognition_resnet_model_v1: its weights come as a bare manifest,
// so the network is rebuilt here from the port's forward pass.

const dlibInputSize = 150

// dlibMeanRGB is what face-api subtracts before dividing by 255.
var dlibMeanRGB = []float32{122.782, 117.001, 104.298}

type dlibStage struct {
	prefix string
	down   bool
}

// dlibStages lists the residual blocks in forward order.
var dlibStages = []dlibStage{
	{"conv32_1", false}, {"conv32_2", false}, {"conv32_3", false},
	{"conv64_down", true}, {"conv64_1", false}, {"conv64_2", false}, {"conv64_3", false},
	{"conv128_down", true}, {"conv128_1", false}, {"conv128_2", false},
	{"conv256_down", true}, {"conv256_1", false}, {"conv256_2", false},
	{"conv256_down_out", true},
}

// fmap is an NCHW activation with its static channel and square spatial size.
type fmap struct {
	name     string
	channels int
	size     int
}

type dlibBuilder struct {
	*builder
	weights map[string]*Weight
}

// buildDlibResNet builds the ONNX graph: input NHWC RGB 0..255, output the
// 128-d descriptor face-api returns.
func buildDlibResNet(weights map[string]*Weight) (*Graph, error) {
	b := &dlibBuilder{builder: newBuilder("dlib_resnet"), weights: weights}
	b.names["input"]++
	b.names["embedding"]++
	b.g.Inputs = []ValueInfo{{Name: "input", Shape: []int64{-1, dlibInputSize, dlibInputSize, 3}}}
	x := b.normalizedInput()
	x, err := b.convLayer(x, "conv32_down", 2, true)
	if err != nil {
		return nil, err
	}
	x = b.maxPool(x)
	for _, s := range dlibStages {
		if x, err = b.residual(x, s); err != nil {
			return nil, err
		}
	}
	return b.head(x)
}

func (b *dlibBuilder) normalizedInput() fmap {
	nchw := b.node("Transpose", "input_nchw", []string{"input"}, intsAttr("perm", toNCHW...))
	mean := b.initF32("mean_rgb", []int64{1, 3, 1, 1}, dlibMeanRGB)
	centred := b.node("Sub", "centred", []string{nchw, mean})
	scale := b.initF32("pixel_range", nil, []float32{255})
	return fmap{name: b.node("Div", "normalized", []string{centred, scale}), channels: 3, size: dlibInputSize}
}

func (b *dlibBuilder) weight(name string, rank int) (*Weight, error) {
	w, ok := b.weights[name]
	if !ok || w.F32 == nil || len(w.Shape) != rank {
		return nil, fmt.Errorf("%w: dlib weight %s missing or not rank %d", ErrFormat, name, rank)
	}
	return w, nil
}

// convLayer is face-api's convLayer: conv (+bias), then the 'scale' affine
// layer (per-channel multiply and add), then optionally ReLU. Stride 2 uses
// VALID padding, stride 1 SAME.
func (b *dlibBuilder) convLayer(x fmap, prefix string, stride int, relu bool) (fmap, error) {
	filter, err := b.weight(prefix+"/conv/filters", 4)
	if err != nil {
		return fmap{}, err
	}
	if filter.Shape[2] != x.channels || filter.Shape[0] != filter.Shape[1] {
		return fmap{}, fmt.Errorf("%w: %s filter %v for %d channels", ErrFormat, prefix, filter.Shape, x.channels)
	}
	k := filter.Shape[0]
	out := filter.Shape[3]
	wDims, wData, err := convWeights(filter)
	if err != nil {
		return fmap{}, err
	}
	vecs := make([]string, 3)
	for i, suffix := range []string{"/conv/bias", "/scale/weights", "/scale/biases"} {
		w, err := b.weight(prefix+suffix, 1)
		if err != nil {
			return fmap{}, err
		}
		if w.Shape[0] != out {
			return fmap{}, fmt.Errorf("%w: %s%s has %d values for %d channels", ErrFormat, prefix, suffix, w.Shape[0], out)
		}
		dims := []int64{int64(out)}
		if i > 0 { // scale vectors broadcast over NCHW
			dims = []int64{int64(out), 1, 1}
		}
		vecs[i] = b.initF32(prefix+suffix, dims, w.F32)
	}
	attrs := []Attr{intsAttr("kernel_shape", int64(k), int64(k)), intsAttr("strides", int64(stride), int64(stride))}
	size := x.size
	if stride == 1 {
		attrs = append(attrs, strAttr("auto_pad", "SAME_UPPER"))
	} else {
		attrs = append(attrs, strAttr("auto_pad", "VALID"))
		size = (x.size-k)/stride + 1
	}
	y := b.node("Conv", prefix+"/conv", []string{x.name, b.initF32(prefix+"/conv/filters", wDims, wData), vecs[0]}, attrs...)
	y = b.node("Mul", prefix+"/scale/mul", []string{y, vecs[1]})
	y = b.node("Add", prefix+"/scale/add", []string{y, vecs[2]})
	if relu {
		y = b.node("Relu", prefix+"/relu", []string{y})
	}
	return fmap{name: y, channels: out, size: size}, nil
}

func (b *dlibBuilder) maxPool(x fmap) fmap {
	y := b.node("MaxPool", "max_pool", []string{x.name},
		intsAttr("kernel_shape", 3, 3), intsAttr("strides", 2, 2), strAttr("auto_pad", "VALID"))
	return fmap{name: y, channels: x.channels, size: (x.size-3)/2 + 1}
}

// residual is face-api's residual / residualDown block. The down-sampling
// shortcut is a 2x2 average pool, zero-padded in channels; when the strided
// conv comes out one pixel smaller than the pool, face-api pads the conv
// output with a zero row and column at the end.
func (b *dlibBuilder) residual(x fmap, s dlibStage) (fmap, error) {
	stride := 1
	if s.down {
		stride = 2
	}
	y, err := b.convLayer(x, s.prefix+"/conv1", stride, true)
	if err != nil {
		return fmap{}, err
	}
	if y, err = b.convLayer(y, s.prefix+"/conv2", 1, false); err != nil {
		return fmap{}, err
	}
	shortcut := x
	if s.down {
		shortcut = b.avgPoolShortcut(x, y.channels)
		if y.size != shortcut.size {
			if shortcut.size-y.size != 1 {
				return fmap{}, fmt.Errorf("%w: %s: conv %d vs pool %d pixels", ErrFormat, s.prefix, y.size, shortcut.size)
			}
			y = b.padEnd(y, s.prefix+"/pad_spatial", []int64{0, 0, 0, 0, 0, 0, 1, 1}, y.channels, y.size+1)
		}
	} else if y.channels != x.channels || y.size != x.size {
		return fmap{}, fmt.Errorf("%w: %s changes shape without down-sampling", ErrFormat, s.prefix)
	}
	sum := b.node("Add", s.prefix+"/add", []string{y.name, shortcut.name})
	return fmap{name: b.node("Relu", s.prefix+"/relu", []string{sum}), channels: y.channels, size: y.size}, nil
}

func (b *dlibBuilder) avgPoolShortcut(x fmap, channels int) fmap {
	pooled := fmap{
		name: b.node("AveragePool", "pool_"+x.name, []string{x.name},
			intsAttr("kernel_shape", 2, 2), intsAttr("strides", 2, 2), strAttr("auto_pad", "VALID")),
		channels: x.channels,
		size:     (x.size-2)/2 + 1,
	}
	if extra := int64(channels - x.channels); extra > 0 {
		pooled = b.padEnd(pooled, pooled.name+"_zeros", []int64{0, 0, 0, 0, 0, extra, 0, 0}, channels, pooled.size)
	}
	return pooled
}

func (b *dlibBuilder) padEnd(x fmap, base string, pads []int64, channels, size int) fmap {
	padsName := b.initI64(base+"/pads", []int64{8}, pads)
	return fmap{name: b.node("Pad", base, []string{x.name, padsName}), channels: channels, size: size}
}

// head is the global average pool and the fully connected layer (no bias).
func (b *dlibBuilder) head(x fmap) (*Graph, error) {
	fc, err := b.weight("fc", 2)
	if err != nil {
		return nil, err
	}
	if fc.Shape[0] != x.channels {
		return nil, fmt.Errorf("%w: fc %v after %d channels", ErrFormat, fc.Shape, x.channels)
	}
	pooled := b.node("ReduceMean", "global_avg", []string{x.name}, intsAttr("axes", 2, 3), intAttr("keepdims", 0))
	fcName := b.initF32("fc", dims64(fc.Shape), fc.F32)
	mm := b.node("MatMul", "fc_matmul", []string{pooled, fcName})
	b.g.Nodes = append(b.g.Nodes, Node{Op: "Identity", Name: "embedding", In: []string{mm}, Out: []string{"embedding"}})
	b.g.Outputs = []ValueInfo{{Name: "embedding", Shape: []int64{-1, int64(fc.Shape[1])}}}
	return &b.g, nil
}
