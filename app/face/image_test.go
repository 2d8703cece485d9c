package face

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func encodePNG(t testing.TB, img image.Image) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pngHeader is a PNG whose header claims w×h and that has no pixel data.
func pngHeader(w, h uint32) []byte {
	var b bytes.Buffer
	b.Write([]byte("\x89PNG\r\n\x1a\n"))
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2 // 8-bit RGB
	chunk := append([]byte("IHDR"), ihdr...)
	binary.Write(&b, binary.BigEndian, uint32(13))
	b.Write(chunk)
	binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	return b.Bytes()
}

func TestDecodeBadInputGivesReasons(t *testing.T) {
	good := image.NewRGBA(image.Rect(0, 0, 64, 48))
	goodJPEG := new(bytes.Buffer)
	if err := jpeg.Encode(goodJPEG, good, nil); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		data []byte
		want error
	}{
		{"zero-byte", nil, ErrEmpty},
		{"corrupt", []byte("this is not an image at all"), ErrDecode},
		{"truncated jpeg", goodJPEG.Bytes()[:len(goodJPEG.Bytes())/2], ErrDecode},
		{"1x1", encodePNG(t, image.NewGray(image.Rect(0, 0, 1, 1))), ErrTooSmall},
		{"20000x20000", pngHeader(20000, 20000), ErrTooLarge},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			img, err := Decode(c.data)
			if !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
			if img != nil {
				t.Fatal("image returned with an error")
			}
		})
	}
}

func TestDecodeCMYKJPEG(t *testing.T) {
	path := filepath.Join(runtime.GOROOT(), "src", "image", "testdata", "video-001.cmyk.jpeg")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("Go's CMYK test image is part of every Go distribution: %v", err)
	}
	img, err := Decode(data)
	if err != nil {
		t.Fatalf("CMYK JPEG: %v", err)
	}
	defer img.Release()
	ref, _ := os.ReadFile(filepath.Join(filepath.Dir(path), "video-001.cmyk.png"))
	want, err := Decode(ref)
	if err != nil {
		t.Fatal(err)
	}
	defer want.Release()
	if img.W != want.W || img.H != want.H {
		t.Fatalf("size %dx%d, want %dx%d", img.W, img.H, want.W, want.H)
	}
	var diff int
	for i := range img.Pix {
		d := int(img.Pix[i]) - int(want.Pix[i])
		diff += max(d, -d)
	}
	if mean := float64(diff) / float64(len(img.Pix)); mean > 8 {
		t.Fatalf("CMYK decoded with mean error %.1f", mean)
	}
}

func TestDecodeReducesLargeImagesAndWipes(t *testing.T) {
	src := image.NewRGBA(image.Rect(0, 0, 2100, 300))
	for i := range src.Pix {
		src.Pix[i] = 200
	}
	img, err := Decode(encodePNG(t, src))
	if err != nil {
		t.Fatal(err)
	}
	if img.W != 700 || img.H != 100 || img.Pix[0] != 200 {
		t.Fatalf("reduced to %dx%d first %d", img.W, img.H, img.Pix[0])
	}
	img.Release()
	if img.Alive() || img.Pix != nil {
		t.Fatal("released image still exposes pixels")
	}
	img.Release() // idempotent
}

func TestGrey(t *testing.T) {
	src := image.NewRGBA(image.Rect(0, 0, 16, 16))
	src.Set(3, 3, color.RGBA{255, 0, 0, 255})
	img, err := FromImage(src)
	if err != nil {
		t.Fatal(err)
	}
	defer img.Release()
	if img.IsGrey() {
		t.Fatal("colour image reported grey")
	}
	img.ToGrey()
	if !img.IsGrey() {
		t.Fatal("not grey after ToGrey")
	}
	if r, _, _ := img.At(3, 3); r != 76 {
		t.Fatalf("luma of red = %d, want 76", r)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(encodePNG(f, image.NewGray(image.Rect(0, 0, 20, 20))))
	var j bytes.Buffer
	jpeg.Encode(&j, image.NewRGBA(image.Rect(0, 0, 24, 24)), nil)
	f.Add(j.Bytes())
	f.Add(pngHeader(20000, 20000))
	f.Fuzz(func(t *testing.T, data []byte) {
		img, err := Decode(data)
		if err != nil {
			if img != nil {
				t.Fatal("image with error")
			}
			return
		}
		if img.W < MinSide || img.H < MinSide || img.W > MaxSide || img.H > MaxSide || len(img.Pix) != img.W*img.H*3 {
			t.Fatalf("decoded %dx%d with %d bytes", img.W, img.H, len(img.Pix))
		}
		img.Release()
	})
}
