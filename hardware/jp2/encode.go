package jp2

/*
#include "codec.h"
*/
import "C"

import (
	"fmt"
	"image"
	"unsafe"
)

// EncodeGray compresses a greyscale image to a raw J2K codestream, the
// compact form a card's chip stores. quality is the size to aim at as a
// percentage of the raw 8-bit image: 100 is lossless (reversible 5/3
// wavelet), lower values are lossy (9/7) at a compression ratio of
// 100/quality; a card-like 300x400 photo of a few KB is quality 3.
func EncodeGray(img *image.Gray, quality int) ([]byte, error) {
	if img == nil {
		return nil, fmt.Errorf("%w: nil image", ErrInvalid)
	}
	b := img.Bounds()
	pix := img.Pix[img.PixOffset(b.Min.X, b.Min.Y):]
	return encode(pix, b.Dx(), b.Dy(), img.Stride, 1, quality, FormatJ2K)
}

// encode compresses interleaved 8-bit samples (comps per pixel).
func encode(pix []byte, w, h, stride, comps, quality int, f Format) ([]byte, error) {
	if quality < 1 || quality > 100 {
		return nil, fmt.Errorf("%w: quality %d outside 1..100", ErrInvalid, quality)
	}
	if w <= 0 || h <= 0 || w*h > MaxPixels {
		return nil, fmt.Errorf("%w: cannot encode %dx%d (at most %d pixels)", ErrInvalid, w, h, MaxPixels)
	}
	if stride < w*comps || len(pix) < (h-1)*stride+w*comps {
		return nil, fmt.Errorf("%w: pixel buffer too short for %dx%d", ErrInvalid, w, h)
	}
	var rate float32
	if quality < 100 {
		rate = 100 / float32(quality)
	}
	var (
		out *C.uint8_t
		n   C.size_t
		rep C.ukj_report
	)
	rc := C.ukj_encode((*C.uint8_t)(unsafe.Pointer(&pix[0])), C.uint32_t(w), C.uint32_t(h),
		C.uint32_t(stride), C.uint32_t(comps), C.float(rate), codecOf(f), &out, &n, &rep)
	if rc != C.UKJ_OK {
		return nil, fmt.Errorf("jp2: encoding %dx%d failed: %s", w, h, C.GoString(&rep.msg[0]))
	}
	defer C.ukj_wipe_free_bytes(out, n)
	return C.GoBytes(unsafe.Pointer(out), C.int(n)), nil
}
