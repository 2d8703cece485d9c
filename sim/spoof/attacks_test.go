package spoof

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/uketsuke/uketsuke/app/face"
	"github.com/uketsuke/uketsuke/hardware/onnxface"
)

// These tests run the real engine on generated attacks. They need
// build/models, build/lib and ../shared/faces; they skip with a reason when
// those are absent, and fail instead under UKETSUKE_REQUIRE_MODELS=1 /
// UKETSUKE_REQUIRE_SHARED=1 (set by `make test`).

func root(t *testing.T) string {
	dir, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		if filepath.Dir(dir) == dir {
			t.Fatal("no go.mod")
		}
		dir = filepath.Dir(dir)
	}
}

func need(t *testing.T, path, env string) {
	t.Helper()
	if _, err := os.Stat(path); err == nil {
		return
	}
	if os.Getenv(env) == "1" {
		t.Fatalf("%s absent and %s=1", path, env)
	}
	t.Skipf("skipping: %s absent (set %s=1 to make this a failure)", path, env)
}

// people are the first images of a fixed set of lfw-devtrain people.
var people = []string{"Aaron_Sorkin", "Abdullah", "Adam_Sandler", "Ai_Sugiyama", "Al_Sharpton", "Alec_Baldwin"}

func engineAndFaces(t *testing.T) (*face.Engine, string) {
	r := root(t)
	cfg := face.DefaultConfig(filepath.Join(r, "build", "models"))
	need(t, cfg.Resolve(cfg.Library), "UKETSUKE_REQUIRE_MODELS")
	need(t, cfg.Resolve(cfg.Detector.File), "UKETSUKE_REQUIRE_MODELS")
	dir := filepath.Join(r, "..", "shared", "faces", "lfw-devtrain")
	need(t, dir, "UKETSUKE_REQUIRE_SHARED")
	eng, closeAll, err := onnxface.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closeAll)
	return eng, dir
}

func firstImage(t *testing.T, dir, person string) *face.Image {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, person, "*.jpg"))
	if len(files) == 0 {
		t.Fatalf("no images of %s", person)
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	img, err := face.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(img.Release)
	return img
}

func meshes(t *testing.T, eng *face.Engine, frames []*face.Image) [][]face.Point {
	t.Helper()
	var out [][]face.Point
	for _, f := range frames {
		faces, err := eng.Detector.Detect(f)
		if err != nil {
			t.Fatal(err)
		}
		if len(faces) > 0 {
			out = append(out, faces[face.Primary(faces)].Mesh)
		}
		f.Release()
	}
	return out
}

func TestTemporalCheckOnGeneratedAttempts(t *testing.T) {
	eng, dir := engineAndFaces(t)
	rng := rand.New(rand.NewPCG(3, 4))
	var printedCaught, liveKept int
	for _, p := range people {
		src := firstImage(t, dir, p)
		printed, err := PrintedPhoto(src, Poses(5, 12, rng), 480, 480)
		if err != nil {
			t.Fatal(err)
		}
		if r := face.TemporalCheck(meshes(t, eng, printed), eng.Config.Temporal); r.Verdict != face.VerdictLive {
			printedCaught++
		}
		faces, err := eng.Detector.Detect(src)
		if err != nil || len(faces) == 0 {
			t.Fatalf("%s: no face (%v)", p, err)
		}
		f := faces[face.Primary(faces)]
		live, err := LiveHead(src, f.Mesh, f.MeshDepth, Poses(5, 6, rng))
		if err != nil {
			t.Fatal(err)
		}
		if r := face.TemporalCheck(meshes(t, eng, live), eng.Config.Temporal); r.Verdict == face.VerdictLive {
			liveKept++
		}
	}
	t.Logf("printed photos not passed as live: %d/%d; turning heads passed: %d/%d", printedCaught, len(people), liveKept, len(people))
	if printedCaught < len(people)*2/3 || liveKept < len(people)*2/3 {
		t.Fatalf("temporal check: printed caught %d/%d, live kept %d/%d", printedCaught, len(people), liveKept, len(people))
	}
}

func TestOcclusionsAreReported(t *testing.T) {
	eng, dir := engineAndFaces(t)
	var glasses, masks int
	for _, p := range people {
		src := firstImage(t, dir, p)
		faces, _ := eng.Detector.Detect(src)
		if len(faces) == 0 {
			t.Fatalf("%s: no face", p)
		}
		mesh := faces[face.Primary(faces)].Mesh
		if reasons(t, eng, src, func(im *face.Image) { DarkGlasses(im, mesh) })[face.EyesNotVisible] {
			glasses++
		}
		r := reasons(t, eng, src, func(im *face.Image) { Mask(im, mesh, MaskBlue) })
		if r[face.LowerFaceCovered] || r[face.NoFace] {
			masks++
		}
	}
	t.Logf("dark glasses reported %d/%d, blue masks reported %d/%d", glasses, len(people), masks, len(people))
	if glasses < len(people)*2/3 || masks < len(people)*2/3 {
		t.Fatalf("occlusions: glasses %d/%d, masks %d/%d", glasses, len(people), masks, len(people))
	}
}

func reasons(t *testing.T, eng *face.Engine, src *face.Image, paint func(*face.Image)) map[face.Reason]bool {
	t.Helper()
	im, err := src.Clone()
	if err != nil {
		t.Fatal(err)
	}
	defer im.Release()
	paint(im)
	faces, err := eng.Detector.Detect(im)
	if err != nil {
		t.Fatal(err)
	}
	out := map[face.Reason]bool{}
	for _, r := range face.Assess(im, faces, eng.Config.Quality).Reasons {
		out[r] = true
	}
	return out
}

// Verify on whole attempts: a turning head of the right person is matched
// and not flagged; a printed photo of the same person is flagged as an attack
// or, when it moved too little to judge, not accepted without more motion.
func TestVerifyAttempts(t *testing.T) {
	eng, dir := engineAndFaces(t)
	ref := firstImage(t, dir, "Aaron_Sorkin")
	rp, err := eng.Analyse(ref, face.GateFaceOnly)
	if err != nil {
		t.Fatal(err)
	}
	defer rp.Destroy()
	rng := rand.New(rand.NewPCG(9, 9))
	f := rp.Face
	live, err := LiveHead(ref, f.Mesh, f.MeshDepth, Poses(5, 6, rng))
	if err != nil {
		t.Fatal(err)
	}
	liveRes := verify(t, eng, rp.Embedding, live)
	printed, err := PrintedPhoto(ref, Poses(5, 12, rng), 480, 480)
	if err != nil {
		t.Fatal(err)
	}
	printedRes := verify(t, eng, rp.Embedding, printed)
	t.Logf("live: %+v\nprinted: %+v", liveRes, printedRes)
	if liveRes.Temporal.Verdict != face.VerdictLive || liveRes.NeedMotion || liveRes.Accepted != (liveRes.Match && !liveRes.Attack) {
		t.Fatalf("live attempt %+v", liveRes)
	}
	if !(printedRes.Attack || printedRes.NeedMotion) || printedRes.Accepted {
		t.Fatalf("printed photo accepted: %+v", printedRes)
	}
}

func verify(t *testing.T, eng *face.Engine, ref *face.Embedding, frames []*face.Image) face.Result {
	t.Helper()
	var probes []*face.Probe
	for _, fr := range frames {
		p, err := eng.Analyse(fr, face.GateFaceOnly)
		fr.Release()
		if err == nil {
			probes = append(probes, p)
			defer p.Destroy()
		}
	}
	r, err := eng.Verify(ref, probes)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
