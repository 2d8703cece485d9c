package camera

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/draw"
	_ "image/jpeg" // decoders for the files a FileSource plays
	_ "image/png"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	xdraw "golang.org/x/image/draw"

	appcam "github.com/uketsuke/uketsuke/app/camera"
)

// FileConfig describes a FileSource.
type FileConfig struct {
	Paths []string    // image files, or one folder whose .jpg/.jpeg/.png files play in name order
	FPS   float64     // frames per second; 0 = as fast as Next is called
	Size  image.Point // scale (cover and centre-crop) to this size; zero = each file's own size
	Once  bool        // stop with io.EOF after the last file instead of looping
}

// ErrNoImages means a FileSource was given nothing to play.
var ErrNoImages = errors.New("simcam: no image files")

// FileSource plays image files as camera frames.
type FileSource struct {
	mu    sync.Mutex
	cfg   FileConfig
	files []string
	index int
	pace  *pacer
}

var _ appcam.Source = (*FileSource)(nil)

// NewFileSource lists the files to play; they are decoded one per frame.
func NewFileSource(cfg FileConfig) (*FileSource, error) {
	files, err := listImages(cfg.Paths)
	if err != nil {
		return nil, err
	}
	return &FileSource{cfg: cfg, files: files, pace: newPacer(cfg.FPS)}, nil
}

func listImages(paths []string) ([]string, error) {
	if len(paths) == 1 {
		if st, err := os.Stat(paths[0]); err == nil && st.IsDir() {
			return imagesIn(paths[0])
		}
	}
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("simcam: %w", err)
		}
	}
	if len(paths) == 0 {
		return nil, ErrNoImages
	}
	return slices.Clone(paths), nil
}

func imagesIn(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("simcam: %w", err)
	}
	var files []string
	for _, e := range entries {
		switch strings.ToLower(filepath.Ext(e.Name())) {
		case ".jpg", ".jpeg", ".png":
			if !e.IsDir() {
				files = append(files, filepath.Join(dir, e.Name()))
			}
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%w in %s", ErrNoImages, dir)
	}
	return files, nil
}

// Next waits for the frame rate, then decodes the next file into a frame.
func (s *FileSource) Next(ctx context.Context) (*appcam.Frame, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.pace.wait(ctx); err != nil {
		return nil, err
	}
	if s.index == len(s.files) {
		if s.cfg.Once {
			return nil, io.EOF
		}
		s.index = 0
	}
	path := s.files[s.index]
	s.index++
	img, err := decodeFile(path)
	if err != nil {
		return nil, err
	}
	defer wipeDecoded(img)
	return frameOf(img, s.cfg.Size, time.Now())
}

// wipeDecoded clears the decoder's heap copy once the frame holds the pixels,
// as the real camera path does: face images leave only locked memory behind.
func wipeDecoded(img image.Image) {
	switch m := img.(type) {
	case *image.YCbCr:
		clear(m.Y)
		clear(m.Cb)
		clear(m.Cr)
	case *image.Gray:
		clear(m.Pix)
	case *image.NRGBA:
		clear(m.Pix)
	case *image.RGBA:
		clear(m.Pix)
	case *image.Paletted:
		clear(m.Pix)
	}
}

// Close ends the source; a waiting Next returns camera.ErrClosed at once.
func (s *FileSource) Close() error {
	s.pace.close()
	return nil
}

func decodeFile(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("simcam: %w", err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("simcam: %s: %w", path, err)
	}
	return img, nil
}

// frameOf copies img into a locked frame, scaled to cover size if given.
func frameOf(img image.Image, size image.Point, at time.Time) (*appcam.Frame, error) {
	if size == (image.Point{}) || img.Bounds().Size() == size {
		return appcam.FrameFrom(img, at)
	}
	f, err := appcam.NewFrame(size.X, size.Y, at)
	if err != nil {
		return nil, err
	}
	xdraw.ApproxBiLinear.Scale(f.Image, f.Image.Rect, img, coverCrop(img.Bounds(), size), draw.Src, nil)
	return f, nil
}

// coverCrop is the largest centred part of r with the aspect ratio of size.
func coverCrop(r image.Rectangle, size image.Point) image.Rectangle {
	w, h := r.Dx(), r.Dy()
	if w*size.Y > h*size.X {
		cw := h * size.X / size.Y
		x0 := r.Min.X + (w-cw)/2
		return image.Rect(x0, r.Min.Y, x0+cw, r.Max.Y)
	}
	ch := w * size.Y / size.X
	y0 := r.Min.Y + (h-ch)/2
	return image.Rect(r.Min.X, y0, r.Max.X, y0+ch)
}
