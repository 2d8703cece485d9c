package cli

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/i18n"
)

func TestBenchLanguages(t *testing.T) {
	voiced := func(l i18n.Lang) bool { return l != i18n.Khmer }
	got, err := benchLanguages("", voiced)
	if err != nil || len(got) != 15 || slices.Contains(got, i18n.Khmer) {
		t.Fatalf("default languages %v, %v", got, err)
	}
	if got, err := benchLanguages("ja, en", voiced); err != nil || !slices.Equal(got, []i18n.Lang{i18n.Japanese, i18n.English}) {
		t.Fatalf("ja, en: %v %v", got, err)
	}
	for _, bad := range []string{"km", "xx"} {
		if _, err := benchLanguages(bad, voiced); !errors.Is(err, ErrUsage) {
			t.Errorf("%s: err %v, want ErrUsage", bad, err)
		}
	}
}

func TestQuantile(t *testing.T) {
	d := []time.Duration{5, 1, 4, 2, 3}
	if got := quantile(d, 0.5); got != 0 { // rounded to 10 µs
		t.Fatalf("nanosecond durations not rounded: %v", got)
	}
	ms := []time.Duration{50 * time.Millisecond, 10 * time.Millisecond, 40 * time.Millisecond, 20 * time.Millisecond, 30 * time.Millisecond}
	if got := quantile(ms, 0.5); got != 30*time.Millisecond {
		t.Errorf("median %v", got)
	}
	if got := quantile(ms, 0.95); got != 50*time.Millisecond {
		t.Errorf("p95 %v", got)
	}
	if got := quantile(nil, 0.5); got != 0 {
		t.Errorf("empty %v", got)
	}
}
