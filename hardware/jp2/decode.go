package jp2

/*
#cgo pkg-config: libopenjp2
#include "codec.h"
*/
import "C"

import (
	"fmt"
	"image"
	"unsafe"
)

// Decode decodes a JP2 file or J2K codestream: one component gives an
// *image.Gray, three give an *image.RGBA (opaque). The pixel memory comes
// from alloc (nil means make), so a caller can hand in locked memory;
// openjp2's own sample buffers are overwritten before they are freed.
// Samples deeper than 8 bits are scaled to 8.
func Decode(data []byte, alloc func(n int) []byte) (image.Image, error) {
	format, err := detectOrError(data)
	if err != nil {
		return nil, err
	}
	siz, err := preflight(data, format)
	if err != nil {
		return nil, err
	}
	if err := siz.checkLimits(); err != nil {
		return nil, err
	}
	var (
		img *C.opj_image_t
		hdr C.ukj_header
		rep C.ukj_report
	)
	rc := C.ukj_decode((*C.uint8_t)(unsafe.Pointer(&data[0])), C.size_t(len(data)),
		codecOf(format), C.uint64_t(MaxPixels), C.uint64_t(MaxTiles), &img, &hdr, &rep)
	if rc != C.UKJ_OK {
		return nil, decodeError(rc, data, format, &hdr, &rep)
	}
	defer C.ukj_wipe_and_free(img)
	if alloc == nil {
		alloc = func(n int) []byte { return make([]byte, n) }
	}
	return copyOut(img, int(hdr.width), int(hdr.height), alloc)
}

// DecodeConfig reads only the main header: size and component count. It
// does not apply the limits, so a caller can see how large a refused image
// is; within the limits openjp2 validates the whole main header too.
func DecodeConfig(data []byte) (w, h, components int, err error) {
	format, err := detectOrError(data)
	if err != nil {
		return 0, 0, 0, err
	}
	siz, err := preflight(data, format)
	if err != nil {
		return 0, 0, 0, err
	}
	if siz.checkLimits() != nil {
		return siz.width, siz.height, siz.components, nil
	}
	var (
		hdr C.ukj_header
		rep C.ukj_report
	)
	rc := C.ukj_read_header((*C.uint8_t)(unsafe.Pointer(&data[0])), C.size_t(len(data)),
		codecOf(format), &hdr, &rep)
	if rc != C.UKJ_OK {
		return 0, 0, 0, decodeError(rc, data, format, &hdr, &rep)
	}
	return int(hdr.width), int(hdr.height), int(hdr.components), nil
}

func codecOf(f Format) C.int {
	if f == FormatJP2 {
		return C.OPJ_CODEC_JP2
	}
	return C.OPJ_CODEC_J2K
}

func decodeError(rc C.int, data []byte, f Format, hdr *C.ukj_header, rep *C.ukj_report) error {
	msg := C.GoString(&rep.msg[0])
	switch rc {
	case C.UKJ_TOO_LARGE:
		return fmt.Errorf("%w: %dx%d in %d tiles (at most %d pixels in %d tiles)",
			ErrTooLarge, hdr.width, hdr.height, hdr.tiles, MaxPixels, MaxTiles)
	case C.UKJ_UNSUPPORTED:
		return fmt.Errorf("%w: %d components, %dx%d (want 1 or 3 full-resolution components of at most 16 bits)",
			ErrUnsupported, hdr.components, hdr.width, hdr.height)
	case C.UKJ_NO_MEMORY:
		return fmt.Errorf("jp2: out of memory")
	}
	kind := ErrCorrupt
	if looksTruncated(data, f) {
		kind = ErrTruncated
	}
	if msg == "" {
		return fmt.Errorf("%w (%s)", kind, f)
	}
	return fmt.Errorf("%w (%s): %s", kind, f, msg)
}

// copyOut converts openjp2's int32 planes into 8-bit pixels in alloc'd memory.
func copyOut(img *C.opj_image_t, w, h int, alloc func(int) []byte) (image.Image, error) {
	comps := unsafe.Slice(img.comps, int(img.numcomps))
	planes := make([][]C.OPJ_INT32, len(comps))
	for i := range comps {
		planes[i] = unsafe.Slice(comps[i].data, w*h)
	}
	rect := image.Rect(0, 0, w, h)
	if len(comps) == 1 {
		pix, err := allocate(alloc, w*h)
		if err != nil {
			return nil, err
		}
		grey := &image.Gray{Pix: pix, Stride: w, Rect: rect}
		sampleTo8(planes[0], &comps[0], pix, 1)
		return grey, nil
	}
	pix, err := allocate(alloc, 4*w*h)
	if err != nil {
		return nil, err
	}
	for c := range 3 {
		sampleTo8(planes[c], &comps[c], pix[c:], 4)
	}
	for i := 3; i < len(pix); i += 4 {
		pix[i] = 0xff
	}
	if img.color_space == C.OPJ_CLRSPC_SYCC {
		syccToRGB(pix)
	}
	return &image.RGBA{Pix: pix, Stride: 4 * w, Rect: rect}, nil
}

func allocate(alloc func(int) []byte, n int) ([]byte, error) {
	b := alloc(n)
	if len(b) < n {
		return nil, fmt.Errorf("%w: alloc returned %d bytes, need %d", ErrInvalid, len(b), n)
	}
	return b[:n], nil
}

// sampleTo8 writes one component into dst every step bytes, undoing the
// signed offset, clamping to the precision's range and scaling to 8 bits.
func sampleTo8(plane []C.OPJ_INT32, c *C.opj_image_comp_t, dst []byte, step int) {
	prec := uint(c.prec)
	maxV := int32(1)<<prec - 1
	var offset int32
	if c.sgnd != 0 {
		offset = int32(1) << (prec - 1)
	}
	for i, s := range plane {
		v := min(max(int32(s)+offset, 0), maxV)
		dst[i*step] = scaleTo8(v, prec)
	}
}

func scaleTo8(v int32, prec uint) byte {
	switch {
	case prec == 8:
		return byte(v)
	case prec > 8:
		return byte(v >> (prec - 8))
	}
	return byte(v * 255 / (int32(1)<<prec - 1))
}

// syccToRGB converts full-range YCbCr (JP2 colour space 18) in place.
func syccToRGB(pix []byte) {
	for i := 0; i+3 < len(pix); i += 4 {
		y, cb, cr := float32(pix[i]), float32(pix[i+1])-128, float32(pix[i+2])-128
		pix[i] = clamp8(y + 1.402*cr)
		pix[i+1] = clamp8(y - 0.344136*cb - 0.714136*cr)
		pix[i+2] = clamp8(y + 1.772*cb)
	}
}

func clamp8(v float32) byte {
	return byte(min(max(v+0.5, 0), 255))
}
