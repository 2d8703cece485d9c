package reception

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/uketsuke/uketsuke/app/eligibility"
	"github.com/uketsuke/uketsuke/app/reception"
)

// These tests run a real reception system's parser (hangilc/myclinic-ts,
// through ../shared/interop/myclinic-check.sh) on files the kiosk wrote.
// Without ../shared they skip; UKETSUKE_REQUIRE_SHARED=1 (set by
// `make reception-test`) makes that a failure.

// checkerIfPresent is the script's path, or "" without ../shared or node.
func checkerIfPresent() string {
	script := scriptPath()
	if _, err := os.Stat(script); err != nil {
		return ""
	}
	if _, err := exec.LookPath("node"); err != nil {
		return ""
	}
	return script
}

func scriptPath() string {
	dir, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		if filepath.Dir(dir) == dir {
			return ""
		}
		dir = filepath.Dir(dir)
	}
	return filepath.Join(dir, "..", "shared", "interop", "myclinic-check.sh")
}

func checker(t *testing.T) string {
	t.Helper()
	script := scriptPath()
	if _, err := os.Stat(script); err != nil {
		if os.Getenv("UKETSUKE_REQUIRE_SHARED") == "1" {
			t.Fatalf("%s is missing and UKETSUKE_REQUIRE_SHARED=1", script)
		}
		t.Skipf("skipping: %s is missing (set UKETSUKE_REQUIRE_SHARED=1 to make this a failure)", script)
	}
	if _, err := exec.LookPath("node"); err != nil {
		if os.Getenv("UKETSUKE_REQUIRE_SHARED") == "1" {
			t.Fatal("myclinic-check.sh needs node and npm (make reception-test installs them)")
		}
		t.Skip("skipping: no node for myclinic-check.sh")
	}
	return script
}

// checkLine is one line of myclinic-check's output.
type checkLine struct {
	File         string
	OK           bool
	Error        *string
	Errors       []string
	Warnings     []string
	Registration any
	Fields       map[string]any
	Labels       map[string]any
}

func runChecker(t *testing.T, script string, paths ...string) map[string]checkLine {
	t.Helper()
	cmd := exec.Command(script, paths...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	t.Logf("myclinic-check: %s", strings.TrimSpace(stderr.String()))
	lines := map[string]checkLine{}
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var c checkLine
		if jerr := json.Unmarshal([]byte(l), &c); jerr != nil {
			t.Fatalf("myclinic-check printed %q: %v (exit %v)", l, jerr, err)
		}
		lines[filepath.Base(c.File)] = c
	}
	for name, c := range lines {
		if !c.OK {
			t.Errorf("myclinic refused %s: %v", name, c.Errors)
		}
	}
	if err != nil && !t.Failed() {
		t.Fatalf("myclinic-check exited with %v: %s", err, stderr.String())
	}
	return lines
}

var halfKana = regexp.MustCompile(`^[\x{FF61}-\x{FF9F}]+ [\x{FF61}-\x{FF9F}]+$`)

func str(m map[string]any, k string) string {
	v, _ := m[k].(string)
	return v
}

// inFile is how a field's text appears in a file of encoding enc.
func inFile(s string, enc reception.Encoding) string {
	if enc == reception.UTF8 {
		return s
	}
	return strings.ReplaceAll(s, "𠮷", "〓")
}

func TestMyclinicReadsEveryFaceFile(t *testing.T) {
	script := checker(t)
	for _, enc := range []reception.Encoding{reception.UTF8, reception.ShiftJIS} {
		t.Run(enc.String(), func(t *testing.T) {
			root, state := t.TempDir(), t.TempDir()
			w, err := reception.NewWriter(reception.WriterConfig{Root: root, StateDir: state, KioskID: "KIOSK01",
				Institution: Institution, Encoding: enc})
			if err != nil {
				t.Fatal(err)
			}
			byFile := map[string]Case{}
			for _, c := range Cases() {
				written, err := w.Write(c.Result, c.Facts)
				if err != nil {
					t.Fatalf("%s: %v", c.Name, err)
				}
				byFile[written.Name] = c
				if c.Name == "gaiji-name" && enc == reception.ShiftJIS && written.Replaced != 2 {
					t.Errorf("%s: %d characters replaced, want 2 (𠮷 in Name and InsuredName)", c.Name, written.Replaced)
				}
			}
			// As a server that converts would hand the files over, and, for
			// UTF-8, as myclinic's own browser code reads them (response.text()).
			runs := [][]string{{w.Dir()}}
			if enc == reception.UTF8 {
				runs = append(runs, []string{"--raw-utf8", w.Dir()})
			}
			for _, args := range runs {
				lines := runChecker(t, script, args...)
				if len(lines) != len(byFile) {
					t.Fatalf("myclinic read %d files, the kiosk wrote %d", len(lines), len(byFile))
				}
				for file, c := range byFile {
					line, ok := lines[file]
					if !ok {
						t.Errorf("%s (%s) not read", file, c.Name)
						continue
					}
					compare(t, c, line, enc)
				}
			}
		})
	}
}

// compare checks that myclinic read what the session had.
func compare(t *testing.T, c Case, line checkLine, enc reception.Encoding) {
	t.Helper()
	f, l := line.Fields, line.Labels
	want := map[string]string{
		"characterCodeIdentifier": map[reception.Encoding]string{reception.UTF8: "0", reception.ShiftJIS: "1"}[enc],
		"referenceClassification": "1",
	}
	if c.Result == nil {
		k := c.Facts.Known
		want["segmentOfResult"], want["processingResultStatus"] = "9", "2"
		want["name"], want["birthdate"], want["sex1"] = inFile(k.Name, enc), k.Birthdate, k.Sex
		want["nameKana"] = reception.HalfWidthKana(k.Kana)
		if str(f, "errorMessage") == "" || str(f, "errorCode") == "" {
			t.Errorf("%s: an error result without ErrorCode/ErrorMessage: %v", c.Name, f)
		}
	} else {
		q := c.Result.Body.Qualifications[0]
		want["segmentOfResult"], want["processingResultStatus"] = "1", "1"
		want["qualificationValidity"] = c.Result.Body.QualificationValidity
		want["name"], want["birthdate"], want["sex1"] = inFile(q.InsuredName, enc), q.Birthdate, q.Sex
		want["nameKana"] = reception.HalfWidthKana(q.InsuredNameKana)
		want["insurerNumber"], want["insuredIdentificationNumber"] = q.InsurerNumber, q.InsuredIdentificationNumber
		want["insurerName"], want["personalFamilyClassification"] = q.InsurerName, q.PersonalFamilyClassification
		if q.InsuredCardSymbol != "" {
			want["insuredCardSymbol"] = q.InsuredCardSymbol
		}
		if q.InsuredBranchNumber != "" {
			want["insuredBranchNumber"] = q.InsuredBranchNumber
		}
		kouki := strings.HasPrefix(q.InsurerNumber, "39")
		switch {
		case kouki:
			want["insuredPartialContributionRatio"] = q.InsuredPartialContributionRatio
			if w, _ := strconv.Atoi(q.InsuredPartialContributionRatio); l["koukikoureiFutanWari"] != float64(w)/10 {
				t.Errorf("%s: myclinic takes the 後期高齢 ratio as %v割", c.Name, l["koukikoureiFutanWari"])
			}
		case q.ElderlyRecipientCertificateInfo != nil:
			el, _ := f["elderlyRecipientCertificateInfo"].(map[string]any)
			e := q.ElderlyRecipientCertificateInfo
			if str(el, "contributionRatio") != e.ElderlyRecipientContributionRatio || str(el, "date") != e.ElderlyRecipientCertificateDate ||
				str(el, "validStartDate") != e.ElderlyRecipientValidStartDate || str(el, "validEndDate") != e.ElderlyRecipientValidEndDate {
				t.Errorf("%s: 高齢受給者証 read as %v, want %+v", c.Name, f["elderlyRecipientCertificateInfo"], *e)
			}
			if want, _ := strconv.Atoi(e.ElderlyRecipientContributionRatio); l["koureiFutanWari"] != float64(want)/10 {
				t.Errorf("%s: myclinic takes the 高齢受給者証 as %v割", c.Name, l["koureiFutanWari"])
			}
		}
		if c.Result.Body.QualificationValidity == "1" {
			wantKind := "shahokokuho"
			if kouki {
				wantKind = "koukikourei"
			}
			if line.Registration != wantKind {
				t.Errorf("%s: myclinic would register %v, want %s", c.Name, line.Registration, wantKind)
			}
		}
		if li := q.LimitApplicationCertificateRelatedInfo; li != nil && c.Facts.Consents.Limit.Given {
			got, _ := f["limitApplicationCertificateRelatedInfo"].(map[string]any)
			if str(got, "classificationFlag") != li.LimitApplicationCertificateClassificationFlag ||
				str(got, "classification") != li.LimitApplicationCertificateClassification ||
				str(got, "validEndDate") != li.LimitApplicationCertificateValidEndDate {
				t.Errorf("%s: 限度額 info read as %v", c.Name, f["limitApplicationCertificateRelatedInfo"])
			}
		}
		cons, _ := f["consent"].(map[string]any)
		flag := func(x reception.Consent) string {
			if x.At.IsZero() {
				return ""
			}
			if x.Given {
				return "1"
			}
			return "0"
		}
		cc := c.Facts.Consents
		for k, v := range map[string]string{
			"diagnosisInfoConsFlg": flag(cc.Diagnosis), "pharmacistsInfoConsFlg": flag(cc.Drug),
			"operationInfoConsFlg": flag(cc.Surgery), "specificHealthCheckupsInfoConsFlg": flag(cc.Checkups),
			"limitApplicationCertificateRelatedConsFlg": flag(cc.Limit),
			"specificDiseasesCertificateRelatedConsFlg": flag(cc.Diseases),
		} {
			if got := str(cons, k); got != v {
				t.Errorf("%s: consent %s read as %q, want %q", c.Name, k, got, v)
			}
		}
		wantPresc := map[reception.Prescription]string{reception.PrescriptionElectronic: "電子処方箋", reception.PrescriptionPaper: "紙の処方箋"}[c.Facts.Prescription]
		if got := str(l, "prescriptionIssueSelect"); got != wantPresc {
			t.Errorf("%s: prescription read as %q, want %q", c.Name, got, wantPresc)
		}
	}
	if kana := str(f, "nameKana"); !halfKana.MatchString(kana) {
		t.Errorf("%s: NameKana %q is not half-width katakana split by one space", c.Name, kana)
	}
	for k, v := range want {
		if got := str(f, k); got != v {
			t.Errorf("%s: %s read as %q, want %q", c.Name, k, got, v)
		}
	}
	if f["resultCount"] != float64(1) {
		t.Errorf("%s: %v result items", c.Name, f["resultCount"])
	}
}

// fakeLookup answers checks by number from a table of cases.
type fakeLookup struct {
	byNumber map[string]*eligibility.Result
	err      error
	calls    int
}

func (f *fakeLookup) CheckByInsurance(ctx context.Context, q eligibility.InsuranceQuery) (*eligibility.Result, error) {
	f.calls++
	if f.err != nil {
		return nil, f.err
	}
	if r, ok := f.byNumber[q.InsuredIdentificationNumber]; ok {
		return r, nil
	}
	return &eligibility.Result{Header: eligibility.Header{SegmentOfResult: "1"},
		Body: eligibility.Body{ProcessingResultStatus: "1", QualificationValidity: eligibility.ValidityNoQualification}}, nil
}

func TestMyclinicReadsEveryAnswer(t *testing.T) {
	script := checker(t)
	for _, enc := range []reception.Encoding{reception.UTF8, reception.ShiftJIS} {
		t.Run(enc.String(), func(t *testing.T) {
			root, state := t.TempDir(), t.TempDir()
			look := &fakeLookup{byNumber: map[string]*eligibility.Result{}}
			clinic, err := NewClinic(root, enc)
			if err != nil {
				t.Fatal(err)
			}
			asked := map[string]string{} // request name → case
			for _, c := range Cases() {
				if c.Result == nil {
					continue
				}
				q := c.Result.Body.Qualifications[0]
				look.byNumber[q.InsuredIdentificationNumber] = c.Result
				name, err := clinic.Ask(Query{InsurerNumber: q.InsurerNumber, Symbol: q.InsuredCardSymbol, Number: q.InsuredIdentificationNumber,
					Branch: q.InsuredBranchNumber, Birthdate: q.Birthdate, LimitConsent: c.Facts.Consents.Limit.Given, Ref: c.Name})
				if err != nil {
					t.Fatal(err)
				}
				asked[name] = c.Name
			}
			unknown, _ := clinic.Ask(Query{InsurerNumber: "06139999", Number: "000000", Birthdate: "20000101"})
			bad := reception.RequestPrefix + "broken.xml"
			clinic.WriteRaw(bad, []byte(`<?xml version="1.0"?><XmlMsg><MessageBody><QualificationConfirmSearchInfo><InsurerNumber>12AB</InsurerNumber>`))
			svc, err := reception.NewService(reception.ServiceConfig{Root: root, StateDir: state, KioskID: "KIOSK01",
				Institution: Institution, Encoding: enc, Lookup: look, Settle: 1})
			if err != nil {
				t.Fatal(err)
			}
			if n, err := svc.Scan(context.Background()); err != nil || n != len(asked)+2 {
				t.Fatalf("answered %d (%v), want %d", n, err, len(asked)+2)
			}
			lines := runChecker(t, script, filepath.Join(root, reception.ResFolder))
			for req, name := range asked {
				line := lines[reception.AnswerName(req)]
				if str(line.Fields, "referenceClassification") != "2" || str(line.Fields, "segmentOfResult") != "1" {
					t.Errorf("%s: answer read as %v", name, line.Fields)
				}
			}
			if l := lines[reception.AnswerName(unknown)]; str(l.Fields, "qualificationValidity") != "4" {
				t.Errorf("unknown number answered %v", l.Fields)
			}
			l := lines[reception.AnswerName(bad)]
			if str(l.Fields, "segmentOfResult") != "9" || !strings.Contains(str(l.Fields, "errorMessage"), "照会ファイル") {
				t.Errorf("malformed request answered %v", l.Fields)
			}
		})
	}
}
