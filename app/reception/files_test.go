package reception

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/app/audit"
	"github.com/uketsuke/uketsuke/app/eligibility"
)

func newWriter(t *testing.T, root, state, kiosk string, now func() time.Time) *Writer {
	t.Helper()
	w, err := NewWriter(WriterConfig{Root: root, StateDir: state, KioskID: kiosk, Institution: "1312345678",
		Encoding: ShiftJIS, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func faceFiles(t *testing.T, root string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(root, FaceFolder))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	sort.Strings(out)
	return out
}

func TestFaceNamesNeverRepeatAcrossRestartsAndKiosks(t *testing.T) {
	root, stateA, stateB := t.TempDir(), t.TempDir(), t.TempDir()
	frozen := func() time.Time { return testAt } // the worst case: every file in the same millisecond
	res := sample("架空　花子", "カクウ　ハナコ")
	var mu sync.Mutex
	names := map[string]bool{}
	write := func(w *Writer) {
		got, err := w.Write(res, Facts{At: testAt})
		if err != nil {
			t.Error(err)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if names[got.Name] {
			t.Errorf("%s written twice", got.Name)
		}
		names[got.Name] = true
	}
	a, b := newWriter(t, root, stateA, "KIOSK-A", frozen), newWriter(t, root, stateB, "KIOSK-B", frozen)
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(2)
		go func() { defer wg.Done(); write(a) }()
		go func() { defer wg.Done(); write(b) }()
	}
	wg.Wait()
	a = newWriter(t, root, stateA, "KIOSK-A", frozen) // a restart: the counter goes on
	for range 5 {
		write(a)
	}
	files := faceFiles(t, root)
	if len(files) != 45 || len(names) != 45 {
		t.Fatalf("%d files, %d names, want 45", len(files), len(names))
	}
	if !names[FaceName(testAt, "KIOSK-A", 25)] {
		t.Fatalf("after the restart the counter did not continue: %v", files[len(files)-5:])
	}
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(root, FaceFolder, f))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ReadDocument(data); err != nil || !strings.HasPrefix(f, FacePrefix) {
			t.Fatalf("%s: %v", f, err)
		}
	}
	// names sort by time first
	later := FaceName(testAt.Add(time.Millisecond), "A", 1)
	if !(FaceName(testAt, "Z", 99) < later) {
		t.Fatal("names do not sort by time")
	}
}

func TestTwoKiosksWithOneIDDoNotOverwrite(t *testing.T) {
	root := t.TempDir()
	frozen := func() time.Time { return testAt }
	a, b := newWriter(t, root, t.TempDir(), "KIOSK01", frozen), newWriter(t, root, t.TempDir(), "KIOSK01", frozen)
	wa, err := a.Write(sample("架空　一郎", ""), Facts{At: testAt})
	if err != nil {
		t.Fatal(err)
	}
	wb, err := b.Write(sample("架空　花子", ""), Facts{At: testAt})
	if err != nil {
		t.Fatal(err)
	}
	if wa.Name == wb.Name {
		t.Fatal("same name")
	}
	for path, name := range map[string]string{wa.Path: "架空　一郎", wb.Path: "架空　花子"} {
		data, _ := os.ReadFile(path)
		if d, err := ReadDocument(data); err != nil || d.Body.Result.Name != name {
			t.Fatalf("%s overwritten: %v", path, err)
		}
	}
}

func TestMissingShareIsNeverCreated(t *testing.T) {
	root := filepath.Join(t.TempDir(), "share")
	_, err := NewWriter(WriterConfig{Root: root, StateDir: t.TempDir(), KioskID: "K1"})
	if !errors.Is(err, ErrFolderMissing) {
		t.Fatalf("NewWriter on a missing share: %v", err)
	}
	if _, serr := os.Stat(root); !os.IsNotExist(serr) {
		t.Fatal("the missing share was created locally")
	}
	os.Mkdir(root, 0o700)
	w := newWriter(t, root, t.TempDir(), "K1", nil)
	os.RemoveAll(root) // the share goes away mid-day
	_, err = w.Write(sample("架空　一郎", ""), Facts{})
	var fe *FolderError
	if !errors.Is(err, ErrFolderMissing) || !errors.As(err, &fe) || fe.Folder != FaceFolder {
		t.Fatalf("write to a vanished share: %v", err)
	}
	if strings.Contains(err.Error(), "架空") {
		t.Fatal("the error names the patient")
	}
}

// tinyDisk mounts a small tmpfs (root only), so a full disk is a real ENOSPC.
func tinyDisk(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("skipping: mounting a small tmpfs for the full-disk test needs root")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("skipping: cannot mount a tmpfs: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	return dir
}

// fill takes every free byte of the file system holding dir.
func fill(t *testing.T, dir string) string {
	t.Helper()
	p := filepath.Join(dir, "filler")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	block := make([]byte, 4096)
	for {
		if _, err := f.Write(block); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			break
		}
	}
	// also small writes, down to the last byte
	for _, err := f.Write([]byte{0}); err == nil; _, err = f.Write([]byte{0}) {
	}
	return p
}

func TestFullDiskWritesNothingAndRecovers(t *testing.T) {
	root := tinyDisk(t)
	w := newWriter(t, root, t.TempDir(), "K1", nil)
	filler := fill(t, root)
	res := sample("架空　一郎", "")
	for range 3 {
		_, err := w.Write(res, Facts{})
		var fe *FolderError
		if !errors.Is(err, ErrDiskFull) || !errors.As(err, &fe) || fe.Folder != FaceFolder {
			t.Fatalf("write to a full disk: %v", err)
		}
	}
	if files := faceFiles(t, root); len(files) != 0 {
		t.Fatalf("a full disk left %v", files)
	}
	os.Remove(filler)
	got, err := w.Write(res, Facts{})
	if err != nil {
		t.Fatalf("after space came back: %v", err)
	}
	if files := faceFiles(t, root); len(files) != 1 || files[0] != got.Name {
		t.Fatalf("files %v", files)
	}
}

// --- the req/ → res/ service ---

type lookupFunc func(ctx context.Context, q eligibility.InsuranceQuery) (*eligibility.Result, error)

type countingLookup struct {
	mu    sync.Mutex
	calls int
	f     lookupFunc
}

func (c *countingLookup) CheckByInsurance(ctx context.Context, q eligibility.InsuranceQuery) (*eligibility.Result, error) {
	c.mu.Lock()
	c.calls++
	c.mu.Unlock()
	if c.f != nil {
		return c.f(ctx, q)
	}
	return sample("架空　花子", "カクウ　ハナコ"), nil
}

func (c *countingLookup) n() int { c.mu.Lock(); defer c.mu.Unlock(); return c.calls }

func newService(t *testing.T, root, state, kiosk string, look Lookup, mod func(*ServiceConfig)) *Service {
	t.Helper()
	cfg := ServiceConfig{Root: root, StateDir: state, KioskID: kiosk, Institution: "1312345678", Encoding: UTF8,
		Lookup: look, Settle: time.Nanosecond, Poll: 10 * time.Millisecond}
	if mod != nil {
		mod(&cfg)
	}
	s, err := NewService(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func putRequest(t *testing.T, root, name, search string) {
	t.Helper()
	os.MkdirAll(filepath.Join(root, ReqFolder), 0o770)
	if err := os.WriteFile(filepath.Join(root, ReqFolder, name), []byte(reqDoc(search)), 0o640); err != nil {
		t.Fatal(err)
	}
}

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

func readAnswer(t *testing.T, root, req string) *Document {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, ResFolder, AnswerName(req)))
	if err != nil {
		t.Fatalf("no answer to %s: %v", req, err)
	}
	d, err := ReadDocument(data)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestRequestWrittenWhileStoppedIsAnsweredOnce(t *testing.T) {
	root, state := t.TempDir(), t.TempDir()
	const name = "OQSsiquc01req_202606010001.xml"
	putRequest(t, root, name, goodSearch) // the kiosk is not running yet
	look := &countingLookup{}
	s := newService(t, root, state, "K1", look, nil)
	for range 3 {
		if _, err := s.Scan(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	d := readAnswer(t, root, name)
	if d.Header.ReferenceClassification != ReferenceByNumber || d.Header.SegmentOfResult != SegmentNormal ||
		d.Body.QualificationConfirmSearchInfo == nil || d.Body.QualificationConfirmSearchInfo.InsurerNumber != "06139999" ||
		d.Body.QualificationConfirmSearchInfo.LimitApplicationCertificateRelatedConsFlg != "1" || d.Header.ArbitraryFileIdentifier != "R-1" {
		t.Fatalf("answer %+v %+v", d.Header, d.Body.QualificationConfirmSearchInfo)
	}
	if look.n() != 1 || len(listDir(t, filepath.Join(root, ReqFolder))) != 0 || len(listDir(t, filepath.Join(root, ResFolder))) != 1 {
		t.Fatalf("%d checks; req/ %v; res/ %v", look.n(), listDir(t, filepath.Join(root, ReqFolder)), listDir(t, filepath.Join(root, ResFolder)))
	}
}

func TestMalformedRequestIsAnsweredWithSegment9(t *testing.T) {
	root, state := t.TempDir(), t.TempDir()
	const name = "OQSsiquc01req_bad.xml"
	putRequest(t, root, name, strings.Replace(goodSearch, "19800217", "1980-02-17", 1))
	look := &countingLookup{}
	s := newService(t, root, state, "K1", look, nil)
	if n, err := s.Scan(context.Background()); n != 1 || err != nil {
		t.Fatalf("%d, %v", n, err)
	}
	d := readAnswer(t, root, name)
	if d.Header.SegmentOfResult != SegmentAbnormal || d.Header.ErrorCode != ErrorCodeBadRequest ||
		!strings.Contains(d.Header.ErrorMessage, "Birthdate") || d.Body.Result.Sex1 == "" || look.n() != 0 {
		t.Fatalf("%+v (%d checks)", d.Header, look.n())
	}
}

func TestServiceDownIsAnsweredWithSegment9(t *testing.T) {
	root, state := t.TempDir(), t.TempDir()
	putRequest(t, root, "OQSsiquc01req_1.xml", goodSearch)
	look := &countingLookup{f: func(context.Context, eligibility.InsuranceQuery) (*eligibility.Result, error) {
		return nil, fmt.Errorf("%w: after 3 attempts", eligibility.ErrTransport)
	}}
	s := newService(t, root, state, "K1", look, nil)
	s.Scan(context.Background())
	d := readAnswer(t, root, "OQSsiquc01req_1.xml")
	if d.Header.SegmentOfResult != SegmentAbnormal || d.Header.ErrorCode != ErrorCodeUnreachable ||
		d.Body.Result.InsurerNumber != "06139999" || d.Body.Result.Birthdate != "19800217" {
		t.Fatalf("%+v %+v", d.Header, d.Body.Result)
	}
}

var errKilled = errors.New("killed")

func TestRestartMidRequestAnswersExactlyOnce(t *testing.T) {
	for _, tc := range []struct {
		step     string
		pickedUp bool // the reception system took the answer before the restart
	}{{stateBegun, false}, {stateStaged, false}, {"published", false}, {"published", true}} {
		step, pickedUp := tc.step, tc.pickedUp
		{
			t.Run(fmt.Sprintf("%s/picked_up=%v", step, pickedUp), func(t *testing.T) {
				root, state := t.TempDir(), t.TempDir()
				const name = "OQSsiquc01req_1.xml"
				putRequest(t, root, name, goodSearch)
				look := &countingLookup{}
				s := newService(t, root, state, "K1", look, nil)
				s.crash = func(at string) error {
					if at == step {
						return errKilled
					}
					return nil
				}
				if _, err := s.Scan(context.Background()); !errors.Is(err, errKilled) {
					t.Fatalf("not killed at %s: %v", step, err)
				}
				if pickedUp {
					os.Remove(filepath.Join(root, ResFolder, AnswerName(name))) // the reception system read it
				}
				s2 := newService(t, root, state, "K1", look, nil) // the restart
				for range 2 {
					if _, err := s2.Scan(context.Background()); err != nil {
						t.Fatal(err)
					}
				}
				res := listDir(t, filepath.Join(root, ResFolder))
				switch {
				case pickedUp && len(res) != 0:
					t.Fatalf("answered again after the reception system took the answer: %v", res)
				case !pickedUp && (len(res) != 1 || res[0] != AnswerName(name)):
					t.Fatalf("res/ holds %v", res)
				}
				if req := listDir(t, filepath.Join(root, ReqFolder)); len(req) != 0 {
					t.Fatalf("req/ still holds %v", req)
				}
				if step == "published" && look.n() != 1 {
					t.Fatalf("%d checks for a request already answered", look.n())
				}
			})
		}
	}
}

func TestTornRequestWaitsUntilWhole(t *testing.T) {
	root, state := t.TempDir(), t.TempDir()
	const name = "OQSsiquc01req_1.xml"
	whole := reqDoc(goodSearch)
	os.MkdirAll(filepath.Join(root, ReqFolder), 0o770)
	os.WriteFile(filepath.Join(root, ReqFolder, name), []byte(whole[:len(whole)/2]), 0o640)
	s := newService(t, root, state, "K1", &countingLookup{}, func(c *ServiceConfig) { c.Settle = time.Hour })
	if n, _ := s.Scan(context.Background()); n != 0 {
		t.Fatal("a half-written request was answered")
	}
	os.WriteFile(filepath.Join(root, ReqFolder, name), []byte(whole), 0o640)
	if n, _ := s.Scan(context.Background()); n != 1 || readAnswer(t, root, name).Header.SegmentOfResult != SegmentNormal {
		t.Fatal("the completed request was not answered")
	}
}

func TestTwoKiosksShareOneReqFolder(t *testing.T) {
	root := t.TempDir()
	const n = 30
	for i := range n {
		putRequest(t, root, fmt.Sprintf("OQSsiquc01req_%04d.xml", i), goodSearch)
	}
	look := &countingLookup{}
	a := newService(t, root, t.TempDir(), "K1", look, nil)
	b := newService(t, root, t.TempDir(), "K2", look, nil)
	var wg sync.WaitGroup
	for _, s := range []*Service{a, b, a, b} {
		wg.Add(1)
		go func() { defer wg.Done(); s.Scan(context.Background()) }()
	}
	wg.Wait()
	a.Scan(context.Background())
	b.Scan(context.Background())
	if res := listDir(t, filepath.Join(root, ResFolder)); len(res) != n || look.n() != n {
		t.Fatalf("%d answers, %d checks for %d requests", len(res), look.n(), n)
	}
	if req := listDir(t, filepath.Join(root, ReqFolder)); len(req) != 0 {
		t.Fatalf("req/ still holds %v", req)
	}
}

func TestServiceFullDiskKeepsTheRequest(t *testing.T) {
	root := tinyDisk(t)
	const name = "OQSsiquc01req_1.xml"
	s := newService(t, root, t.TempDir(), "K1", &countingLookup{}, nil)
	putRequest(t, root, name, goodSearch)
	filler := fill(t, root)
	if _, err := s.Scan(context.Background()); !errors.Is(err, ErrDiskFull) {
		t.Fatalf("full disk: %v", err)
	}
	if req := listDir(t, filepath.Join(root, ReqFolder)); !contains(req, name) {
		t.Fatalf("the request was lost: %v", req)
	}
	os.Remove(filler)
	if n, err := s.Scan(context.Background()); n != 1 || err != nil {
		t.Fatalf("after space came back: %d, %v", n, err)
	}
	readAnswer(t, root, name)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestRunReportsAVanishedShareAndGoesOn(t *testing.T) {
	parent := t.TempDir()
	root := filepath.Join(parent, "share")
	os.Mkdir(root, 0o770)
	errs := make(chan error, 100)
	s := newService(t, root, t.TempDir(), "K1", &countingLookup{}, func(c *ServiceConfig) {
		c.OnError = func(err error) {
			select {
			case errs <- err:
			default:
			}
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- s.Run(ctx) }()
	time.Sleep(30 * time.Millisecond)
	os.Rename(root, root+".unmounted") // the share goes away, at once
	select {
	case err := <-errs:
		if !errors.Is(err, ErrFolderMissing) {
			t.Fatalf("reported %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no error reported for a vanished share")
	}
	os.Mkdir(root, 0o770)
	putRequest(t, root, "OQSsiquc01req_1.xml", goodSearch)
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(filepath.Join(root, ResFolder, "OQSsiquc01res_1.xml")); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	<-done
	readAnswer(t, root, "OQSsiquc01req_1.xml")
}

// retainingService is kiosk K1's service keeping files 30 days, its clock
// at now, auditing into a session of a log in logs.
func retainingService(t *testing.T, root, state, logs string, now time.Time) (*Service, *audit.Logger, *audit.Session) {
	t.Helper()
	lg, err := audit.Open(audit.Options{Dir: logs})
	if err != nil {
		t.Fatal(err)
	}
	sess := lg.Begin()
	s := newService(t, root, state, "K1", &countingLookup{}, func(c *ServiceConfig) {
		c.Retention = 30 * 24 * time.Hour
		c.Audit = sess
		c.Now = func() time.Time { return now }
	})
	return s, lg, sess
}

func TestRetentionDeletesOnlyThisKiosksOldFiles(t *testing.T) {
	root, state, logs := t.TempDir(), t.TempDir(), t.TempDir()
	now := time.Now()
	w := newWriter(t, root, state, "K1", nil)
	other := newWriter(t, root, t.TempDir(), "K2", nil)
	res := sample("架空　花子", "カクウ　ハナコ")
	oldMine, _ := w.Write(res, Facts{})
	newMine, _ := w.Write(res, Facts{})
	oldOther, _ := other.Write(res, Facts{})
	putRequest(t, root, "OQSsiquc01req_1.xml", goodSearch)
	s, lg, sess := retainingService(t, root, state, logs, now)
	s.Scan(context.Background())
	past := now.Add(-31 * 24 * time.Hour)
	for _, p := range []string{oldMine.Path, oldOther.Path, filepath.Join(root, ResFolder, "OQSsiquc01res_1.xml")} {
		os.Chtimes(p, past, past)
	}
	// the journal entry is as old as its answer
	s.cfg.Now = func() time.Time { return past }
	putRequest(t, root, "OQSsiquc01req_2.xml", goodSearch)
	s.Scan(context.Background())
	s.cfg.Now = func() time.Time { return now }
	// answered 31 days ago: mark its journal entry so
	e, _ := s.load("OQSsiquc01req_1.xml")
	e.At = past
	b := fmt.Appendf(nil, `{"Request":%q,"Hash":%q,"State":"done","Answer":%q,"At":%q}`, e.Request, e.Hash, e.Answer, past.Format(time.RFC3339Nano))
	os.WriteFile(s.journalPath(e.Request), b, 0o600)

	removed, err := s.Cleanup()
	if err != nil || removed != 2 {
		t.Fatalf("removed %d, %v", removed, err)
	}
	for p, want := range map[string]bool{oldMine.Path: false, newMine.Path: true, oldOther.Path: true,
		filepath.Join(root, ResFolder, "OQSsiquc01res_1.xml"): false, filepath.Join(root, ResFolder, "OQSsiquc01res_2.xml"): true} {
		if _, err := os.Stat(p); (err == nil) != want {
			t.Errorf("%s: kept=%v, want %v", filepath.Base(p), err == nil, want)
		}
	}
	sess.End(audit.MustTerm("done"), audit.MustTerm("none"), true)
	lg.Close()
	log, _ := os.ReadFile(filepath.Join(logs, audit.OperationFile))
	if !strings.Contains(string(log), `"reception.retention"`) || !strings.Contains(string(log), `"face_removed":1`) {
		t.Fatalf("no retention entry:\n%s", log)
	}
	for _, personal := range []string{"架空", "ｶｸｳ", "19900101", "06139999", "OQS"} {
		if strings.Contains(string(log), personal) {
			t.Fatalf("the audit log holds %q:\n%s", personal, log)
		}
	}
}

// Re-visit tickets in ticket/ fall under the same retention: this kiosk's
// old ones go, another kiosk's (even one whose id starts with this one's)
// and anything that is not a ticket stay, and the count is audited.
func TestRetentionDeletesOnlyThisKiosksOldTickets(t *testing.T) {
	root, state, logs := t.TempDir(), t.TempDir(), t.TempDir()
	now := time.Now()
	past := now.Add(-31 * 24 * time.Hour)
	dir := filepath.Join(root, TicketFolder)
	if err := os.Mkdir(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	put := func(name string, at time.Time) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(`{"v":1}`), 0o640); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(p, at, at)
		return p
	}
	oldMine := put(TicketName("K1", past, "", 1), past)
	oldMineDept := put(TicketName("K1", past, "d-0123456789abcdef", 12), past)
	keep := map[string]string{
		"new":          put(TicketName("K1", now, "", 2), now),
		"other kiosk":  put(TicketName("K2", past, "", 1), past),
		"longer id":    put(TicketName("K1-2", past, "", 1), past),
		"not a ticket": put("K1_notes.json", past),
		"other suffix": put("K1_20261101_all_0001.json.bak", past),
	}
	s, lg, sess := retainingService(t, root, state, logs, now)
	removed, err := s.Cleanup()
	if err != nil || removed != 2 {
		t.Fatalf("removed %d, %v", removed, err)
	}
	for _, p := range []string{oldMine, oldMineDept} {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s kept (%v)", filepath.Base(p), err)
		}
	}
	for why, p := range keep {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s (%s) deleted: %v", filepath.Base(p), why, err)
		}
	}
	sess.End(audit.MustTerm("done"), audit.MustTerm("none"), true)
	lg.Close()
	log, _ := os.ReadFile(filepath.Join(logs, audit.OperationFile))
	if !strings.Contains(string(log), `"ticket_removed":2`) {
		t.Fatalf("no ticket count in the retention entry:\n%s", log)
	}
}

// Without a ticket/ folder (no ticket ever issued) retention works as
// before and makes none.
func TestRetentionWithoutTicketFolder(t *testing.T) {
	root, state := t.TempDir(), t.TempDir()
	s := newService(t, root, state, "K1", &countingLookup{}, func(c *ServiceConfig) { c.Retention = 24 * time.Hour })
	if _, err := s.Cleanup(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, TicketFolder)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("ticket/ made: %v", err)
	}
}

func TestRetentionForgetsRequestsTakenBackUnanswered(t *testing.T) {
	root, state := t.TempDir(), t.TempDir()
	const name = "OQSsiquc01req_1.xml"
	putRequest(t, root, name, goodSearch)
	now := time.Now()
	s := newService(t, root, state, "K1", &countingLookup{}, func(c *ServiceConfig) {
		c.Retention = 24 * time.Hour
		c.Now = func() time.Time { return now.Add(-48 * time.Hour) }
	})
	s.crash = func(at string) error {
		if at == stateStaged {
			return errKilled
		}
		return nil
	}
	if _, err := s.Scan(context.Background()); !errors.Is(err, errKilled) {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(root, ReqFolder, name)) // the reception system gave up
	s.cfg.Now = func() time.Time { return now }
	if _, err := s.Cleanup(); err != nil {
		t.Fatal(err)
	}
	if res := listDir(t, filepath.Join(root, ResFolder)); len(res) != 0 {
		t.Fatalf("res/ keeps %v", res)
	}
	if j := listDir(t, filepath.Join(state, "reqres")); len(j) != 0 {
		t.Fatalf("journal keeps %v", j)
	}
}
