package cardscan

import (
	"context"
	"image"
)

// OCRRequest is one cropped text line to recognise.
type OCRRequest struct {
	Image *image.Gray
	// Lang is a Tesseract language: "jpn" for the date lines, "eng" for digits.
	Lang string
	// Whitelist restricts the characters the engine may output; empty allows all.
	Whitelist string
}

// OCRResult is what the engine read. Text is card-face data: the receiver
// wipes it (secret.Wipe) as soon as it is parsed, and never makes it a string.
type OCRResult struct {
	Text []byte
	// Confidence is the engine's lowest per-character confidence, 0..1.
	Confidence float64
	// Confidences holds each rune's confidence, one per rune of Text, or
	// nothing when the engine cannot tell them.
	Confidences []float64
	// Boxes holds each character's box in the request's image, one per
	// rune of Text, or nothing when the engine cannot tell them. They are
	// positions, not card data; the scanner uses them to re-read a date's
	// digits alone (spans.go).
	Boxes []image.Rectangle
}

// OCR recognises single text lines. hardware/ocr implements it with
// Tesseract; implementations must be safe for concurrent use.
type OCR interface {
	Recognize(ctx context.Context, req OCRRequest) (OCRResult, error)
}
