package facemodel

import (
	"fmt"
	"strings"
)

// OutputMap names one graph output: the TF node it comes from and the ONNX
// name it gets.
type OutputMap struct {
	TF    string
	Name  string
	Shape []int64
}

// tfConverter translates one TFJS graph model.
type tfConverter struct {
	*builder
	nodes   map[string]*tfNode
	weights map[string]*Weight
	vals    map[string]value
	busy    map[string]bool
	inputs  []ValueInfo
}

type opFunc func(c *tfConverter, n *tfNode, in []value) (value, error)

var tfOps map[string]opFunc

func init() {
	tfOps = map[string]opFunc{
		"Identity":                   func(_ *tfConverter, _ *tfNode, in []value) (value, error) { return in[0], nil },
		"Conv2D":                     (*tfConverter).conv2D,
		"_FusedConv2D":               (*tfConverter).conv2D,
		"DepthwiseConv2dNative":      (*tfConverter).conv2D,
		"FusedDepthwiseConv2dNative": (*tfConverter).conv2D,
		"MaxPool":                    (*tfConverter).pool,
		"AvgPool":                    (*tfConverter).pool,
		"Add":                        binaryOp("Add"),
		"AddV2":                      binaryOp("Add"),
		"BiasAdd":                    binaryOp("Add"),
		"Sub":                        binaryOp("Sub"),
		"Mul":                        binaryOp("Mul"),
		"RealDiv":                    binaryOp("Div"),
		"Maximum":                    binaryOp("Max"),
		"Minimum":                    binaryOp("Min"),
		"Prelu":                      binaryOp("PRelu"),
		"Relu":                       unaryOp("Relu"),
		"Sigmoid":                    unaryOp("Sigmoid"),
		"Tanh":                       unaryOp("Tanh"),
		"Abs":                        unaryOp("Abs"),
		"Neg":                        unaryOp("Neg"),
		"Sqrt":                       unaryOp("Sqrt"),
		"Relu6":                      (*tfConverter).relu6,
		"Square":                     (*tfConverter).square,
		"Rsqrt":                      (*tfConverter).rsqrt,
		"Softmax":                    (*tfConverter).softmax,
		"Pad":                        (*tfConverter).pad,
		"Reshape":                    (*tfConverter).reshape,
		"Squeeze":                    (*tfConverter).squeeze,
		"Mean":                       reduceOp("ReduceMean"),
		"Sum":                        reduceOp("ReduceSum"),
		"MatMul":                     (*tfConverter).matMul,
		"_FusedMatMul":               (*tfConverter).matMul,
		"ConcatV2":                   (*tfConverter).concat,
	}
}

// convertGraph translates the part of a TFJS graph that the outputs depend on.
func convertGraph(name string, m *tfGraphModel, weights map[string]*Weight, outputs []OutputMap) (*Graph, error) {
	c := &tfConverter{
		builder: newBuilder(name),
		nodes:   map[string]*tfNode{},
		weights: weights,
		vals:    map[string]value{},
		busy:    map[string]bool{},
	}
	for i := range m.Topology.Node {
		n := &m.Topology.Node[i]
		c.nodes[n.Name] = n
	}
	for _, o := range outputs {
		c.names[o.Name]++ // reserved: the ONNX names callers look up
	}
	for _, o := range outputs {
		v, err := c.eval(o.TF)
		if err != nil {
			return nil, err
		}
		c.g.Nodes = append(c.g.Nodes, Node{Op: "Identity", Name: o.Name, In: []string{c.native(v)}, Out: []string{o.Name}})
		c.g.Outputs = append(c.g.Outputs, ValueInfo{Name: o.Name, Shape: o.Shape})
	}
	c.g.Inputs = c.inputs
	return &c.g, nil
}

// eval converts the node producing ref (and, first, everything it needs).
func (c *tfConverter) eval(ref string) (value, error) {
	name, err := nodeName(ref)
	if err != nil {
		return value{}, err
	}
	if v, ok := c.vals[name]; ok {
		return v, nil
	}
	n, ok := c.nodes[name]
	if !ok {
		return value{}, fmt.Errorf("%w: no node %q", ErrFormat, name)
	}
	if c.busy[name] {
		return value{}, fmt.Errorf("%w: cycle through %q", ErrFormat, name)
	}
	c.busy[name] = true
	v, err := c.evalNode(n)
	if err != nil {
		return value{}, fmt.Errorf("%s (%s): %w", n.Name, n.Op, err)
	}
	c.vals[name] = v
	return v, nil
}

// nodeName strips TF's ":0" output suffix; other outputs are not used by the
// models converted here.
func nodeName(ref string) (string, error) {
	name, idx, found := strings.Cut(ref, ":")
	if found && idx != "0" {
		return "", fmt.Errorf("%w: reference to output %q", ErrUnsupported, ref)
	}
	return name, nil
}

func (c *tfConverter) evalNode(n *tfNode) (value, error) {
	switch n.Op {
	case "Const":
		w, ok := c.weights[n.Name]
		if !ok {
			return value{}, fmt.Errorf("%w: constant has no weight", ErrFormat)
		}
		return value{name: n.Name, rank: len(w.Shape), konst: w}, nil
	case "Placeholder":
		return c.placeholder(n)
	}
	op, ok := tfOps[n.Op]
	if !ok {
		return value{}, fmt.Errorf("%w: op %s", ErrUnsupported, n.Op)
	}
	var in []value
	for _, ref := range n.Input {
		if strings.HasPrefix(ref, "^") { // control dependency: no data
			continue
		}
		v, err := c.eval(ref)
		if err != nil {
			return value{}, err
		}
		in = append(in, v)
	}
	if len(in) == 0 {
		return value{}, fmt.Errorf("%w: no inputs", ErrFormat)
	}
	return op(c, n, in)
}

func (c *tfConverter) placeholder(n *tfNode) (value, error) {
	if len(c.inputs) > 0 {
		return value{}, fmt.Errorf("%w: more than one input", ErrUnsupported)
	}
	shape, err := n.Attr["shape"].Shape.dims()
	if err != nil {
		return value{}, err
	}
	c.inputs = append(c.inputs, ValueInfo{Name: "input", Shape: shape})
	c.names["input"]++
	return value{name: "input", rank: len(shape)}, nil
}

func (c *tfConverter) constIn(n *tfNode, in []value, i int) (*Weight, error) {
	if i >= len(in) || in[i].konst == nil {
		return nil, fmt.Errorf("%w: input %d must be a constant", ErrUnsupported, i)
	}
	return in[i].konst, nil
}

func (c *tfConverter) nhwcOnly(n *tfNode) error {
	if f := n.Attr["data_format"].str(); f != "" && f != "NHWC" {
		return fmt.Errorf("%w: data_format %s", ErrUnsupported, f)
	}
	return nil
}

// spatial reads a 4-element NHWC list attribute (strides, dilations, ksize)
// as its [h, w] part; absent means ones.
func spatial(n *tfNode, key string) ([]int64, error) {
	v, err := n.Attr[key].ints()
	if err != nil {
		return nil, err
	}
	switch len(v) {
	case 0:
		return []int64{1, 1}, nil
	case 4:
		return v[1:3], nil
	}
	return nil, fmt.Errorf("%w: %s %v", ErrFormat, key, v)
}

// padAttrs gives ONNX the padding TF's mode describes. TF's SAME puts the odd
// pixel at the end, which is ONNX's SAME_UPPER.
func padAttrs(n *tfNode) ([]Attr, error) {
	switch mode := n.Attr["padding"].str(); mode {
	case "SAME":
		return []Attr{strAttr("auto_pad", "SAME_UPPER")}, nil
	case "VALID":
		return []Attr{strAttr("auto_pad", "VALID")}, nil
	case "EXPLICIT":
		p, err := n.Attr["explicit_paddings"].ints()
		if err != nil || len(p) != 8 {
			return nil, fmt.Errorf("%w: explicit_paddings %v", ErrFormat, p)
		}
		return []Attr{intsAttr("pads", p[2], p[4], p[3], p[5])}, nil
	default:
		return nil, fmt.Errorf("%w: padding %q", ErrUnsupported, mode)
	}
}

func (c *tfConverter) conv2D(n *tfNode, in []value) (value, error) {
	if err := c.nhwcOnly(n); err != nil {
		return value{}, err
	}
	x, err := c.asNCHW(in[0])
	if err != nil {
		return value{}, err
	}
	filter, err := c.constIn(n, in, 1)
	if err != nil {
		return value{}, err
	}
	attrs, err := padAttrs(n)
	if err != nil {
		return value{}, err
	}
	strides, err := spatial(n, "strides")
	if err != nil {
		return value{}, err
	}
	dil, err := spatial(n, "dilations")
	if err != nil {
		return value{}, err
	}
	attrs = append(attrs, intsAttr("strides", strides...), intsAttr("dilations", dil...))
	var wDims []int64
	var wData []float32
	if strings.Contains(n.Op, "Depthwise") {
		var groups int
		wDims, wData, groups, err = depthwiseWeights(filter)
		attrs = append(attrs, intAttr("group", int64(groups)))
	} else {
		wDims, wData, err = convWeights(filter)
	}
	if err != nil {
		return value{}, err
	}
	attrs = append(attrs, intsAttr("kernel_shape", wDims[2:]...))
	inputs := []string{x, c.initF32(n.Name+"/filter", wDims, wData)}
	return c.fused(n, in, inputs, func(ins []string) string { return c.node("Conv", n.Name, ins, attrs...) }, true)
}

// fused applies a _Fused* node's extra ops: BiasAdd (becoming the op's bias
// input when it is a constant) and then one activation.
func (c *tfConverter) fused(n *tfNode, in []value, inputs []string, emit func([]string) string, nchw bool) (value, error) {
	ops := n.Attr["fused_ops"].strs()
	extra := in[2:]
	if len(ops) > 0 && ops[0] == "BiasAdd" {
		if len(extra) == 0 || extra[0].konst == nil || len(extra[0].konst.Shape) != 1 {
			return value{}, fmt.Errorf("%w: fused bias must be a 1-D constant", ErrUnsupported)
		}
		bias := extra[0].konst
		inputs = append(inputs, c.initF32(n.Name+"/bias", dims64(bias.Shape), bias.F32))
		ops, extra = ops[1:], extra[1:]
	}
	out := value{name: emit(inputs), rank: 4, nchw: nchw}
	if !nchw {
		out.rank = 2
	}
	if len(ops) > 1 {
		return value{}, fmt.Errorf("%w: fused ops %v", ErrUnsupported, n.Attr["fused_ops"].strs())
	}
	if len(ops) == 1 {
		return c.activation(n, ops[0], out, extra)
	}
	return out, nil
}

func (c *tfConverter) activation(n *tfNode, op string, x value, extra []value) (value, error) {
	switch op {
	case "Relu", "Sigmoid", "Tanh":
		return unaryOp(op)(c, n, []value{x})
	case "Relu6":
		return c.relu6(n, []value{x})
	case "Prelu":
		if len(extra) == 0 {
			return value{}, fmt.Errorf("%w: fused Prelu without alpha", ErrFormat)
		}
		return binaryOp("PRelu")(c, n, []value{x, extra[0]})
	case "LeakyRelu":
		alpha := float32(n.Attr["leakyrelu_alpha"].float())
		return value{name: c.node("LeakyRelu", n.Name+"/act", []string{x.name}, floatAttr("alpha", alpha)), rank: x.rank, nchw: x.nchw}, nil
	}
	return value{}, fmt.Errorf("%w: fused activation %s", ErrUnsupported, op)
}

func (c *tfConverter) pool(n *tfNode, in []value) (value, error) {
	if err := c.nhwcOnly(n); err != nil {
		return value{}, err
	}
	x, err := c.asNCHW(in[0])
	if err != nil {
		return value{}, err
	}
	attrs, err := padAttrs(n)
	if err != nil {
		return value{}, err
	}
	k, err := spatial(n, "ksize")
	if err != nil {
		return value{}, err
	}
	s, err := spatial(n, "strides")
	if err != nil {
		return value{}, err
	}
	attrs = append(attrs, intsAttr("kernel_shape", k...), intsAttr("strides", s...))
	op := "MaxPool"
	if n.Op == "AvgPool" {
		op = "AveragePool" // count_include_pad=0, as TF averages only real pixels
	}
	return value{name: c.node(op, n.Name, []string{x}, attrs...), rank: 4, nchw: true}, nil
}

// binaryOp converts an element-wise op with numpy broadcasting. If either
// side is an NCHW activation the other is brought to NCHW too.
func binaryOp(onnxOp string) opFunc {
	return func(c *tfConverter, n *tfNode, in []value) (value, error) {
		if len(in) != 2 {
			return value{}, fmt.Errorf("%w: %d inputs", ErrFormat, len(in))
		}
		rank := max(in[0].rank, in[1].rank)
		names := make([]string, 2)
		layoutNCHW := (in[0].nchw || in[1].nchw) && rank == 4
		for i, v := range in {
			if !layoutNCHW {
				names[i] = c.native(v)
				continue
			}
			name, err := c.asNCHW(v)
			if err != nil {
				return value{}, err
			}
			names[i] = name
		}
		return value{name: c.node(onnxOp, n.Name, names), rank: rank, nchw: layoutNCHW}, nil
	}
}

func unaryOp(onnxOp string) opFunc {
	return func(c *tfConverter, n *tfNode, in []value) (value, error) {
		x, err := activationInput(in)
		if err != nil {
			return value{}, err
		}
		return value{name: c.node(onnxOp, n.Name+"/"+onnxOp, []string{x.name}), rank: x.rank, nchw: x.nchw}, nil
	}
}

// activationInput is the single tensor input of a unary op; constant folding
// is not something these models need, so a constant input is refused.
func activationInput(in []value) (value, error) {
	if in[0].konst != nil {
		return value{}, fmt.Errorf("%w: unary op on a constant", ErrUnsupported)
	}
	return in[0], nil
}

func (c *tfConverter) relu6(n *tfNode, in []value) (value, error) {
	x, err := activationInput(in)
	if err != nil {
		return value{}, err
	}
	lo := c.initF32(n.Name+"/min", nil, []float32{0})
	hi := c.initF32(n.Name+"/max", nil, []float32{6})
	return value{name: c.node("Clip", n.Name+"/relu6", []string{x.name, lo, hi}), rank: x.rank, nchw: x.nchw}, nil
}

func (c *tfConverter) square(n *tfNode, in []value) (value, error) {
	x, err := activationInput(in)
	if err != nil {
		return value{}, err
	}
	return value{name: c.node("Mul", n.Name, []string{x.name, x.name}), rank: x.rank, nchw: x.nchw}, nil
}

func (c *tfConverter) rsqrt(n *tfNode, in []value) (value, error) {
	x, err := activationInput(in)
	if err != nil {
		return value{}, err
	}
	root := c.node("Sqrt", n.Name+"/sqrt", []string{x.name})
	return value{name: c.node("Reciprocal", n.Name, []string{root}), rank: x.rank, nchw: x.nchw}, nil
}

func (c *tfConverter) softmax(n *tfNode, in []value) (value, error) {
	x, err := activationInput(in)
	if err != nil {
		return value{}, err
	}
	return value{name: c.node("Softmax", n.Name, []string{c.native(x)}, intAttr("axis", -1)), rank: x.rank}, nil
}

func (c *tfConverter) pad(n *tfNode, in []value) (value, error) {
	p, err := c.constIn(n, in, 1)
	if err != nil {
		return value{}, err
	}
	x := in[0]
	if p.I32 == nil || len(p.Shape) != 2 || p.Shape[0] != x.rank || p.Shape[1] != 2 {
		return value{}, fmt.Errorf("%w: paddings shape %v for rank %d", ErrFormat, p.Shape, x.rank)
	}
	pads := make([]int64, 2*x.rank)
	for axis := 0; axis < x.rank; axis++ {
		to := int64(axis)
		if x.nchw {
			to = nhwcAxisInNCHW[axis]
		}
		pads[to] = int64(p.I32[2*axis])
		pads[int64(x.rank)+to] = int64(p.I32[2*axis+1])
	}
	padsName := c.initI64(n.Name+"/pads", []int64{int64(len(pads))}, pads)
	src := x.name
	if !x.nchw {
		src = c.native(x)
	}
	return value{name: c.node("Pad", n.Name, []string{src, padsName}), rank: x.rank, nchw: x.nchw}, nil
}

func (c *tfConverter) reshape(n *tfNode, in []value) (value, error) {
	s, err := c.constIn(n, in, 1)
	if err != nil {
		return value{}, err
	}
	if s.I32 == nil || len(s.Shape) != 1 {
		return value{}, fmt.Errorf("%w: reshape target", ErrFormat)
	}
	shape := make([]int64, len(s.I32))
	for i, d := range s.I32 {
		if d == 0 { // TF 0 is an empty axis; ONNX 0 would copy the input's
			return value{}, fmt.Errorf("%w: reshape to a zero dimension", ErrUnsupported)
		}
		shape[i] = int64(d)
	}
	shapeName := c.initI64(n.Name+"/shape", []int64{int64(len(shape))}, shape)
	return value{name: c.node("Reshape", n.Name, []string{c.native(in[0]), shapeName}), rank: len(shape)}, nil
}

func (c *tfConverter) squeeze(n *tfNode, in []value) (value, error) {
	axes, err := n.Attr["squeeze_dims"].ints()
	if err != nil {
		return value{}, err
	}
	x := in[0]
	if len(axes) == 0 {
		return value{}, fmt.Errorf("%w: squeeze without explicit axes", ErrUnsupported)
	}
	if axes, err = normalizeAxes(axes, x.rank); err != nil {
		return value{}, err
	}
	axesName := c.initI64(n.Name+"/axes", []int64{int64(len(axes))}, axes)
	return value{name: c.node("Squeeze", n.Name, []string{c.native(x), axesName}), rank: x.rank - len(axes)}, nil
}

func normalizeAxes(axes []int64, rank int) ([]int64, error) {
	out := make([]int64, len(axes))
	for i, a := range axes {
		if a < 0 {
			a += int64(rank)
		}
		if a < 0 || a >= int64(rank) {
			return nil, fmt.Errorf("%w: axis %d for rank %d", ErrFormat, axes[i], rank)
		}
		out[i] = a
	}
	return out, nil
}

// reduceOp converts Mean/Sum. An NCHW input stays NCHW when the reduction
// keeps every axis or removes axes so that the rest keep TF's order.
func reduceOp(onnxOp string) opFunc {
	return func(c *tfConverter, n *tfNode, in []value) (value, error) {
		a, err := c.constIn(n, in, 1)
		if err != nil {
			return value{}, err
		}
		if a.I32 == nil {
			return value{}, fmt.Errorf("%w: reduction axes", ErrFormat)
		}
		x := in[0]
		axes := make([]int64, len(a.I32))
		for i, v := range a.I32 {
			axes[i] = int64(v)
		}
		if axes, err = normalizeAxes(axes, x.rank); err != nil {
			return value{}, err
		}
		keep := n.Attr["keep_dims"].B
		src := c.native(x)
		nchwOut := false
		if x.nchw && (keep || reductionKeepsOrder(axes)) {
			src, nchwOut = x.name, keep
			for i, ax := range axes {
				axes[i] = nhwcAxisInNCHW[ax]
			}
		}
		rank := x.rank
		if !keep {
			rank -= len(axes)
		}
		keepInt := int64(0)
		if keep {
			keepInt = 1
		}
		var out string
		if onnxOp == "ReduceMean" { // opset 17: axes is an attribute
			out = c.node(onnxOp, n.Name, []string{src}, intsAttr("axes", axes...), intAttr("keepdims", keepInt))
		} else {
			axesName := c.initI64(n.Name+"/axes", []int64{int64(len(axes))}, axes)
			out = c.node(onnxOp, n.Name, []string{src, axesName}, intAttr("keepdims", keepInt))
		}
		return value{name: out, rank: rank, nchw: nchwOut}, nil
	}
}

// reductionKeepsOrder reports whether removing these NHWC axes from an NCHW
// tensor leaves the remaining axes in the same order as in NHWC.
func reductionKeepsOrder(axes []int64) bool {
	removed := map[int64]bool{}
	for _, a := range axes {
		removed[a] = true
	}
	var rest []int64
	for _, nhwcAxis := range []int64{0, 3, 1, 2} { // NCHW order, named by NHWC axis
		if !removed[nhwcAxis] {
			rest = append(rest, nhwcAxis)
		}
	}
	for i := 1; i < len(rest); i++ {
		if rest[i] < rest[i-1] {
			return false
		}
	}
	return true
}

func (c *tfConverter) matMul(n *tfNode, in []value) (value, error) {
	if len(in) < 2 || in[0].rank != 2 || in[1].rank != 2 {
		return value{}, fmt.Errorf("%w: matmul of non-matrices", ErrUnsupported)
	}
	names := []string{c.native(in[0]), c.native(in[1])}
	for i, key := range []string{"transpose_a", "transpose_b"} {
		if n.Attr[key].B {
			names[i] = c.node("Transpose", n.Name+"/"+key, []string{names[i]}, intsAttr("perm", 1, 0))
		}
	}
	return c.fused(n, in, names, func(ins []string) string {
		out := c.node("MatMul", n.Name, ins[:2])
		if len(ins) == 3 {
			out = c.node("Add", n.Name+"/bias", []string{out, ins[2]})
		}
		return out
	}, false)
}

func (c *tfConverter) concat(n *tfNode, in []value) (value, error) {
	if len(in) < 2 {
		return value{}, fmt.Errorf("%w: concat without inputs", ErrFormat)
	}
	a, err := c.constIn(n, in, len(in)-1)
	if err != nil {
		return value{}, err
	}
	if a.I32 == nil || len(a.I32) != 1 {
		return value{}, fmt.Errorf("%w: concat axis", ErrFormat)
	}
	parts := in[:len(in)-1]
	rank := parts[0].rank
	axes, err := normalizeAxes([]int64{int64(a.I32[0])}, rank)
	if err != nil {
		return value{}, err
	}
	axis := axes[0]
	anyNCHW := false
	for _, p := range parts {
		anyNCHW = anyNCHW || p.nchw
	}
	names := make([]string, len(parts))
	for i, p := range parts {
		if anyNCHW && rank == 4 {
			if names[i], err = c.asNCHW(p); err != nil {
				return value{}, err
			}
		} else {
			names[i] = c.native(p)
		}
	}
	nchw := anyNCHW && rank == 4
	if nchw {
		axis = nhwcAxisInNCHW[axis]
	}
	return value{name: c.node("Concat", n.Name, names, intAttr("axis", axis)), rank: rank, nchw: nchw}, nil
}
