package audit

import (
	"bufio"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestTermsRefuseData(t *testing.T) {
	for _, bad := range []string{"", "Hanako", "個人番号", "19800217", "code_2285", "a b", "x-y", "name@example",
		strings.Repeat("a", 49)} {
		if _, err := NewTerm(bad); !errors.Is(err, ErrBadTerm) {
			t.Errorf("%q accepted", bad)
		}
	}
	for _, good := range []string{"card.not_mynumber", "face_attempts", "v2", "pcsc0"} {
		if _, err := NewTerm(good); err != nil {
			t.Errorf("%q refused: %v", good, err)
		}
	}
}

func readLines(t *testing.T, path string) []map[string]any {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []map[string]any
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("not JSON: %q", sc.Text())
		}
		out = append(out, m)
	}
	return out
}

func TestSessionRecordsAndStats(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(Options{Dir: dir, App: Version{1, 2, 3},
		Devices: []Device{{Kind: MustTerm("reader"), Vendor: 0x054c, Product: 0x06c1, Firmware: Version{2, 0, 1}}}})
	if err != nil {
		t.Fatal(err)
	}
	face, pin, ok, fail := MustTerm("face"), MustTerm("pin"), MustTerm("completed"), MustTerm("card_removed")
	s1 := l.Begin()
	s1.Event(MustTerm("choose_face"), Duration(MustTerm("wait"), 1500*time.Millisecond))
	s1.End(ok, face, true)
	s2 := l.Begin()
	s2.Error(MustTerm("pin.wrong"), Int(MustTerm("tries_left"), 2))
	s2.End(fail, pin, false)
	s2.End(fail, pin, false) // a second End changes nothing
	if s1.ID() == s2.ID() || len(s1.ID()) != 32 {
		t.Fatalf("session ids %q %q", s1.ID(), s2.ID())
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	ops := readLines(t, filepath.Join(dir, OperationFile))
	errs := readLines(t, filepath.Join(dir, ErrorFile))
	if len(errs) != 1 || errs[0]["msg"] != "pin.wrong" || errs[0]["session"] != s2.ID() || errs[0]["tries_left"] != 2.0 {
		t.Fatalf("error log %v", errs)
	}
	var begin, event, stats map[string]any
	for _, m := range ops {
		switch {
		case m["msg"] == "begin" && begin == nil:
			begin = m
		case m["msg"] == "choose_face":
			event = m
		case m["msg"] == "stats":
			stats = m
		}
	}
	if dev, _ := begin["device"].(map[string]any); begin["app"] != "1.2.3" || dev["usb"] != "054c:06c1" {
		t.Fatalf("begin %v", begin)
	}
	if event["wait_ms"] != 1500.0 {
		t.Fatalf("event %v", event)
	}
	if stats["sessions"] != 2.0 || stats["success_rate"] != 0.5 {
		t.Fatalf("stats %v", stats)
	}
	st := l.Stats()
	if st.Sessions != 2 || st.ByMethod["face"].Succeeded != 1 || st.ByMethod["pin"].Tried != 1 {
		t.Fatalf("counters %+v", st)
	}
}

func TestRotation(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(Options{Dir: dir, MaxBytes: 4096, Keep: 2})
	if err != nil {
		t.Fatal(err)
	}
	for range 200 {
		s := l.Begin()
		s.Event(MustTerm("step"))
		s.End(MustTerm("completed"), MustTerm("face"), true)
	}
	l.Close()
	for _, name := range []string{OperationFile, OperationFile + ".1", OperationFile + ".2"} {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if st.Size() > 4096 || st.Size() == 0 {
			t.Errorf("%s: %d bytes", name, st.Size())
		}
		readLines(t, filepath.Join(dir, name)) // every line whole
	}
	if _, err := os.Stat(filepath.Join(dir, OperationFile+".3")); !os.IsNotExist(err) {
		t.Errorf("more generations than kept: %v", err)
	}
}

func TestBadOptions(t *testing.T) {
	if _, err := Open(Options{}); !errors.Is(err, ErrBadOptions) {
		t.Error("no folder accepted")
	}
	if _, err := Open(Options{Dir: t.TempDir(), MaxBytes: 10}); !errors.Is(err, ErrBadOptions) {
		t.Error("tiny files accepted")
	}
}

func TestAIDsOnly(t *testing.T) {
	k := MustTerm("aid")
	for aid, want := range map[string]string{
		"\xD3\x92\xF0\x00\x26\x02\x00\x00\x00\x01": "d392f000260200000001",
		"\xA0\x00\x00\x00\x03":                     "a000000003",
		"\xD3\x92":                                 "not_an_aid", // shorter than a RID
		"1980021712345678":                         "not_an_aid", // not a registered category
		"\xD31980021712345678":                     "not_an_aid", // longer than 16 bytes
		"":                                         "not_an_aid",
	} {
		if got := AID(k, []byte(aid)).a.Value.String(); got != want {
			t.Errorf("% X logged as %q, want %q", aid, got, want)
		}
	}
}

// The kiosk's version is in the operation log as soon as the log opens, so
// an update's effect shows without waiting for a patient; an orderly close
// is recorded, so that a start without a stop before it shows a crash.
func TestOpenRecordsTheVersionAtStart(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(Options{Dir: dir, App: Version{3, 1, 4}})
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	ops := readLines(t, filepath.Join(dir, OperationFile))
	if len(ops) != 2 || ops[0]["msg"] != "start" || ops[0]["app"] != "3.1.4" || ops[1]["msg"] != "stop" {
		t.Fatalf("operation log of a start and a stop %v", ops)
	}
}

// A rotation that fails (here the rename, as on a full or read-only
// folder) must not silence the log: records keep landing in the current
// file, the failure is reported and counted, and rotation succeeds once the
// cause is gone.
func TestFailedRotationKeepsLogging(t *testing.T) {
	dir := t.TempDir()
	var reported []error
	l, err := Open(Options{Dir: dir, MaxBytes: 4096, Keep: 2, OnError: func(err error) { reported = append(reported, err) }})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	clock := time.Now()
	broken := errors.New("read-only file system")
	l.opsFile.now = func() time.Time { return clock }
	l.opsFile.rename = func(string, string) error { return broken }
	path := filepath.Join(dir, OperationFile)
	for range 100 {
		s := l.Begin()
		s.Event(MustTerm("step"))
		if err := s.End(MustTerm("completed"), MustTerm("face"), true); err != nil {
			t.Fatal(err)
		}
	}
	// The start record, then four per session.
	lines := readLines(t, path)
	if len(lines) != 401 || lines[len(lines)-1]["msg"] != "stats" {
		t.Fatalf("%d records in the current file after the rotation failed, want 401", len(lines))
	}
	if len(reported) != 1 || !errors.Is(reported[0], broken) {
		t.Fatalf("reported %v, want the one failure (the next try waits)", reported)
	}
	if n := l.Stats().RotationFailures; n != 1 {
		t.Fatalf("%d rotation failures counted", n)
	}
	// The cause goes away; after the retry delay the next record rotates.
	l.opsFile.rename = os.Rename
	clock = clock.Add(rotationRetry)
	s := l.Begin()
	s.End(MustTerm("completed"), MustTerm("face"), true)
	if old := readLines(t, path+".1"); len(old) != 401 {
		t.Fatalf("%d records rotated, want the 401 written meanwhile", len(old))
	}
	if cur := readLines(t, path); len(cur) != 3 || cur[0]["msg"] != "begin" {
		t.Fatalf("current file after rotation: %v", cur)
	}
}

func TestAccessRecordsStandOutsideSessions(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := l.Access(Word(MustTerm("operator"), MustTerm("reception.a")), Word(MustTerm("result"), MustTerm("ok"))); err != nil {
		t.Fatal(err)
	}
	lines := readLines(t, filepath.Join(dir, OperationFile))
	last := lines[len(lines)-1]
	if last["msg"] != "access" || last["operator"] != "reception.a" || last["result"] != "ok" || last["session"] != nil {
		t.Fatalf("access record %v", last)
	}
	if s := l.Stats(); s.Sessions != 0 {
		t.Fatalf("an access record counted as a session: %+v", s)
	}
}
