package world

import (
	"context"
	"fmt"
	"image"
	"image/draw"
	_ "image/jpeg" // the photo folders hold JPEG files
	_ "image/png"  // Debian's sample portraits are PNG
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
	mix      cardface.Mix // the card-face camera's conditions ("" = clean)
	cards    int64        // cards rendered, the next render's seed
}

// choosePeople picks, among the first people with two photos, the pair the
// engine scores highest as the holder (chip photo, live photo), and the
// next person as the stranger. The world is for function and timing: a
// borderline pair would make it flaky; `uketsuke face bench` measures accuracy.
func choosePeople(r *RealFace) (*photos, error) {
	if r.Holder != "" {
		return holderPhotos(r)
	}
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
	c, err := decodeImage(chip)
	if err != nil {
		return nil, err
	}
	faces := map[string]image.Image{}
	for who, file := range map[string]string{"holder": live, "stranger": stranger} {
		if faces[who], err = decodeImage(file); err != nil {
			return nil, err
		}
	}
	return newPhotos(c, faces)
}

// holderPhotos shows one person's photo file as the holder (the chip photo
// and the live camera, each cropped around the face the engine finds) and
// another's as the stranger.
func holderPhotos(r *RealFace) (*photos, error) {
	holder, err := decodeImage(r.Holder)
	if err != nil {
		return nil, err
	}
	holder = faceCrop(r.Engine, holder)
	faces := map[string]image.Image{"holder": holder}
	if r.Stranger != "" {
		s, err := decodeImage(r.Stranger)
		if err != nil {
			return nil, err
		}
		faces["stranger"] = faceCrop(r.Engine, s)
	}
	p, err := newPhotos(holder, faces)
	if p != nil {
		p.mix = cardface.Normal // the card front under a real camera's conditions
	}
	return p, err
}

// faceCrop is the square around the face the engine finds, the head about
// half its height as in a passport-style portrait; the whole image if no
// face is found.
func faceCrop(eng *face.Engine, img image.Image) image.Image {
	if eng == nil {
		return img
	}
	fi, err := face.FromImage(img)
	if err != nil {
		return img
	}
	defer fi.Release()
	p, err := eng.Analyse(fi, face.GateFaceOnly)
	if err != nil {
		return img
	}
	p.Destroy()
	b := p.Face.Box
	cx, cy := (b.Min.X+b.Max.X)/2, (b.Min.Y+b.Max.Y)/2
	half := max(b.Max.X-b.Min.X, b.Max.Y-b.Min.Y) * 1.1
	r := image.Rect(int(cx-half), int(cy-half*1.05), int(cx+half), int(cy+half*0.95)).Intersect(img.Bounds())
	if r.Dx() < 64 || r.Dy() < 64 {
		return img
	}
	out := image.NewRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	draw.Draw(out, out.Bounds(), img, r.Min, draw.Src)
	return out
}

// newPhotos puts the chip photo and the people at the cameras together.
func newPhotos(chip image.Image, faces map[string]image.Image) (*photos, error) {
	p := &photos{sources: map[string]appcam.Source{}, chip: chip}
	for who, img := range faces {
		var err error
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
	p.cards++
	img, _, err := cardface.Render(prof, p.chip, cardface.Options{Seed: p.cards, Mix: p.mix})
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
