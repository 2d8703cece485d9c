package face

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// scores spreads n values evenly over [lo, hi).
func scores(n int, lo, hi float32) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = lo + (hi-lo)*float32(i)/float32(n)
	}
	return s
}

func TestCalibrateSetsTheStrictestSetDecides(t *testing.T) {
	// "news" is like LFW: 20,000 impostors, FMR 1e-4 allows two of them
	// at or above the threshold. "studio" is like the controlled sets:
	// only 5,000 impostors, so none may reach it, and one pair of
	// look-alikes sits higher than anything in "news".
	news := ScoreSet{Name: "news", Genuine: []float32{0.90, 0.95, 0.97, 0.99}, Impostor: scores(20000, 0.5, 0.94)}
	studio := ScoreSet{Name: "studio", Genuine: nil, Impostor: append(scores(4999, 0.6, 0.93), 0.9512)}
	noImpostors := ScoreSet{Name: "one person", Genuine: []float32{0.99}}
	c, err := CalibrateSets([]ScoreSet{news, studio, noImpostors}, 1e-4, 1e-4)
	if err != nil {
		t.Fatal(err)
	}
	if c.DecidedBy != "studio" {
		t.Fatalf("decided by %q, want studio", c.DecidedBy)
	}
	if c.Threshold != 0.9513 {
		t.Fatalf("threshold %v, want 0.9513 (just above the look-alike pair, rounded up)", c.Threshold)
	}
	if st := c.Sets[1]; st.Name != "studio" || !math.IsNaN(st.At.FNMR) || st.At.FMR != 0 {
		t.Fatalf("studio %+v: no genuine pairs, so no FNMR", st)
	}
	if len(c.Sets) != 2 {
		t.Fatalf("sets %+v: the set without impostors cannot bound the FMR", c.Sets)
	}
	for _, s := range c.Sets {
		if s.At.FMR > 1e-4 {
			t.Errorf("%s: FMR %v at the chosen threshold", s.Name, s.At.FMR)
		}
	}
	// The chosen threshold is stricter than news alone needed, which
	// costs genuine matches there: 0.90 and 0.95 now fail.
	if n := c.Sets[0]; n.Name != "news" || n.Own >= c.Threshold || n.At.FNMR != 0.5 {
		t.Fatalf("news %+v", n)
	}
	// Order does not matter.
	c2, _ := CalibrateSets([]ScoreSet{studio, news}, 1e-4, 1e-4)
	if c2.Threshold != c.Threshold || c2.DecidedBy != "studio" {
		t.Fatalf("order changed the result: %+v", c2)
	}
}

func TestCalibrateSetsWithoutImpostors(t *testing.T) {
	_, err := CalibrateSets([]ScoreSet{{Name: "a", Genuine: []float32{1}}}, 1e-4, 1e-4)
	if !errors.Is(err, ErrNoImpostors) {
		t.Fatalf("err %v", err)
	}
}

func TestRoundUpNeverGoesBelow(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 10000 {
		v := 0.5 + rng.Float64()/2
		r := roundUp(v, 1e-4)
		if r < v || r-v > 1.0001e-4 {
			t.Fatalf("roundUp(%v) = %v", v, r)
		}
	}
	if roundUp(0.95, 1e-4) != 0.95 {
		t.Fatal("an exact value moved")
	}
}

func TestRatesAt(t *testing.T) {
	op := RatesAt([]float32{0.2, 0.6, 0.9, 0.95}, []float32{0.1, 0.5, 0.7, 0.3}, 0.6)
	if op.FNMR != 0.25 || op.FMR != 0.25 {
		t.Fatalf("%+v", op)
	}
	if op := RatesAt(nil, []float32{0.1}, 0.6); !math.IsNaN(op.FNMR) || op.FMR != 0 {
		t.Fatalf("no genuine scores: %+v, want FNMR NaN", op)
	}
}

// Mean-score fusion can never score an attempt above its best frame, so an
// impostor's fused attempt crosses the threshold only if one of its frames
// did. The fused vector (mean-embedding) does not have that property.
func TestMeanScoreFusionNeverExceedsTheBestFrame(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	vec := func() *Embedding {
		v := make([]float32, 16)
		for i := range v {
			v[i] = float32(rng.NormFloat64())
		}
		return mustEmb(t, v...)
	}
	liftedByVector := 0
	for range 500 {
		ref := vec()
		frames := []*Embedding{vec(), vec(), vec()}
		best := math.Inf(-1)
		for _, f := range frames {
			s, _ := Score(ref, f)
			best = math.Max(best, s)
		}
		m, err := FusedScore(ref, frames, "mean-score")
		if err != nil || m > best+1e-9 {
			t.Fatalf("mean-score %v above the best frame %v (%v)", m, best, err)
		}
		if v, _ := FusedScore(ref, frames, "mean-embedding"); v > best+1e-9 {
			liftedByVector++
		}
	}
	if liftedByVector == 0 {
		t.Fatal("expected mean-embedding to lift some attempts above their best frame")
	}
}

func TestConfigRefusesMaxScoreFusion(t *testing.T) {
	c := DefaultConfig("models")
	if c.Fusion != "mean-score" || c.Validate() != nil {
		t.Fatalf("default fusion %q", c.Fusion)
	}
	c.Fusion = "max-score"
	if err := c.Validate(); !errors.Is(err, ErrConfig) {
		t.Fatalf("max-score accepted: %v", err)
	}
}

func TestImageViewReadsLockedPixels(t *testing.T) {
	img, _ := NewImage(2, 1)
	copy(img.Pix, []byte{1, 2, 3, 4, 5, 6})
	v := img.View()
	if r, g, b, a := v.At(1, 0).RGBA(); r>>8 != 4 || g>>8 != 5 || b>>8 != 6 || a>>8 != 255 {
		t.Fatalf("pixel %v", v.At(1, 0))
	}
	if v.Bounds().Dx() != 2 || v.Bounds().Dy() != 1 {
		t.Fatal("bounds")
	}
	img.Release()
	if r, _, _, _ := v.At(1, 0).RGBA(); r != 0 {
		t.Fatal("released pixels readable through the view")
	}
}
