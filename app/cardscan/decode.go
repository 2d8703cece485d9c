package cardscan

import (
	"errors"
	"fmt"
	"image"
	_ "image/gif" // the formats a card-face image may arrive in
	_ "image/jpeg"
	_ "image/png"
	"io"

	"github.com/uketsuke/uketsuke/app/secret"
)

// MaxImagePixels refuses decompression bombs before decoding: a 10000x10000
// photo is accepted (and shrunk early by Scan), a gigapixel one is not.
const MaxImagePixels = 120_000_000

// Decode reads a PNG, JPEG or GIF image, refusing anything else, anything
// corrupt and anything over MaxImagePixels with ErrBadImage.
func Decode(r io.ReadSeeker) (image.Image, error) {
	cfg, format, err := image.DecodeConfig(r)
	if err != nil {
		return nil, fmt.Errorf("%w: not a PNG, JPEG or GIF image", ErrBadImage)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > MaxImagePixels {
		return nil, fmt.Errorf("%w: %dx%d pixels", ErrBadImage, cfg.Width, cfg.Height)
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	img, _, err := image.Decode(r)
	if err != nil {
		return nil, fmt.Errorf("%w: corrupt %s", ErrBadImage, format)
	}
	return img, nil
}

// Locate finds the card in a frame without reading it: its corners in the
// frame's pixels (top-left, top-right, bottom-right, bottom-left of the
// upright card) and whether it lies upside down. The kiosk can use it to
// guide placement before spending OCR time.
func Locate(img image.Image) ([4]Pt, bool, error) {
	if img == nil || img.Bounds().Dx() < minImageSide || img.Bounds().Dy() < minImageSide*3/4 {
		return [4]Pt{}, false, ErrBadImage
	}
	work, err := toGray(img)
	if err != nil {
		return [4]Pt{}, false, err
	}
	defer work.release()
	corners, ok := findCard(work.Gray)
	if !ok {
		return [4]Pt{}, false, ErrNoCard
	}
	card, err := warpCard(work.Gray, corners)
	if errors.Is(err, secret.ErrLockLimit) {
		return [4]Pt{}, false, err
	} else if err != nil {
		return [4]Pt{}, false, ErrNoCard
	}
	defer card.release()
	b := img.Bounds()
	scale := float64(max(b.Dx(), b.Dy())) / float64(max(work.Rect.Dx(), work.Rect.Dy()))
	for i := range corners {
		corners[i] = Pt{float64(b.Min.X) + corners[i].X*scale, float64(b.Min.Y) + corners[i].Y*scale}
	}
	if orientation(card.Gray) < 0 {
		return [4]Pt{corners[2], corners[3], corners[0], corners[1]}, true, nil
	}
	return corners, false, nil
}
