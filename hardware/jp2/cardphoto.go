package jp2

import (
	"image"

	"golang.org/x/image/draw"

	"github.com/uketsuke/uketsuke/app/camera"
	"github.com/uketsuke/uketsuke/app/secret"
)

// Card photo geometry and compression: a 3:4 greyscale portrait of a few KB,
// the shape of the photo a My Number Card chip holds (券面AP DF27).
const (
	CardPhotoWidth   = 300
	CardPhotoHeight  = 400
	CardPhotoQuality = 3 // about 3.6 KB for 300x400
)

// EncodeCardPhoto turns any face image into a card-like chip photo: centre
// crop to 3:4, scale to CardPhotoWidth x CardPhotoHeight, greyscale, and
// compress to a J2K codestream at CardPhotoQuality. For the virtual card.
func EncodeCardPhoto(src image.Image) ([]byte, error) {
	grey := image.NewGray(image.Rect(0, 0, CardPhotoWidth, CardPhotoHeight))
	draw.CatmullRom.Scale(grey, grey.Bounds(), src, portraitCrop(src.Bounds()), draw.Src, nil)
	defer clear(grey.Pix)
	return EncodeGray(grey, CardPhotoQuality)
}

// portraitCrop is the largest centred 3:4 rectangle inside r.
func portraitCrop(r image.Rectangle) image.Rectangle {
	w, h := r.Dx(), r.Dy()
	if w*CardPhotoHeight > h*CardPhotoWidth {
		cw := h * CardPhotoWidth / CardPhotoHeight
		x0 := r.Min.X + (w-cw)/2
		return image.Rect(x0, r.Min.Y, x0+cw, r.Max.Y)
	}
	ch := w * CardPhotoHeight / CardPhotoWidth
	y0 := r.Min.Y + (h-ch)/2
	return image.Rect(r.Min.X, y0, r.Max.X, y0+ch)
}

// CardPhotoRoundTrip issues src as the virtual card would (EncodeCardPhoto)
// and decodes it back as the kiosk reads the chip (DecodeFrame), so that
// face matching can be measured against what the kiosk really compares. The
// codestream goes into locked memory as soon as the encoder returns, and the
// heap copy is wiped; size is the codestream's length in bytes.
func CardPhotoRoundTrip(src image.Image) (frame *camera.Frame, size int, err error) {
	j2k, err := EncodeCardPhoto(src)
	if err != nil {
		return nil, 0, err
	}
	photo, err := secret.Take(j2k)
	if err != nil {
		return nil, 0, err
	}
	defer photo.Destroy()
	frame, err = DecodeFrame(photo.Bytes())
	return frame, photo.Len(), err
}
