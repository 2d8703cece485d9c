package camera

import (
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	appcam "github.com/uketsuke/uketsuke/app/camera"
)

func writePNG(t *testing.T, path string, w, h int, c color.RGBA) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = c.R, c.G, c.B, c.A
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
}

var palette = []color.RGBA{{200, 0, 0, 255}, {0, 200, 0, 255}, {0, 0, 200, 255}}

// threeFiles writes b.png, a.png, c.png so name order differs from creation order.
func threeFiles(t *testing.T) string {
	dir := t.TempDir()
	for i, name := range []string{"a.png", "b.png", "c.png"} {
		writePNG(t, filepath.Join(dir, name), 32, 24, palette[i])
	}
	writePNG(t, filepath.Join(dir, "ignored.txt"), 1, 1, palette[0])
	return dir
}

func nextColour(t *testing.T, s appcam.Source) color.RGBA {
	t.Helper()
	f, err := s.Next(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer f.Release()
	return f.Image.RGBAAt(5, 5)
}

func TestFolderPlaysInNameOrderAndLoops(t *testing.T) {
	s, err := NewFileSource(FileConfig{Paths: []string{threeFiles(t)}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := range 7 {
		if got := nextColour(t, s); got != palette[i%3] {
			t.Fatalf("frame %d: colour %v, want %v", i, got, palette[i%3])
		}
	}
}

func TestFileListOnceEndsWithEOF(t *testing.T) {
	dir := threeFiles(t)
	s, err := NewFileSource(FileConfig{Paths: []string{filepath.Join(dir, "c.png"), filepath.Join(dir, "a.png")}, Once: true})
	if err != nil {
		t.Fatal(err)
	}
	if nextColour(t, s) != palette[2] || nextColour(t, s) != palette[0] {
		t.Fatal("files not played in the order given")
	}
	if _, err := s.Next(context.Background()); !errors.Is(err, io.EOF) {
		t.Fatalf("after the last file: %v, want io.EOF", err)
	}
}

func TestFileSourceScalesToSize(t *testing.T) {
	s, err := NewFileSource(FileConfig{Paths: []string{threeFiles(t)}, Size: image.Pt(64, 64)})
	if err != nil {
		t.Fatal(err)
	}
	f, err := s.Next(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer f.Release()
	if f.Image.Rect != image.Rect(0, 0, 64, 64) || f.Image.RGBAAt(32, 32) != palette[0] {
		t.Fatalf("frame %v colour %v", f.Image.Rect, f.Image.RGBAAt(32, 32))
	}
}

func TestFileSourceErrors(t *testing.T) {
	if _, err := NewFileSource(FileConfig{Paths: []string{t.TempDir()}}); !errors.Is(err, ErrNoImages) {
		t.Fatalf("empty folder: %v", err)
	}
	if _, err := NewFileSource(FileConfig{}); !errors.Is(err, ErrNoImages) {
		t.Fatalf("no paths: %v", err)
	}
	if _, err := NewFileSource(FileConfig{Paths: []string{"/nonexistent/face.jpg"}}); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing file: %v", err)
	}
	bad := filepath.Join(t.TempDir(), "bad.jpg")
	os.WriteFile(bad, []byte("not an image"), 0o600)
	s, err := NewFileSource(FileConfig{Paths: []string{bad}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Next(context.Background()); !errors.Is(err, image.ErrFormat) {
		t.Fatalf("corrupt file: %v, want image.ErrFormat", err)
	}
}

func TestFrameRateSpacesFrames(t *testing.T) {
	s, err := NewFileSource(FileConfig{Paths: []string{threeFiles(t)}, FPS: 50})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for range 5 {
		nextColour(t, s)
	}
	// Five frames at 50 fps span four 20 ms intervals; timers never fire early.
	if d := time.Since(start); d < 80*time.Millisecond {
		t.Fatalf("5 frames at 50 fps took %v, want >= 80ms", d)
	}
}

func TestCloseAndCancelUnblockNext(t *testing.T) {
	s, err := NewFileSource(FileConfig{Paths: []string{threeFiles(t)}, FPS: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	nextColour(t, s) // the first frame is immediate; the next is due in 10 s
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	if _, err := s.Next(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("cancelled Next: %v", err)
	}
	go func() { time.Sleep(30 * time.Millisecond); s.Close() }()
	start := time.Now()
	if _, err := s.Next(context.Background()); !errors.Is(err, appcam.ErrClosed) {
		t.Fatalf("Next during Close: %v, want ErrClosed", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatal("Close did not unblock Next")
	}
	if _, err := s.Next(context.Background()); !errors.Is(err, appcam.ErrClosed) {
		t.Fatalf("Next after Close: %v", err)
	}
}

func TestPlaysSharedFaces(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "faces", "lfw-devtrain", "Aaron_Sorkin")
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("UKETSUKE_REQUIRE_SHARED") != "" {
			t.Fatalf("shared faces required but absent: %v", err)
		}
		t.Skipf("shared faces absent (%v): skipping", err)
	}
	s, err := NewFileSource(FileConfig{Paths: []string{dir}, Size: image.Pt(640, 480)})
	if err != nil {
		t.Fatal(err)
	}
	f, err := s.Next(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer f.Release()
	if f.Image.Rect.Size() != image.Pt(640, 480) {
		t.Fatalf("frame size %v", f.Image.Rect.Size())
	}
}
