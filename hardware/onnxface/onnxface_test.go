package onnxface

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/uketsuke/uketsuke/app/face"
)

// Tests here need build/models and build/lib (`make models`) and, for real
// faces, ../shared/faces. They skip with a reason when those are absent;
// UKETSUKE_REQUIRE_MODELS=1 and UKETSUKE_REQUIRE_SHARED=1 (set by `make
// test`) turn the skips into failures.

func repoRoot(t testing.TB) string {
	dir, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test")
		}
		dir = parent
	}
}

func absent(t testing.TB, env, what string) {
	t.Helper()
	if os.Getenv(env) == "1" {
		t.Fatalf("%s absent and %s=1: %s", what, env, "run `make models` / provide ../shared/faces")
	}
	t.Skipf("skipping: %s absent (set %s=1 to make this a failure)", what, env)
}

func testConfig(t testing.TB) *face.Config {
	t.Helper()
	models := filepath.Join(repoRoot(t), "build", "models")
	cfg := face.DefaultConfig(models)
	for _, f := range []string{cfg.Resolve(cfg.Library), cfg.Resolve(cfg.Detector.File), cfg.Resolve(cfg.Embedder.File)} {
		if _, err := os.Stat(f); err != nil {
			absent(t, "UKETSUKE_REQUIRE_MODELS", f)
		}
	}
	return cfg
}

func facesDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("UKETSUKE_FACES")
	if dir == "" {
		dir = filepath.Join(repoRoot(t), "..", "shared", "faces", "lfw-devtrain")
	}
	if _, err := os.Stat(dir); err != nil {
		absent(t, "UKETSUKE_REQUIRE_SHARED", dir)
	}
	return dir
}

func openEngine(t testing.TB) *face.Engine {
	t.Helper()
	eng, closeAll, err := Open(testConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closeAll)
	return eng
}

func loadFace(t testing.TB, path string) *face.Image {
	t.Helper()
	data, err := os.ReadFile(path)
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

func probe(t testing.TB, eng *face.Engine, img *face.Image) *face.Probe {
	t.Helper()
	p, err := eng.Analyse(img, face.GateFaceOnly)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Destroy)
	return p
}

func TestGenuineScoresAboveImpostor(t *testing.T) {
	eng := openEngine(t)
	dir := facesDir(t)
	a1 := probe(t, eng, loadFace(t, filepath.Join(dir, "Aaron_Peirsol", "Aaron_Peirsol_0001.jpg")))
	a2 := probe(t, eng, loadFace(t, filepath.Join(dir, "Aaron_Peirsol", "Aaron_Peirsol_0002.jpg")))
	b := probe(t, eng, loadFace(t, filepath.Join(dir, "Aaron_Sorkin", "Aaron_Sorkin_0001.jpg")))
	same, _ := face.Score(a1.Embedding, a2.Embedding)
	other, _ := face.Score(a1.Embedding, b.Embedding)
	if same <= other+0.03 {
		t.Fatalf("genuine %.3f not clearly above impostor %.3f", same, other)
	}
	k := a1.Face.Keypoints
	if !(k[face.EyeLeft].X < k[face.EyeRight].X && k[face.NoseTip].Y > k[face.EyeLeft].Y && k[face.MouthLeft].Y > k[face.NoseTip].Y) {
		t.Fatalf("keypoints out of order: %v", k)
	}
	if !inBox(a1.Face.Box, k[face.NoseTip]) || a1.Face.Score < 0.5 || len(a1.Face.Mesh) != face.MeshPoints {
		t.Fatalf("face %+v", a1.Face.Box)
	}
	if len(a1.Live) != 2 {
		t.Fatalf("spoof scores %v", a1.Live)
	}
}

func inBox(r face.Rect, p face.Point) bool {
	return p.X > r.Min.X && p.X < r.Max.X && p.Y > r.Min.Y && p.Y < r.Max.Y
}

func TestBlankImageHasNoFace(t *testing.T) {
	eng := openEngine(t)
	img, err := face.NewImage(640, 480)
	if err != nil {
		t.Fatal(err)
	}
	defer img.Release()
	for i := range img.Pix {
		img.Pix[i] = byte(i % 7 * 20)
	}
	p, err := eng.Analyse(img, face.GateStrict)
	var qe *face.QualityError
	if !errors.As(err, &qe) || qe.Reasons[0] != face.NoFace || p.Embedding != nil {
		t.Fatalf("blank image: %v", err)
	}
}

func TestTensorsWipedAfterRun(t *testing.T) {
	cfg := testConfig(t)
	det, err := NewDetector(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer det.Close()
	img := loadFace(t, filepath.Join(facesDir(t), "Aaron_Sorkin", "Aaron_Sorkin_0001.jpg"))
	if _, err := det.Detect(img); err != nil {
		t.Fatal(err)
	}
	for _, m := range []*model{det.det, det.mesh} {
		for _, v := range m.in.GetData() {
			if v != 0 {
				t.Fatal("input tensor not wiped")
			}
		}
		for _, o := range m.outs {
			for _, v := range o.GetData() {
				if v != 0 {
					t.Fatal("output tensor not wiped")
				}
			}
		}
	}
}

func TestMisconfiguredEmbedderIsRefused(t *testing.T) {
	cfg := testConfig(t)
	mc := cfg.Embedder
	mc.Width, mc.Height = 112, 112 // the dlib port takes 150x150
	if _, err := NewEmbedder(cfg, mc); !errors.Is(err, face.ErrConfig) {
		t.Fatalf("wrong input size: %v", err)
	}
	mc = cfg.Embedder
	mc.Output = "no_such_output"
	if _, err := NewEmbedder(cfg, mc); !errors.Is(err, face.ErrConfig) {
		t.Fatalf("wrong output name: %v", err)
	}
}

// A mobileface configuration must work through the same code: the engine is
// pluggable by configuration alone.
func TestOtherEmbedderByConfiguration(t *testing.T) {
	cfg := testConfig(t)
	cfg.Embedder, _ = face.EmbedderPreset("mobileface")
	eng, closeAll, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer closeAll()
	p := probe(t, eng, loadFace(t, filepath.Join(facesDir(t), "Aaron_Sorkin", "Aaron_Sorkin_0001.jpg")))
	if p.Embedding.Dim() != 256 {
		t.Fatalf("mobileface dim %d", p.Embedding.Dim())
	}
}

// Bad files go through the same path as the CLI: typed errors, no panic.
func TestBadFilesGiveReasons(t *testing.T) {
	eng := openEngine(t)
	cmyk, err := os.ReadFile(filepath.Join(runtime.GOROOT(), "src", "image", "testdata", "video-001.cmyk.jpeg"))
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		data []byte
		want error
	}{
		"zero-byte": {nil, face.ErrEmpty},
		"corrupt":   {[]byte("\xff\xd8\xff\xe0 not really a jpeg"), face.ErrDecode},
		// Go's CMYK test picture decodes; it shows no face.
		"cmyk": {cmyk, face.ErrQuality},
	} {
		img, err := face.Decode(c.data)
		if err == nil {
			_, err = eng.Analyse(img, face.GateStrict)
			img.Release()
		}
		if !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
	}
}
