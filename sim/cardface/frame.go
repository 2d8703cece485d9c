package cardface

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"math/rand/v2"

	"github.com/uketsuke/uketsuke/app/cardscan"
)

// Mix names a family of camera conditions.
type Mix string

// The distortion mixes.
const (
	// Clean places the card straight, sharp and evenly lit.
	Clean Mix = "clean"
	// Normal is what a kiosk camera sees on a good day: up to ±8° rotation,
	// mild perspective, slight blur and noise, JPEG, uneven light, a mild
	// glare spot, and one card in ten upside down.
	Normal Mix = "normal"
	// Hard adds strong blur or a saturating glare across a field, heavy
	// noise and JPEG, dim light and a smaller card.
	Hard Mix = "hard"
)

// conditions are the drawn parameters of one frame.
type conditions struct {
	fill, angle, cx, cy float64 // card width / frame width, radians, centre (fraction)
	perspective         float64 // corner jitter, fraction of card size
	upsideDown          bool
	blur, noise         float64 // Gaussian sigma in px, noise sigma in grey levels
	jpegQuality         int
	brightness, slope   float64 // global gain, gradient gain across the frame
	glare               float64 // 0 = none, 1 = fully saturated spot
	glareAt             cardscan.Pt
	glareRadius         float64 // px in the card's flat image
	background          color.RGBA
}

// drawConditions draws a frame's conditions; fields are the read fields'
// centres in flat pixels, where hard glare may land.
func drawConditions(mix Mix, rng *rand.Rand, flatW, flatH int, fields [3]cardscan.Pt) conditions {
	u := func(a, b float64) float64 { return a + (b-a)*rng.Float64() }
	c := conditions{fill: 0.8, cx: 0.5, cy: 0.5, jpegQuality: 95, brightness: 1,
		background: color.RGBA{40, 42, 48, 255}}
	if mix == Clean || mix == "" {
		return c
	}
	c.fill = u(0.6, 0.9)
	c.angle = u(-8, 8) * math.Pi / 180
	c.cx, c.cy = u(0.46, 0.54), u(0.46, 0.54)
	c.perspective = u(0, 0.025)
	c.upsideDown = rng.IntN(10) == 0
	c.blur = u(0, 1.0)
	c.noise = u(0, 5)
	c.jpegQuality = 60 + rng.IntN(36)
	c.brightness = u(0.75, 1.1)
	c.slope = u(-0.2, 0.2)
	gray := uint8(15 + rng.IntN(60))
	c.background = color.RGBA{gray, gray + uint8(rng.IntN(10)), gray + uint8(rng.IntN(20)), 255}
	if rng.IntN(2) == 0 {
		c.glare = u(0.2, 0.5)
		c.glareAt = cardscan.Pt{X: u(0, float64(flatW)), Y: u(0, float64(flatH))}
		c.glareRadius = u(0.05, 0.15) * float64(flatW)
	}
	if mix == Hard {
		c.fill = u(0.55, 0.75)
		c.perspective = u(0.01, 0.04)
		c.noise = u(4, 14)
		c.jpegQuality = 25 + rng.IntN(36)
		c.brightness = u(0.5, 0.9)
		c.slope = u(-0.35, 0.35)
		if rng.IntN(2) == 0 {
			c.blur = u(1.5, 2.8)
		} else {
			c.glare = u(0.7, 1.0)
			c.glareAt = fields[rng.IntN(3)]
			c.glareRadius = u(0.06, 0.12) * float64(flatW)
		}
	}
	return c
}

// placeCard composes the camera frame: background, the card under a
// homography, light, glare, blur, noise and JPEG. It returns the frame and
// the card's corners in it (top-left, top-right, bottom-right, bottom-left of
// the upright card).
func placeCard(flat *image.RGBA, w, h int, c conditions, rng *rand.Rand) (*image.RGBA, [4]cardscan.Pt, error) {
	fw, fh := float64(flat.Bounds().Dx()), float64(flat.Bounds().Dy())
	src := [4]cardscan.Pt{{X: 0, Y: 0}, {X: fw, Y: 0}, {X: fw, Y: fh}, {X: 0, Y: fh}}
	dst := cardCorners(c, float64(w), float64(h), fw, fh, rng)
	toCard, err := cardscan.HomographyFromQuads(dst, src)
	if err != nil {
		return nil, dst, err
	}
	frame := image.NewRGBA(image.Rect(0, 0, w, h))
	lightFrame(frame, flat, toCard, c, rng)
	if c.blur > 0.3 {
		gaussianBlur(frame, c.blur)
	}
	addNoise(frame, c.noise, rng)
	out, err := jpegRoundTrip(frame, c.jpegQuality)
	return out, dst, err
}

func cardCorners(c conditions, w, h, fw, fh float64, rng *rand.Rand) [4]cardscan.Pt {
	cw := c.fill * w
	ch := cw * fh / fw
	angle := c.angle
	if c.upsideDown {
		angle += math.Pi
	}
	sin, cos := math.Sincos(angle)
	var out [4]cardscan.Pt
	for i, p := range [4]cardscan.Pt{{X: -0.5, Y: -0.5}, {X: 0.5, Y: -0.5}, {X: 0.5, Y: 0.5}, {X: -0.5, Y: 0.5}} {
		x := p.X*cw + rng.NormFloat64()*c.perspective*cw*0.5
		y := p.Y*ch + rng.NormFloat64()*c.perspective*ch*0.5
		out[i] = cardscan.Pt{X: c.cx*w + x*cos - y*sin, Y: c.cy*h + x*sin + y*cos}
	}
	return out
}

// lightFrame samples the card into every frame pixel that it covers and
// applies the light: gain, a gradient across the frame, and a glare spot.
func lightFrame(frame, flat *image.RGBA, toCard cardscan.Homography, c conditions, rng *rand.Rand) {
	b := frame.Bounds()
	fw, fh := float64(flat.Bounds().Dx()), float64(flat.Bounds().Dy())
	texture := rng.Float64() * 10
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			q := toCard.Apply(cardscan.Pt{X: float64(x) + 0.5, Y: float64(y) + 0.5})
			var r, g, bl float64
			if q.X >= 0 && q.Y >= 0 && q.X < fw && q.Y < fh && !outsideRoundedCorner(q, fw, fh) {
				r, g, bl = bilinear(flat, q.X-0.5, q.Y-0.5)
				if c.glare > 0 {
					d := math.Hypot(q.X-c.glareAt.X, q.Y-c.glareAt.Y) / c.glareRadius
					add := c.glare * 255 * math.Exp(-d*d)
					r, g, bl = r+add, g+add, bl+add
				}
			} else {
				t := math.Sin(float64(x)*0.05+texture) * math.Sin(float64(y)*0.07) * 6
				r, g, bl = float64(c.background.R)+t, float64(c.background.G)+t, float64(c.background.B)+t
			}
			gain := c.brightness * (1 + c.slope*(float64(x)/float64(b.Dx())-0.5))
			i := frame.PixOffset(x, y)
			frame.Pix[i+0], frame.Pix[i+1], frame.Pix[i+2], frame.Pix[i+3] = clamp8(r*gain), clamp8(g*gain), clamp8(bl*gain), 255
		}
	}
}

// outsideRoundedCorner trims the card's 3 mm corner radius.
func outsideRoundedCorner(q cardscan.Pt, fw, fh float64) bool {
	rad := 3 * PxPerMM
	cx := math.Min(math.Max(q.X, rad), fw-rad)
	cy := math.Min(math.Max(q.Y, rad), fh-rad)
	return math.Hypot(q.X-cx, q.Y-cy) > rad
}

func bilinear(img *image.RGBA, x, y float64) (r, g, b float64) {
	bd := img.Bounds()
	x = math.Max(0, math.Min(x, float64(bd.Dx()-1)))
	y = math.Max(0, math.Min(y, float64(bd.Dy()-1)))
	x0, y0 := int(x), int(y)
	x1, y1 := min(x0+1, bd.Dx()-1), min(y0+1, bd.Dy()-1)
	fx, fy := x-float64(x0), y-float64(y0)
	var out [3]float64
	for ch := 0; ch < 3; ch++ {
		p := func(px, py int) float64 { return float64(img.Pix[img.PixOffset(px, py)+ch]) }
		top := p(x0, y0)*(1-fx) + p(x1, y0)*fx
		bot := p(x0, y1)*(1-fx) + p(x1, y1)*fx
		out[ch] = top*(1-fy) + bot*fy
	}
	return out[0], out[1], out[2]
}

func clamp8(v float64) uint8 {
	switch {
	case v <= 0:
		return 0
	case v >= 255:
		return 255
	}
	return uint8(v + 0.5)
}

// gaussianBlur blurs in place with a separable kernel of the given sigma.
func gaussianBlur(img *image.RGBA, sigma float64) {
	radius := int(math.Ceil(sigma * 3))
	k := make([]float64, 2*radius+1)
	var sum float64
	for i := range k {
		d := float64(i - radius)
		k[i] = math.Exp(-d * d / (2 * sigma * sigma))
		sum += k[i]
	}
	for i := range k {
		k[i] /= sum
	}
	b := img.Bounds()
	tmp := make([]float64, len(img.Pix))
	convolve(img.Pix, tmp, b.Dx(), b.Dy(), img.Stride, k, 4, img.Stride)
	for i, v := range tmp {
		img.Pix[i] = clamp8(v)
	}
	convolve(img.Pix, tmp, b.Dx(), b.Dy(), img.Stride, k, img.Stride, 4)
	for i, v := range tmp {
		if i%4 == 3 {
			img.Pix[i] = 255
			continue
		}
		img.Pix[i] = clamp8(v)
	}
}

// convolve runs kernel k along one axis: step is the byte distance between
// neighbours on that axis, across the distance between lines.
func convolve(pix []uint8, out []float64, w, h, stride int, k []float64, step, across int) {
	radius := len(k) / 2
	n, lines := w, h
	if step != 4 {
		n, lines = h, w
	}
	for line := 0; line < lines; line++ {
		base := line * across
		for i := 0; i < n; i++ {
			for ch := 0; ch < 3; ch++ {
				var acc float64
				for j, kv := range k {
					p := min(max(i+j-radius, 0), n-1)
					acc += kv * float64(pix[base+p*step+ch])
				}
				out[base+i*step+ch] = acc
			}
		}
	}
}

func addNoise(img *image.RGBA, sigma float64, rng *rand.Rand) {
	if sigma <= 0 {
		return
	}
	for i := 0; i < len(img.Pix); i += 4 {
		n := rng.NormFloat64() * sigma
		for ch := 0; ch < 3; ch++ {
			img.Pix[i+ch] = clamp8(float64(img.Pix[i+ch]) + n + rng.NormFloat64()*sigma*0.3)
		}
	}
}

func jpegRoundTrip(img *image.RGBA, quality int) (*image.RGBA, error) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality}); err != nil {
		return nil, err
	}
	dec, err := jpeg.Decode(&buf)
	if err != nil {
		return nil, err
	}
	out := image.NewRGBA(dec.Bounds())
	b := dec.Bounds()
	if ycc, ok := dec.(*image.YCbCr); ok {
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				yi, ci := ycc.YOffset(x, y), ycc.COffset(x, y)
				r, g, bl := color.YCbCrToRGB(ycc.Y[yi], ycc.Cb[ci], ycc.Cr[ci])
				o := out.PixOffset(x, y)
				out.Pix[o], out.Pix[o+1], out.Pix[o+2], out.Pix[o+3] = r, g, bl, 255
			}
		}
		return out, nil
	}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			out.Set(x, y, dec.At(x, y))
		}
	}
	return out, nil
}
