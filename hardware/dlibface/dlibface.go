//go:build dlib

package dlibface

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"sync"

	goface "github.com/Kagami/go-face"

	"github.com/uketsuke/uketsuke/app/face"
	"github.com/uketsuke/uketsuke/app/secret"
)

// ErrNoFace means dlib's own detector found no face in the chip.
var ErrNoFace = errors.New("dlibface: dlib found no face in the chip")

// chipSize is dlib's face chip (get_face_chip_details size 150, padding 0.25).
const chipSize = 150

// Embedder runs dlib's ResNet through go-face. go-face detects and aligns
// on its own, so the aligned chip is handed over on a margin that its
// detector can find the face in.
type Embedder struct {
	mu  sync.Mutex
	rec *goface.Recognizer
}

// NewEmbedder loads dlib's models from modelDir.
func NewEmbedder(modelDir string) (*Embedder, error) {
	rec, err := goface.NewRecognizerWithConfig(modelDir, chipSize, 0.25, 0)
	if err != nil {
		return nil, fmt.Errorf("dlibface: %w", err)
	}
	return &Embedder{rec: rec}, nil
}

// Chip is the 150x150 dlib-template chip.
func (e *Embedder) Chip() face.ChipSpec {
	t, _ := face.TemplateFor("dlib", chipSize)
	return face.ChipSpec{TensorSpec: face.TensorSpec{Width: chipSize, Height: chipSize, Layout: "nhwc", Colour: "rgb",
		Std: [3]float64{1, 1, 1}}, Template: t}
}

// Embed returns dlib's 128-d descriptor of the chip, L2-normalised.
func (e *Embedder) Embed(chip *face.Image) (*face.Embedding, error) {
	if !chip.Alive() {
		return nil, face.ErrReleased
	}
	jpg, err := encodeWithMargin(chip)
	if err != nil {
		return nil, err
	}
	defer jpg.Destroy()
	e.mu.Lock()
	f, err := e.rec.RecognizeSingle(jpg.Bytes())
	e.mu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("dlibface: %w", err)
	}
	if f == nil {
		return nil, ErrNoFace
	}
	v := f.Descriptor[:]
	defer clear(v)
	return face.NewEmbedding(append([]float32(nil), v...))
}

// encodeWithMargin puts the chip in the middle of a canvas twice its size
// and encodes it as JPEG (go-face's input) into locked memory.
func encodeWithMargin(chip *face.Image) (*secret.Buffer, error) {
	canvas := image.NewRGBA(image.Rect(0, 0, 2*chip.W, 2*chip.H))
	defer clear(canvas.Pix)
	for i := 3; i < len(canvas.Pix); i += 4 {
		canvas.Pix[i-3], canvas.Pix[i-2], canvas.Pix[i-1], canvas.Pix[i] = 128, 128, 128, 255
	}
	ox, oy := chip.W/2, chip.H/2
	for y := 0; y < chip.H; y++ {
		for x := 0; x < chip.W; x++ {
			r, g, b := chip.At(x, y)
			i := canvas.PixOffset(x+ox, y+oy)
			canvas.Pix[i], canvas.Pix[i+1], canvas.Pix[i+2] = r, g, b
		}
	}
	// One allocation large enough for any JPEG of the canvas, so no
	// unwiped copy is left behind by the buffer growing.
	buf := bytes.NewBuffer(make([]byte, 0, len(canvas.Pix)))
	if err := jpeg.Encode(buf, canvas, &jpeg.Options{Quality: 95}); err != nil {
		return nil, err
	}
	return secret.Take(buf.Bytes())
}

// Close frees dlib's models.
func (e *Embedder) Close() { e.rec.Close() }
