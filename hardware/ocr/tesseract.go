// Package ocr recognises text lines with Tesseract through gosseract, behind
// app/cardscan's OCR interface, and runs a pool of workers so the session can
// scan a card while it captures faces.
package ocr

import (
	"errors"
	"fmt"
	"image"
	"strconv"
	"unicode/utf8"

	"github.com/otiai10/gosseract/v2"

	"github.com/uketsuke/uketsuke/app/cardscan"
	"github.com/uketsuke/uketsuke/app/secret"
)

// ErrLanguage means a request named a language the worker was not built with.
var ErrLanguage = errors.New("ocr: language not loaded")

// engine is one worker's Tesseract clients, one per language, each loaded
// once: loading a model costs 250-550 ms, recognising a line tens of ms.
type engine struct {
	clients map[string]*gosseract.Client
	blanked int // times its clients were handed the blank image (tests)
}

func newEngine(langs []string) (*engine, error) {
	e := &engine{clients: map[string]*gosseract.Client{}}
	for _, lang := range langs {
		c := gosseract.NewClient()
		if err := c.SetLanguage(lang); err != nil {
			e.close()
			return nil, err
		}
		_ = c.SetPageSegMode(gosseract.PSM_SINGLE_LINE)
		_ = c.SetVariable("user_defined_dpi", "300")
		_ = c.SetVariable("debug_file", "/dev/null")
		e.clients[lang] = c
		if err := e.warm(c); err != nil {
			e.close()
			return nil, fmt.Errorf("ocr: loading %s: %w", lang, err)
		}
	}
	return e, nil
}

// warm makes the client load its model now rather than on a patient's card.
func (e *engine) warm(c *gosseract.Client) error {
	img := image.NewGray(image.Rect(0, 0, 32, 16))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	pgm := encodePGM(img)
	defer secret.Wipe(pgm)
	if err := c.SetImageFromBytes(pgm); err != nil {
		return err
	}
	_, err := c.GetBoundingBoxes(gosseract.RIL_SYMBOL)
	return err
}

// forget hands every client the blank image, so the last crop (usually the
// security code) does not stay in Tesseract's memory until the next patient.
func (e *engine) forget() error {
	for _, c := range e.clients {
		if err := e.warm(c); err != nil {
			return err
		}
	}
	e.blanked++
	return nil
}

func (e *engine) close() {
	for _, c := range e.clients {
		_ = c.Close()
	}
	e.clients = nil
}

// recognize reads one line. Text is assembled symbol by symbol so that one
// recognition pass yields both the text and each character's confidence.
func (e *engine) recognize(req cardscan.OCRRequest) (cardscan.OCRResult, error) {
	c, ok := e.clients[req.Lang]
	if !ok {
		return cardscan.OCRResult{}, fmt.Errorf("%w: %q", ErrLanguage, req.Lang)
	}
	if req.Image == nil || req.Image.Rect.Empty() {
		return cardscan.OCRResult{}, nil
	}
	pgm := encodePGM(req.Image)
	defer secret.Wipe(pgm)
	if err := c.SetImageFromBytes(pgm); err != nil {
		return cardscan.OCRResult{}, err
	}
	if err := c.SetWhitelist(req.Whitelist); err != nil {
		return cardscan.OCRResult{}, err
	}
	boxes, err := c.GetBoundingBoxes(gosseract.RIL_SYMBOL)
	if err != nil {
		return cardscan.OCRResult{}, err
	}
	return assemble(boxes), nil
}

// assemble joins symbols into text. gosseract hands each symbol over as a Go
// string (its API offers nothing else); they are copied out at once and left
// to the collector, which is the one place card text exists as a string.
// Each rune gets its symbol's box and confidence (a symbol is almost always
// one rune).
func assemble(boxes []gosseract.BoundingBox) cardscan.OCRResult {
	out := cardscan.OCRResult{Confidence: 1}
	if len(boxes) == 0 {
		out.Confidence = 0
	}
	for i := range boxes {
		w := boxes[i].Word
		if !utf8.ValidString(w) {
			continue
		}
		out.Text = append(out.Text, w...)
		c := boxes[i].Confidence / 100
		for range utf8.RuneCountInString(w) {
			out.Boxes = append(out.Boxes, boxes[i].Box)
			out.Confidences = append(out.Confidences, c)
		}
		out.Confidence = min(out.Confidence, c)
		boxes[i].Word = ""
	}
	return out
}

// encodePGM writes a binary PGM, which Leptonica reads from memory without
// compression work, so a crop costs microseconds to hand over.
func encodePGM(img *image.Gray) []byte {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	header := "P5\n" + strconv.Itoa(w) + " " + strconv.Itoa(h) + "\n255\n"
	buf := make([]byte, 0, len(header)+w*h)
	buf = append(buf, header...)
	for y := 0; y < h; y++ {
		off := img.PixOffset(img.Rect.Min.X, img.Rect.Min.Y+y)
		buf = append(buf, img.Pix[off:off+w]...)
	}
	return buf
}
