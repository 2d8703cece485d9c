package wire

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/app/eligibility"
	"github.com/uketsuke/uketsuke/app/reception"
	"github.com/uketsuke/uketsuke/sim/scenario"
)

// The clinic registers its patient numbers in bulk with the eligibility
// stand-in; the next patient matched by face at the kiosk gets a face/
// file that carries their number, through the whole simulated world
// (virtual card, PIN-less check, the stand-in over HTTPS, the writer).
func TestAFaceResultCarriesTheRegisteredReferenceNumber(t *testing.T) {
	cfg := SimulatedConfig(Simulated{Dir: t.TempDir(), Fast: true})
	w, err := Build(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	// The world hands out its people in order: the scenario's holder is
	// among the first valid ones, which Queries lists.
	refs := map[string]string{} // insurer/number/branch → reference number
	var infos []eligibility.ReferenceNumberRegistrationInfo
	for i, q := range w.Sim.Queries(5) {
		info := eligibility.ReferenceNumberRegistrationInfo{ReferenceNumber: fmt.Sprintf("00%04d", 17+i),
			InsurerNumber: q.InsurerNumber, InsuredCardSymbol: q.InsuredCardSymbol,
			InsuredIdentificationNumber: q.InsuredIdentificationNumber, InsuredBranchNumber: q.InsuredBranchNumber}
		infos = append(infos, info)
		refs[q.InsurerNumber+"/"+q.InsuredIdentificationNumber+"/"+q.InsuredBranchNumber] = info.ReferenceNumber
	}
	out, err := w.Sim.RegisterReferenceNumbers(context.Background(), infos)
	if err != nil {
		t.Fatal(err)
	}
	for i, u := range out.Units {
		if err := u.Err(); err != nil {
			t.Fatalf("registration %d: %v", i, err)
		}
	}

	script, err := w.Script()
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scenario.Load("face-ok")
	if err != nil {
		t.Fatal(err)
	}
	s := w.Settings
	s.FaceAttemptTime = 2 * time.Second
	if _, err := scenario.Run(context.Background(), sc, scenario.Options{World: script, Settings: s}); err != nil {
		t.Fatal(err)
	}
	faces, err := filepath.Glob(filepath.Join(cfg.Parts.Results.Dir, reception.FaceFolder, reception.FacePrefix+"*.xml"))
	if err != nil || len(faces) != 1 {
		t.Fatalf("face/ files %q (%v), want one", faces, err)
	}
	data, err := os.ReadFile(faces[0])
	if err != nil {
		t.Fatal(err)
	}
	d, err := reception.ReadDocument(data)
	if err != nil {
		t.Fatal(err)
	}
	r := d.Body.Result
	want := refs[r.InsurerNumber+"/"+r.InsuredIdentificationNumber+"/"+r.InsuredBranchNumber]
	if want == "" || r.ReferenceNumber != want {
		t.Fatalf("the face/ file carries reference number %q, want %q (registered for %d people)", r.ReferenceNumber, want, len(refs))
	}
	checkWithMyclinic(t, faces[0])
}

// checkWithMyclinic runs a real reception system's parser on a file when
// ../shared and node are there (sim/reception's tests cover it fully);
// without them it says so in the log, and the test's own checks stand.
func checkWithMyclinic(t *testing.T, path string) {
	t.Helper()
	script, _ := filepath.Abs(filepath.Join("..", "..", "shared", "interop", "myclinic-check.sh"))
	if _, err := os.Stat(script); err != nil {
		t.Logf("not run: %s is missing", script)
		return
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Log("not run: myclinic-check.sh needs node")
		return
	}
	out, err := exec.Command(script, path).CombinedOutput()
	if err != nil {
		t.Fatalf("myclinic refused the face/ file: %v\n%s", err, out)
	}
}
