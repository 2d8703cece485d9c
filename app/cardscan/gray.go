package cardscan

import (
	"image"
	"image/color"
	"math"

	"github.com/uketsuke/uketsuke/app/secret"
)

// maxWorkSide bounds the working resolution: a 10000x10000 photo is boxed
// down to at most this many pixels on its long side before anything else,
// so time and memory stay bounded whatever the camera sends.
const maxWorkSide = 1600

// maxSamplesPerSide caps how many source pixels per block side the box
// filter reads, so even a huge image through the slow generic At path costs
// a bounded number of calls.
const maxSamplesPerSide = 4

// lockedGray is a grey image whose pixels live in locked memory (never
// swapped out, overwritten when released): the frame and the warped card
// show the whole card face. Small crops stay on the heap and are wiped.
type lockedGray struct {
	*image.Gray
	buf *secret.Buffer
}

func newLockedGray(w, h int) (lockedGray, error) {
	buf, err := secret.New(w * h)
	if err != nil {
		return lockedGray{}, err
	}
	return lockedGray{&image.Gray{Pix: buf.Bytes(), Stride: w, Rect: image.Rect(0, 0, w, h)}, buf}, nil
}

// release overwrites and unlocks the pixels.
func (g lockedGray) release() { g.buf.Destroy() }

// toGray converts img to 8-bit luminance in locked memory, shrinking by an
// integer factor when its long side exceeds maxWorkSide.
func toGray(img image.Image) (lockedGray, error) {
	b := img.Bounds()
	k := (max(b.Dx(), b.Dy()) + maxWorkSide - 1) / maxWorkSide
	k = max(k, 1)
	w, h := b.Dx()/k, b.Dy()/k
	out, err := newLockedGray(w, h)
	if err != nil {
		return out, err
	}
	lum := luminanceFunc(img)
	step := max(1, k/maxSamplesPerSide)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var sum, n int
			for dy := 0; dy < k; dy += step {
				for dx := 0; dx < k; dx += step {
					sum += int(lum(b.Min.X+x*k+dx, b.Min.Y+y*k+dy))
					n++
				}
			}
			out.Pix[y*out.Stride+x] = uint8(sum / n)
		}
	}
	return out, nil
}

// luminanceFunc returns a fast per-pixel luminance reader for common types.
func luminanceFunc(img image.Image) func(x, y int) uint8 {
	switch m := img.(type) {
	case *image.Gray:
		return func(x, y int) uint8 { return m.Pix[m.PixOffset(x, y)] }
	case *image.YCbCr:
		return func(x, y int) uint8 { return m.Y[m.YOffset(x, y)] }
	case *image.RGBA:
		return func(x, y int) uint8 {
			p := m.Pix[m.PixOffset(x, y):]
			return uint8((299*int(p[0]) + 587*int(p[1]) + 114*int(p[2])) / 1000)
		}
	case *image.NRGBA:
		return func(x, y int) uint8 {
			p := m.Pix[m.PixOffset(x, y):]
			return uint8((299*int(p[0]) + 587*int(p[1]) + 114*int(p[2])) / 1000)
		}
	}
	return func(x, y int) uint8 { return color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y }
}

// shrink box-averages g by an integer factor k.
func shrink(g *image.Gray, k int) *image.Gray {
	if k <= 1 {
		return g
	}
	w, h := g.Rect.Dx()/k, g.Rect.Dy()/k
	out := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			sum := 0
			for dy := 0; dy < k; dy++ {
				row := g.Pix[(y*k+dy)*g.Stride+x*k:]
				for dx := 0; dx < k; dx++ {
					sum += int(row[dx])
				}
			}
			out.Pix[y*out.Stride+x] = uint8(sum / (k * k))
		}
	}
	return out
}

// otsu returns the threshold that best separates the histogram in two, and
// the means of the dark and bright classes.
func otsu(hist *[256]int) (t int, darkMean, brightMean float64) {
	total, sumAll := 0, 0.0
	for i, n := range hist {
		total += n
		sumAll += float64(i * n)
	}
	var wB, sumB, best float64
	for i := 0; i < 256; i++ {
		wB += float64(hist[i])
		if wB == 0 {
			continue
		}
		wF := float64(total) - wB
		if wF == 0 {
			break
		}
		sumB += float64(i * hist[i])
		mB, mF := sumB/wB, (sumAll-sumB)/wF
		if between := wB * wF * (mB - mF) * (mB - mF); between > best {
			best, t, darkMean, brightMean = between, i, mB, mF
		}
	}
	return t, darkMean, brightMean
}

func histogram(g *image.Gray) *[256]int {
	var h [256]int
	for y := 0; y < g.Rect.Dy(); y++ {
		off := g.PixOffset(g.Rect.Min.X, g.Rect.Min.Y+y)
		for _, v := range g.Pix[off : off+g.Rect.Dx()] {
			h[v]++
		}
	}
	return &h
}

// sample reads g at a real-valued position with bilinear interpolation,
// clamping at the borders.
func sample(g *image.Gray, x, y float64) float64 {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	x = math.Max(0, math.Min(x, float64(w-1)))
	y = math.Max(0, math.Min(y, float64(h-1)))
	x0, y0 := int(x), int(y)
	x1, y1 := min(x0+1, w-1), min(y0+1, h-1)
	fx, fy := x-float64(x0), y-float64(y0)
	p := func(px, py int) float64 { return float64(g.Pix[py*g.Stride+px]) }
	return (p(x0, y0)*(1-fx)+p(x1, y0)*fx)*(1-fy) + (p(x0, y1)*(1-fx)+p(x1, y1)*fx)*fy
}

// wipeGray overwrites an image that showed part of a card.
func wipeGray(g *image.Gray) {
	if g != nil {
		clear(g.Pix)
	}
}
