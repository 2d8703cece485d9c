package world

import (
	"context"
	"fmt"
	"image"
	_ "image/jpeg" // the photo folders hold JPEG files
	"os"
	"path/filepath"
	"sort"
	"sync"

	appcam "github.com/uketsuke/uketsuke/app/camera"
	"github.com/uketsuke/uketsuke/app/face"
	simcam "github.com/uketsuke/uketsuke/sim/camera"
	"github.com/uketsuke/uketsuke/sim/cardface"
	"github.com/uketsuke/uketsuke/sim/profile"
)

// photos are the real photographs the cameras show: the holder's chip photo
// and a different live photo of them, a stranger, nobody, and the holder's
// card front rendered on the card-face camera's tray.
type photos struct {
	chip     image.Image
	live     *switchSource
	sources  map[string]appcam.Source
	cardTray *simcam.StillSource
}

// choosePeople picks, among the first people with two photos, the pair the
// engine scores highest as the holder (chip photo, live photo), and the
// next person as the stranger. The world is for function and timing: a
// borderline pair would make it flaky; `uketsuke face bench` measures accuracy.
func choosePeople(r *RealFace) (*photos, error) {
	entries, err := os.ReadDir(r.Faces)
	if err != nil {
		return nil, fmt.Errorf("world: photos %s: %w (is ../shared/faces on this machine?)", r.Faces, err)
	}
	var people [][]string
	for _, e := range entries {
		files, _ := filepath.Glob(filepath.Join(r.Faces, e.Name(), "*.jpg"))
		if len(files) > 0 {
			sort.Strings(files)
			people = append(people, files)
		}
	}
	best, bestAt, tried := -2.0, -1, 0
	for i, files := range people {
		if len(files) < 2 || tried == 8 {
			continue
		}
		tried++
		if s, ok := pairScore(r.Engine, files[0], files[1]); ok && s > best {
			best, bestAt = s, i
		}
	}
	if bestAt < 0 || len(people) < 2 {
		return nil, fmt.Errorf("world: %s has no two people with usable photos", r.Faces)
	}
	return openPhotos(people[bestAt][0], people[bestAt][1], people[(bestAt+1)%len(people)][0])
}

func openPhotos(chip, live, stranger string) (*photos, error) {
	p := &photos{sources: map[string]appcam.Source{}}
	var err error
	if p.chip, err = decodeImage(chip); err != nil {
		return nil, err
	}
	for who, file := range map[string]string{"holder": live, "stranger": stranger} {
		img, err := decodeImage(file)
		if err != nil {
			p.close()
			return nil, err
		}
		if p.sources[who], err = simcam.NewLiveFaceSource(simcam.LiveConfig{Face: img, FPS: 15, Seed: 1}); err != nil {
			p.close()
			return nil, err
		}
	}
	p.sources["nobody"] = simcam.NewStillSource(image.NewGray(image.Rect(0, 0, 640, 480)), 15)
	p.live = &switchSource{cur: p.sources["nobody"]}
	p.cardTray = simcam.NewStillSource(image.NewGray(image.Rect(0, 0, 64, 64)), 15)
	return p, nil
}

// pairScore is the engine's similarity of two photos of one person.
func pairScore(eng *face.Engine, a, b string) (float64, bool) {
	ea, ok := photoEmbedding(eng, a)
	if !ok {
		return 0, false
	}
	defer ea.Destroy()
	eb, ok := photoEmbedding(eng, b)
	if !ok {
		return 0, false
	}
	defer eb.Destroy()
	s, err := face.Score(ea, eb)
	return s, err == nil
}

func photoEmbedding(eng *face.Engine, file string) (*face.Embedding, bool) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, false
	}
	img, err := face.Decode(data)
	if err != nil {
		return nil, false
	}
	defer img.Release()
	p, err := eng.Analyse(img, face.GateFaceOnly)
	if err != nil || p.Embedding == nil {
		return nil, false
	}
	return p.Embedding, true
}

func (p *photos) show(who string) {
	if src, ok := p.sources[who]; ok {
		p.live.set(src)
	}
}

// showCard renders the holder's card front on the card-face camera's tray.
func (p *photos) showCard(prof *profile.Profile) error {
	img, _, err := cardface.Render(prof, p.chip, cardface.Options{Seed: 1})
	if err != nil {
		return err
	}
	p.cardTray.Set(img)
	return nil
}

func (p *photos) close() {
	for _, s := range p.sources {
		s.Close()
	}
	if p.cardTray != nil {
		p.cardTray.Close()
	}
}

// switchSource is the face camera pointed at whoever stands in front of it.
type switchSource struct {
	mu  sync.Mutex
	cur appcam.Source
}

func (s *switchSource) set(src appcam.Source) { s.mu.Lock(); s.cur = src; s.mu.Unlock() }

func (s *switchSource) Next(ctx context.Context) (*appcam.Frame, error) {
	s.mu.Lock()
	src := s.cur
	s.mu.Unlock()
	return src.Next(ctx)
}

func (s *switchSource) Close() error { return nil }

func decodeImage(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("world: %s: %w", path, err)
	}
	return img, nil
}
