package camera

import (
	"image"
	"image/color"

	"github.com/uketsuke/uketsuke/app/secret"
)

// copyPixels fills dst (same size as src, origin 0,0) from src without a
// heap object per pixel, and leaves no pixels in the vector registers the
// copies went through (secret.ScrubRegisters says why).
func copyPixels(dst *image.RGBA, src image.Image) {
	defer secret.ScrubRegisters()
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	switch s := src.(type) {
	case *image.RGBA:
		for y := range h {
			i := s.PixOffset(b.Min.X, b.Min.Y+y)
			copy(dst.Pix[y*dst.Stride:y*dst.Stride+4*w], s.Pix[i:i+4*w])
		}
	case *image.NRGBA:
		for y := range h {
			in := s.Pix[s.PixOffset(b.Min.X, b.Min.Y+y):]
			out := dst.Pix[y*dst.Stride:]
			for x := range w {
				c := color.NRGBA{R: in[4*x], G: in[4*x+1], B: in[4*x+2], A: in[4*x+3]}
				r, g, bl, a := c.RGBA() // premultiplied, by value
				out[4*x], out[4*x+1], out[4*x+2], out[4*x+3] = uint8(r>>8), uint8(g>>8), uint8(bl>>8), uint8(a>>8)
			}
		}
	case *image.Gray:
		for y := range h {
			in := s.Pix[s.PixOffset(b.Min.X, b.Min.Y+y):]
			out := dst.Pix[y*dst.Stride:]
			for x := range w {
				v := in[x]
				out[4*x], out[4*x+1], out[4*x+2], out[4*x+3] = v, v, v, 0xff
			}
		}
	case *image.YCbCr:
		for y := range h {
			out := dst.Pix[y*dst.Stride:]
			for x := range w {
				yi, ci := s.YOffset(b.Min.X+x, b.Min.Y+y), s.COffset(b.Min.X+x, b.Min.Y+y)
				r, g, bl, _ := color.YCbCr{Y: s.Y[yi], Cb: s.Cb[ci], Cr: s.Cr[ci]}.RGBA()
				out[4*x], out[4*x+1], out[4*x+2], out[4*x+3] = uint8(r>>8), uint8(g>>8), uint8(bl>>8), 0xff
			}
		}
	default:
		copyGeneric(dst, src)
	}
}

// copyGeneric serves any other image a row at a time: the row goes through
// a small locked buffer that is wiped afterwards, and each pixel through
// the concrete color's RGBA method where the type is known, so no color
// value is boxed on the heap. Unknown color types still cost one
// interface value per pixel; no decoder this kiosk uses produces them.
func copyGeneric(dst *image.RGBA, src image.Image) {
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	row, err := secret.New(4 * w)
	if err != nil {
		row = nil // tiny; without it the row is written straight into dst
	}
	defer row.Destroy()
	for y := range h {
		out := dst.Pix[y*dst.Stride : y*dst.Stride+4*w]
		tmp := row.Bytes()
		if tmp == nil {
			tmp = out
		}
		for x := range w {
			r, g, bl, a := rgba(src, b.Min.X+x, b.Min.Y+y)
			tmp[4*x], tmp[4*x+1], tmp[4*x+2], tmp[4*x+3] = uint8(r>>8), uint8(g>>8), uint8(bl>>8), uint8(a>>8)
		}
		copy(out, tmp)
	}
}

// rgba reads one pixel through the concrete image types' typed accessors,
// which return colors by value, falling back to At.
func rgba(src image.Image, x, y int) (r, g, b, a uint32) {
	switch s := src.(type) {
	case *image.NYCbCrA:
		return s.NYCbCrAAt(x, y).RGBA()
	case *image.Gray16:
		return s.Gray16At(x, y).RGBA()
	case *image.RGBA64:
		return s.RGBA64At(x, y).RGBA()
	case *image.NRGBA64:
		return s.NRGBA64At(x, y).RGBA()
	case *image.CMYK:
		return s.CMYKAt(x, y).RGBA()
	case *image.Paletted:
		return s.Palette[s.ColorIndexAt(x, y)].RGBA()
	case image.RGBA64Image:
		c := s.RGBA64At(x, y)
		return uint32(c.R), uint32(c.G), uint32(c.B), uint32(c.A)
	}
	return src.At(x, y).RGBA()
}
