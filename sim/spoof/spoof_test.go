package spoof

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/uketsuke/uketsuke/app/face"
)

func pattern(t *testing.T, w, h int) *face.Image {
	t.Helper()
	img, err := face.NewImage(w, h)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(img.Release)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			i := (y*w + x) * 3
			img.Pix[i], img.Pix[i+1], img.Pix[i+2] = byte(x), byte(y), byte((x+y)/2)
		}
	}
	return img
}

func TestPosesStartStillAndStayGentle(t *testing.T) {
	ps := Poses(6, 10, rand.New(rand.NewPCG(1, 1)))
	if len(ps) != 6 || ps[0] != (Pose{}) {
		t.Fatalf("poses %v", ps)
	}
	for _, p := range ps {
		if math.Abs(p.Yaw) > 10 || math.Abs(p.Pitch) > 10 {
			t.Fatalf("pose %v beyond 10°", p)
		}
	}
}

func TestPlaneHomographyIsIdentityAtRest(t *testing.T) {
	h := planeH(Pose{}, face.Point{X: 100, Y: 80}, 500)
	p := h.Apply(face.Point{X: 37, Y: 12})
	if math.Abs(p.X-37) > 1e-9 || math.Abs(p.Y-12) > 1e-9 {
		t.Fatalf("rest pose moves points: %v", p)
	}
	turned := planeH(Pose{Yaw: 20}, face.Point{X: 100, Y: 80}, 500)
	l, r := turned.Apply(face.Point{X: 50, Y: 80}), turned.Apply(face.Point{X: 150, Y: 80})
	if math.Abs((r.X-l.X)-100) < 2 {
		t.Fatal("a turned sheet must foreshorten")
	}
}

func TestPrintedAndReplayFrames(t *testing.T) {
	src := pattern(t, 100, 120)
	poses := []Pose{{}, {Yaw: 10}}
	for name, make := range map[string]func(*face.Image, []Pose, int, int) ([]*face.Image, error){
		"printed": PrintedPhoto, "replay": PhoneReplay,
	} {
		frames, err := make(src, poses, 320, 240)
		if err != nil {
			t.Fatal(err)
		}
		if len(frames) != 2 || frames[0].W != 320 || frames[0].H != 240 {
			t.Fatalf("%s: %d frames", name, len(frames))
		}
		if equal(frames[0], frames[1]) {
			t.Fatalf("%s: the turned frame equals the rest frame", name)
		}
		release(frames)
	}
}

func equal(a, b *face.Image) bool {
	for i := range a.Pix {
		if a.Pix[i] != b.Pix[i] {
			return false
		}
	}
	return true
}

func TestMaskAndGlassesPaintWhereTheyShould(t *testing.T) {
	img := pattern(t, 200, 200)
	mesh := make([]face.Point, face.MeshPoints)
	for i := range mesh {
		mesh[i] = face.Point{X: 100, Y: 100}
	}
	// A square "lower face" outline and two eyes.
	for k, j := range maskOutline {
		a := 2 * math.Pi * float64(k) / float64(len(maskOutline))
		mesh[j] = face.Point{X: 100 + 40*math.Cos(a), Y: 140 + 30*math.Sin(a)}
	}
	mesh[face.MeshEyeRightOuter], mesh[face.MeshEyeRightInner] = face.Point{X: 60, Y: 70}, face.Point{X: 85, Y: 70}
	mesh[face.MeshEyeLeftInner], mesh[face.MeshEyeLeftOuter] = face.Point{X: 115, Y: 70}, face.Point{X: 140, Y: 70}
	Mask(img, mesh, MaskBlue)
	if r, g, b := img.At(100, 140); b < 180 || r > 130 || g < 150 {
		t.Fatalf("mask centre is %d,%d,%d", r, g, b)
	}
	if r, _, _ := img.At(10, 10); r != 10 {
		t.Fatal("mask painted outside its outline")
	}
	DarkGlasses(img, mesh)
	// The eye centre is the mean of the ring, which this toy mesh puts at (100,100) for most points.
	k := face.KeypointsFromMesh(mesh)
	x, y := int(k[face.EyeLeft].X), int(k[face.EyeLeft].Y)
	if r, g, b := img.At(x, y); r > 30 || g > 30 || b > 40 {
		t.Fatalf("glasses not dark at the eye: %d,%d,%d", r, g, b)
	}
}
