package face

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	_ "image/jpeg" // the IC photo after JPEG 2000 decoding, and test images
	_ "image/png"
	"math"

	"github.com/uketsuke/uketsuke/app/camera"
	"github.com/uketsuke/uketsuke/app/secret"
)

// Limits on images accepted from files. The pixel limit is checked on the
// header before any pixel is decoded, so a hostile header cannot make us
// allocate gigabytes; images larger than MaxSide are reduced once decoded
// so that the locked copy stays small (locked memory is scarce: 8 MiB here).
const (
	MaxDecodePixels = 50_000_000
	MaxSide         = 1024
	MinSide         = 16
)

// Image is an RGB picture (3 bytes per pixel, row-major) in locked memory.
// Release overwrites the pixels.
type Image struct {
	W, H int
	Pix  []byte
	buf  *secret.Buffer
}

// NewImage returns a black w×h image in locked memory.
func NewImage(w, h int) (*Image, error) {
	if w <= 0 || h <= 0 {
		return nil, ErrEmpty
	}
	if w*h > MaxDecodePixels {
		return nil, fmt.Errorf("%w: %dx%d", ErrTooLarge, w, h)
	}
	buf, err := secret.New(w * h * 3)
	if err != nil {
		return nil, err
	}
	return &Image{W: w, H: h, Pix: buf.Bytes(), buf: buf}, nil
}

// Release wipes the pixels. Safe on nil and more than once.
func (im *Image) Release() {
	if im == nil {
		return
	}
	im.buf.Destroy()
	im.Pix = nil
}

// Alive reports whether the pixels are still there.
func (im *Image) Alive() bool { return im != nil && im.buf.Alive() }

// At returns the pixel at (x, y); callers keep x, y inside the image.
func (im *Image) At(x, y int) (r, g, b byte) {
	i := (y*im.W + x) * 3
	return im.Pix[i], im.Pix[i+1], im.Pix[i+2]
}

// ToGrey replaces every pixel by its luma (BT.601), in place. The IC photo is
// greyscale; matching a colour frame against it is fairer in grey.
func (im *Image) ToGrey() {
	for i := 0; i+2 < len(im.Pix); i += 3 {
		y := luma(im.Pix[i], im.Pix[i+1], im.Pix[i+2])
		im.Pix[i], im.Pix[i+1], im.Pix[i+2] = y, y, y
	}
}

// Mirror flips the image left to right, in place.
func (im *Image) Mirror() {
	for y := 0; y < im.H; y++ {
		row := im.Pix[y*im.W*3 : (y+1)*im.W*3]
		for l, r := 0, im.W-1; l < r; l, r = l+1, r-1 {
			for c := 0; c < 3; c++ {
				row[3*l+c], row[3*r+c] = row[3*r+c], row[3*l+c]
			}
		}
	}
}

// IsGrey reports whether every pixel has equal channels.
func (im *Image) IsGrey() bool {
	for i := 0; i+2 < len(im.Pix); i += 3 {
		if im.Pix[i] != im.Pix[i+1] || im.Pix[i] != im.Pix[i+2] {
			return false
		}
	}
	return true
}

// Clone copies the image into new locked memory.
func (im *Image) Clone() (*Image, error) {
	if !im.Alive() {
		return nil, ErrReleased
	}
	c, err := NewImage(im.W, im.H)
	if err != nil {
		return nil, err
	}
	secret.Copy(c.Pix, im.Pix)
	return c, nil
}

func luma(r, g, b byte) byte {
	return byte((299*int(r) + 587*int(g) + 114*int(b) + 500) / 1000)
}

// Decode reads a JPEG or PNG from data. It never panics: a corrupt, empty,
// tiny or oversized file gives ErrDecode, ErrEmpty, ErrTooSmall or ErrTooLarge.
// The decoder's heap copy of the pixels is wiped before returning.
func Decode(data []byte) (*Image, error) {
	if len(data) == 0 {
		return nil, ErrEmpty
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrDecode, err)
	}
	if err := checkSize(cfg.Width, cfg.Height); err != nil {
		return nil, err
	}
	src, err := safeDecode(data)
	if err != nil {
		return nil, err
	}
	defer wipeImage(src)
	return FromImage(src)
}

func checkSize(w, h int) error {
	switch {
	case w <= 0 || h <= 0:
		return ErrEmpty
	case int64(w)*int64(h) > MaxDecodePixels:
		return fmt.Errorf("%w: %dx%d", ErrTooLarge, w, h)
	case w < MinSide || h < MinSide:
		return fmt.Errorf("%w: %dx%d", ErrTooSmall, w, h)
	}
	return nil
}

// safeDecode turns a decoder panic (seen in the wild on malformed files) into
// an error: bad input must never take the kiosk down.
func safeDecode(data []byte) (img image.Image, err error) {
	defer func() {
		if r := recover(); r != nil {
			img, err = nil, fmt.Errorf("%w: decoder failed", ErrDecode)
		}
	}()
	img, _, err = image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrDecode, err)
	}
	return img, nil
}

// FromImage copies any image.Image (RGB, grey, YCbCr, CMYK…) into locked
// memory, reduced by an integer box filter if it exceeds MaxSide.
func FromImage(src image.Image) (*Image, error) {
	b := src.Bounds()
	if err := checkSize(b.Dx(), b.Dy()); err != nil {
		return nil, err
	}
	f := reduceFactor(b.Dx(), b.Dy())
	dst, err := NewImage(b.Dx()/f, b.Dy()/f)
	if err != nil {
		return nil, err
	}
	for y := 0; y < dst.H; y++ {
		for x := 0; x < dst.W; x++ {
			r, g, bl := boxAverage(src, b.Min.X+x*f, b.Min.Y+y*f, f)
			i := (y*dst.W + x) * 3
			dst.Pix[i], dst.Pix[i+1], dst.Pix[i+2] = r, g, bl
		}
	}
	return dst, nil
}

// FromFrame copies a camera frame into an Image (the frame stays owned by the caller).
func FromFrame(f *camera.Frame) (*Image, error) {
	if f == nil || f.Image == nil {
		return nil, ErrReleased
	}
	return FromImage(f.Image)
}

func reduceFactor(w, h int) int {
	side := max(w, h)
	return int(math.Ceil(float64(side) / MaxSide))
}

func boxAverage(src image.Image, x0, y0, f int) (r, g, b byte) {
	if f == 1 {
		return rgbAt(src, x0, y0)
	}
	var sr, sg, sb int
	for y := y0; y < y0+f; y++ {
		for x := x0; x < x0+f; x++ {
			r, g, b := rgbAt(src, x, y)
			sr, sg, sb = sr+int(r), sg+int(g), sb+int(b)
		}
	}
	n := f * f
	return byte(sr / n), byte(sg / n), byte(sb / n)
}

func rgbAt(src image.Image, x, y int) (r, g, b byte) {
	switch s := src.(type) {
	case *image.YCbCr:
		yi, ci := s.YOffset(x, y), s.COffset(x, y)
		return color.YCbCrToRGB(s.Y[yi], s.Cb[ci], s.Cr[ci])
	case *image.Gray:
		v := s.Pix[s.PixOffset(x, y)]
		return v, v, v
	case *image.RGBA:
		i := s.PixOffset(x, y)
		return s.Pix[i], s.Pix[i+1], s.Pix[i+2]
	}
	cr, cg, cb, _ := src.At(x, y).RGBA()
	return byte(cr >> 8), byte(cg >> 8), byte(cb >> 8)
}

// wipeImage overwrites the decoder's heap pixels of the common image types.
func wipeImage(img image.Image) {
	switch s := img.(type) {
	case *image.YCbCr:
		clear(s.Y)
		clear(s.Cb)
		clear(s.Cr)
	case *image.Gray:
		clear(s.Pix)
	case *image.RGBA:
		clear(s.Pix)
	case *image.NRGBA:
		clear(s.Pix)
	case *image.CMYK:
		clear(s.Pix)
	case *image.Gray16:
		clear(s.Pix)
	case *image.RGBA64:
		clear(s.Pix)
	case *image.NRGBA64:
		clear(s.Pix)
	case *image.Paletted:
		clear(s.Pix)
	}
}

// View is a read-only image.Image over the locked pixels, for encoders that
// take an image.Image (the card photo's JPEG 2000 encoder) without copying
// the picture to the heap. It is valid until Release.
func (im *Image) View() image.Image { return rgbView{im} }

type rgbView struct{ im *Image }

func (v rgbView) ColorModel() color.Model { return color.RGBAModel }

func (v rgbView) Bounds() image.Rectangle { return image.Rect(0, 0, v.im.W, v.im.H) }

func (v rgbView) At(x, y int) color.Color {
	if x < 0 || y < 0 || x >= v.im.W || y >= v.im.H || !v.im.Alive() {
		return color.RGBA{}
	}
	r, g, b := v.im.At(x, y)
	return color.RGBA{R: r, G: g, B: b, A: 255}
}
