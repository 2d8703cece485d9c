package camera

import (
	"context"
	"errors"
	"image"
	"image/color"
	"testing"
)

func TestStillSourceCopiesAndReplaces(t *testing.T) {
	card := image.NewRGBA(image.Rect(0, 0, 86, 54))
	card.SetRGBA(10, 10, color.RGBA{1, 2, 3, 255})
	s := NewStillSource(card, 0)
	defer s.Close()
	f, err := s.Next(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if f.Image.Rect != card.Rect || f.Image.RGBAAt(10, 10) != (color.RGBA{1, 2, 3, 255}) {
		t.Fatal("frame is not a copy of the still")
	}
	f.Image.SetRGBA(10, 10, color.RGBA{9, 9, 9, 255})
	if card.RGBAAt(10, 10) != (color.RGBA{1, 2, 3, 255}) {
		t.Fatal("frame shares memory with the source image")
	}
	f.Release()
	other := image.NewGray(image.Rect(0, 0, 20, 10))
	other.SetGray(3, 3, color.Gray{200})
	s.Set(other)
	g, err := s.Next(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer g.Release()
	if g.Image.Rect.Dx() != 20 || g.Image.RGBAAt(3, 3) != (color.RGBA{200, 200, 200, 255}) {
		t.Fatal("Set did not replace the still")
	}
	s.Set(nil)
	if _, err := s.Next(context.Background()); !errors.Is(err, ErrNoImages) {
		t.Fatalf("no image: %v", err)
	}
}
