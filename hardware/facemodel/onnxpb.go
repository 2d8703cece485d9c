package facemodel

import (
	"encoding/binary"
	"math"
)

// A hand-written encoder for the few ONNX protobuf messages a converted model
// needs. The protobuf wire format is small enough that this beats pulling in
// a code generator; field numbers are those of onnx/onnx.proto.

// ONNX TensorProto.DataType values used here.
const (
	dtFloat = 1
	dtInt32 = 6
	dtInt64 = 7
)

// ONNX AttributeProto.AttributeType values used here.
const (
	attrFloat  = 1
	attrInt    = 2
	attrString = 3
	attrInts   = 7
)

const (
	onnxIRVersion = 8
	onnxOpset     = 17
)

type pbuf []byte

func (p *pbuf) tag(field, wire int) { p.uvarint(uint64(field)<<3 | uint64(wire)) }

func (p *pbuf) uvarint(v uint64) { *p = binary.AppendUvarint(*p, v) }

func (p *pbuf) varint(field int, v int64) {
	p.tag(field, 0)
	p.uvarint(uint64(v))
}

func (p *pbuf) bytes(field int, b []byte) {
	p.tag(field, 2)
	p.uvarint(uint64(len(b)))
	*p = append(*p, b...)
}

func (p *pbuf) str(field int, s string) { p.bytes(field, []byte(s)) }

func (p *pbuf) float(field int, f float32) {
	p.tag(field, 5)
	*p = binary.LittleEndian.AppendUint32(*p, math.Float32bits(f))
}

// Model is an ONNX model: one graph plus the metadata ONNX Runtime requires.
type Model struct {
	Producer string
	Doc      string
	Graph    Graph
	Metadata map[string]string
}

// Graph is an ONNX graph in topological order.
type Graph struct {
	Name    string
	Nodes   []Node
	Inits   []Tensor
	Inputs  []ValueInfo
	Outputs []ValueInfo
}

// Node is one ONNX operator application.
type Node struct {
	Op    string
	Name  string
	In    []string
	Out   []string
	Attrs []Attr
}

// Attr is a node attribute; Kind says which value field is meant.
type Attr struct {
	Name  string
	Kind  int
	Int   int64
	Ints  []int64
	Float float32
	Str   string
}

// Tensor is an initializer: exactly one of F32, I32, I64 holds the values.
type Tensor struct {
	Name string
	Dims []int64
	F32  []float32
	I32  []int32
	I64  []int64
}

// ValueInfo names a graph input or output. A negative dimension is symbolic
// (the batch), written as the parameter "N".
type ValueInfo struct {
	Name  string
	Shape []int64
}

func intAttr(name string, v int64) Attr     { return Attr{Name: name, Kind: attrInt, Int: v} }
func intsAttr(name string, v ...int64) Attr { return Attr{Name: name, Kind: attrInts, Ints: v} }
func floatAttr(name string, v float32) Attr { return Attr{Name: name, Kind: attrFloat, Float: v} }
func strAttr(name, v string) Attr           { return Attr{Name: name, Kind: attrString, Str: v} }

// Marshal encodes the model as an ONNX ModelProto.
func (m *Model) Marshal() []byte {
	var p pbuf
	p.varint(1, onnxIRVersion)
	p.str(2, m.Producer)
	if m.Doc != "" {
		p.str(6, m.Doc)
	}
	p.bytes(7, m.Graph.marshal())
	var opset pbuf
	opset.str(1, "")
	opset.varint(2, onnxOpset)
	p.bytes(8, opset)
	for _, k := range sortedKeys(m.Metadata) {
		var kv pbuf
		kv.str(1, k)
		kv.str(2, m.Metadata[k])
		p.bytes(14, kv)
	}
	return p
}

func (g *Graph) marshal() []byte {
	var p pbuf
	for i := range g.Nodes {
		p.bytes(1, g.Nodes[i].marshal())
	}
	p.str(2, g.Name)
	for i := range g.Inits {
		p.bytes(5, g.Inits[i].marshal())
	}
	for _, v := range g.Inputs {
		p.bytes(11, v.marshal())
	}
	for _, v := range g.Outputs {
		p.bytes(12, v.marshal())
	}
	return p
}

func (n *Node) marshal() []byte {
	var p pbuf
	for _, s := range n.In {
		p.str(1, s)
	}
	for _, s := range n.Out {
		p.str(2, s)
	}
	p.str(3, n.Name)
	p.str(4, n.Op)
	for _, a := range n.Attrs {
		p.bytes(5, a.marshal())
	}
	return p
}

func (a *Attr) marshal() []byte {
	var p pbuf
	p.str(1, a.Name)
	switch a.Kind {
	case attrFloat:
		p.float(2, a.Float)
	case attrInt:
		p.varint(3, a.Int)
	case attrString:
		p.str(4, a.Str)
	case attrInts:
		for _, v := range a.Ints {
			p.varint(8, v)
		}
	}
	p.varint(20, int64(a.Kind))
	return p
}

func (t *Tensor) marshal() []byte {
	var p pbuf
	for _, d := range t.Dims {
		p.varint(1, d)
	}
	var raw []byte
	switch {
	case t.I64 != nil:
		p.varint(2, dtInt64)
		raw = make([]byte, 0, 8*len(t.I64))
		for _, v := range t.I64 {
			raw = binary.LittleEndian.AppendUint64(raw, uint64(v))
		}
	case t.I32 != nil:
		p.varint(2, dtInt32)
		raw = make([]byte, 0, 4*len(t.I32))
		for _, v := range t.I32 {
			raw = binary.LittleEndian.AppendUint32(raw, uint32(v))
		}
	default:
		p.varint(2, dtFloat)
		raw = make([]byte, 0, 4*len(t.F32))
		for _, v := range t.F32 {
			raw = binary.LittleEndian.AppendUint32(raw, math.Float32bits(v))
		}
	}
	p.str(8, t.Name)
	p.bytes(9, raw)
	return p
}

func (v *ValueInfo) marshal() []byte {
	var shape pbuf
	for _, d := range v.Shape {
		var dim pbuf
		if d < 0 {
			dim.str(2, "N")
		} else {
			dim.varint(1, d)
		}
		shape.bytes(1, dim)
	}
	var tensorType pbuf
	tensorType.varint(1, dtFloat)
	tensorType.bytes(2, shape)
	var typ pbuf
	typ.bytes(1, tensorType)
	var p pbuf
	p.str(1, v.Name)
	p.bytes(2, typ)
	return p
}
