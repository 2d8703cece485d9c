package session

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/app/eligibility"
	"github.com/uketsuke/uketsuke/app/reception"
)

// A share that goes away loses nothing: the file waits in memory, the
// error says the folder is the problem, and Flush writes it once the share
// is back.
func TestResultFilesWaitForAMissingShare(t *testing.T) {
	root, state := filepath.Join(t.TempDir(), "share"), t.TempDir()
	if err := os.Mkdir(root, 0o750); err != nil {
		t.Fatal(err)
	}
	w, err := reception.NewWriter(reception.WriterConfig{Root: root, StateDir: state, KioskID: "kiosk-1",
		Institution: "1312345678", Encoding: reception.UTF8})
	if err != nil {
		t.Fatal(err)
	}
	a := &EligibilityAdapter{Reception: w}
	if err := os.RemoveAll(root); err != nil { // the share is unmounted
		t.Fatal(err)
	}
	res := &eligibility.Result{Body: eligibility.Body{QualificationValidity: "2"}}
	err = a.write(res, reception.Facts{Method: reception.MethodFace, At: time.Now()})
	if !errors.Is(err, ErrResultsUnwritable) || a.Unsent() != 1 || len(a.Written()) != 0 {
		t.Fatalf("write to a missing share: %v, %d waiting, %d written", err, a.Unsent(), len(a.Written()))
	}
	if eligibilityCode(err) != ErrCodeResults {
		t.Fatalf("the session would show %q, want the staff screen %q", eligibilityCode(err), ErrCodeResults)
	}
	if err := os.Mkdir(root, 0o750); err != nil { // mounted again
		t.Fatal(err)
	}
	// The kiosk restarts before the share is back: a new adapter on the
	// same state folder still has the file.
	w2, err := reception.NewWriter(reception.WriterConfig{Root: root, StateDir: state, KioskID: "kiosk-1",
		Institution: "1312345678", Encoding: reception.UTF8})
	if err != nil {
		t.Fatal(err)
	}
	a = &EligibilityAdapter{Reception: w2}
	if a.Unsent() != 1 {
		t.Fatalf("after a restart %d files wait, want 1", a.Unsent())
	}
	if err := a.Flush(); err != nil {
		t.Fatalf("flush after the share came back: %v", err)
	}
	files, _ := filepath.Glob(filepath.Join(root, reception.FaceFolder, "*.xml"))
	if a.Unsent() != 0 || len(files) != 1 {
		t.Fatalf("%d waiting, %d files", a.Unsent(), len(files))
	}
}

func TestForgetDropsTheAnswer(t *testing.T) {
	a := &EligibilityAdapter{}
	a.remember("t1", check{res: &eligibility.Result{}, method: MethodFace, at: time.Now()})
	a.Forget("t1")
	if a.pending("t1").res != nil {
		t.Fatal("an ended session's answer is still kept")
	}
}
