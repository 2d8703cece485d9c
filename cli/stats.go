package cli

import (
	"cmp"
	"math"
	"slices"
)

// percentile is the nearest-rank q-quantile of s (0 < q ≤ 1): the smallest
// value with at least q of the samples at or below it. s is not modified;
// an empty s gives T's zero value. Every bench prints its percentiles with
// this one rule, so their figures compare.
func percentile[T cmp.Ordered](s []T, q float64) T {
	if len(s) == 0 {
		var zero T
		return zero
	}
	c := slices.Sorted(slices.Values(s))
	i := int(math.Ceil(q*float64(len(c)))) - 1
	return c[min(max(i, 0), len(c)-1)]
}

// percentileOrNaN is percentile for measurements where "no samples" must
// print as NaN rather than as a plausible zero.
func percentileOrNaN(v []float64, q float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	return percentile(v, q)
}
