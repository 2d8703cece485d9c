package face

import (
	"errors"
	"testing"
)

// fakeDetector returns fixed faces; fakeEmbedder embeds a chip as its mean
// colour, so tests control scores through pixels.
type fakeDetector struct{ faces []Face }

func (d fakeDetector) Detect(*Image) ([]Face, error) { return d.faces, nil }

type fakeEmbedder struct{ calls int }

func (e *fakeEmbedder) Chip() ChipSpec {
	t, _ := TemplateFor("arcface", 16)
	return ChipSpec{TensorSpec: TensorSpec{Width: 16, Height: 16, Layout: "nhwc", Colour: "rgb", Std: [3]float64{1, 1, 1}}, Template: t}
}

func (e *fakeEmbedder) Embed(chip *Image) (*Embedding, error) {
	e.calls++
	var s [3]float32
	for i := 0; i < len(chip.Pix); i += 3 {
		s[0] += float32(chip.Pix[i])
		s[1] += float32(chip.Pix[i+1])
		s[2] += float32(chip.Pix[i+2]) + 1
	}
	return NewEmbedding(s[:])
}

type fakeSpoof struct{ score float64 }

func (f fakeSpoof) Name() string                            { return "fake" }
func (f fakeSpoof) MinLive() float64                        { return 0.5 }
func (f fakeSpoof) LiveScore(*Image, Face) (float64, error) { return f.score, nil }

func frontalFace() Face {
	k := ArcFace112
	k[NoseTip].Y = k[EyeLeft].Y + frontalNoseAlong*(k[MouthLeft].Y-k[EyeLeft].Y)
	for i := range k {
		k[i].X, k[i].Y = k[i].X*3+40, k[i].Y*3+20
	}
	return Face{Box: Rect{Min: Point{60, 60}, Max: Point{380, 380}}, Score: 0.9, Keypoints: k, MeshScore: 1}
}

func flatImage(t *testing.T, r, g, b byte) *Image {
	img, err := NewImage(420, 420)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(img.Release)
	for i := 0; i < len(img.Pix); i += 3 {
		// A little texture so the sharpness measure sees detail.
		v := byte((i / 3 % 7) * 6)
		img.Pix[i], img.Pix[i+1], img.Pix[i+2] = r+v, g+v, b+v
	}
	return img
}

func testEngine(faces []Face, spoof float64) (*Engine, *fakeEmbedder) {
	cfg := DefaultConfig("")
	cfg.MatchInGrey = false
	cfg.Embedder.Threshold = 0.99
	emb := &fakeEmbedder{}
	return &Engine{Detector: fakeDetector{faces}, Embedder: emb, Spoof: []SpoofChecker{fakeSpoof{spoof}}, Config: cfg}, emb
}

func TestAnalyseGates(t *testing.T) {
	eng, emb := testEngine(nil, 1)
	_, err := eng.Analyse(flatImage(t, 120, 100, 90), GateStrict)
	var qe *QualityError
	if !errors.As(err, &qe) || qe.Reasons[0] != NoFace || !errors.Is(err, ErrQuality) {
		t.Fatalf("no face: %v", err)
	}
	two := frontalFace()
	eng, emb = testEngine([]Face{frontalFace(), two}, 1)
	p, err := eng.Analyse(flatImage(t, 120, 100, 90), GateStrict)
	if !errors.As(err, &qe) || p.Embedding != nil || emb.calls != 0 {
		t.Fatalf("two faces under the strict gate: %v", err)
	}
	p, err = eng.Analyse(flatImage(t, 120, 100, 90), GateFaceOnly)
	if err != nil || p.Embedding == nil || p.Live["fake"] != 1 {
		t.Fatalf("face-only gate: %v", err)
	}
	p.Destroy()
}

func TestVerifyDecision(t *testing.T) {
	eng, _ := testEngine([]Face{frontalFace()}, 1)
	ref, err := eng.Analyse(flatImage(t, 120, 100, 90), GateFaceOnly)
	if err != nil {
		t.Fatal(err)
	}
	defer ref.Destroy()
	probe := func(r, g, b byte) *Probe {
		p, err := eng.Analyse(flatImage(t, r, g, b), GateFaceOnly)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(p.Destroy)
		return p
	}
	same := []*Probe{probe(120, 100, 90), probe(121, 100, 90), probe(120, 101, 90)}
	eng.Config.Temporal.RequireLive = false
	r, err := eng.Verify(ref.Embedding, same)
	if err != nil || !r.Match || !r.Accepted || r.Frames != 3 {
		t.Fatalf("same colour: %+v %v", r, err)
	}
	// Without mesh motion the temporal check cannot call it live.
	eng.Config.Temporal.RequireLive = true
	if r, _ := eng.Verify(ref.Embedding, same); r.Accepted || !r.NeedMotion {
		t.Fatalf("still attempt with RequireLive: %+v", r)
	}
	eng.Config.Temporal.RequireLive = false
	other := []*Probe{probe(20, 100, 200)}
	if r, _ := eng.Verify(ref.Embedding, other); r.Match || r.Accepted {
		t.Fatalf("other colour matched: %+v", r)
	}
	eng.Spoof = []SpoofChecker{fakeSpoof{0.1}}
	spoofed := []*Probe{probe(120, 100, 90)}
	spoofed[0].Live = map[string]float64{"fake": 0.1}
	if r, _ := eng.Verify(ref.Embedding, spoofed); !r.Attack || r.Accepted {
		t.Fatalf("spoof checker fired but accepted: %+v", r)
	}
	if _, err := eng.Verify(ref.Embedding, nil); !errors.Is(err, ErrQuality) {
		t.Fatalf("no frames: %v", err)
	}
}

func TestEnsembleScoreIsWeightedMean(t *testing.T) {
	eng, _ := testEngine([]Face{frontalFace()}, 1)
	eng.Ensemble = []Embedder{&fakeEmbedder{}}
	eng.Config.Ensemble = []ModelConfig{{Weight: 3, Dim: 3}}
	eng.Config.Embedder.Dim = 3
	img := flatImage(t, 120, 100, 90)
	e, err := eng.EmbedFace(img, frontalFace())
	if err != nil {
		t.Fatal(err)
	}
	defer e.Destroy()
	if e.Dim() != eng.Config.EmbeddingDim() {
		t.Fatalf("ensemble dim %d, want %d", e.Dim(), eng.Config.EmbeddingDim())
	}
	s, _ := Score(e, e)
	if !near(s, 1, 1e-5) {
		t.Fatalf("self score %v", s)
	}
}
