package face

import (
	"math"
	"testing"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func TestSimilarityRecoversTransform(t *testing.T) {
	want := Affine{A: 1.2 * math.Cos(0.3), B: -1.2 * math.Sin(0.3), C: 15, D: 1.2 * math.Sin(0.3), E: 1.2 * math.Cos(0.3), F: -7}
	src := ArcFace112[:]
	dst := make([]Point, len(src))
	for i, p := range src {
		dst[i] = want.Apply(p)
	}
	got, ok := Similarity(src, dst)
	if !ok {
		t.Fatal("no fit")
	}
	for _, v := range [][2]float64{{got.A, want.A}, {got.B, want.B}, {got.C, want.C}, {got.D, want.D}, {got.E, want.E}, {got.F, want.F}} {
		if !near(v[0], v[1], 1e-9) {
			t.Fatalf("fit %+v, want %+v", got, want)
		}
	}
	if _, ok := Similarity([]Point{{1, 1}, {1, 1}}, []Point{{0, 0}, {2, 2}}); ok {
		t.Fatal("coincident points must not fit")
	}
}

func TestAffineInvert(t *testing.T) {
	m := Affine{A: 2, B: 1, C: 3, D: -1, E: 4, F: 5}
	inv, ok := m.Invert()
	if !ok {
		t.Fatal("singular")
	}
	p := Point{7, -2}
	q := inv.Apply(m.Apply(p))
	if !near(q.X, p.X, 1e-9) || !near(q.Y, p.Y, 1e-9) {
		t.Fatalf("round trip %v → %v", p, q)
	}
	if _, ok := (Affine{A: 1, B: 2, D: 2, E: 4}).Invert(); ok {
		t.Fatal("singular map inverted")
	}
}

func TestTemplates(t *testing.T) {
	a, ok := TemplateFor("arcface", 224)
	if !ok || !near(a[EyeLeft].X, 2*38.2946, 1e-9) {
		t.Fatalf("arcface 224: %v", a)
	}
	d, ok := TemplateFor("dlib", 150)
	if !ok || d != Dlib150 {
		t.Fatal("dlib template")
	}
	if _, ok := TemplateFor("nope", 100); ok {
		t.Fatal("unknown template accepted")
	}
	// Left/right order: image-left eye has the smaller x in both templates.
	for _, k := range []Keypoints{ArcFace112, Dlib150} {
		if k[EyeLeft].X >= k[EyeRight].X || k[MouthLeft].X >= k[MouthRight].X || k[NoseTip].Y <= k[EyeLeft].Y {
			t.Fatalf("template order wrong: %v", k)
		}
	}
}

func TestAnchors(t *testing.T) {
	a := Anchors(256, BlazefaceGrids)
	if len(a) != 2 || len(a[0]) != 512 || len(a[1]) != 384 {
		t.Fatalf("anchor counts %d, %d", len(a[0]), len(a[1]))
	}
	if a[0][0] != (Anchor{8, 8}) || a[0][1] != (Anchor{8, 8}) || a[0][2] != (Anchor{24, 8}) {
		t.Fatalf("stride-16 anchors start %v", a[0][:3])
	}
	if a[1][6] != (Anchor{48, 16}) || a[1][383] != (Anchor{240, 240}) {
		t.Fatalf("stride-32 anchors %v %v", a[1][6], a[1][383])
	}
}

func TestDecodeBlazefaceAndNMS(t *testing.T) {
	anchors := []Anchor{{100, 100}, {104, 100}, {30, 30}}
	logits := []float32{3, 2, -5}
	reg := make([]float32, 3*16)
	// Two overlapping detections of one face, centred at (110, 95), 60x60.
	for i, a := range anchors[:2] {
		r := reg[i*16 : (i+1)*16]
		r[0], r[1], r[2], r[3] = float32(110-a.X), float32(95-a.Y), 60, 60
		r[4], r[5] = float32(95-a.X), float32(85-a.Y) // right eye at (95, 85)
	}
	c, err := DecodeBlazeface(logits, reg, anchors, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	if len(c) != 2 {
		t.Fatalf("%d candidates above 0.5, want 2", len(c))
	}
	if !near(c[0].Box.Min.X, 80, 1e-6) || !near(c[0].Box.Max.Y, 125, 1e-6) || !near(c[0].Score, sigmoid(3), 1e-12) {
		t.Fatalf("box %+v", c[0])
	}
	if !near(c[1].Keypoints[BfEyeRight].X, 95, 1e-6) {
		t.Fatalf("keypoint %v", c[1].Keypoints[BfEyeRight])
	}
	merged := WeightedNMS(c, 0.3, 4)
	if len(merged) != 1 || !near(merged[0].Box.Centre().X, 110, 1e-6) {
		t.Fatalf("NMS gave %+v", merged)
	}
	if _, err := DecodeBlazeface(logits, reg[:10], anchors, 0.5); err == nil {
		t.Fatal("short regressors accepted")
	}
}

func TestLetterbox(t *testing.T) {
	m := Letterbox(640, 480, 256)
	// The input's top-left of the image area (0, 32) maps to (0, 0).
	p := m.Apply(Point{0, 32})
	q := m.Apply(Point{256, 224})
	if !near(p.X, 0, 1e-9) || !near(p.Y, 0, 1e-9) || !near(q.X, 640, 1e-9) || !near(q.Y, 480, 1e-9) {
		t.Fatalf("letterbox maps to %v, %v", p, q)
	}
}

func TestMeshCropIsLevelAndCentred(t *testing.T) {
	c := Candidate{Box: Rect{Min: Point{100, 100}, Max: Point{200, 200}}}
	c.Keypoints[BfEyeRight] = Point{120, 130}
	c.Keypoints[BfEyeLeft] = Point{180, 130 + 60*math.Tan(0.2)}
	m := MeshCrop(c, 192, 1.5)
	centre := m.Apply(Point{96, 96})
	if !near(centre.X, 150, 1e-9) || !near(centre.Y, 150, 1e-9) {
		t.Fatalf("crop centre %v", centre)
	}
	if !near(m.Scale(), 150.0/192, 1e-9) || !near(math.Atan2(m.D, m.A), 0.2, 1e-9) {
		t.Fatalf("scale %v angle %v", m.Scale(), math.Atan2(m.D, m.A))
	}
}

func TestHomographyFitsPlaneExactly(t *testing.T) {
	h := H{1.1, 0.05, 3, -0.02, 0.95, 7, 1e-4, -2e-4, 1}
	var src, dst []Point
	for i := 0; i < 20; i++ {
		p := Point{float64(i*13%97) + 10, float64(i*29%89) + 5}
		src, dst = append(src, p), append(dst, h.Apply(p))
	}
	got, ok := Homography(src, dst)
	if !ok {
		t.Fatal("no fit")
	}
	if r := rmsResidual(src, dst, got.Apply); r > 1e-6 {
		t.Fatalf("residual %g on exact homography", r)
	}
}

func TestHeadPose(t *testing.T) {
	frontal := ArcFace112
	// The mesh's nose tip sits lower than the template's nose point.
	frontal[NoseTip].Y = frontal[EyeLeft].Y + frontalNoseAlong*(frontal[MouthLeft].Y-frontal[EyeLeft].Y)
	yaw, pitch := HeadPose(frontal)
	if math.Abs(yaw) > 2 || math.Abs(pitch) > 3 {
		t.Fatalf("template pose yaw %.1f pitch %.1f, want ≈ 0", yaw, pitch)
	}
	turned := frontal
	turned[NoseTip].X += 12 // nose towards the image right
	y2, _ := HeadPose(turned)
	if math.Abs(y2) < 25 {
		t.Fatalf("turned head yaw %.1f, want > 25°", y2)
	}
	nod := frontal
	nod[NoseTip].Y += 12
	_, p2 := HeadPose(nod)
	if math.Abs(p2) < 25 {
		t.Fatalf("nodding head pitch %.1f, want > 25°", p2)
	}
}
