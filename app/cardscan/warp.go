package cardscan

import (
	"image"
	"math"
)

// canonPxPerMM is the resolution of the upright card the fields are read
// from: 10 px/mm makes the 3.2 mm date lines about 25 px tall, which
// Tesseract reads well, and keeps the warp cheap (856x540).
const canonPxPerMM = 10.0

var canonW, canonH = int(math.Round(CardWidthMM * canonPxPerMM)), int(math.Round(CardHeightMM * canonPxPerMM))

// warpCard resamples the quadrilateral corners of g into an upright card,
// in locked memory.
func warpCard(g *image.Gray, corners [4]Pt) (lockedGray, error) {
	fw, fh := float64(canonW), float64(canonH)
	canon := [4]Pt{{0, 0}, {fw, 0}, {fw, fh}, {0, fh}}
	toFrame, err := HomographyFromQuads(canon, corners)
	if err != nil {
		return lockedGray{}, err
	}
	out, err := newLockedGray(canonW, canonH)
	if err != nil {
		return out, err
	}
	for y := 0; y < canonH; y++ {
		for x := 0; x < canonW; x++ {
			p := toFrame.Apply(Pt{float64(x) + 0.5, float64(y) + 0.5})
			out.Pix[y*out.Stride+x] = uint8(sample(g, p.X-0.5, p.Y-0.5) + 0.5)
		}
	}
	return out, nil
}

// rotate180 turns the upright image in place.
func rotate180(g *image.Gray) {
	p := g.Pix
	for i, j := 0, len(p)-1; i < j; i, j = i+1, j-1 {
		p[i], p[j] = p[j], p[i]
	}
}

// orientation returns +1 for an upright card, -1 for one upside down, 0
// when unsure. Both designs print the photo on the right, so a photo found
// on the left means a half turn; when none stands out, the place of
// today's photo is compared with its place after a half turn.
func orientation(g *image.Gray) int {
	paper := paperLevels(g)
	photo := findPhoto(g, paper)
	clear(paper.cells)
	if !photo.Empty() {
		if center(photo).X > g.Rect.Dx()/2 {
			return 1
		}
		return -1
	}
	return orientationByPrior(g)
}

// orientationByPrior compares the photo's place on today's card with the
// place it would have on an upside-down card: the photo is far darker than
// printed text on paper.
func orientationByPrior(g *image.Gray) int {
	r := PhotoRect
	flipped := RectMM{CardWidthMM - r.X1, CardHeightMM - r.Y1, CardWidthMM - r.X0, CardHeightMM - r.Y0}
	here, there := meanIn(g, r), meanIn(g, flipped)
	switch {
	case here < there-12:
		return 1
	case there < here-12:
		return -1
	}
	return 0
}

func meanIn(g *image.Gray, r RectMM) float64 {
	rect := mmRect(r).Intersect(g.Rect)
	if rect.Empty() {
		return 0
	}
	sum := 0
	for y := rect.Min.Y; y < rect.Max.Y; y += 2 {
		for x := rect.Min.X; x < rect.Max.X; x += 2 {
			sum += int(g.Pix[y*g.Stride+x])
		}
	}
	n := ((rect.Dy() + 1) / 2) * ((rect.Dx() + 1) / 2)
	return float64(sum) / float64(n)
}

func mmRect(r RectMM) image.Rectangle {
	return image.Rect(int(r.X0*canonPxPerMM), int(r.Y0*canonPxPerMM), int(math.Ceil(r.X1*canonPxPerMM)), int(math.Ceil(r.Y1*canonPxPerMM)))
}
