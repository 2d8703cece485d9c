package jp2

import (
	"errors"
	"image"
	"testing"
)

// FuzzDecode feeds arbitrary bytes to the decoder: it must never crash, must
// fail only with the package's typed errors, and must agree with DecodeConfig.
func FuzzDecode(f *testing.F) {
	grey := testGray(24, 16, 7).Pix
	rgb := testRGB(16, 12)
	for _, fm := range []Format{FormatJ2K, FormatJP2} {
		f.Add(mustEncode(f, grey, 24, 16, 1, 100, fm))
		f.Add(mustEncode(f, grey, 24, 16, 1, 5, fm))
		f.Add(mustEncode(f, rgb, 16, 12, 3, 100, fm))
		lossy := mustEncode(f, rgb, 16, 12, 3, 10, fm)
		f.Add(lossy[:len(lossy)/2])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		img, err := Decode(data, nil)
		if err != nil {
			if !typed(err) {
				t.Fatalf("untyped error: %v", err)
			}
			return
		}
		w, h, comps, err := DecodeConfig(data)
		if err != nil {
			t.Fatalf("Decode succeeded but DecodeConfig failed: %v", err)
		}
		if img.Bounds() != image.Rect(0, 0, w, h) {
			t.Fatalf("Decode bounds %v, DecodeConfig %dx%d", img.Bounds(), w, h)
		}
		switch img.(type) {
		case *image.Gray:
			if comps != 1 {
				t.Fatalf("Gray image from %d components", comps)
			}
		case *image.RGBA:
			if comps != 3 {
				t.Fatalf("RGBA image from %d components", comps)
			}
		default:
			t.Fatalf("unexpected image type %T", img)
		}
	})
}

func typed(err error) bool {
	for _, want := range []error{ErrTruncated, ErrCorrupt, ErrTooLarge, ErrUnsupported} {
		if errors.Is(err, want) {
			return true
		}
	}
	return false
}
