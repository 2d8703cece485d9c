package camera

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"testing"
)

func TestYUYVKnownColours(t *testing.T) {
	cases := []struct {
		y, u, v byte
		want    color.RGBA
	}{
		{16, 128, 128, color.RGBA{0, 0, 0, 255}},
		{235, 128, 128, color.RGBA{255, 255, 255, 255}},
		{126, 128, 128, color.RGBA{128, 128, 128, 255}},
		{81, 90, 240, color.RGBA{255, 0, 0, 255}},  // BT.601 red
		{145, 54, 34, color.RGBA{0, 255, 0, 255}},  // BT.601 green
		{41, 240, 110, color.RGBA{0, 0, 255, 255}}, // BT.601 blue
	}
	for _, c := range cases {
		dst := image.NewRGBA(image.Rect(0, 0, 2, 1))
		if err := YUYVToRGBA(dst, []byte{c.y, c.u, c.y, c.v}); err != nil {
			t.Fatal(err)
		}
		for x := range 2 {
			if got := dst.RGBAAt(x, 0); !near(got, c.want, 2) {
				t.Errorf("Y%d U%d V%d: pixel %d = %v, want %v", c.y, c.u, c.v, x, got, c.want)
			}
		}
	}
}

func TestYUYVKeepsEachLumaSample(t *testing.T) {
	const w, h = 4, 2
	src := make([]byte, w*h*2)
	for i := range w * h / 2 {
		src[4*i], src[4*i+1], src[4*i+2], src[4*i+3] = byte(16+40*i), 128, byte(36+40*i), 128
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	if err := YUYVToRGBA(dst, src); err != nil {
		t.Fatal(err)
	}
	for i := range w * h {
		y := src[2*i]
		want := clip((298*(int32(y)-16) + 128) >> 8)
		if got := dst.Pix[4*i]; got != want || dst.Pix[4*i+1] != want || dst.Pix[4*i+2] != want {
			t.Fatalf("pixel %d = %v, want grey %d", i, dst.Pix[4*i:4*i+3], want)
		}
	}
}

func TestYUYVPaddedRows(t *testing.T) {
	const w, h, stride = 2, 3, 8 // each row: 4 bytes of pixels, 4 of padding
	src := make([]byte, h*stride)
	for y := range h {
		copy(src[y*stride:], []byte{byte(16 + 100*y), 128, byte(16 + 100*y), 128})
		copy(src[y*stride+4:], []byte{255, 0, 255, 0}) // padding must be ignored
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	if err := YUYVToRGBA(dst, src); err != nil {
		t.Fatal(err)
	}
	for y := range h {
		want := clip((298*(100*int32(y)) + 128) >> 8)
		if got := dst.RGBAAt(1, y); got.R != want || got.G != want || got.B != want {
			t.Fatalf("row %d: %v, want grey %d", y, got, want)
		}
	}
}

func TestYUYVRejectsBadFrames(t *testing.T) {
	if err := YUYVToRGBA(image.NewRGBA(image.Rect(0, 0, 4, 2)), make([]byte, 15)); !errors.Is(err, ErrBadFrame) {
		t.Fatalf("short: %v", err)
	}
	if err := YUYVToRGBA(image.NewRGBA(image.Rect(0, 0, 3, 2)), make([]byte, 12)); !errors.Is(err, ErrBadFrame) {
		t.Fatalf("odd width: %v", err)
	}
}

func testJPEG(t testing.TB, w, h int) (*image.RGBA, []byte) {
	t.Helper()
	src := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			src.SetRGBA(x, y, color.RGBA{byte(x * 255 / w), byte(y * 255 / h), 90, 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, src, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	return src, b.Bytes()
}

func TestMJPEGDecodesIntoFrame(t *testing.T) {
	src, jpg := testJPEG(t, 64, 48)
	dst := image.NewRGBA(image.Rect(0, 0, 64, 48))
	if err := MJPEGToRGBA(dst, jpg); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(src.Pix); i += 4 {
		if !near(rgbaAt(dst.Pix, i), rgbaAt(src.Pix, i), 10) {
			t.Fatalf("pixel %d = %v, want about %v", i/4, dst.Pix[i:i+4], src.Pix[i:i+4])
		}
	}
}

// stripDHT removes every Huffman table segment, as many UVC cameras do.
func stripDHT(t *testing.T, jpg []byte) []byte {
	out := []byte{0xff, 0xd8}
	off := 2
	for jpg[off+1] != 0xda {
		n := 2 + int(binary.BigEndian.Uint16(jpg[off+2:]))
		if jpg[off+1] != 0xc4 {
			out = append(out, jpg[off:off+n]...)
		}
		off += n
	}
	out = append(out, jpg[off:]...)
	if bytes.Equal(out, jpg) {
		t.Fatal("test JPEG had no DHT to strip")
	}
	return out
}

func TestMJPEGWithoutHuffmanTablesGetsAnnexK(t *testing.T) {
	_, jpg := testJPEG(t, 64, 48)
	bare := stripDHT(t, jpg)
	if _, err := jpeg.Decode(bytes.NewReader(bare)); err == nil {
		t.Fatal("stripped JPEG still decodes without help: test proves nothing")
	}
	want := image.NewRGBA(image.Rect(0, 0, 64, 48))
	got := image.NewRGBA(image.Rect(0, 0, 64, 48))
	if err := MJPEGToRGBA(want, jpg); err != nil {
		t.Fatal(err)
	}
	if err := MJPEGToRGBA(got, bare); err != nil {
		t.Fatalf("frame without DHT: %v", err)
	}
	if !bytes.Equal(got.Pix, want.Pix) {
		t.Fatal("Annex K tables decode differently from Go's (standard) tables")
	}
}

func TestAnnexKTableSizes(t *testing.T) {
	for _, tb := range annexK {
		n := 0
		for _, c := range tb.counts {
			n += int(c)
		}
		if n != len(tb.values) {
			t.Errorf("table %#x: counts sum to %d, %d values", tb.classID, n, len(tb.values))
		}
	}
}

func TestMJPEGRejectsBadFrames(t *testing.T) {
	_, jpg := testJPEG(t, 64, 48)
	if err := MJPEGToRGBA(image.NewRGBA(image.Rect(0, 0, 32, 48)), jpg); !errors.Is(err, ErrBadFrame) {
		t.Fatalf("size mismatch: %v", err)
	}
	for _, bad := range [][]byte{nil, {0xff, 0xd8}, jpg[:len(jpg)/2], []byte("not a jpeg at all")} {
		if err := MJPEGToRGBA(image.NewRGBA(image.Rect(0, 0, 64, 48)), bad); !errors.Is(err, ErrBadFrame) {
			t.Fatalf("%d bytes of garbage: %v", len(bad), err)
		}
	}
}

func FuzzMJPEG(f *testing.F) {
	_, jpg := testJPEG(f, 16, 16)
	f.Add(jpg)
	f.Add(jpg[:40])
	f.Fuzz(func(t *testing.T, data []byte) {
		err := MJPEGToRGBA(image.NewRGBA(image.Rect(0, 0, 16, 16)), data)
		if err != nil && !errors.Is(err, ErrBadFrame) {
			t.Fatalf("untyped error: %v", err)
		}
	})
}

func rgbaAt(pix []byte, i int) color.RGBA {
	return color.RGBA{pix[i], pix[i+1], pix[i+2], pix[i+3]}
}

func near(a, b color.RGBA, tol int) bool {
	d := func(x, y uint8) bool { return int(x)-int(y) <= tol && int(y)-int(x) <= tol }
	return d(a.R, b.R) && d(a.G, b.G) && d(a.B, b.B) && a.A == b.A
}
