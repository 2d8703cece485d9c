package cardscan

import (
	"image"
	"math"
)

// detectSide is the long side of the image the card is looked for in: enough
// to place the card's edges within about a working pixel after line fitting.
const detectSide = 640

// Detection limits: the card fills 60-100 % of the frame's width, so its area
// is well above minCardArea; its sides keep the ISO ID-1 ratio 1.586 within
// what ±8° and mild perspective do to it; and it must stand out from the tray.
const (
	minCardArea    = 0.12
	minAspect      = 1.30
	maxAspect      = 1.90
	minContrast    = 35.0
	maxBorderTouch = 0.10
)

// findCard returns the card's corners in g's pixels, clockwise from the one
// nearest the frame's top-left (top-left, top-right, bottom-right,
// bottom-left as seen in the frame).
func findCard(g *image.Gray) ([4]Pt, bool) {
	k := max(1, (max(g.Rect.Dx(), g.Rect.Dy())+detectSide-1)/detectSide)
	small := shrink(g, k)
	if small != g {
		defer wipeGray(small)
	}
	t, dark, bright := otsu(histogram(small))
	if bright-dark < minContrast {
		return [4]Pt{}, false
	}
	mask, area := largestBright(small, uint8(t))
	w, h := small.Rect.Dx(), small.Rect.Dy()
	if float64(area) < minCardArea*float64(w*h) || touchesBorder(mask, w, h) {
		return [4]Pt{}, false
	}
	corners, ok := fitQuad(mask, w, h)
	if !ok {
		return [4]Pt{}, false
	}
	for i := range corners {
		corners[i] = Pt{corners[i].X * float64(k), corners[i].Y * float64(k)}
	}
	if !plausibleCard(corners) {
		return [4]Pt{}, false
	}
	return corners, true
}

// largestBright labels the biggest 4-connected region above t.
func largestBright(g *image.Gray, t uint8) ([]bool, int) {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	label := make([]int32, w*h)
	var best int32
	bestArea, next := 0, int32(0)
	stack := make([]int, 0, 1024)
	for start := range label {
		if label[start] != 0 || g.Pix[(start/w)*g.Stride+start%w] <= t {
			continue
		}
		next++
		area := 0
		stack = append(stack[:0], start)
		label[start] = next
		for len(stack) > 0 {
			i := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			area++
			x, y := i%w, i/w
			for _, n := range [4][2]int{{x - 1, y}, {x + 1, y}, {x, y - 1}, {x, y + 1}} {
				if n[0] < 0 || n[1] < 0 || n[0] >= w || n[1] >= h {
					continue
				}
				j := n[1]*w + n[0]
				if label[j] == 0 && g.Pix[n[1]*g.Stride+n[0]] > t {
					label[j] = next
					stack = append(stack, j)
				}
			}
		}
		if area > bestArea {
			best, bestArea = next, area
		}
	}
	mask := make([]bool, w*h)
	for i, l := range label {
		mask[i] = l == best && best != 0
	}
	return mask, bestArea
}

// touchesBorder rejects regions running along the frame's edge: a card lies
// inside the frame, a bright table or a blank image does not.
func touchesBorder(mask []bool, w, h int) bool {
	n := 0
	for x := 0; x < w; x++ {
		n += b2i(mask[x]) + b2i(mask[(h-1)*w+x])
	}
	for y := 0; y < h; y++ {
		n += b2i(mask[y*w]) + b2i(mask[y*w+w-1])
	}
	return float64(n) > maxBorderTouch*float64(2*(w+h))
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// fitQuad fits a straight line to each of the region's four outer edges and
// intersects them, which places the corners more precisely than any single
// (rounded) corner pixel would.
func fitQuad(mask []bool, w, h int) ([4]Pt, bool) {
	rowMin, rowMax := make([]int, h), make([]int, h)
	colMin, colMax := make([]int, w), make([]int, w)
	for i := range rowMin {
		rowMin[i], rowMax[i] = -1, -1
	}
	for i := range colMin {
		colMin[i], colMax[i] = -1, -1
	}
	var rough [4]Pt
	best := [4]float64{math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if !mask[y*w+x] {
				continue
			}
			if rowMin[y] < 0 {
				rowMin[y] = x
			}
			rowMax[y] = x
			if colMin[x] < 0 {
				colMin[x] = y
			}
			colMax[x] = y
			s, d := float64(x+y), float64(x-y)
			if s < best[0] {
				best[0], rough[0] = s, Pt{float64(x), float64(y)}
			}
			if d > best[1] {
				best[1], rough[1] = d, Pt{float64(x), float64(y)}
			}
			if s > best[3] {
				best[3], rough[2] = s, Pt{float64(x), float64(y)}
			}
			if d < best[2] {
				best[2], rough[3] = d, Pt{float64(x), float64(y)}
			}
		}
	}
	tl, tr, br, bl := rough[0], rough[1], rough[2], rough[3]
	top, ok1 := fitEdge(colMin, int(tl.X), int(tr.X), 0)
	bottom, ok2 := fitEdge(colMax, int(bl.X), int(br.X), 1)
	left, ok3 := fitEdge(rowMin, int(tl.Y), int(bl.Y), 0)
	right, ok4 := fitEdge(rowMax, int(tr.Y), int(br.Y), 1)
	if !(ok1 && ok2 && ok3 && ok4) {
		return [4]Pt{}, false
	}
	// top/bottom are y = a x + b; left/right are x = a y + b.
	var out [4]Pt
	var ok [4]bool
	out[0], ok[0] = intersect(top, left)
	out[1], ok[1] = intersect(top, right)
	out[2], ok[2] = intersect(bottom, right)
	out[3], ok[3] = intersect(bottom, left)
	return out, ok[0] && ok[1] && ok[2] && ok[3]
}

type line struct{ a, b float64 }

// fitEdge fits v = a u + b to the edge samples between from and to, leaving
// out the rounded corners, then refits without the worst outliers (glare
// bites, shadows). edgeOffset moves the line from the last inside pixel to
// the region's boundary.
func fitEdge(v []int, from, to int, edgeOffset float64) (line, bool) {
	if from > to {
		from, to = to, from
	}
	trim := (to - from) / 8
	from, to = from+trim, to-trim
	var us, vs []float64
	for u := max(from, 0); u <= to && u < len(v); u++ {
		if v[u] >= 0 {
			us = append(us, float64(u)+0.5)
			vs = append(vs, float64(v[u])+edgeOffset)
		}
	}
	l, ok := leastSquares(us, vs)
	if !ok {
		return l, false
	}
	var ku, kv []float64
	for i := range us {
		if math.Abs(vs[i]-(l.a*us[i]+l.b)) <= 1.5 {
			ku, kv = append(ku, us[i]), append(kv, vs[i])
		}
	}
	if len(ku) < len(us)/2 {
		return l, true
	}
	return leastSquares(ku, kv)
}

func leastSquares(us, vs []float64) (line, bool) {
	n := float64(len(us))
	if n < 8 {
		return line{}, false
	}
	var su, sv, suu, suv float64
	for i := range us {
		su += us[i]
		sv += vs[i]
		suu += us[i] * us[i]
		suv += us[i] * vs[i]
	}
	den := n*suu - su*su
	if den == 0 {
		return line{}, false
	}
	a := (n*suv - su*sv) / den
	return line{a, (sv - a*su) / n}, true
}

// intersect solves y = h.a x + h.b with x = v.a y + v.b.
func intersect(h, v line) (Pt, bool) {
	den := 1 - h.a*v.a
	if math.Abs(den) < 1e-9 {
		return Pt{}, false
	}
	y := (h.a*v.b + h.b) / den
	return Pt{v.a*y + v.b, y}, true
}

// plausibleCard checks the quadrilateral's proportions.
func plausibleCard(c [4]Pt) bool {
	dist := func(a, b Pt) float64 { return math.Hypot(a.X-b.X, a.Y-b.Y) }
	wTop, wBot := dist(c[0], c[1]), dist(c[3], c[2])
	hL, hR := dist(c[0], c[3]), dist(c[1], c[2])
	if hL == 0 || hR == 0 || wTop == 0 || wBot == 0 {
		return false
	}
	aspect := (wTop + wBot) / (hL + hR)
	return aspect >= minAspect && aspect <= maxAspect &&
		wTop/wBot > 0.85 && wTop/wBot < 1.18 && hL/hR > 0.85 && hL/hR < 1.18
}
