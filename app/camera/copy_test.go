package camera

import (
	"image"
	"image/color"
	"math/rand/v2"
	"testing"
	"time"
)

// images of every kind a decoder hands FrameFrom, filled with noise, each
// a sub-image so offsets and strides are exercised.
func noiseImages(w, h int) map[string]image.Image {
	r := rand.New(rand.NewPCG(1, 2))
	fill := func(p []byte) {
		for i := range p {
			p[i] = byte(r.Uint32())
		}
	}
	rect := image.Rect(0, 0, w+3, h+2)
	sub := image.Rect(2, 1, w+2, h+1)
	rgba, nrgba, gray := image.NewRGBA(rect), image.NewNRGBA(rect), image.NewGray(rect)
	fill(nrgba.Pix)
	fill(gray.Pix)
	for i := 0; i < len(rgba.Pix); i += 4 { // premultiplied: colour ≤ alpha
		a := byte(r.Uint32())
		rgba.Pix[i+3] = a
		for j := range 3 {
			rgba.Pix[i+j] = byte(r.UintN(uint(a) + 1))
		}
	}
	out := map[string]image.Image{}
	for name, ratio := range map[string]image.YCbCrSubsampleRatio{"ycbcr420": image.YCbCrSubsampleRatio420, "ycbcr444": image.YCbCrSubsampleRatio444} {
		y := image.NewYCbCr(rect, ratio)
		fill(y.Y)
		fill(y.Cb)
		fill(y.Cr)
		out[name] = y.SubImage(sub)
	}
	g16, cmyk := image.NewGray16(rect), image.NewCMYK(rect)
	fill(g16.Pix)
	fill(cmyk.Pix)
	pal := image.NewPaletted(rect, color.Palette{color.Black, color.White, color.RGBA{200, 10, 30, 255}})
	for i := range pal.Pix {
		pal.Pix[i] = byte(r.UintN(3))
	}
	out["rgba"], out["nrgba"], out["gray"] = rgba.SubImage(sub), nrgba.SubImage(sub), gray.SubImage(sub)
	out["gray16"], out["cmyk"], out["paletted"] = g16.SubImage(sub), cmyk.SubImage(sub), pal.SubImage(sub)
	return out
}

// The direct copies give exactly what image/draw's per-pixel Set would.
func TestFrameFromMatchesPerPixelCopy(t *testing.T) {
	for name, src := range noiseImages(37, 23) {
		f, err := FrameFrom(src, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		b := src.Bounds()
		want := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
		for y := range b.Dy() {
			for x := range b.Dx() {
				want.Set(x, y, src.At(b.Min.X+x, b.Min.Y+y))
			}
		}
		for i := range want.Pix {
			if f.Image.Pix[i] != want.Pix[i] {
				t.Errorf("%s: byte %d (pixel %d,%d) is %d, want %d", name, i, i/4%b.Dx(), i/4/b.Dx(), f.Image.Pix[i], want.Pix[i])
				break
			}
		}
		f.Release()
	}
}

// The attack: a copy through At leaves one heap object per pixel, which
// neither the frame's Release nor the garbage collector wipes; after a
// 1920x1080 still, over 2 million of them held the photo in process
// memory. The copy must allocate a handful of objects whatever the size.
func TestFrameFromAllocatesNoObjectPerPixel(t *testing.T) {
	for name, src := range noiseImages(64, 48) {
		allocs := testing.AllocsPerRun(5, func() {
			f, err := FrameFrom(src, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			f.Release()
		})
		if allocs > 20 {
			t.Errorf("%s: %v allocations for a 64x48 frame: a heap object per pixel", name, allocs)
		}
	}
}
