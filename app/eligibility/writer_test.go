package eligibility

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/transform"
)

func sampleResult(name string) *Result {
	return &Result{
		Header: Header{ProcessExecutionTime: "20260601100000", QualificationConfirmationDate: "20260601",
			MedicalInstitutionCode: "1312345678", ReferenceClassification: ReferenceByCard, SegmentOfResult: SegmentNormal},
		Body: Body{ProcessingResultStatus: "1", QualificationValidity: ValidityValid, AuthMethod: AuthPIN,
			Qualifications: []Qualification{{InsuredCardClassification: "01", InsurerNumber: "06130001",
				InsuredCardSymbol: "1234", InsuredIdentificationNumber: "00000042", InsuredBranchNumber: "00",
				PersonalFamilyClassification: "1", InsurerName: "架空健康保険組合", InsuredName: name,
				InsuredNameKana: "ヨシダ　タロウ", Sex: "1", Birthdate: "19800217", QualificationDate: "20100401",
				InsuredPartialContributionRatio:        "030",
				LimitApplicationCertificateRelatedInfo: &LimitApplicationCertificateRelatedInfo{LimitApplicationCertificateClassificationFlag: "A03"},
				Consent: &ConsentState{SpecificHealthCheckupsInfoConsFlg: "1", PharmacistsInfoConsFlg: "1",
					MedicalTreatmentInfoConsFlg: "0", OperationInfoConsFlg: "1"}}}},
	}
}

func readResult(t *testing.T, path string) *Result {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(bytes.NewReader(raw))
	dec.CharsetReader = func(label string, in io.Reader) (io.Reader, error) {
		if strings.EqualFold(label, "Shift_JIS") {
			return transform.NewReader(in, japanese.ShiftJIS.NewDecoder()), nil
		}
		return nil, fmt.Errorf("unexpected charset %q", label)
	}
	var r Result
	if err := dec.Decode(&r); err != nil {
		t.Fatalf("%s does not parse: %v", path, err)
	}
	return &r
}

func TestWriterRoundTripsInBothEncodings(t *testing.T) {
	for _, enc := range []Encoding{UTF8, ShiftJIS} {
		dir := t.TempDir()
		w, err := NewWriter(dir, enc)
		if err != nil {
			t.Fatal(err)
		}
		// 𠮷 is outside Shift_JIS: it must survive as a character reference.
		in := sampleResult("𠮷田　太郎")
		path, err := w.Write(in)
		if err != nil {
			t.Fatal(err)
		}
		got := readResult(t, path)
		q := got.Body.Qualifications[0]
		if q.InsuredName != "𠮷田　太郎" || q.InsurerName != "架空健康保険組合" || q.Consent.MedicalTreatmentInfoConsFlg != "0" {
			t.Fatalf("encoding %d: read back %+v", enc, q)
		}
		wantCode := map[Encoding]string{UTF8: CharacterCodeUTF8, ShiftJIS: CharacterCodeShiftJIS}[enc]
		if got.Header.CharacterCodeIdentifier != wantCode {
			t.Fatalf("CharacterCodeIdentifier %q, want %q", got.Header.CharacterCodeIdentifier, wantCode)
		}
		if in.Header.CharacterCodeIdentifier != "" {
			t.Fatal("Write changed the caller's result")
		}
		raw, _ := os.ReadFile(path)
		if enc == ShiftJIS && (!bytes.Contains(raw, []byte("&#x20BB7;")) || bytes.Contains(raw, []byte("架空"))) {
			t.Fatal("the Shift_JIS file is not Shift_JIS with a reference for 𠮷")
		}
		entries, _ := os.ReadDir(dir)
		if len(entries) != 1 || !strings.HasSuffix(entries[0].Name(), ".xml") {
			t.Fatalf("folder holds %v", entries)
		}
	}
}

func TestParseEncoding(t *testing.T) {
	for in, want := range map[string]Encoding{"UTF-8": UTF8, "": UTF8, "Shift_JIS": ShiftJIS, "sjis": ShiftJIS} {
		if got, err := ParseEncoding(in); err != nil || got != want {
			t.Fatalf("%q: %v %v", in, got, err)
		}
	}
	if _, err := ParseEncoding("EUC-JP"); err == nil {
		t.Fatal("EUC-JP accepted")
	}
}

func TestWriterRefusesAMissingFolder(t *testing.T) {
	if _, err := NewWriter(filepath.Join(t.TempDir(), "absent"), UTF8); err == nil {
		t.Fatal("a missing folder was accepted")
	}
}

func TestWriterRemovesOnlyStaleTemporaryFiles(t *testing.T) {
	dir := t.TempDir()
	stale := filepath.Join(dir, tempPrefix+"old.tmp")
	fresh := filepath.Join(dir, tempPrefix+"new.tmp")
	for _, p := range []string{stale, fresh} {
		if err := os.WriteFile(p, []byte("<XmlMsg"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-2 * staleTemp)
	os.Chtimes(stale, old, old)
	if _, err := NewWriter(dir, UTF8); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Fatal("stale temporary file kept")
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Fatal("another writer's fresh temporary file removed")
	}
}

// TestMain turns the test binary into the writer process of
// TestKilledWriterLeavesNoPartialFile when asked to.
func TestMain(m *testing.M) {
	if dir := os.Getenv("UKETSUKE_WRITER_HELPER_DIR"); dir != "" {
		writeUntilKilled(dir)
	}
	os.Exit(m.Run())
}

// writeUntilKilled writes results forever, printing each path once Write
// has returned (reported as done).
func writeUntilKilled(dir string) {
	w, err := NewWriter(dir, ShiftJIS)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(2)
	}
	res := sampleResult("髙橋　一郎")
	// A long list makes each file large enough for a kill to land mid-write.
	for i := range 400 {
		q := res.Body.Qualifications[0]
		q.InsuredIdentificationNumber = fmt.Sprintf("%08d", i)
		res.Body.Qualifications = append(res.Body.Qualifications, q)
	}
	for {
		path, err := w.Write(res)
		if err != nil {
			fmt.Println("error", err)
			os.Exit(2)
		}
		fmt.Println(path)
	}
}

func TestKilledWriterLeavesNoPartialFile(t *testing.T) {
	if testing.Short() {
		t.Skip("subprocess test")
	}
	dir := t.TempDir()
	reported := map[string]bool{}
	for round := range 16 {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "UKETSUKE_WRITER_HELPER_DIR="+dir)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string, 1024)
		go func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		// Wait for a few writes, then kill at a moment that varies by round.
		for seen := 0; seen < 3; {
			if l, ok := <-lines; !ok {
				t.Fatalf("helper stopped early: %v", cmd.Wait())
			} else if strings.HasPrefix(l, "error") {
				t.Fatal(l)
			} else if strings.HasSuffix(l, ".xml") {
				reported[l] = true
				seen++
			}
		}
		time.Sleep(time.Duration(round) * 2500 * time.Microsecond) // 0 to 37 ms: encoding, writing, syncing, renaming
		cmd.Process.Signal(syscall.SIGKILL)
		for l := range lines {
			if strings.HasSuffix(l, ".xml") {
				reported[l] = true
			}
		}
		cmd.Wait()
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	complete, interrupted := 0, 0
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".xml") {
			interrupted++ // a killed write's hidden temporary file: never a result
			continue
		}
		r := readResult(t, filepath.Join(dir, e.Name()))
		if len(r.Body.Qualifications) != 401 || r.Body.Qualifications[0].InsuredName != "髙橋　一郎" {
			t.Fatalf("%s is incomplete", e.Name())
		}
		complete++
	}
	for p := range reported {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("a result reported written is missing: %v", err)
		}
	}
	if complete < len(reported) {
		t.Fatalf("%d complete files for %d reported", complete, len(reported))
	}
	t.Logf("%d results written across 16 kills (%d killed mid-write), %d reported done, every one complete",
		complete, interrupted, len(reported))
}

// xmlSafe reports whether s can be carried by an XML 1.0 document at all.
func xmlSafe(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
		case r < 0x20, r >= 0xD800 && r <= 0xDFFF, r == 0xFFFE, r == 0xFFFF:
			return false
		}
	}
	return true
}

// FuzzResultRoundTrip: whatever name a record holds, the reception system
// reads back exactly that name from the file, in either encoding.
func FuzzResultRoundTrip(f *testing.F) {
	for _, s := range []string{"𠮷田　太郎", "髙橋", "～〜", "―—", "①Ⅰ㈱", "a\r\nb\t<&>\"'", "ｶﾀｶﾅ"} {
		f.Add(s)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, name string) {
		if !xmlSafe(name) {
			return
		}
		for _, enc := range []Encoding{UTF8, ShiftJIS} {
			data, err := Encode(sampleResult(name), enc)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "r.xml")
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			if got := readResult(t, path).Body.Qualifications[0].InsuredName; got != name {
				t.Fatalf("encoding %d: %q read back as %q", enc, name, got)
			}
		}
	})
}
