package cli

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/app/config"
)

// touch creates empty files: listing sets never decodes them.
func touch(t *testing.T, root string, names ...string) {
	t.Helper()
	for _, n := range names {
		p := filepath.Join(root, n)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func peopleOf(s faceSet) map[string]int {
	m := map[string]int{}
	for _, p := range s.people {
		m[p.name+"/"+p.group] = len(p.files)
	}
	return m
}

func TestFaceSetLayouts(t *testing.T) {
	root := t.TempDir()
	touch(t, root,
		"lfw/Ann/Ann_0001.jpg", "lfw/Ann/Ann_0002.jpg", "lfw/Bob/Bob_0001.jpg", "lfw/Bob/notes.txt",
		"studio/canada/003f.jpg", "studio/canada/011m.jpg", "studio/3dsk/female_agata.jpg", "studio/3dsk/male_bo.jpg",
		"seq/a/1.jpg", "seq/a/2.jpg", "seq/b/1.png")
	var src setSources
	src.specs = []setSpec{
		{"dir", filepath.Join(root, "lfw")},
		{"sets", filepath.Join(root, "studio")},
		{"singles", filepath.Join(root, "studio")},
		{"one-person", filepath.Join(root, "seq")},
	}
	sets, err := src.load(0)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range sets {
		names = append(names, s.name)
	}
	if !slices.Equal(names, []string{"lfw", "3dsk", "canada", "studio", "seq"}) {
		t.Fatalf("sets %v", names)
	}
	checks := []map[string]int{
		{"Ann/": 2, "Bob/": 1}, // sub-folders are people; non-images are skipped
		{"female_agata.jpg/female": 1, "male_bo.jpg/male": 1},
		{"003f.jpg/female": 1, "011m.jpg/male": 1},
		{"3dsk/female_agata.jpg/female": 1, "3dsk/male_bo.jpg/male": 1, "canada/003f.jpg/female": 1, "canada/011m.jpg/male": 1},
		{"seq/": 3},
	}
	for i, want := range checks {
		if got := peopleOf(sets[i]); !mapsEqual(got, want) {
			t.Errorf("%s: people %v, want %v", sets[i].name, got, want)
		}
	}
	// The limit keeps whole people.
	lim, err := loadDirSet(filepath.Join(root, "lfw"), 2)
	if err != nil || lim.images() != 2 || len(lim.people) != 1 {
		t.Fatalf("limit 2: %+v %v", lim, err)
	}
	// A limited singles set draws from every sub-folder.
	spread, err := loadSinglesSet(filepath.Join(root, "studio"), 2)
	if err != nil || len(spread[0].people) != 2 || spread[0].people[0].group != "female" ||
		!strings.HasPrefix(spread[0].people[1].name, "canada") {
		t.Fatalf("limit 2 of singles: %+v %v", spread, err)
	}
	if _, err := (&setSources{}).load(0); !errors.Is(err, ErrUsage) {
		t.Fatalf("no sets: %v", err)
	}
	if _, err := loadDirSet(filepath.Join(root, "seq", "b", "none"), 0); err == nil {
		t.Fatal("a missing folder is no set")
	}
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestGroupOfFileNames(t *testing.T) {
	for name, want := range map[string]string{
		"female_agata.jpg": "female", "male_bo.jpg": "male", "003f.jpg": "female", "120m.JPG": "male",
		"Aaron_Sorkin_0001.jpg": "", "lisa1.jpg": "", "15cm.jpg": "", "malefactor.jpg": "", "f.jpg": "",
	} {
		if got := groupOf(filepath.Join("x", name)); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
}

func TestSubsets(t *testing.T) {
	got := subsets([]int{7, 8, 9, 10}, 3)
	want := [][]int{{7, 8, 9}, {7, 8, 10}, {7, 9, 10}, {8, 9, 10}}
	if len(got) != len(want) {
		t.Fatalf("%v", got)
	}
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Fatalf("%v", got)
		}
	}
	if subsets([]int{1, 2}, 3) != nil {
		t.Fatal("more frames than images")
	}
	// C(12,5) = 792 is spread down to the cap, without repeats.
	many := subsets([]int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 5)
	if len(many) != maxSubsets || slices.EqualFunc(many[0], many[1], func(a, b int) bool { return a == b }) {
		t.Fatalf("%d subsets", len(many))
	}
}

func writeKey(t *testing.T) (string, ed25519.PublicKey) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "key.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, pub
}

func TestThresholdBundleIsSignedAndCarriesTheThreshold(t *testing.T) {
	keyPath, pub := writeKey(t)
	signer, err := readSigningKey(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	defer signer.Destroy()
	dir := t.TempDir()
	base := config.Default()
	base.Serial = 7
	base.Facility.Code = "1312345678"
	doc, _ := base.Marshal()
	basePath := filepath.Join(dir, "kiosk.json")
	os.WriteFile(basePath, doc, 0o644)

	out := filepath.Join(dir, "threshold.bundle")
	f := calibrateFlags{bundle: out, base: basePath}
	if err := writeThresholdBundle(f, signer, 0.9613); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got, err := config.OpenBundle(data, []ed25519.PublicKey{pub}, anyKiosk("1312345678"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Face.Threshold != 0.9613 || got.Serial != 8 || got.Facility.Code != "1312345678" {
		t.Fatalf("bundle carries threshold %v, serial %d, facility %s", got.Face.Threshold, got.Serial, got.Facility.Code)
	}
	// A running kiosk takes it as an update: newer serial, trusted key.
	store, _ := config.NewStore(base, pub)
	if _, err := store.Apply(data); err != nil || store.Current().Face.Threshold != 0.9613 {
		t.Fatalf("kiosk refused the bundle: %v", err)
	}

	// Another key does not open it; a changed byte breaks the signature.
	other, _, _ := ed25519.GenerateKey(rand.Reader)
	if _, err := config.OpenBundle(data, []ed25519.PublicKey{other}, anyKiosk("1312345678")); !errors.Is(err, config.ErrUnknownKey) {
		t.Fatalf("foreign key: %v", err)
	}
	tampered := []byte(strings.Replace(string(data), `"signature": "`, `"signature": "A`, 1))
	if _, err := config.OpenBundle(tampered, []ed25519.PublicKey{pub}, anyKiosk("1312345678")); err == nil {
		t.Fatal("tampered bundle opened")
	}

	// Without a base: the defaults, serial 1 unless asked for more.
	f = calibrateFlags{bundle: out, serial: 40}
	if err := writeThresholdBundle(f, signer, 0.95); err != nil {
		t.Fatal(err)
	}
	data, _ = os.ReadFile(out)
	if got, err := config.OpenBundle(data, []ed25519.PublicKey{pub}, anyKiosk("0000000000")); err != nil || got.Serial != 40 || got.Face.Threshold != 0.95 {
		t.Fatalf("%+v %v", got, err)
	}
	// A kiosk's own file has parts, which a bundle may not carry: they are
	// left out, the policy goes in.
	starter := filepath.Join(dir, "kiosk.jsonc")
	os.WriteFile(starter, config.Starter(), 0o644)
	if err := writeThresholdBundle(calibrateFlags{bundle: out, base: starter}, signer, 0.9525); err != nil {
		t.Fatal(err)
	}
	data, _ = os.ReadFile(out)
	if got, err := config.OpenBundle(data, []ed25519.PublicKey{pub}, anyKiosk("0000000000")); err != nil || got.Parts != nil || got.Face.Threshold != 0.9525 {
		t.Fatalf("from a kiosk's file: %+v %v", got, err)
	}
	// A threshold the kiosk's configuration refuses is never signed.
	if err := writeThresholdBundle(f, signer, 1.2); !errors.Is(err, config.ErrInvalid) {
		t.Fatalf("threshold 1.2: %v", err)
	}
}

// The key files `uketsuke config keygen` writes sign calibration bundles too.
func TestSigningKeyFromConfigKeygen(t *testing.T) {
	prefix := filepath.Join(t.TempDir(), "updates")
	out, err := run(t, "config", "keygen", "--out", prefix)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	signer, err := readSigningKey(prefix + ".key")
	if err != nil {
		t.Fatal(err)
	}
	defer signer.Destroy()
	pubText, _ := os.ReadFile(prefix + ".pub")
	pub, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(pubText)))
	if err != nil {
		t.Fatal(err)
	}
	bundle := filepath.Join(t.TempDir(), "b")
	if err := writeThresholdBundle(calibrateFlags{bundle: bundle}, signer, 0.9525); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(bundle)
	if got, err := config.OpenBundle(data, []ed25519.PublicKey{pub}, anyKiosk("0000000000")); err != nil || got.Face.Threshold != 0.9525 {
		t.Fatalf("%+v %v", got, err)
	}
}

func TestSigningKeyFormat(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.pem")
	os.WriteFile(bad, []byte("not a key"), 0o600)
	if _, err := readSigningKey(bad); !errors.Is(err, errKeyFormat) {
		t.Fatalf("garbage key: %v", err)
	}
	_, err := run(t, "face", "calibrate", "--dir", t.TempDir(), "--bundle", "x")
	if !errors.Is(err, ErrUsage) {
		t.Fatalf("--bundle without --key: %v", err)
	}
}

// anyKiosk is a kiosk of the facility, now.
func anyKiosk(facility string) config.Audience {
	return config.Audience{Facility: facility, Now: time.Now()}
}
