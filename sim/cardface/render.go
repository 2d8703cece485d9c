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
	// Font picks a font by index (see FontCount); -1 or beyond means random:
	// among the original six fonts for the fixed layout, so its figures stay
	// comparable, and among all for random layouts.
	Font int
	// Pose, when set, overrides the mix's rotation and orientation.
	Pose *Pose
	// Layout is LayoutFixed ("" too) or LayoutRandom: a layout drawn from
	// the seed, from its own stream so the rest of the card (serial, paper,
	// conditions) is the same as the fixed card's of that seed.
	Layout LayoutMode
	// Design is DesignCurrent ("" too) or DesignNext.
	Design Design
	// Custom, when set, is the layout drawn (its Design included); Layout
	// and Design are then ignored.
	Custom *Layout
}

// Pose is the card's rotation in the frame.
type Pose struct {
	AngleDeg   float64 // clockwise, before any half turn
	UpsideDown bool
}

// Truth is what a perfect scanner would return for the frame. It holds test
// values for synthetic holders only.
type Truth struct {
	// BirthYYMMDD has the era year for nationals on the current design and
	// the Gregorian year's last two digits otherwise.
	BirthYYMMDD  string
	ExpiryYear   string
	SecurityCode string
	CodeB        string // 照合番号B
	Corners      [4]cardscan.Pt
	UpsideDown   bool
	Mix          Mix
	Blur, Glare  float64
	Design       Design
	Layout       LayoutMode
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
	l, mode, lrng := layoutFor(opts)
	truth, err := TruthOf(p, l.Design)
	if err != nil {
		return nil, Truth{}, err
	}
	fonts, err := loadFonts()
	if err != nil {
		return nil, Truth{}, err
	}
	rng := rand.New(rand.NewPCG(uint64(opts.Seed), 0x6361726466616365))
	f := fonts[rng.IntN(legacyFontCount())]
	if mode == LayoutRandom {
		f = fonts[lrng.IntN(len(fonts))]
	}
	if opts.Font >= 0 && opts.Font < len(fonts) {
		f = fonts[opts.Font]
	}
	text, err := formatCard(p, l.Design, rng)
	if err != nil {
		return nil, Truth{}, err
	}
	flat := drawFlatCard(text, l, photo, f, rng)
	c := drawConditions(opts.Mix, rng, flat.Bounds().Dx(), flat.Bounds().Dy(), fieldCentres(l))
	if opts.Pose != nil {
		c.angle, c.upsideDown = opts.Pose.AngleDeg*math.Pi/180, opts.Pose.UpsideDown
	}
	frame, corners, err := placeCard(flat, w, h, c, rng)
	if err != nil {
		return nil, Truth{}, err
	}
	truth.Corners, truth.UpsideDown, truth.Mix = corners, c.upsideDown, opts.Mix
	truth.Blur, truth.Glare = c.blur, c.glare
	truth.Layout = mode
	return frame, truth, nil
}

// LayoutFor is the layout Render draws under opts.
func LayoutFor(opts Options) Layout {
	l, _, _ := layoutFor(opts)
	return l
}

// layoutFor resolves opts to a layout, its mode, and the layout stream (for
// a random layout's font pick).
func layoutFor(opts Options) (Layout, LayoutMode, *rand.Rand) {
	if opts.Custom != nil {
		l := *opts.Custom
		if l.Design != DesignNext {
			l.Design = DesignCurrent
		}
		return l, LayoutCustom, nil
	}
	d := opts.Design
	if d != DesignNext {
		d = DesignCurrent
	}
	if opts.Layout != LayoutRandom {
		return BaseLayout(d), LayoutFixed, nil
	}
	lrng := rand.New(rand.NewPCG(uint64(opts.Seed), 0x6c61796f7574))
	return RandomLayout(d, lrng), LayoutRandom, lrng
}

// fieldCentres are the middles of the birth, expiry and code lines in flat
// pixels, where hard glare may land: for the fixed card the centres of the
// boxes the scanner was written against, so its frames stay as they were.
func fieldCentres(l Layout) [3]cardscan.Pt {
	rects := [3]RectMM{{8.4, 22.2, 47.0, 28.6}, {2.2, 30.0, 52.0, 36.2}, {70.6, 38.2, 84.6, 44.4}}
	if l != FixedLayout() {
		rects = [3]RectMM{l.Birth.box(birthWorst[l.Design]...), l.Expiry.box(expiryWorst), l.Code.box(codeWorst)}
	}
	var out [3]cardscan.Pt
	for i, r := range rects {
		out[i] = cardscan.Pt{X: (r.X0 + r.X1) / 2 * PxPerMM, Y: (r.Y0 + r.Y1) / 2 * PxPerMM}
	}
	return out
}

// RenderFlat draws the upright fixed-layout card front alone at PxPerMM, for
// the UI and docs.
func RenderFlat(p *profile.Profile, photo image.Image, seed int64) (image.Image, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	fonts, err := loadFonts()
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 1))
	text, err := formatCard(p, DesignCurrent, rng)
	if err != nil {
		return nil, err
	}
	return drawFlatCard(text, FixedLayout(), photo, fonts[rng.IntN(legacyFontCount())], rng), nil
}

// TruthOf computes the three fields and 照合番号B of a profile's card of
// design d: the next design prints every birth date in the Gregorian calendar.
func TruthOf(p *profile.Profile, d Design) (Truth, error) {
	if d != DesignNext {
		d = DesignCurrent
	}
	birth, err := p.BirthDate()
	if err != nil {
		return Truth{}, err
	}
	exp, err := p.ExpiryDate()
	if err != nil {
		return Truth{}, err
	}
	yy := birth.Year() % 100
	if !p.Foreign && d == DesignCurrent {
		w, err := wareki.FromTime(birth)
		if err != nil {
			return Truth{}, err
		}
		yy = w.Year
	}
	t := Truth{
		Design:       d,
		BirthYYMMDD:  fmt.Sprintf("%02d%02d%02d", yy, int(birth.Month()), birth.Day()),
		ExpiryYear:   fmt.Sprintf("%04d", exp.Year()),
		SecurityCode: p.SecurityCode,
	}
	t.CodeB = t.BirthYYMMDD + t.ExpiryYear + t.SecurityCode
	return t, nil
}
