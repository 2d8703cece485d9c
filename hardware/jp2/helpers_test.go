package jp2

import (
	"image"
	"math"
	"math/rand/v2"
	"testing"
)

// testGray is a face-sized test card: smooth gradients, an ellipse and noise,
// so the wavelet has real work and lossy coding is measurably lossy.
func testGray(w, h int, seed uint64) *image.Gray {
	rng := rand.New(rand.NewPCG(seed, 1))
	img := image.NewGray(image.Rect(0, 0, w, h))
	cx, cy := float64(w)/2, float64(h)/2
	for y := range h {
		for x := range w {
			dx, dy := (float64(x)-cx)/(cx+1), (float64(y)-cy)/(cy+1)
			v := 60 + 100*float64(x)/float64(w) + 40*math.Sin(float64(y)/7)
			if dx*dx*1.8+dy*dy < 0.5 {
				v += 50
			}
			v += rng.NormFloat64() * 4
			img.Pix[y*img.Stride+x] = uint8(min(max(v, 0), 255))
		}
	}
	return img
}

// testRGB interleaves three different grey patterns as R, G and B.
func testRGB(w, h int) []byte {
	r, g, b := testGray(w, h, 1), testGray(w, h, 2), testGray(w, h, 3)
	pix := make([]byte, 3*w*h)
	for i := range w * h {
		pix[3*i], pix[3*i+1], pix[3*i+2] = r.Pix[i], g.Pix[i], b.Pix[i]
	}
	return pix
}

func mustEncode(t testing.TB, pix []byte, w, h, comps, quality int, f Format) []byte {
	t.Helper()
	out, err := encode(pix, w, h, w*comps, comps, quality, f)
	if err != nil {
		t.Fatalf("encode %dx%dx%d %s: %v", w, h, comps, f, err)
	}
	return out
}

func psnr(a, b []byte) float64 {
	var se float64
	for i := range a {
		d := float64(a[i]) - float64(b[i])
		se += d * d
	}
	if se == 0 {
		return math.Inf(1)
	}
	return 10 * math.Log10(255*255*float64(len(a))/se)
}
