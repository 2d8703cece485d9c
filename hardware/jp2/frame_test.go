package jp2

import (
	"image"
	"image/color"
	"testing"
)

func TestDecodeFrameGivesTheImageInALockedFrame(t *testing.T) {
	src := image.NewGray(image.Rect(0, 0, 64, 80))
	for i := range src.Pix {
		src.Pix[i] = byte(i % 251)
	}
	data, err := EncodeGray(src, 100)
	if err != nil {
		t.Fatal(err)
	}
	f, err := DecodeFrame(data)
	if err != nil {
		t.Fatal(err)
	}
	if b := f.Image.Bounds(); b.Dx() != 64 || b.Dy() != 80 {
		t.Fatalf("frame %v", b)
	}
	want := color.GrayModel.Convert(src.At(10, 20)).(color.Gray).Y
	if got := color.GrayModel.Convert(f.Image.At(10, 20)).(color.Gray).Y; got != want {
		t.Fatalf("pixel %d, want %d (lossless)", got, want)
	}
	f.Release()
	if f.Image != nil {
		t.Fatal("a released frame still exposes its pixels")
	}
	if _, err := DecodeFrame([]byte{0xFF, 0x4F, 0xFF, 0x51}); err == nil {
		t.Fatal("a truncated codestream decoded")
	}
}
