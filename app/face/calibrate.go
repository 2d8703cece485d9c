package face

import (
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
