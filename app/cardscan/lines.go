package cardscan

import (
	"image"
	"math"
	"slices"
)

// The print on an upright card, found without knowing the layout: the
// photo (the one large dark rectangle) and the text lines outside it. The
// scanner reads fields from wherever these are, so a card printed in
// another layout (or the next-generation design) is read, not refused.

// cardPrint is what findPrint saw, in canonical card pixels.
type cardPrint struct {
	photo image.Rectangle // empty when no photo stood out
	lines []image.Rectangle
	// splits holds, per line, where its words begin after its widest
	// gaps, widest first: a date printed close beside the name joins the
	// name's line, and is read again from the gap before it.
	splits [][]int
	// starts holds, per line, where each run of ink after the first
	// begins, right to left: a code printed close after another line's
	// words (the address) joins that line across a gap too narrow to split
	// it (codeTails).
	starts [][]int
}

// Sizes in millimetres that decide what is print and what is a line.
const (
	gridMM         = 1.0  // photo search cell
	photoMinWMM    = 12.0 // a face photo is about 23 x 29 mm
	photoMinHMM    = 15.0
	ruleMinLenMM   = 4.5 // longer straight strokes are rules and boxes, not text
	ruleMaxThickMM = 0.8
	boxSideMinMM   = 3.8 // a thin stroke this tall is a box side (a "1" is shorter)
	boxSideMaxWMM  = 0.6
	glyphMaxWMM    = 15.0 // wider components are not text
	edgeMarginMM   = 0.8  // no print this close to the card's edge
	lineMinHMM     = 1.2  // shorter lines are specks or furigana
	lineMaxHMM     = 7.0  // taller ones are not text rows
	wordGapFactor  = 1.0  // a gap wider than the line is tall splits it
	// Darker than this share of the local paper is ink: glare leaves text faint.
	inkRatioPercent = 80
)

// findPrint locates the photo and the text lines of card. It paints
// rules and box outlines white in card, so that no later crop of a boxed
// field reads the box's sides as characters.
func findPrint(card *image.Gray) cardPrint {
	paper := paperLevels(card)
	defer clear(paper.cells)
	var p cardPrint
	p.photo = findPhoto(card, paper)
	ink := inkMask(card, paper)
	defer clear(ink)
	comps := components(ink, card.Rect.Dx(), card.Rect.Dy())
	defer clear(comps.label)
	comps.dropRules(card, paper)
	p.lines = groupLines(comps.boxes, p.photo)
	for _, l := range p.lines {
		p.splits = append(p.splits, wordStarts(comps, l))
		p.starts = append(p.starts, segmentStarts(comps, l))
	}
	return p
}

// Gaps narrower than this share of the line's height are within a word:
// between glyphs, or the padding space of a one-digit number.
const splitGapFactor = 0.45

// wordStartsPerLine is how many word starts a line keeps: a birth date
// printed after the name (「林　翔太　昭和 2年 1月14日生」) has the name's
// own gap and the era year's padding among its widest, and the gap before
// the era came third.
const wordStartsPerLine = 3

// wordStarts returns where words begin inside line l, best first, at most
// wordStartsPerLine: after gaps of at least splitGapFactor line heights (the widest
// first), and before all of these where the print's height changes by
// half or more (a small label printed close before the larger code).
func wordStarts(c inkBlobs, l image.Rectangle) []int {
	type split struct{ weight, at int }
	var splits []split
	segs := inkSegments(c, l)
	for i := 1; i < len(segs); i++ {
		gap := segs[i].x0 - segs[i-1].x1
		h0, h1 := segs[i-1].height(), segs[i].height()
		switch {
		case 2*max(h0, h1) >= 3*min(h0, h1):
			splits = append(splits, split{l.Dx() + gap, segs[i].x0})
		case float64(gap) >= splitGapFactor*float64(l.Dy()):
			splits = append(splits, split{gap, segs[i].x0})
		}
	}
	slices.SortStableFunc(splits, func(a, b split) int { return b.weight - a.weight })
	var starts []int
	for _, s := range splits[:min(wordStartsPerLine, len(splits))] {
		starts = append(starts, s.at)
	}
	return starts
}

// segmentStarts returns where each ink segment of line l after the first
// begins, rightmost first.
func segmentStarts(c inkBlobs, l image.Rectangle) []int {
	segs := inkSegments(c, l)
	var starts []int
	for i := len(segs) - 1; i >= 1; i-- {
		starts = append(starts, segs[i].x0)
	}
	return starts
}

// inkSegment is a run of a line's columns holding ink, with gaps of less
// than a fifth of the line's height bridged (the spacing between glyphs).
type inkSegment struct{ x0, x1, top, bottom int }

func (s inkSegment) height() int { return s.bottom - s.top }

func inkSegments(c inkBlobs, l image.Rectangle) []inkSegment {
	bridge := max(1, l.Dy()/5)
	var segs []inkSegment
	cur, gap := inkSegment{x0: -1}, 0
	for x := l.Min.X; x < l.Max.X; x++ {
		top, bottom := -1, -1
		for y := l.Min.Y; y < l.Max.Y; y++ {
			if c.label[y*c.w+x] != 0 {
				if top < 0 {
					top = y
				}
				bottom = y + 1
			}
		}
		switch {
		case top < 0:
			gap++
		case cur.x0 < 0 || gap >= bridge:
			if cur.x0 >= 0 {
				segs = append(segs, cur)
			}
			cur, gap = inkSegment{x, x + 1, top, bottom}, 0
		default:
			cur.x1, cur.top, cur.bottom, gap = x+1, min(cur.top, top), max(cur.bottom, bottom), 0
		}
	}
	if cur.x0 >= 0 {
		segs = append(segs, cur)
	}
	return segs
}

// paperGrid is the local brightness of the paper, per cell of cell px.
type paperGrid struct {
	cells []uint8
	w, h  int
	cell  int
	// level is the card's paper brightness as a whole.
	level int
}

func (p paperGrid) at(x, y int) int {
	cx, cy := min(x/p.cell, p.w-1), min(y/p.cell, p.h-1)
	return int(p.cells[cy*p.w+cx])
}

// paperLevels estimates the paper's brightness around every cell: the
// brightest pixel within 1.5 cells, which is paper unless the cell lies in
// the photo. A glare spot or a gradient across the card moves it along.
func paperLevels(g *image.Gray) paperGrid {
	cell := int(gridMM * canonPxPerMM)
	w, h := (g.Rect.Dx()+cell-1)/cell, (g.Rect.Dy()+cell-1)/cell
	top := make([]uint8, w*h)
	for y := 0; y < g.Rect.Dy(); y++ {
		row := g.Pix[y*g.Stride : y*g.Stride+g.Rect.Dx()]
		for x, v := range row {
			i := (y/cell)*w + x/cell
			top[i] = max(top[i], v)
		}
	}
	out := paperGrid{cells: make([]uint8, w*h), w: w, h: h, cell: cell}
	for cy := 0; cy < h; cy++ {
		for cx := 0; cx < w; cx++ {
			m := uint8(0)
			for y := max(0, cy-1); y <= min(h-1, cy+1); y++ {
				for x := max(0, cx-1); x <= min(w-1, cx+1); x++ {
					m = max(m, top[y*w+x])
				}
			}
			out.cells[cy*w+cx] = m
		}
	}
	sorted := slices.Clone(top)
	slices.Sort(sorted)
	out.level = int(sorted[len(sorted)/2])
	clear(top)
	clear(sorted)
	return out
}

// findPhoto returns the bounding box of the largest dense block of cells
// clearly darker than the paper around it, when it is photo-sized. A
// light photo background still counts: it is darker than the paper.
func findPhoto(g *image.Gray, paper paperGrid) image.Rectangle {
	cell := paper.cell
	means := make([]int, paper.w*paper.h)
	for cy := 0; cy < paper.h; cy++ {
		for cx := 0; cx < paper.w; cx++ {
			sum, n := 0, 0
			for y := cy * cell; y < min((cy+1)*cell, g.Rect.Dy()); y += 2 {
				for x := cx * cell; x < min((cx+1)*cell, g.Rect.Dx()); x += 2 {
					sum += int(g.Pix[y*g.Stride+x])
					n++
				}
			}
			means[cy*paper.w+cx] = sum / max(n, 1)
		}
	}
	lit := lighting(means, paper.w, paper.h)
	dark := make([]bool, len(means))
	for i, m := range means {
		dark[i] = float64(m) < 0.86*lit[i]
	}
	best, bestN := image.Rectangle{}, 0
	for _, blob := range cellBlobs(dark, paper.w, paper.h) {
		r := blob.r
		if float64(r.Dx())*gridMM < photoMinWMM || float64(r.Dy())*gridMM < photoMinHMM {
			continue
		}
		// Rows of text merge into a tall blob too, but leave blank cells
		// between them; a photo is solid.
		if blob.n*100 < r.Dx()*r.Dy()*55 || blob.n <= bestN {
			continue
		}
		best, bestN = image.Rect(r.Min.X*cell, r.Min.Y*cell, r.Max.X*cell, r.Max.Y*cell).Intersect(g.Rect), blob.n
	}
	return best
}

// lighting fits a smooth quadratic surface to the paper's brightness
// over the card, from the cells that look like paper (neither darker,
// like print and the photo, nor brighter, like a glare spot), so a card lit
// from one side is not taken for a photo along its dim edge.
func lighting(means []int, w, h int) []float64 {
	use := make([]bool, len(means))
	for i := range use {
		use[i] = true
	}
	var coef [6]float64
	fit := make([]float64, len(means))
	for round := 0; round < 4; round++ {
		coef = fitQuadratic(means, use, w, h)
		for i := range means {
			fit[i] = quadAt(coef, i%w, i/w, w, h)
			m := float64(means[i])
			use[i] = m >= 0.93*fit[i] && m <= 1.1*fit[i]
		}
	}
	return fit
}

func quadTerms(x, y, w, h int) [6]float64 {
	u, v := float64(x)/float64(w)-0.5, float64(y)/float64(h)-0.5
	return [6]float64{1, u, v, u * u, v * v, u * v}
}

func quadAt(c [6]float64, x, y, w, h int) float64 {
	t := quadTerms(x, y, w, h)
	s := 0.0
	for i := range c {
		s += c[i] * t[i]
	}
	return s
}

// fitQuadratic solves the least-squares normal equations for the cells in use.
func fitQuadratic(means []int, use []bool, w, h int) [6]float64 {
	var a [6][7]float64
	for i, m := range means {
		if !use[i] {
			continue
		}
		t := quadTerms(i%w, i/w, w, h)
		for r := 0; r < 6; r++ {
			for c := 0; c < 6; c++ {
				a[r][c] += t[r] * t[c]
			}
			a[r][6] += t[r] * float64(m)
		}
	}
	for col := 0; col < 6; col++ {
		pivot := col
		for r := col + 1; r < 6; r++ {
			if math.Abs(a[r][col]) > math.Abs(a[pivot][col]) {
				pivot = r
			}
		}
		a[col], a[pivot] = a[pivot], a[col]
		if math.Abs(a[col][col]) < 1e-9 {
			return [6]float64{255}
		}
		for r := 0; r < 6; r++ {
			if r == col {
				continue
			}
			f := a[r][col] / a[col][col]
			for c := col; c < 7; c++ {
				a[r][c] -= f * a[col][c]
			}
		}
	}
	var out [6]float64
	for i := range out {
		out[i] = a[i][6] / a[i][i]
	}
	return out
}

// inkMask marks the pixels darker than inkRatioPercent of the paper around them.
func inkMask(g *image.Gray, paper paperGrid) []bool {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	ink := make([]bool, w*h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			ink[y*w+x] = int(g.Pix[y*g.Stride+x])*100 < paper.at(x, y)*inkRatioPercent
		}
	}
	return ink
}

// inkBlobs is the 8-connected components of an ink mask.
type inkBlobs struct {
	label []int32 // component index + 1 per pixel, 0 for paper
	boxes []inkBlob
	w, h  int
}

type inkBlob struct {
	r image.Rectangle
	n int
}

func components(ink []bool, w, h int) inkBlobs { return flood(ink, w, h, true) }

// cellBlobs is the 4-connected regions of a grid of cells.
func cellBlobs(mask []bool, w, h int) []inkBlob {
	c := flood(mask, w, h, false)
	clear(c.label)
	return c.boxes
}

// flood labels the connected regions of the true cells of mask, through
// their 8 neighbours or only the 4 that share a side.
func flood(mask []bool, w, h int, eight bool) inkBlobs {
	c := inkBlobs{label: make([]int32, w*h), w: w, h: h}
	var stack []int
	for start, on := range mask {
		if !on || c.label[start] != 0 {
			continue
		}
		id := int32(len(c.boxes) + 1)
		b := inkBlob{r: image.Rect(start%w, start/w, start%w+1, start/w+1)}
		c.label[start] = id
		stack = append(stack[:0], start)
		for len(stack) > 0 {
			i := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			x, y := i%w, i/w
			b.n++
			b.r = b.r.Union(image.Rect(x, y, x+1, y+1))
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					nx, ny := x+dx, y+dy
					if nx < 0 || ny < 0 || nx >= w || ny >= h || (!eight && dx != 0 && dy != 0) {
						continue
					}
					j := ny*w + nx
					if mask[j] && c.label[j] == 0 {
						c.label[j] = id
						stack = append(stack, j)
					}
				}
			}
		}
		c.boxes = append(c.boxes, b)
	}
	return c
}

// dropRules removes straight rules and box outlines: from the component
// list, and from card, where their pixels are painted the paper's shade
// (white would stand out of a dim card as much as the rule did).
func (c *inkBlobs) dropRules(card *image.Gray, paper paperGrid) {
	mm := func(v float64) int { return int(v * canonPxPerMM) }
	var rules []image.Rectangle
	for i, b := range c.boxes {
		w, h := b.r.Dx(), b.r.Dy()
		hRule := w >= mm(ruleMinLenMM) && h <= mm(ruleMaxThickMM)
		vRule := h >= mm(boxSideMinMM) && w <= mm(boxSideMaxWMM)
		// An outline: large, but its ink is only along the edges.
		outline := w >= mm(ruleMinLenMM) && h >= mm(2) && b.n*100 < w*h*35 && thinFrame(c, i)
		if !hRule && !vRule && !outline {
			continue
		}
		if hRule {
			rules = append(rules, b.r)
		}
		c.erase(card, paper, i)
		c.boxes[i] = inkBlob{}
	}
	// A thin box's sides may break off its top and bottom: a thin upright
	// stroke that ends where a rule ends is a side, however short (a "1"
	// of a boxed date stands clear of the box).
	for i, b := range c.boxes {
		if b.n == 0 || b.r.Dx() > mm(boxSideMaxWMM) || b.r.Dy() < mm(2) {
			continue
		}
		for _, r := range rules {
			near := r.Inset(-mm(0.8))
			top, bottom := image.Pt(b.r.Min.X, b.r.Min.Y), image.Pt(b.r.Min.X, b.r.Max.Y-1)
			atEnd := b.r.Min.X <= r.Min.X+mm(0.8) || b.r.Max.X >= r.Max.X-mm(0.8)
			if atEnd && (top.In(near) || bottom.In(near)) {
				c.erase(card, paper, i)
				c.boxes[i] = inkBlob{}
				break
			}
		}
	}
}

// thinFrame: component i's ink lies along its bounding box's edges.
func thinFrame(c *inkBlobs, i int) bool {
	b := c.boxes[i].r
	id := int32(i + 1)
	edge := int(ruleMaxThickMM * canonPxPerMM)
	inside := 0
	for y := b.Min.Y + edge; y < b.Max.Y-edge; y++ {
		for x := b.Min.X + edge; x < b.Max.X-edge; x++ {
			if c.label[y*c.w+x] == id {
				inside++
			}
		}
	}
	return inside*10 < c.boxes[i].n
}

func (c *inkBlobs) erase(card *image.Gray, paper paperGrid, i int) {
	b := c.boxes[i].r
	id := int32(i + 1)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if c.label[y*c.w+x] != id {
				continue
			}
			c.label[y*c.w+x] = 0
			// A blurred rule's fringe is lighter than the ink threshold:
			// whiten a pixel around each, too.
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					if p := image.Pt(x+dx, y+dy); p.In(card.Rect) {
						card.Pix[card.PixOffset(p.X, p.Y)] = uint8(paper.at(p.X, p.Y))
					}
				}
			}
		}
	}
}

// groupLines joins components into text lines: a component belongs to a
// line whose band it overlaps by half its own height and which ends no
// further left than wordGapFactor line heights. Components in the photo
// and specks are left out.
func groupLines(blobs []inkBlob, photo image.Rectangle) []image.Rectangle {
	minSpeck := 3 // px: a quarter millimetre
	maxH, maxW := int(lineMaxHMM*canonPxPerMM), int(glyphMaxWMM*canonPxPerMM)
	inner := image.Rect(0, 0, canonW, canonH).Inset(int(edgeMarginMM * canonPxPerMM))
	var parts []image.Rectangle
	for _, b := range blobs {
		if b.n == 0 || (b.r.Dx() < minSpeck && b.r.Dy() < minSpeck) {
			continue
		}
		// Too big for a glyph (or a few run together): part of a photo the
		// photo search missed, or the card's edge.
		if b.r.Dy() > maxH || b.r.Dx() > maxW {
			continue
		}
		// Print keeps off the card's edge; what touches it is the edge
		// itself or the tray beyond a corner.
		if !b.r.In(inner) {
			continue
		}
		if c := center(b.r); c.In(photo) {
			continue
		}
		parts = append(parts, b.r)
	}
	slices.SortFunc(parts, func(a, b image.Rectangle) int { return a.Min.X - b.Min.X })
	var out []image.Rectangle
	for _, l := range joinParts(parts) {
		if isTextRow(l) {
			out = append(out, l)
			continue
		}
		out = append(out, withoutTallParts(l, parts)...)
	}
	return out
}

// joinParts joins parts, sorted left to right, into lines.
func joinParts(parts []image.Rectangle) []image.Rectangle {
	var lines []image.Rectangle
	for _, r := range parts {
		joined := false
		for i, l := range lines {
			if joins(l, r) {
				lines[i] = l.Union(r)
				joined = true
				break
			}
		}
		if !joined {
			lines = append(lines, r)
		}
	}
	return mergeOverlapping(lines)
}

// isTextRow: l is as tall as a row of print may be, and no narrower.
func isTextRow(l image.Rectangle) bool {
	h := float64(l.Dy()) / canonPxPerMM
	return h >= lineMinHMM && h <= lineMaxHMM && l.Dx() >= l.Dy()
}

// withoutTallParts regroups the parts of a line too tall to be a row
// without those a quarter taller than its median part (the line is lost
// otherwise, so a tall bracket may go too): a photo whose pale
// background the photo search missed left its edge (1.6 by 5.8 mm) beside
// a large expiry line (3.9 mm), which it joined into a band too tall to
// be text, and the expiry was never found.
func withoutTallParts(l image.Rectangle, parts []image.Rectangle) []image.Rectangle {
	var in []image.Rectangle
	for _, r := range parts {
		if r.In(l) {
			in = append(in, r)
		}
	}
	heights := make([]int, len(in))
	for i, r := range in {
		heights[i] = r.Dy()
	}
	slices.Sort(heights)
	median := heights[len(heights)/2]
	kept := slices.DeleteFunc(in, func(r image.Rectangle) bool { return 4*r.Dy() > 5*median })
	var out []image.Rectangle
	for _, row := range joinParts(kept) {
		if isTextRow(row) {
			out = append(out, row)
		}
	}
	return out
}

// joins: r continues line l.
func joins(l, r image.Rectangle) bool {
	overlap := min(l.Max.Y, r.Max.Y) - max(l.Min.Y, r.Min.Y)
	if 2*overlap < min(r.Dy(), l.Dy()) {
		return false
	}
	// Of print of two sizes, the smaller one's height: a small serial and
	// the larger code beside it are two lines even when close, while a
	// stroke of a kanji lies well within the gap any glyph allows.
	height := min(l.Dy(), r.Dy())
	if 2*max(l.Dy(), r.Dy()) < 3*height {
		// Alike enough for one size of type: a "1" after a wide padding
		// space is no shorter than the kanji beside it allow for.
		height = max(l.Dy(), r.Dy())
	}
	height = max(height, int(1.2*canonPxPerMM))
	return r.Min.X-l.Max.X <= int(wordGapFactor*float64(height))
}

// mergeOverlapping joins lines whose boxes came to overlap as they grew
// (two halves of a line started from the strokes of different characters).
func mergeOverlapping(lines []image.Rectangle) []image.Rectangle {
	for merged := true; merged; {
		merged = false
		for i := 0; i < len(lines) && !merged; i++ {
			for j := i + 1; j < len(lines); j++ {
				if lines[i].Overlaps(lines[j]) && (joins(lines[i], lines[j]) || joins(lines[j], lines[i])) {
					lines[i] = lines[i].Union(lines[j])
					lines = slices.Delete(lines, j, j+1)
					merged = true
					break
				}
			}
		}
	}
	return lines
}

func center(r image.Rectangle) image.Point {
	return image.Pt((r.Min.X+r.Max.X)/2, (r.Min.Y+r.Max.Y)/2)
}
