package session

import (
	"context"
	"image"

	"github.com/uketsuke/uketsuke/app/camera"
	"github.com/uketsuke/uketsuke/app/cardscan"
	"github.com/uketsuke/uketsuke/app/secret"
)

// CardFaceScanner is the card-face scanner (hardware/ocr.Pool implements it).
type CardFaceScanner interface {
	Scan(ctx context.Context, img image.Image) (*cardscan.Result, error)
}

// ScanKeys adapts a card-face scanner to the KeyReader port.
type ScanKeys struct{ Scanner CardFaceScanner }

// ReadKeyB scans a still and keeps only 照合番号B.
func (s ScanKeys) ReadKeyB(ctx context.Context, still *camera.Frame) (*secret.Buffer, error) {
	res, err := s.Scanner.Scan(ctx, still.Image)
	if err != nil {
		return nil, err
	}
	defer res.Destroy()
	key, err := secret.New(res.CodeB.Len())
	if err != nil {
		return nil, err
	}
	copy(key.Bytes(), res.CodeB.Bytes())
	return key, nil
}
