// Package cardface renders synthetic My Number Card fronts as a card-face
// camera would see them, with the ground truth needed to score a scanner.
// The holders are synthetic; nothing here is a real person's card.
package cardface

import (
	"errors"
	"fmt"
	"image"
	"math"
	"math/rand/v2"

	"github.com/uketsuke/uketsuke/app/cardscan"
	"github.com/uketsuke/uketsuke/app/wareki"
	"github.com/uketsuke/uketsuke/sim/profile"
)

// Options choose the frame and its conditions. The zero value renders a
// clean 1280x960 frame with seed 0.
type Options struct {
	Seed          int64
	Mix           Mix
	Width, Height int // camera frame; 0 means 1280x960
	// Font picks a font by index (see FontCount); -1 or beyond means random.
	Font int
	// Pose, when set, overrides the mix's rotation and orientation.
	Pose *Pose
}

// Pose is the card's rotation in the frame.
type Pose struct {
	AngleDeg   float64 // clockwise, before any half turn
	UpsideDown bool
}

// Truth is what a perfect scanner would return for the frame. It holds test
// values for synthetic holders only.
type Truth struct {
	BirthYYMMDD  string // era year for Japanese nationals, Gregorian for foreign residents
	ExpiryYear   string
	SecurityCode string
	CodeB        string // 照合番号B
	Corners      [4]cardscan.Pt
	UpsideDown   bool
	Mix          Mix
	Blur, Glare  float64
}

// ErrFrameSize rejects frames too small to hold a card or absurdly large.
var ErrFrameSize = errors.New("cardface: frame size out of range")

// Render draws p's card front (with photo, or a synthetic portrait when nil)
// into a camera frame under opts.
func Render(p *profile.Profile, photo image.Image, opts Options) (image.Image, Truth, error) {
	if p == nil {
		return nil, Truth{}, fmt.Errorf("%w: nil profile", profile.ErrInvalid)
	}
	if err := p.Validate(); err != nil {
		return nil, Truth{}, err
	}
	w, h := opts.Width, opts.Height
	if w == 0 && h == 0 {
		w, h = 1280, 960
	}
	if w < 160 || h < 120 || w > 8000 || h > 8000 {
		return nil, Truth{}, ErrFrameSize
	}
	truth, err := TruthOf(p)
	if err != nil {
		return nil, Truth{}, err
	}
	fonts, err := loadFonts()
	if err != nil {
		return nil, Truth{}, err
	}
	rng := rand.New(rand.NewPCG(uint64(opts.Seed), 0x6361726466616365))
	f := fonts[rng.IntN(len(fonts))]
	if opts.Font >= 0 && opts.Font < len(fonts) {
		f = fonts[opts.Font]
	}
	text, err := formatCard(p, rng)
	if err != nil {
		return nil, Truth{}, err
	}
	flat := drawFlatCard(text, photo, f, rng)
	c := drawConditions(opts.Mix, rng, flat.Bounds().Dx(), flat.Bounds().Dy())
	if opts.Pose != nil {
		c.angle, c.upsideDown = opts.Pose.AngleDeg*math.Pi/180, opts.Pose.UpsideDown
	}
	frame, corners, err := placeCard(flat, w, h, c, rng)
	if err != nil {
		return nil, Truth{}, err
	}
	truth.Corners, truth.UpsideDown, truth.Mix = corners, c.upsideDown, opts.Mix
	truth.Blur, truth.Glare = c.blur, c.glare
	return frame, truth, nil
}

// RenderFlat draws the upright card front alone at PxPerMM, for the UI and docs.
func RenderFlat(p *profile.Profile, photo image.Image, seed int64) (image.Image, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	fonts, err := loadFonts()
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 1))
	text, err := formatCard(p, rng)
	if err != nil {
		return nil, err
	}
	return drawFlatCard(text, photo, fonts[rng.IntN(len(fonts))], rng), nil
}

// TruthOf computes the three fields and 照合番号B of a profile.
func TruthOf(p *profile.Profile) (Truth, error) {
	birth, err := p.BirthDate()
	if err != nil {
		return Truth{}, err
	}
	exp, err := p.ExpiryDate()
	if err != nil {
		return Truth{}, err
	}
	yy := birth.Year() % 100
	if !p.Foreign {
		d, err := wareki.FromTime(birth)
		if err != nil {
			return Truth{}, err
		}
		yy = d.Year
	}
	t := Truth{
		BirthYYMMDD:  fmt.Sprintf("%02d%02d%02d", yy, int(birth.Month()), birth.Day()),
		ExpiryYear:   fmt.Sprintf("%04d", exp.Year()),
		SecurityCode: p.SecurityCode,
	}
	t.CodeB = t.BirthYYMMDD + t.ExpiryYear + t.SecurityCode
	return t, nil
}
