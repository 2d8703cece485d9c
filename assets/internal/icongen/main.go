// Command icongen draws the application icon: a card with a face on it,
// white on the kiosk's blue. It writes assets/icon.png:
//
//	go run ./assets/internal/icongen assets/icon.png
package main

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
)

const (
	size    = 512
	samples = 4 // per axis, for smooth edges
)

var (
	blue  = color.NRGBA{0x0B, 0x57, 0xD0, 0xFF}
	white = color.NRGBA{0xFF, 0xFF, 0xFF, 0xFF}
)

// shape reports whether a point (in 0..1 icon coordinates) is inside.
type shape func(x, y float64) bool

func roundedRect(x0, y0, x1, y1, r float64) shape {
	return func(x, y float64) bool {
		dx := math.Max(math.Max(x0+r-x, x-(x1-r)), 0)
		dy := math.Max(math.Max(y0+r-y, y-(y1-r)), 0)
		return x >= x0 && x <= x1 && y >= y0 && y <= y1 && dx*dx+dy*dy <= r*r
	}
}

func circle(cx, cy, r float64) shape {
	return func(x, y float64) bool { return (x-cx)*(x-cx)+(y-cy)*(y-cy) <= r*r }
}

func and(a, b shape) shape { return func(x, y float64) bool { return a(x, y) && b(x, y) } }

// layer is a shape painted in a colour; later layers cover earlier ones.
type layer struct {
	s shape
	c color.NRGBA
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: icongen OUT.png")
		os.Exit(2)
	}
	card := roundedRect(0.14, 0.26, 0.86, 0.74, 0.05)
	photo := roundedRect(0.20, 0.33, 0.46, 0.67, 0.03)
	layers := []layer{
		{roundedRect(0.02, 0.02, 0.98, 0.98, 0.18), blue},
		{card, white},
		{photo, blue},
		{circle(0.33, 0.45, 0.065), white}, // head
		{and(circle(0.33, 0.66, 0.12), photo), white},     // shoulders
		{roundedRect(0.52, 0.38, 0.80, 0.42, 0.02), blue}, // text lines
		{roundedRect(0.52, 0.48, 0.76, 0.52, 0.02), blue},
		{roundedRect(0.52, 0.58, 0.70, 0.62, 0.02), blue},
	}
	img := render(layers)
	f, err := os.Create(os.Args[1])
	if err == nil {
		err = png.Encode(f, img)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "icongen:", err)
		os.Exit(1)
	}
}

func render(layers []layer) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	for py := 0; py < size; py++ {
		for px := 0; px < size; px++ {
			img.SetNRGBA(px, py, pixel(layers, px, py))
		}
	}
	return img
}

// pixel averages premultiplied colour over sub-samples of one pixel.
func pixel(layers []layer, px, py int) color.NRGBA {
	var r, g, b, a float64
	for sy := 0; sy < samples; sy++ {
		for sx := 0; sx < samples; sx++ {
			x := (float64(px) + (float64(sx)+0.5)/samples) / size
			y := (float64(py) + (float64(sy)+0.5)/samples) / size
			for i := len(layers) - 1; i >= 0; i-- {
				if layers[i].s(x, y) {
					c := layers[i].c
					r, g, b, a = r+float64(c.R), g+float64(c.G), b+float64(c.B), a+255
					break
				}
			}
		}
	}
	if a == 0 {
		return color.NRGBA{}
	}
	k := 255 / a
	return color.NRGBA{uint8(r*k + 0.5), uint8(g*k + 0.5), uint8(b*k + 0.5), uint8(a/(samples*samples) + 0.5)}
}
