package jp2

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"testing"
	"unsafe"
)

func TestLosslessGrayRoundTrip(t *testing.T) {
	for _, size := range [][2]int{{1, 1}, {3, 7}, {64, 64}, {300, 400}} {
		for _, f := range []Format{FormatJ2K, FormatJP2} {
			src := testGray(size[0], size[1], 9)
			data := mustEncode(t, src.Pix, size[0], size[1], 1, 100, f)
			if Detect(data) != f {
				t.Fatalf("%v: encoded data detected as %v", size, Detect(data))
			}
			img, err := Decode(data, nil)
			if err != nil {
				t.Fatalf("%v %s: %v", size, f, err)
			}
			got, ok := img.(*image.Gray)
			if !ok {
				t.Fatalf("%v %s: decoded %T, want *image.Gray", size, f, img)
			}
			if got.Bounds() != src.Bounds() || !bytes.Equal(got.Pix, src.Pix) {
				t.Fatalf("%v %s: lossless round trip changed pixels", size, f)
			}
		}
	}
}

func TestLosslessRGBRoundTrip(t *testing.T) {
	const w, h = 40, 30
	src := testRGB(w, h)
	for _, f := range []Format{FormatJ2K, FormatJP2} {
		img, err := Decode(mustEncode(t, src, w, h, 3, 100, f), nil)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		got, ok := img.(*image.RGBA)
		if !ok {
			t.Fatalf("%s: decoded %T, want *image.RGBA", f, img)
		}
		for i := range w * h {
			p := got.Pix[4*i : 4*i+4]
			if p[0] != src[3*i] || p[1] != src[3*i+1] || p[2] != src[3*i+2] || p[3] != 0xff {
				t.Fatalf("%s: pixel %d = %v, want %v", f, i, p, src[3*i:3*i+3])
			}
		}
	}
}

func TestEncodeGrayCardSizedIsSmallAndFaithful(t *testing.T) {
	src := testGray(300, 400, 4)
	data, err := EncodeGray(src, CardPhotoQuality)
	if err != nil {
		t.Fatal(err)
	}
	if Detect(data) != FormatJ2K {
		t.Fatalf("EncodeGray made %v, want J2K", Detect(data))
	}
	raw := 300 * 400
	if len(data) > raw*CardPhotoQuality/100+512 || len(data) < 1000 {
		t.Fatalf("card photo is %d bytes, want about %d", len(data), raw*CardPhotoQuality/100)
	}
	img, err := Decode(data, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p := psnr(img.(*image.Gray).Pix, src.Pix); p < 25 {
		t.Fatalf("PSNR %.1f dB at quality %d, want >= 25", p, CardPhotoQuality)
	}
}

func TestEncodeGraySubImage(t *testing.T) {
	src := testGray(50, 40, 5)
	sub := src.SubImage(image.Rect(10, 5, 30, 35)).(*image.Gray)
	data, err := EncodeGray(sub, 100)
	if err != nil {
		t.Fatal(err)
	}
	img, err := Decode(data, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := img.(*image.Gray)
	for y := range 30 {
		for x := range 20 {
			if got.GrayAt(x, y) != sub.GrayAt(10+x, 5+y) {
				t.Fatalf("pixel (%d,%d) differs", x, y)
			}
		}
	}
}

func TestEncodeRejectsBadArguments(t *testing.T) {
	src := testGray(8, 8, 1)
	for _, q := range []int{0, -1, 101} {
		if _, err := EncodeGray(src, q); !errors.Is(err, ErrInvalid) {
			t.Errorf("quality %d: err %v, want ErrInvalid", q, err)
		}
	}
	if _, err := EncodeGray(nil, 50); !errors.Is(err, ErrInvalid) {
		t.Errorf("nil image: err %v", err)
	}
	if _, err := EncodeGray(image.NewGray(image.Rect(0, 0, 0, 5)), 50); !errors.Is(err, ErrInvalid) {
		t.Errorf("empty image: err %v", err)
	}
}

func TestDecodeUsesCallerMemory(t *testing.T) {
	src := testGray(30, 20, 3)
	data := mustEncode(t, src.Pix, 30, 20, 1, 100, FormatJ2K)
	var given []byte
	img, err := Decode(data, func(n int) []byte {
		given = make([]byte, n+16)
		return given
	})
	if err != nil {
		t.Fatal(err)
	}
	pix := img.(*image.Gray).Pix
	if unsafe.SliceData(pix) != unsafe.SliceData(given) || len(pix) != 600 {
		t.Fatal("pixels not written into the caller's buffer")
	}
	if _, err := Decode(data, func(n int) []byte { return make([]byte, n-1) }); !errors.Is(err, ErrInvalid) {
		t.Fatalf("short alloc: err %v, want ErrInvalid", err)
	}
}

func TestDecodeConfig(t *testing.T) {
	data := mustEncode(t, testRGB(33, 21), 33, 21, 3, 20, FormatJP2)
	w, h, c, err := DecodeConfig(data)
	if err != nil || w != 33 || h != 21 || c != 3 {
		t.Fatalf("DecodeConfig = %d,%d,%d,%v; want 33,21,3", w, h, c, err)
	}
}

func TestTruncatedInputIsErrTruncated(t *testing.T) {
	for _, f := range []Format{FormatJ2K, FormatJP2} {
		data := mustEncode(t, testGray(64, 48, 2).Pix, 64, 48, 1, 10, f)
		for n := 0; n < len(data); n += max(1, len(data)/97) {
			_, err := Decode(data[:n], nil)
			if !errors.Is(err, ErrTruncated) {
				t.Fatalf("%s cut at %d of %d: err %v, want ErrTruncated", f, n, len(data), err)
			}
		}
		if _, err := Decode(data[:len(data)-1], nil); !errors.Is(err, ErrTruncated) {
			t.Fatalf("%s missing last byte: err %v", f, err)
		}
	}
}

func TestCorruptHeaderIsErrCorrupt(t *testing.T) {
	data := mustEncode(t, testGray(16, 16, 2).Pix, 16, 16, 1, 100, FormatJ2K)
	bad := bytes.Clone(data)
	binary.BigEndian.PutUint32(bad[8:], 0) // SIZ Xsiz = 0
	if _, err := Decode(bad, nil); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("zero width: err %v, want ErrCorrupt", err)
	}
}

func TestNotJPEG2000IsUnsupported(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	if _, err := Decode(png, nil); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("PNG: err %v, want ErrUnsupported", err)
	}
	if _, err := Decode(nil, nil); !errors.Is(err, ErrTruncated) {
		t.Fatalf("empty: err %v, want ErrTruncated", err)
	}
}

// withSize rewrites a J2K SIZ header to claim a w x h image in w x h tiles.
func withSize(data []byte, w, h uint32) []byte {
	out := bytes.Clone(data)
	binary.BigEndian.PutUint32(out[8:], w)
	binary.BigEndian.PutUint32(out[12:], h)
	binary.BigEndian.PutUint32(out[24:], w)
	binary.BigEndian.PutUint32(out[28:], h)
	return out
}

func TestHugeHeaderIsRefusedBeforeDecoding(t *testing.T) {
	data := mustEncode(t, testGray(16, 16, 2).Pix, 16, 16, 1, 100, FormatJ2K)
	huge := withSize(data, 40000, 30000)
	w, h, _, err := DecodeConfig(huge)
	if err != nil || w != 40000 || h != 30000 {
		t.Fatalf("DecodeConfig(huge) = %d,%d,%v", w, h, err)
	}
	if _, err := Decode(huge, nil); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("huge: err %v, want ErrTooLarge", err)
	}
}
