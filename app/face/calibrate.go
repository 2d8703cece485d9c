package face

import (
	"errors"
	"math"
	"slices"
)

// OperatingPoint is a threshold and the error rates it gives.
type OperatingPoint struct {
	TargetFMR float64 `json:"target_fmr"`
	Threshold float64 `json:"threshold"`
	FMR       float64 `json:"fmr"`  // measured on the impostor scores
	FNMR      float64 `json:"fnmr"` // measured on the genuine scores
}

// Calibrate finds, for each target FMR, the lowest threshold whose false
// match rate on the impostor scores does not exceed it, and the FNMR there.
// A match is score ≥ threshold. The slices are sorted in place.
func Calibrate(genuine, impostor []float32, targets []float64) []OperatingPoint {
	slices.Sort(genuine)
	slices.Sort(impostor)
	out := make([]OperatingPoint, 0, len(targets))
	for _, fmr := range targets {
		t := thresholdAt(impostor, fmr)
		out = append(out, OperatingPoint{
			TargetFMR: fmr,
			Threshold: t,
			FMR:       rateAtOrAbove(impostor, t),
			FNMR:      1 - rateAtOrAbove(genuine, t),
		})
	}
	return out
}

// thresholdAt: with k = ⌊fmr·N⌋ false matches allowed, the threshold sits
// just above the (k+1)-th highest impostor score.
func thresholdAt(sortedImpostor []float32, fmr float64) float64 {
	n := len(sortedImpostor)
	if n == 0 {
		return math.Inf(1)
	}
	k := int(math.Floor(fmr * float64(n)))
	if k >= n {
		return math.Inf(-1)
	}
	v := sortedImpostor[n-1-k]
	return float64(math.Nextafter32(v, float32(math.Inf(1))))
}

// rateAtOrAbove is the fraction of sorted scores ≥ t.
func rateAtOrAbove(sorted []float32, t float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i, _ := slices.BinarySearchFunc(sorted, t, func(s float32, t float64) int {
		if float64(s) < t {
			return -1
		}
		return 1
	})
	return float64(len(sorted)-i) / float64(len(sorted))
}

// FNMRAt is the fraction of genuine scores below t (sorted ascending).
func FNMRAt(sortedGenuine []float32, t float64) float64 {
	return 1 - rateAtOrAbove(sortedGenuine, t)
}

// RatesAt measures FMR and FNMR at a given threshold (TargetFMR is left 0).
// A rate without scores to measure it on is NaN, not 0 or 1: a set of one
// image per person says nothing about FNMR. The slices are sorted in place.
func RatesAt(genuine, impostor []float32, threshold float64) OperatingPoint {
	slices.Sort(genuine)
	slices.Sort(impostor)
	op := OperatingPoint{Threshold: threshold, FMR: math.NaN(), FNMR: math.NaN()}
	if len(impostor) > 0 {
		op.FMR = rateAtOrAbove(impostor, threshold)
	}
	if len(genuine) > 0 {
		op.FNMR = FNMRAt(genuine, threshold)
	}
	return op
}

// ScoreSet is the comparison scores of one evaluation set (one folder of
// people, measured one way: plain or against card photos).
type ScoreSet struct {
	Name     string
	Genuine  []float32
	Impostor []float32
}

// SetResult is one set's rates at the threshold calibration chose, next to
// the threshold the set alone would have needed.
type SetResult struct {
	Name string
	Own  float64 // this set's own threshold at the target FMR
	At   OperatingPoint
}

// Calibration is the threshold that holds the target FMR on every set.
type Calibration struct {
	TargetFMR float64
	Threshold float64
	DecidedBy string // the set whose own threshold was the highest
	Sets      []SetResult
}

// ErrNoImpostors means no set had impostor pairs to calibrate on.
var ErrNoImpostors = errors.New("face: no impostor pairs to calibrate on")

// CalibrateSets picks the lowest threshold that keeps the false match rate
// at or below target on every set: each set's own threshold is found as in
// Calibrate, and the strictest (highest) wins, because a kiosk cannot know
// which population will stand in front of it. The result is rounded up to
// step (e.g. 1e-4) so that a configuration file carries a readable value
// that is never below the measured one. Sets without impostor pairs cannot
// bound the FMR and are skipped.
func CalibrateSets(sets []ScoreSet, target, step float64) (Calibration, error) {
	c := Calibration{TargetFMR: target, Threshold: math.Inf(-1)}
	for _, s := range sets {
		if len(s.Impostor) == 0 {
			continue
		}
		slices.Sort(s.Impostor)
		own := thresholdAt(s.Impostor, target)
		if own > c.Threshold {
			c.Threshold, c.DecidedBy = own, s.Name
		}
	}
	if c.DecidedBy == "" {
		return c, ErrNoImpostors
	}
	c.Threshold = roundUp(c.Threshold, step)
	for _, s := range sets {
		if len(s.Impostor) == 0 {
			continue
		}
		c.Sets = append(c.Sets, SetResult{Name: s.Name, Own: thresholdAt(s.Impostor, target),
			At: RatesAt(s.Genuine, s.Impostor, c.Threshold)})
	}
	return c, nil
}

// roundUp rounds t up to a multiple of step, never below t.
func roundUp(t, step float64) float64 {
	if step <= 0 || math.IsInf(t, 0) {
		return t
	}
	r := math.Ceil(t/step) * step
	if r < t {
		r += step
	}
	// Printing to the step's digits must not fall below t either.
	digits := max(0, int(math.Ceil(-math.Log10(step))))
	p := math.Pow(10, float64(digits))
	r = math.Round(r*p) / p
	if r < t {
		r += step
	}
	return r
}
