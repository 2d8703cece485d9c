package cli

import (
	"math"
	"testing"
	"time"
)

func TestPercentileIsNearestRank(t *testing.T) {
	s := []int{50, 10, 40, 20, 30} // unsorted on purpose
	for _, c := range []struct {
		q    float64
		want int
	}{{0.01, 10}, {0.2, 10}, {0.21, 20}, {0.5, 30}, {0.95, 50}, {1, 50}} {
		if got := percentile(s, c.q); got != c.want {
			t.Errorf("percentile(q=%v) = %d, want %d", c.q, got, c.want)
		}
	}
	if s[0] != 50 {
		t.Error("percentile sorted its argument in place")
	}
	d := make([]time.Duration, 20)
	for i := range d {
		d[i] = time.Duration(20-i) * time.Millisecond
	}
	if got := percentile(d, 0.95); got != 19*time.Millisecond {
		t.Errorf("p95 of 1..20 ms = %v, want 19ms", got)
	}
	if got := percentile([]float64(nil), 0.5); got != 0 {
		t.Errorf("empty: %v", got)
	}
	if got := percentileOrNaN(nil, 0.5); !math.IsNaN(got) {
		t.Errorf("empty measurement printed as %v, want NaN", got)
	}
}
