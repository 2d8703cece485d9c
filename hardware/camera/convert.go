package camera

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
)

// ErrBadFrame means a frame from the device could not be converted.
var ErrBadFrame = errors.New("camera: bad frame")

// YUYVToRGBA converts packed 4:2:2 YUYV (Y0 U Y1 V, BT.601 studio range, as
// UVC cameras send it) into dst, whose size fixes the expected frame size.
// Rows padded by the driver are detected from the frame's length.
func YUYVToRGBA(dst *image.RGBA, src []byte) error {
	w, h := dst.Rect.Dx(), dst.Rect.Dy()
	if w%2 != 0 || h == 0 {
		return fmt.Errorf("%w: YUYV frame size %dx%d (width must be even)", ErrBadFrame, w, h)
	}
	if len(src) < w*h*2 {
		return fmt.Errorf("%w: YUYV frame has %d bytes, want %d for %dx%d", ErrBadFrame, len(src), w*h*2, w, h)
	}
	stride := w * 2
	if len(src)%h == 0 {
		stride = len(src) / h
	}
	for y := range h {
		in := src[y*stride : y*stride+w*2]
		out := dst.Pix[y*dst.Stride : y*dst.Stride+w*4]
		for x := 0; x < w; x += 2 {
			q := in[x*2 : x*2+4]
			u, v := int32(q[1])-128, int32(q[3])-128
			yuvToRGBA(out[x*4:x*4+4], q[0], u, v)
			yuvToRGBA(out[x*4+4:x*4+8], q[2], u, v)
		}
	}
	return nil
}

// yuvToRGBA is the BT.601 studio-range conversion in 8.8 fixed point.
func yuvToRGBA(px []byte, y byte, u, v int32) {
	c := 298 * (int32(y) - 16)
	px[0] = clip((c + 409*v + 128) >> 8)
	px[1] = clip((c - 100*u - 208*v + 128) >> 8)
	px[2] = clip((c + 516*u + 128) >> 8)
	px[3] = 0xff
}

func clip(v int32) byte {
	return byte(min(max(v, 0), 255))
}

// MJPEGToRGBA decodes one MJPEG frame into dst, whose size it must match.
// Frames without Huffman tables get the standard ones. The decoder's
// intermediate planes live on the Go heap; they are wiped before return.
func MJPEGToRGBA(dst *image.RGBA, src []byte) error {
	jpg, copied := withHuffmanTables(src)
	if copied {
		defer clear(jpg)
	}
	img, err := jpeg.Decode(bytes.NewReader(jpg))
	if err != nil {
		return fmt.Errorf("%w: MJPEG: %v", ErrBadFrame, err)
	}
	defer wipeDecoded(img)
	if img.Bounds().Size() != dst.Rect.Size() {
		return fmt.Errorf("%w: MJPEG frame is %v, want %v", ErrBadFrame, img.Bounds().Size(), dst.Rect.Size())
	}
	draw.Draw(dst, dst.Rect, img, img.Bounds().Min, draw.Src)
	return nil
}

func wipeDecoded(img image.Image) {
	switch m := img.(type) {
	case *image.YCbCr:
		clear(m.Y)
		clear(m.Cb)
		clear(m.Cr)
	case *image.Gray:
		clear(m.Pix)
	case *image.CMYK:
		clear(m.Pix)
	case *image.RGBA:
		clear(m.Pix)
	}
}
