package cli

import (
	"fmt"
	"io"
	"math"

	"github.com/uketsuke/uketsuke/app/face"
)

// Fusion measured on real frames: the kiosk fuses several live frames of
// one attempt against one reference (the chip's photo). Here the frames of
// an attempt are different photographs of one person (cc0's sequences at
// several distances and positions, or LFW's images of one person), and the
// reference is another image of the person (genuine) or of someone else
// (impostor), as the card photo when card photos were made.

// maxSubsets caps the attempts made of one person's images (and card).
const maxSubsets = 64

// fusionTally counts one kind of attempt in one set.
type fusionTally struct {
	singles       []float32 // each frame against the reference on its own
	meanScore     []float32 // the attempt, frames fused by mean score (the default)
	meanVector    []float32 // the attempt, frames fused as one normalised mean vector
	liftedOverAll int       // attempts the mean vector accepted though no frame was accepted
}

type fusionResult struct {
	sets     []string
	genuine  []fusionTally // by the live person's set
	impostor []fusionTally
}

// fusionStudy makes attempts of n frames. Genuine: for every image of a
// person used as the reference, subsets of n of the person's other images.
// Impostor: subsets of n of a person's images against every reference of
// anyone else, across all sets. Singles are each (reference, frame) pair
// counted once.
func (p *pool) fusionStudy(n int, threshold float64) (*fusionResult, error) {
	ref, refOK := p.live, p.liveOK
	if p.card != nil {
		ref, refOK = p.card, p.cardOK
	}
	r := &fusionResult{genuine: make([]fusionTally, len(p.sets)), impostor: make([]fusionTally, len(p.sets))}
	for _, s := range p.sets {
		r.sets = append(r.sets, s.name)
	}
	scratch, err := face.NewMatrix(1, p.live.Dim()) // the mean vector is an embedding too: locked
	if err != nil {
		return nil, err
	}
	defer scratch.Destroy()
	mean := scratch.Row(0)
	byPerson, setOfPerson := p.imagesByPerson()
	for person, imgs := range byPerson {
		si := setOfPerson[person]
		g, imp := &r.genuine[si], &r.impostor[si]
		for _, c := range imgs {
			if !refOK[c] {
				continue
			}
			others := without(imgs, c)
			for _, s := range others {
				g.singles = append(g.singles, dot32(ref.Row(c), p.live.Row(s)))
			}
			for _, frames := range subsets(others, n) {
				g.add(p, ref.Row(c), frames, mean, threshold)
			}
		}
		attempts := subsets(imgs, n)
		if len(attempts) == 0 {
			continue
		}
		for c := range p.owner {
			if p.owner[c] == person || !refOK[c] {
				continue
			}
			for _, s := range imgs {
				imp.singles = append(imp.singles, dot32(ref.Row(c), p.live.Row(s)))
			}
			for _, frames := range attempts {
				imp.add(p, ref.Row(c), frames, mean, threshold)
			}
		}
	}
	return r, nil
}

// imagesByPerson lists the images with a live embedding of each person.
func (p *pool) imagesByPerson() (map[int][]int, map[int]int) {
	by, set := map[int][]int{}, map[int]int{}
	for si := range p.sets {
		for i := p.start[si]; i < p.start[si+1]; i++ {
			set[p.owner[i]] = si
			if p.liveOK[i] {
				by[p.owner[i]] = append(by[p.owner[i]], i)
			}
		}
	}
	return by, set
}

// add scores one attempt both ways of fusing.
func (t *fusionTally) add(p *pool, ref []float32, frames []int, mean []float32, threshold float64) {
	clear(mean)
	var sum float64
	anyFrame := false
	for _, f := range frames {
		row := p.live.Row(f)
		s := float64(dot32(ref, row))
		sum += s
		anyFrame = anyFrame || s >= threshold
		for k, v := range row {
			mean[k] += v
		}
	}
	t.meanScore = append(t.meanScore, float32(sum/float64(len(frames))))
	var norm float64
	for _, v := range mean {
		norm += float64(v) * float64(v)
	}
	vec := float64(dot32(ref, mean)) / math.Sqrt(norm)
	t.meanVector = append(t.meanVector, float32(vec))
	if vec >= threshold && !anyFrame {
		t.liftedOverAll++
	}
}

func without(s []int, x int) []int {
	out := make([]int, 0, len(s))
	for _, v := range s {
		if v != x {
			out = append(out, v)
		}
	}
	return out
}

// subsets returns the k-element subsets of s in lexicographic order, or an
// evenly spread maxSubsets of them.
func subsets(s []int, k int) [][]int {
	if k > len(s) {
		return nil
	}
	var all [][]int
	idx := make([]int, k)
	var rec func(start, depth int)
	rec = func(start, depth int) {
		if depth == k {
			c := make([]int, k)
			for i, j := range idx {
				c[i] = s[j]
			}
			all = append(all, c)
			return
		}
		for i := start; i <= len(s)-(k-depth); i++ {
			idx[depth] = i
			rec(i+1, depth+1)
		}
	}
	rec(0, 0)
	if len(all) <= maxSubsets {
		return all
	}
	spread := make([][]int, maxSubsets)
	for i := range spread {
		spread[i] = all[i*len(all)/maxSubsets]
	}
	return spread
}

func (r *fusionResult) print(w io.Writer, n int, threshold float64, card bool) {
	ref := "the image itself"
	if card {
		ref = "its card photo"
	}
	fmt.Fprintf(w, "\nfusion of %d real frames per attempt, reference %s, threshold %.4f:\n", n, ref, threshold)
	for si, name := range r.sets {
		g, imp := r.genuine[si], r.impostor[si]
		if len(g.meanScore) == 0 && len(imp.meanScore) == 0 {
			continue
		}
		fmt.Fprintf(w, "  %s genuine: single frames FNMR %s, median %.4f, lowest %.4f; mean-score FNMR %s, median %.4f, lowest %.4f; mean-vector FNMR %s, median %.4f, lowest %.4f\n",
			name, rejectText(g.singles, threshold), median32(g.singles), lowest(g.singles),
			rejectText(g.meanScore, threshold), median32(g.meanScore), lowest(g.meanScore),
			rejectText(g.meanVector, threshold), median32(g.meanVector), lowest(g.meanVector))
		fmt.Fprintf(w, "  %s impostor: single frames FMR %s, highest %.4f; mean-score FMR %s, highest %.4f; mean-vector FMR %s, highest %.4f, accepted with no frame accepted %d\n",
			name, acceptText(imp.singles, threshold), highest(imp.singles), acceptText(imp.meanScore, threshold), highest(imp.meanScore),
			acceptText(imp.meanVector, threshold), highest(imp.meanVector), imp.liftedOverAll)
	}
}

func rejectText(s []float32, t float64) string {
	if len(s) == 0 {
		return "n/a"
	}
	k := len(s) - countAtOrAbove(s, t)
	return fmt.Sprintf("%.1f %% (%d of %d)", 100*float64(k)/float64(len(s)), k, len(s))
}

func acceptText(s []float32, t float64) string {
	if len(s) == 0 {
		return "n/a"
	}
	k := countAtOrAbove(s, t)
	return fmt.Sprintf("%.2e (%d of %d)", float64(k)/float64(len(s)), k, len(s))
}
