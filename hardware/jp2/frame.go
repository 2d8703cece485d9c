package jp2

import (
	"context"
	"time"

	"github.com/uketsuke/uketsuke/app/camera"
	"github.com/uketsuke/uketsuke/app/secret"
)

// DecodeFrame decodes a chip photo into a frame in locked memory. The
// decoder's own pixel planes are also allocated in locked memory and are
// destroyed before it returns, so no copy of the photo is left behind.
func DecodeFrame(data []byte) (*camera.Frame, error) {
	var scratch []*secret.Buffer
	defer func() {
		for _, b := range scratch {
			b.Destroy()
		}
	}()
	var lockErr error
	img, err := Decode(data, func(n int) []byte {
		b, err := secret.New(n)
		if err != nil {
			lockErr = err
			return nil
		}
		scratch = append(scratch, b)
		return b.Bytes()
	})
	if lockErr != nil {
		return nil, lockErr
	}
	if err != nil {
		return nil, err
	}
	return camera.FrameFrom(img, time.Now())
}

// Decoder decodes chip photos for the kiosk session (its PhotoDecoder port).
type Decoder struct{}

// Decode decodes the JPEG 2000 photo in locked memory into a locked frame.
func (Decoder) Decode(ctx context.Context, photo *secret.Buffer) (*camera.Frame, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return DecodeFrame(photo.Bytes())
}
