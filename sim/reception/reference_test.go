package reception

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/uketsuke/uketsuke/app/eligibility"
	"github.com/uketsuke/uketsuke/app/reception"
	"github.com/uketsuke/uketsuke/sim/onshi"
)

// A clinic registers its patient number with the eligibility stand-in;
// the res/ answer to its next check by insured number, and a face/ file
// made from the same answer, carry it in ReferenceNumber, in both
// encodings, and a real reception system (myclinic) reads each file
// exactly as it reads the same file without the number.
func TestMyclinicReadsTheReferenceNumberInResAndFace(t *testing.T) {
	script := checker(t)
	pop := onshi.Population{Seed: 7, N: 100}
	client := onshiClient(t, pop)
	var p onshi.SeedPerson
	for i := range pop.N {
		if p = pop.Person(i); p.Kind == onshi.KindValid {
			break
		}
	}
	r := p.Records[0]
	const ref = "0004711"
	info := eligibility.ReferenceNumberRegistrationInfo{ReferenceNumber: ref, InsurerNumber: r.Insurer,
		InsuredCardSymbol: r.Symbol, InsuredIdentificationNumber: r.Number, InsuredBranchNumber: r.Branch}
	if _, err := client.RegisterReferenceNumber(context.Background(), "", Institution, info); err != nil {
		t.Fatal(err)
	}
	for _, enc := range []reception.Encoding{reception.UTF8, reception.ShiftJIS} {
		t.Run(enc.String(), func(t *testing.T) {
			root, state := t.TempDir(), t.TempDir()
			clinic, err := NewClinic(root, enc)
			if err != nil {
				t.Fatal(err)
			}
			asked, err := clinic.Ask(Query{InsurerNumber: r.Insurer, Symbol: r.Symbol, Number: r.Number, Branch: r.Branch, Birthdate: p.Birth})
			if err != nil {
				t.Fatal(err)
			}
			svc, err := reception.NewService(reception.ServiceConfig{Root: root, StateDir: state, KioskID: "KIOSK01",
				Institution: Institution, Encoding: enc, Lookup: client, Settle: 1})
			if err != nil {
				t.Fatal(err)
			}
			if n, err := svc.Scan(context.Background()); err != nil || n != 1 {
				t.Fatalf("answered %d (%v)", n, err)
			}
			d, resFile, err := clinic.Answer(asked)
			if err != nil || d.Body.Result.ReferenceNumber != ref {
				t.Fatalf("res/ answer carries %q (%v), want %q", d.Body.Result.ReferenceNumber, err, ref)
			}

			res, err := client.CheckByInsurance(context.Background(), eligibility.InsuranceQuery{InsurerNumber: r.Insurer,
				InsuredCardSymbol: r.Symbol, InsuredIdentificationNumber: r.Number, InsuredBranchNumber: r.Branch, Birthdate: p.Birth})
			if err != nil {
				t.Fatal(err)
			}
			facts := reception.Facts{Method: reception.MethodFace, At: CaseTime}
			with := writeFace(t, enc, res, facts)
			plain := *res
			plain.Body.Qualifications = append([]eligibility.Qualification(nil), res.Body.Qualifications...)
			plain.Body.Qualifications[0].ReferenceNumber = ""
			without := writeFace(t, enc, &plain, facts)
			data, err := os.ReadFile(with)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(data, []byte("<ReferenceNumber>"+ref+"</ReferenceNumber>")) {
				t.Fatalf("the face/ file lacks the reference number:\n%s", data)
			}
			if d, err := reception.ReadDocument(data); err != nil || d.Body.Result.ReferenceNumber != ref {
				t.Fatalf("the face/ file reads back as %q (%v)", d.Body.Result.ReferenceNumber, err)
			}

			resPath := filepath.Join(root, reception.ResFolder, reception.AnswerName(asked))
			if !bytes.Contains(resFile, []byte("<ReferenceNumber>"+ref+"</ReferenceNumber>")) {
				t.Fatalf("the res/ file lacks the reference number")
			}
			lines := runChecker(t, script, with, without, resPath)
			a, b := lines[filepath.Base(with)], lines[filepath.Base(without)]
			if !a.OK || len(a.Fields) == 0 || !reflect.DeepEqual(a.Fields, b.Fields) || !reflect.DeepEqual(a.Labels, b.Labels) ||
				!reflect.DeepEqual(a.Registration, b.Registration) {
				t.Errorf("myclinic reads the file with the number differently:\n%v\n%v", a, b)
			}
			// myclinic does not know the element: it says so and ignores it.
			if !slices.ContainsFunc(a.Warnings, func(w string) bool { return strings.Contains(w, "ReferenceNumber") }) {
				t.Errorf("myclinic did not see the element it ignores: %q", a.Warnings)
			}
			if l := lines[filepath.Base(resPath)]; !l.OK || str(l.Fields, "referenceClassification") != "2" {
				t.Errorf("myclinic read the answer as %v", l.Fields)
			}
		})
	}
}

// writeFace writes one face/ file into a folder of its own and returns its path.
func writeFace(t *testing.T, enc reception.Encoding, res *eligibility.Result, f reception.Facts) string {
	t.Helper()
	root := t.TempDir()
	w, err := reception.NewWriter(reception.WriterConfig{Root: root, StateDir: t.TempDir(), KioskID: "KIOSK01",
		Institution: Institution, Encoding: enc})
	if err != nil {
		t.Fatal(err)
	}
	written, err := w.Write(res, f)
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(w.Dir(), written.Name)
}
