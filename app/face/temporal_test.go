package face

import (
	"math"
	"math/rand/v2"
	"testing"
)

// synthHead returns 468 points of a face-sized 3-D shape (eye distance 60,
// depth up to 35 at the nose) and a projector that views it turned by yaw
// and pitch with a 600-pixel focal length, plus landmark noise.
func synthHead(flat bool) (func(yaw, pitch, noise float64, rng *rand.Rand) []Point, [][3]float64) {
	rng := rand.New(rand.NewPCG(1, 2))
	pts := make([][3]float64, MeshPoints)
	for i := range pts {
		x, y := rng.Float64()*120-60, rng.Float64()*150-75
		z := -35 * math.Exp(-(x*x+(y-5)*(y-5))/600) // the nose comes forward
		z += 0.004 * (x*x + y*y*0.5)                // the sides go back
		if flat {
			z = 0
		}
		pts[i] = [3]float64{x, y, z}
	}
	pts[MeshEyeRightOuter] = [3]float64{-45, -20, 5}
	pts[MeshEyeLeftOuter] = [3]float64{45, -20, 5}
	if flat {
		pts[MeshEyeRightOuter][2], pts[MeshEyeLeftOuter][2] = 0, 0
	}
	project := func(yaw, pitch, noise float64, rng *rand.Rand) []Point {
		cy, sy := math.Cos(yaw*math.Pi/180), math.Sin(yaw*math.Pi/180)
		cp, sp := math.Cos(pitch*math.Pi/180), math.Sin(pitch*math.Pi/180)
		out := make([]Point, len(pts))
		for i, p := range pts {
			x := cy*p[0] + sy*p[2]
			z := -sy*p[0] + cy*p[2]
			y := cp*p[1] - sp*z
			z = sp*p[1] + cp*z
			f := 600 / (600 + z)
			out[i] = Point{320 + x*f + rng.NormFloat64()*noise, 240 + y*f + rng.NormFloat64()*noise}
		}
		return out
	}
	return project, pts
}

func sequence(flat bool, poses [][2]float64, noise float64) [][]Point {
	project, _ := synthHead(flat)
	rng := rand.New(rand.NewPCG(7, 8))
	var frames [][]Point
	for _, p := range poses {
		frames = append(frames, project(p[0], p[1], noise, rng))
	}
	return frames
}

func TestTemporalTellsHeadFromPlane(t *testing.T) {
	cfg := DefaultTemporal()
	moving := [][2]float64{{0, 0}, {3, 1}, {6, -1}, {4, 2}}
	live := TemporalCheck(sequence(false, moving, 0.3), cfg)
	t.Logf("live %+v", live)
	if live.Verdict != VerdictLive {
		t.Fatalf("3-D head turning 6°: %+v", live)
	}
	tilted := [][2]float64{{0, 0}, {8, 2}, {15, -3}, {10, 4}}
	flat := TemporalCheck(sequence(true, tilted, 0.3), cfg)
	if flat.Verdict != VerdictFlat {
		t.Fatalf("flat photo tilted 15°: %+v", flat)
	}
	still := TemporalCheck(sequence(false, [][2]float64{{0, 0}, {0, 0}, {0, 0}}, 0.3), cfg)
	if still.Verdict != VerdictInconclusive {
		t.Fatalf("still head: %+v", still)
	}
	if r := TemporalCheck(sequence(false, moving[:1], 0), cfg); r.Verdict != VerdictInconclusive {
		t.Fatalf("one frame: %+v", r)
	}
}
