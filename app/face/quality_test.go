package face

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// texturedImage is mid-grey noise at the given brightness: sharp enough for
// the blur measure, with no structure.
func texturedImage(t *testing.T, w, h int, level, spread float64) *Image {
	img, err := NewImage(w, h)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(img.Release)
	rng := rand.New(rand.NewPCG(1, 1))
	for i := range img.Pix {
		img.Pix[i] = clampByte(level + (rng.Float64()*2-1)*spread)
	}
	return img
}

func TestQualityReasons(t *testing.T) {
	cfg := DefaultQuality()
	good := frontalFace() // eye distance ≈ 106 px in a 420x420 image
	cases := []struct {
		name  string
		img   *Image
		faces []Face
		want  Reason
	}{
		{"no face", texturedImage(t, 420, 420, 128, 40), nil, NoFace},
		{"two faces", texturedImage(t, 420, 420, 128, 40), []Face{good, good}, MultipleFaces},
		{"dark", texturedImage(t, 420, 420, 20, 10), []Face{good}, TooDark},
		{"bright", texturedImage(t, 420, 420, 240, 10), []Face{good}, TooBright},
		{"blurred", texturedImage(t, 420, 420, 128, 0), []Face{good}, Blurred},
		{"small", texturedImage(t, 420, 420, 128, 40), []Face{scaled(good, 0.2)}, TooSmall},
		{"close", texturedImage(t, 420, 420, 128, 40), []Face{shifted(good, -150)}, TooClose},
		{"turned", texturedImage(t, 420, 420, 128, 40), []Face{turned(good, 40)}, NotFacing},
	}
	for _, c := range cases {
		q := Assess(c.img, c.faces, cfg)
		if q.OK || !slices.Contains(q.Reasons, c.want) {
			t.Errorf("%s: reasons %v, want %s", c.name, q.Reasons, c.want)
		}
	}
	if q := Assess(texturedImage(t, 420, 420, 128, 40), []Face{good}, cfg); !q.OK {
		t.Fatalf("good face rejected: %v (%+v)", q.Reasons, q)
	}
}

func scaled(f Face, k float64) Face {
	for i := range f.Keypoints {
		f.Keypoints[i].X, f.Keypoints[i].Y = 200+(f.Keypoints[i].X-200)*k, 200+(f.Keypoints[i].Y-200)*k
	}
	return f
}

func shifted(f Face, dx float64) Face {
	for i := range f.Keypoints {
		f.Keypoints[i].X += dx
	}
	f.Box.Min.X += dx
	f.Box.Max.X += dx
	return f
}

func turned(f Face, dx float64) Face {
	f.Keypoints[NoseTip].X += dx
	return f
}
