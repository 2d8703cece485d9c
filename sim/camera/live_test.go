package camera

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"math"
	"testing"

	appcam "github.com/uketsuke/uketsuke/app/camera"
)

// markedFace is a mid-grey 200x200 "face" with a white 20x20 square at its
// centre, so its placement in a frame can be measured.
func markedFace() *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, 200, 200))
	for y := range 200 {
		for x := range 200 {
			v := byte(100)
			if x >= 90 && x < 110 && y >= 90 && y < 110 {
				v = 255
			}
			img.SetRGBA(x, y, color.RGBA{v, v, v, 255})
		}
	}
	return img
}

// markerCentre is the centroid of near-white pixels.
func markerCentre(img *image.RGBA) (x, y, n float64) {
	b := img.Rect
	for py := b.Min.Y; py < b.Max.Y; py++ {
		for px := b.Min.X; px < b.Max.X; px++ {
			if img.Pix[img.PixOffset(px, py)] > 200 {
				x, y, n = x+float64(px), y+float64(py), n+1
			}
		}
	}
	return x / n, y / n, n
}

func meanLevel(img *image.RGBA) float64 {
	var s float64
	for i := 0; i < len(img.Pix); i += 4 {
		s += float64(img.Pix[i])
	}
	return s / float64(len(img.Pix)/4)
}

func frames(t *testing.T, s appcam.Source, n int) []*appcam.Frame {
	t.Helper()
	out := make([]*appcam.Frame, n)
	for i := range out {
		f, err := s.Next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		out[i] = f
		t.Cleanup(f.Release)
	}
	return out
}

func TestLiveFaceWithoutJitterIsTheFaceCentred(t *testing.T) {
	s, err := NewLiveFaceSource(LiveConfig{Face: markedFace(), Jitter: &Jitter{}})
	if err != nil {
		t.Fatal(err)
	}
	fs := frames(t, s, 2)
	if fs[0].Image.Rect != image.Rect(0, 0, 640, 480) {
		t.Fatalf("frame %v, want 640x480", fs[0].Image.Rect)
	}
	if !bytes.Equal(fs[0].Image.Pix, fs[1].Image.Pix) {
		t.Fatal("frames differ without any jitter")
	}
	x, y, n := markerCentre(fs[0].Image)
	// 200 px face at 0.75 of 480 px: scale 1.8, so the 20 px marker is 36 px.
	if math.Abs(x-320) > 1 || math.Abs(y-240) > 1 || math.Abs(n-36*36) > 150 {
		t.Fatalf("marker at (%.1f, %.1f) with %v pixels, want (320, 240) and about %d", x, y, n, 36*36)
	}
}

func TestLiveFaceMovesSmoothlyWithinBounds(t *testing.T) {
	j := Jitter{Shift: 6, Scale: 0.03, RotateDeg: 2, Brightness: 0.08, Noise: 3}
	s, err := NewLiveFaceSource(LiveConfig{Face: markedFace(), Jitter: &j, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	var xs, ys, levels []float64
	for _, f := range frames(t, s, 45) { // three seconds at 15 fps
		x, y, _ := markerCentre(f.Image)
		xs, ys, levels = append(xs, x), append(ys, y), append(levels, meanLevel(f.Image))
	}
	spread := func(v []float64) float64 { return maxOf(v) - minOf(v) }
	if spread(xs) < 1 || spread(ys) < 1 {
		t.Fatalf("the face does not move: x spread %.2f, y spread %.2f", spread(xs), spread(ys))
	}
	for i := range xs {
		if math.Abs(xs[i]-320) > j.Shift+1 || math.Abs(ys[i]-240) > j.Shift+1 {
			t.Fatalf("frame %d: marker at (%.1f, %.1f), more than %v px from centre", i, xs[i], ys[i], j.Shift)
		}
		if i > 0 && math.Hypot(xs[i]-xs[i-1], ys[i]-ys[i-1]) > 2.5 {
			t.Fatalf("frame %d: marker jumped %.1f px in one frame", i, math.Hypot(xs[i]-xs[i-1], ys[i]-ys[i-1]))
		}
	}
	if spread(levels) < 1 {
		t.Fatalf("brightness does not drift: mean levels within %.2f", spread(levels))
	}
}

func TestLiveFaceHasSensorNoise(t *testing.T) {
	s, err := NewLiveFaceSource(LiveConfig{Face: markedFace(), Jitter: &Jitter{Noise: 3}})
	if err != nil {
		t.Fatal(err)
	}
	fs := frames(t, s, 2)
	var se float64
	for i := 0; i < len(fs[0].Image.Pix); i += 4 {
		d := float64(fs[0].Image.Pix[i]) - float64(fs[1].Image.Pix[i])
		se += d * d
	}
	// The difference of two frames has twice the noise variance.
	sd := math.Sqrt(se / float64(len(fs[0].Image.Pix)/4) / 2)
	if sd < 2 || sd > 4 {
		t.Fatalf("frame-to-frame noise sd %.2f, want about 3", sd)
	}
}

func TestLiveFaceIsRepeatableBySeed(t *testing.T) {
	a, _ := NewLiveFaceSource(LiveConfig{Face: markedFace(), Seed: 3, Size: image.Pt(160, 120)})
	b, _ := NewLiveFaceSource(LiveConfig{Face: markedFace(), Seed: 3, Size: image.Pt(160, 120)})
	c, _ := NewLiveFaceSource(LiveConfig{Face: markedFace(), Seed: 4, Size: image.Pt(160, 120)})
	fa, fb, fc := frames(t, a, 3)[2], frames(t, b, 3)[2], frames(t, c, 3)[2]
	if !bytes.Equal(fa.Image.Pix, fb.Image.Pix) {
		t.Fatal("same seed, different frames")
	}
	if bytes.Equal(fa.Image.Pix, fc.Image.Pix) {
		t.Fatal("different seeds, same frames")
	}
}

func TestSetFaceSwapsAndRemovesTheFace(t *testing.T) {
	s, err := NewLiveFaceSource(LiveConfig{Face: markedFace(), Jitter: &Jitter{}})
	if err != nil {
		t.Fatal(err)
	}
	s.SetFace(nil)
	empty := frames(t, s, 1)[0]
	if _, _, n := markerCentre(empty.Image); n != 0 {
		t.Fatalf("face removed but %v marker pixels remain", n)
	}
	other := image.NewRGBA(image.Rect(0, 0, 100, 100))
	for y := range 100 {
		for x := range 100 {
			v := byte(30)
			if x >= 40 && x < 60 && y >= 40 && y < 60 {
				v = 250 // a marker a fifth of the face wide, unlike markedFace's tenth
			}
			other.SetRGBA(x, y, color.RGBA{v, v, v, 255})
		}
	}
	s.SetFace(other)
	f := frames(t, s, 1)[0]
	x, y, n := markerCentre(f.Image)
	// 100 px at 0.75 of 480 px: scale 3.6, so the 20 px marker is 72 px.
	if math.Abs(x-320) > 1 || math.Abs(y-240) > 1 || math.Abs(n-72*72) > 400 {
		t.Fatalf("new face's marker at (%.1f, %.1f) covering %v pixels, want about %d", x, y, n, 72*72)
	}
}

func TestLiveFaceNeedsAFace(t *testing.T) {
	if _, err := NewLiveFaceSource(LiveConfig{}); !errors.Is(err, ErrNoFace) {
		t.Fatalf("no face: %v", err)
	}
	s, _ := NewLiveFaceSource(LiveConfig{Face: markedFace()})
	s.Close()
	if _, err := s.Next(context.Background()); !errors.Is(err, appcam.ErrClosed) {
		t.Fatalf("after Close: %v", err)
	}
}

func maxOf(v []float64) float64 {
	m := v[0]
	for _, x := range v {
		m = max(m, x)
	}
	return m
}

func minOf(v []float64) float64 {
	m := v[0]
	for _, x := range v {
		m = min(m, x)
	}
	return m
}
