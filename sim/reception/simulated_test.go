package reception

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uketsuke/uketsuke/app/reception"
)

// TestMyclinicReadsWhatTheSessionsWrote runs a real reception system's
// parser on the face/ files that `uketsuke simulate --results DIR` wrote
// from whole sessions (UKETSUKE_SIMULATED_RESULTS: DIR[,DIR...], set by
// `make reception-test` for both encodings) and checks that it reads every
// field as the kiosk wrote it from the session's answer.
func TestMyclinicReadsWhatTheSessionsWrote(t *testing.T) {
	dirs := os.Getenv("UKETSUKE_SIMULATED_RESULTS")
	if dirs == "" {
		if os.Getenv("UKETSUKE_REQUIRE_SHARED") == "1" {
			t.Fatal("UKETSUKE_SIMULATED_RESULTS is not set: run `make reception-test`")
		}
		t.Skip("skipping: set UKETSUKE_SIMULATED_RESULTS to folders `uketsuke simulate --results` wrote")
	}
	script := checker(t)
	for _, dir := range strings.Split(dirs, ",") {
		files, _ := filepath.Glob(filepath.Join(dir, reception.FaceFolder, "*.xml"))
		if len(files) < 10 {
			t.Fatalf("%s: %d face files; the scenarios write more than ten", dir, len(files))
		}
		lines := runChecker(t, script, files...)
		for _, file := range files {
			line, ok := lines[filepath.Base(file)]
			if !ok {
				t.Errorf("myclinic said nothing about %s", file)
				continue
			}
			compareWithFile(t, file, line)
		}
	}
}

// compareWithFile: what myclinic read is what the kiosk's document says.
func compareWithFile(t *testing.T, file string, line checkLine) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := reception.ReadDocument(data)
	if err != nil {
		t.Fatalf("%s: the kiosk cannot read its own file: %v", file, err)
	}
	r, f := doc.Body.Result, line.Fields
	want := map[string]string{
		"segmentOfResult": doc.Header.SegmentOfResult, "qualificationValidity": doc.Body.QualificationValidity,
		"name": r.Name, "nameKana": r.NameKana, "birthdate": r.Birthdate, "sex1": r.Sex1,
		"insurerNumber": r.InsurerNumber, "insuredIdentificationNumber": r.InsuredIdentificationNumber,
		"insuredCardSymbol": r.InsuredCardSymbol, "insuredBranchNumber": r.InsuredBranchNumber,
		"insuredPartialContributionRatio": r.InsuredPartialContributionRatio,
		"characterCodeIdentifier":         doc.Header.CharacterCodeIdentifier,
	}
	for k, v := range want {
		if got := str(f, k); got != v {
			t.Errorf("%s: %s read as %q, the kiosk wrote %q", filepath.Base(file), k, got, v)
		}
	}
	cons, _ := f["consent"].(map[string]any)
	for k, v := range map[string]string{
		"diagnosisInfoConsFlg": r.DiagnosisInfoConsFlg, "pharmacistsInfoConsFlg": r.PharmacistsInfoConsFlg,
		"operationInfoConsFlg": r.OperationInfoConsFlg, "specificHealthCheckupsInfoConsFlg": r.SpecificHealthCheckupsInfoConsFlg,
	} {
		if got := str(cons, k); got != v {
			t.Errorf("%s: consent %s read as %q, the kiosk wrote %q", filepath.Base(file), k, got, v)
		}
	}
	if doc.Header.SegmentOfResult == "1" && (r.Name == "" || r.InsurerNumber == "" || r.Birthdate == "") {
		t.Errorf("%s: an answered session's file lacks the patient or the insurer: %+v", filepath.Base(file), r)
	}
}
