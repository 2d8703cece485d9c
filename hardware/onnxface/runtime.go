// Package onnxface runs the face pipeline's models on ONNX Runtime (through
// github.com/yalue/onnxruntime_go): the blazeface detector with the face-mesh
// landmark model, any embedder described by an app/face ModelConfig, and the
// antispoof/liveness models. Sessions are created once and reused; inputs and
// outputs live in locked memory and are wiped after every run.
package onnxface

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"unsafe"

	ort "github.com/yalue/onnxruntime_go"

	"github.com/uketsuke/uketsuke/app/face"
	"github.com/uketsuke/uketsuke/app/secret"
)

// ErrRuntime means ONNX Runtime or a model could not be loaded.
var ErrRuntime = errors.New("onnxface: runtime unavailable")

// LibraryEnv overrides the configured path of libonnxruntime.so.
const LibraryEnv = "UKETSUKE_ORT_LIB"

var (
	initOnce sync.Once
	initErr  error
)

// Init loads the ONNX Runtime library once per process. The path comes from
// UKETSUKE_ORT_LIB if set, else from lib.
func Init(lib string) error {
	initOnce.Do(func() {
		if env := os.Getenv(LibraryEnv); env != "" {
			lib = env
		}
		if _, err := os.Stat(lib); err != nil {
			initErr = fmt.Errorf("%w: %v", ErrRuntime, err)
			return
		}
		ort.SetSharedLibraryPath(lib)
		if err := ort.InitializeEnvironment(ort.WithLogLevelError()); err != nil {
			initErr = fmt.Errorf("%w: %v", ErrRuntime, err)
		}
	})
	return initErr
}

// model is one session with its input and output tensors bound once.
// Tensor memory is locked and wiped after each run (see run).
type model struct {
	mu      sync.Mutex
	session *ort.AdvancedSession
	in      *ort.Tensor[float32]
	inBuf   *secret.Buffer
	outs    []*ort.Tensor[float32]
	outBufs []*secret.Buffer
}

// newModel opens path with one float32 input and the named outputs, batch 1.
func newModel(path, input string, outputs []string, threads int) (*model, error) {
	ins, outInfo, err := ort.GetInputOutputInfo(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrRuntime, path, err)
	}
	m := &model{}
	inShape, err := shapeOf(ins, input)
	if err != nil {
		return nil, err
	}
	if m.inBuf, m.in, err = lockedTensor(inShape); err != nil {
		return nil, err
	}
	for _, name := range outputs {
		s, err := shapeOf(outInfo, name)
		if err != nil {
			m.Close()
			return nil, err
		}
		b, t, err := lockedTensor(s)
		if err != nil {
			m.Close()
			return nil, err
		}
		m.outBufs, m.outs = append(m.outBufs, b), append(m.outs, t)
	}
	opts, err := sessionOptions(threads)
	if err != nil {
		m.Close()
		return nil, err
	}
	defer opts.Destroy()
	outVals := make([]ort.Value, len(m.outs))
	for i, t := range m.outs {
		outVals[i] = t
	}
	m.session, err = ort.NewAdvancedSession(path, []string{input}, outputs, []ort.Value{m.in}, outVals, opts)
	if err != nil {
		m.Close()
		return nil, fmt.Errorf("%w: %s: %v", ErrRuntime, path, err)
	}
	return m, nil
}

func sessionOptions(threads int) (*ort.SessionOptions, error) {
	o, err := ort.NewSessionOptions()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrRuntime, err)
	}
	for _, set := range []func() error{
		func() error { return o.SetIntraOpNumThreads(max(threads, 1)) },
		func() error { return o.SetInterOpNumThreads(1) },
		func() error { return o.SetExecutionMode(ort.ExecutionModeSequential) },
		// Spinning threads burn the second core that the kiosk's other
		// work (card reading, UI) needs.
		func() error { return o.AddSessionConfigEntry("session.intra_op.allow_spinning", "0") },
	} {
		if err := set(); err != nil {
			o.Destroy()
			return nil, fmt.Errorf("%w: %v", ErrRuntime, err)
		}
	}
	return o, nil
}

func shapeOf(infos []ort.InputOutputInfo, name string) (ort.Shape, error) {
	for _, in := range infos {
		if in.Name == name {
			s := in.Dimensions.Clone()
			for i := range s {
				if s[i] < 1 {
					s[i] = 1 // free batch dimension: one at a time
				}
			}
			return s, nil
		}
	}
	return nil, fmt.Errorf("%w: model has no tensor %q", face.ErrConfig, name)
}

func lockedTensor(s ort.Shape) (*secret.Buffer, *ort.Tensor[float32], error) {
	n := int(s.FlattenedSize())
	buf, err := secret.New(n * 4)
	if err != nil {
		return nil, nil, err
	}
	b := buf.Bytes()
	data := unsafe.Slice((*float32)(unsafe.Pointer(&b[0])), n)
	t, err := ort.NewTensor(s, data)
	if err != nil {
		buf.Destroy()
		return nil, nil, fmt.Errorf("%w: %v", ErrRuntime, err)
	}
	return buf, t, nil
}

// input is the input tensor's data; callers hold mu.
func (m *model) input() []float32 { return m.in.GetData() }

// run executes the session, hands the outputs to read, then wipes input
// and outputs so no pixels or embeddings stay behind.
func (m *model) run(read func(outs [][]float32) error) error {
	defer m.wipe()
	if err := m.session.Run(); err != nil {
		return fmt.Errorf("%w: %v", ErrRuntime, err)
	}
	outs := make([][]float32, len(m.outs))
	for i, t := range m.outs {
		outs[i] = t.GetData()
	}
	return read(outs)
}

func (m *model) wipe() {
	clear(m.in.GetData())
	for _, t := range m.outs {
		clear(t.GetData())
	}
}

// Close releases the session and wipes the tensors.
func (m *model) Close() {
	if m == nil {
		return
	}
	if m.session != nil {
		m.session.Destroy()
	}
	if m.in != nil {
		m.in.Destroy()
	}
	for _, t := range m.outs {
		t.Destroy()
	}
	m.inBuf.Destroy()
	for _, b := range m.outBufs {
		b.Destroy()
	}
}
