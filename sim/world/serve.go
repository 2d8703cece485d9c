package world

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/uketsuke/uketsuke/hardware/jp2"
	"github.com/uketsuke/uketsuke/sim/cardface"
	"github.com/uketsuke/uketsuke/sim/profile"
	"github.com/uketsuke/uketsuke/sim/standin"
	"github.com/uketsuke/uketsuke/sim/vcard"
	"github.com/uketsuke/uketsuke/sim/vpcd"
)

// ServeOptions shape a world served to a kiosk running as another process:
// the production kiosk in end-to-end tests and the demo through pcscd.
type ServeOptions struct {
	Dir      string // the world writes what the kiosk needs here
	Photos   string // one person's photographs: the first is the chip photo, the others the face camera's frames
	VPCDAddr string // the vpcd slot the card goes into (default DefaultVPCDAddr)
}

// Served is what the kiosk needs to reach the world, as files and addresses.
type Served struct {
	*World
	URL        string // the eligibility stand-in
	TLSDir     string // ca.pem (pin it), kiosk.pem and kiosk-key.pem
	TrustFile  string // the J-LIS anchors the card is issued under
	CardFront  string // the card-face camera's image
	FaceFrames string // the face camera's frames
	card       *vpcd.Client
	cancel     context.CancelFunc
	done       chan struct{}
}

// Serve starts the eligibility stand-in, issues one linked card for the
// person in the photographs and puts it on vpcd, and writes the files.
func Serve(o ServeOptions) (*Served, error) {
	if o.VPCDAddr == "" {
		o.VPCDAddr = DefaultVPCDAddr
	}
	w, err := New(Options{Latency: standin.Fast, RealSpeed: true})
	if err != nil {
		return nil, err
	}
	s := &Served{World: w, URL: w.ServiceURL(), TLSDir: filepath.Join(o.Dir, "tls"),
		TrustFile: filepath.Join(o.Dir, "trust.json"), CardFront: filepath.Join(o.Dir, "card", "front.png"),
		FaceFrames: filepath.Join(o.Dir, "face")}
	if err := s.prepare(o); err != nil {
		w.Close()
		return nil, err
	}
	return s, nil
}

func (s *Served) prepare(o ServeOptions) error {
	photos, err := photoFiles(o.Photos)
	if err != nil {
		return err
	}
	if err := s.service.pki.WriteFiles(s.TLSDir, kioskName, institution); err != nil {
		return err
	}
	if err := writeJSON(s.TrustFile, s.anchors); err != nil {
		return err
	}
	if err := copyFiles(photos[1:], s.FaceFrames); err != nil {
		return err
	}
	chip, err := decodeImage(photos[0])
	if err != nil {
		return err
	}
	vc, err := s.issue(chip)
	if err != nil {
		return err
	}
	s.card = vpcd.New(o.VPCDAddr, vc)
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel, s.done = cancel, make(chan struct{})
	go func() { s.card.Run(ctx); close(s.done) }()
	return nil
}

// issue makes the holder's card with the chip photo, links it to a valid
// seeded person and renders its front for the card-face camera.
func (s *Served) issue(chip image.Image) (*vcard.Card, error) {
	photo, err := jp2.EncodeCardPhoto(chip)
	if err != nil {
		return nil, err
	}
	if err := s.pickPerson(0, ""); err != nil {
		return nil, err
	}
	p := profile.Default()
	vc, err := IssueCard(p, vcard.Options{PhotoJP2: photo, Latency: vcard.RealLatency})
	if err != nil {
		return nil, err
	}
	vc.EnableInstitutionAuth(&s.inst.CAKey.PublicKey)
	if err := s.link(vc); err != nil {
		return nil, fmt.Errorf("world: linking the card: %w", err)
	}
	front, _, err := cardface.Render(p, chip, cardface.Options{Seed: 1})
	if err != nil {
		return nil, err
	}
	return vc, writePNG(s.CardFront, front)
}

// Pull takes the card off the reader; Insert puts it back.
func (s *Served) Pull()   { s.card.Pull() }
func (s *Served) Insert() { s.card.Insert() }

// Close takes the card away and stops the service.
func (s *Served) Close() {
	if s.cancel != nil {
		s.cancel()
		<-s.done
	}
	s.World.Close()
}

// Holder says who the card belongs to, for a test that checks that no
// personal data reached a log: the values are the ones the card and the
// stand-in hold for the holder.
func (s *Served) Holder() []string {
	p := profile.Default()
	s.mu.Lock()
	person := s.pop.Person(s.person)
	s.mu.Unlock()
	code, _ := vcard.CodeB(p)
	return []string{p.Name, p.Kana, p.Birth, code, person.Name, person.Kana, person.Birth}
}

func photoFiles(dir string) ([]string, error) {
	var files []string
	for _, ext := range []string{"*.jpg", "*.jpeg", "*.png"} {
		m, _ := filepath.Glob(filepath.Join(dir, ext))
		files = append(files, m...)
	}
	sort.Strings(files)
	if len(files) < 2 {
		return nil, fmt.Errorf("world: %s needs at least two photographs of one person", dir)
	}
	return files, nil
}

func copyFiles(files []string, dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), data, 0o600); err != nil {
			return err
		}
	}
	return nil
}

func writePNG(path string, img image.Image) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Commands reads the operator's commands (pull, insert, quit) until quit;
// at the end of input the card stays as it is until ctx ends.
func (s *Served) Commands(ctx context.Context, in io.Reader, out io.Writer) error {
	return s.card.Operate(ctx, in, out)
}

func writeJSON(path string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o600)
}
