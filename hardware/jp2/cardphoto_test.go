package jp2

import (
	"image"
	"image/color"
	_ "image/jpeg"
	"os"
	"path/filepath"
	"testing"

	"github.com/uketsuke/uketsuke/app/secret"
)

func TestEncodeCardPhotoIsCardShaped(t *testing.T) {
	// A landscape colour source: the crop must keep the centre.
	src := image.NewRGBA(image.Rect(0, 0, 640, 480))
	for y := range 480 {
		for x := range 640 {
			v := byte(40)
			if x > 300 && x < 340 {
				v = 220 // a bright bar through the centre
			}
			src.SetRGBA(x, y, color.RGBA{v, v / 2, v, 255})
		}
	}
	data, err := EncodeCardPhoto(src)
	if err != nil {
		t.Fatal(err)
	}
	img, err := Decode(data, nil)
	if err != nil {
		t.Fatal(err)
	}
	g := img.(*image.Gray)
	if g.Rect.Size() != image.Pt(CardPhotoWidth, CardPhotoHeight) {
		t.Fatalf("card photo %v", g.Rect.Size())
	}
	if centre, edge := g.GrayAt(150, 200).Y, g.GrayAt(20, 200).Y; centre < 100 || edge > 60 {
		t.Fatalf("centre %d, edge %d: crop or greyscale wrong", centre, edge)
	}
}

// Real faces give the sizes a chip photo has: a few KB.
func TestCardPhotoFromSharedFace(t *testing.T) {
	path := filepath.Join("..", "..", "..", "shared", "faces", "lfw-devtrain", "Aaron_Sorkin", "Aaron_Sorkin_0001.jpg")
	f, err := os.Open(path)
	if err != nil {
		if os.Getenv("UKETSUKE_REQUIRE_SHARED") != "" {
			t.Fatalf("shared faces required but absent: %v", err)
		}
		t.Skipf("shared faces absent (%v): skipping", err)
	}
	defer f.Close()
	face, _, err := image.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	data, err := EncodeCardPhoto(face)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) < 1500 || len(data) > 6000 {
		t.Fatalf("card photo from a real face is %d bytes, want a few KB", len(data))
	}
	t.Logf("card photo from %s: %d bytes", filepath.Base(path), len(data))
}

func TestDecodeIntoLockedMemory(t *testing.T) {
	src := testGray(300, 400, 11)
	data, err := EncodeGray(src, 100)
	if err != nil {
		t.Fatal(err)
	}
	var locked *secret.Buffer
	img, err := Decode(data, func(n int) []byte {
		locked, _ = secret.New(n)
		return locked.Bytes()
	})
	if err != nil {
		t.Fatal(err)
	}
	pix := img.(*image.Gray).Pix
	if &pix[0] != &locked.Bytes()[0] {
		t.Fatal("pixels are not in the locked buffer")
	}
	for i := range pix {
		if pix[i] != src.Pix[i] {
			t.Fatalf("pixel %d differs", i)
		}
	}
	locked.Destroy()
	if locked.Alive() {
		t.Fatal("locked buffer survived Destroy")
	}
}

// The round trip yields what the kiosk decodes from the chip: a grey
// 300x400 frame of the issued photo, and the issued size.
func TestCardPhotoRoundTripIsWhatTheCardHolds(t *testing.T) {
	src := image.NewRGBA(image.Rect(0, 0, 450, 600))
	for y := range 600 {
		for x := range 450 {
			src.SetRGBA(x, y, color.RGBA{byte(x / 2), byte(y / 3), 90, 255})
		}
	}
	issued, err := EncodeCardPhoto(src)
	if err != nil {
		t.Fatal(err)
	}
	frame, size, err := CardPhotoRoundTrip(src)
	if err != nil {
		t.Fatal(err)
	}
	defer frame.Release()
	if size != len(issued) {
		t.Fatalf("round trip says %d bytes, the card issues %d", size, len(issued))
	}
	want, err := Decode(issued, nil)
	if err != nil {
		t.Fatal(err)
	}
	b := frame.Image.Bounds()
	if b.Size() != image.Pt(CardPhotoWidth, CardPhotoHeight) {
		t.Fatalf("frame %v", b.Size())
	}
	for _, p := range []image.Point{{10, 10}, {150, 200}, {290, 390}} {
		r, g, bl, _ := frame.Image.At(p.X, p.Y).RGBA()
		w, _, _, _ := want.At(p.X, p.Y).RGBA()
		if r != g || g != bl || r != w {
			t.Fatalf("pixel %v: %d %d %d, issued photo decodes to %d", p, r, g, bl, w)
		}
	}
}
