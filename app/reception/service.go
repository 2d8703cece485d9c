package reception

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/uketsuke/uketsuke/app/atomicfile"
	"github.com/uketsuke/uketsuke/app/audit"
	"github.com/uketsuke/uketsuke/app/eligibility"
)

// Lookup is the eligibility check by insured number; *eligibility.Client
// is one.
type Lookup interface {
	CheckByInsurance(ctx context.Context, q eligibility.InsuranceQuery) (*eligibility.Result, error)
}

// ServiceConfig shapes a Service.
type ServiceConfig struct {
	Root        string // the 連携 folder: req/ and res/ are made inside it if missing
	StateDir    string // kiosk-local: the journal lives in StateDir/reqres
	KioskID     string // the owner of the face/ and ticket/ files retention may delete
	Institution string
	Encoding    Encoding
	Lookup      Lookup
	// Poll is how often req/ is scanned (default 1 s). Settle is how long an
	// unreadable request may still be being written before it is answered
	// as malformed (default 3 s).
	Poll, Settle time.Duration
	// CheckTimeout bounds one eligibility check (default 30 s).
	CheckTimeout time.Duration
	// Retention deletes this kiosk's face/ and ticket/ files and the res/
	// answers it wrote once they are older than this and still there (no
	// reception system picked them up); 0 keeps them.
	Retention time.Duration
	// Audit receives answer and retention events (terms and counts only).
	Audit Recorder
	// OnError hears every folder failure while Run keeps going (a staff
	// screen, say); errors are *FolderError.
	OnError func(error)
	Now     func() time.Time
}

// Service answers req/ requests into res/.
type Service struct {
	cfg                  ServiceConfig
	req, res, face, jdir string
	lastCleanup          time.Time
	crash                func(step string) error // tests: simulate a kill after a step
	lookups              int
	mu                   sync.Mutex // one Scan or Cleanup at a time
}

// NewService checks the folders and the journal folder.
func NewService(cfg ServiceConfig) (*Service, error) {
	if cfg.Lookup == nil {
		return nil, fmt.Errorf("%w: no eligibility lookup", ErrConfig)
	}
	if err := checkKiosk(cfg.KioskID); err != nil {
		return nil, err
	}
	if cfg.Poll <= 0 {
		cfg.Poll = time.Second
	}
	if cfg.Settle <= 0 {
		cfg.Settle = 3 * time.Second
	}
	if cfg.CheckTimeout <= 0 {
		cfg.CheckTimeout = 30 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Service{cfg: cfg, crash: func(string) error { return nil }}
	var err error
	if s.jdir, err = subfolder(cfg.StateDir, "reqres"); err != nil {
		return nil, withFolder(err, "state")
	}
	if err := s.folders(); err != nil {
		return nil, err
	}
	return s, nil
}

func withFolder(err error, name string) error {
	var fe *FolderError
	if errors.As(err, &fe) {
		fe.Folder = name
	}
	return err
}

// folders (re)checks req/, res/ and face/; a share may come and go.
func (s *Service) folders() (err error) {
	if s.req, err = subfolder(s.cfg.Root, ReqFolder); err != nil {
		return err
	}
	if s.res, err = subfolder(s.cfg.Root, ResFolder); err != nil {
		return err
	}
	s.face, err = subfolder(s.cfg.Root, FaceFolder)
	return err
}

// Run scans req/ every Poll until ctx ends, and applies retention once a
// day. Folder failures go to OnError and are retried; a request stays in
// req/ until its answer is in res/.
func (s *Service) Run(ctx context.Context) error {
	t := time.NewTicker(s.cfg.Poll)
	defer t.Stop()
	for {
		if _, err := s.Scan(ctx); err != nil && ctx.Err() == nil && s.cfg.OnError != nil {
			s.cfg.OnError(err)
		}
		if s.cfg.Retention > 0 && s.cfg.Now().Sub(s.lastCleanup) >= 24*time.Hour {
			if _, err := s.Cleanup(); err != nil && s.cfg.OnError != nil {
				s.cfg.OnError(err)
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Scan answers every request now in req/ once, oldest name first, and
// returns how many it answered.
func (s *Service) Scan(ctx context.Context) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.folders(); err != nil {
		return 0, err
	}
	entries, err := os.ReadDir(s.req)
	if err != nil {
		return 0, folderError(ReqFolder, "read", err)
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		if e.Type().IsRegular() && IsRequestName(e.Name()) {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	n := 0
	for _, name := range names {
		if ctx.Err() != nil {
			return n, nil
		}
		did, err := s.handle(ctx, name)
		if err != nil {
			return n, err
		}
		if did {
			n++
		}
	}
	return n, nil
}

// entry is one request's line in the journal.
type entry struct {
	Request string    // the req/ file name
	Hash    string    // SHA-256 of its bytes
	ReqMod  int64     // its modification time (ns): the same bytes written again later are a new request
	State   string    // begun, staged, done
	Temp    string    // the staged answer's temporary file in res/
	Answer  string    // the res/ file name
	At      time.Time // last change
}

const (
	stateBegun  = "begun"
	stateStaged = "staged"
	stateDone   = "done"
)

func (s *Service) journalPath(name string) string {
	sum := sha256.Sum256([]byte(name))
	return filepath.Join(s.jdir, hex.EncodeToString(sum[:16])+".json")
}

func (s *Service) load(name string) (*entry, error) {
	b, err := os.ReadFile(s.journalPath(name))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, folderError("state", "journal", err)
	}
	var e entry
	if json.Unmarshal(b, &e) != nil || e.Request != name {
		return nil, nil // a torn or foreign line: start over
	}
	return &e, nil
}

func (s *Service) save(e *entry) error {
	e.At = s.cfg.Now()
	b, _ := json.Marshal(e)
	_, err := atomicfile.Write(s.jdir, filepath.Base(s.journalPath(e.Request)), b, 0o600)
	return folderError("state", "journal", err)
}

// handle answers one request exactly once. The journal makes a restart
// safe at every step: begun (nothing published: ask again), staged (the
// answer's temporary file is in res/: publish it unless it is already
// gone, which means it was published), done (only the request file is
// left to remove).
func (s *Service) handle(ctx context.Context, name string) (bool, error) {
	path := filepath.Join(s.req, name)
	data, info, err := readRequest(path)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil // taken back by the reception system
	}
	if err != nil {
		return false, folderError(ReqFolder, "read", err)
	}
	sum := sha256.Sum256(data)
	hash := hex.EncodeToString(sum[:])
	e, err := s.load(name)
	if err != nil {
		return false, err
	}
	if e != nil && e.Hash == hash && e.ReqMod == info.ModTime().UnixNano() {
		switch e.State {
		case stateDone:
			return false, s.finish(e, path)
		case stateStaged:
			return true, s.publish(e, path)
		}
	}
	req, perr := ParseRequest(data)
	if perr != nil && s.cfg.Now().Sub(info.ModTime()) < s.cfg.Settle {
		return false, nil // perhaps still being written: look again later
	}
	if mine, err := s.claim(name); err != nil || !mine {
		return false, err // another kiosk sharing the folder answers it
	}
	// Read again under the claim: another kiosk may have answered and
	// removed it between our read and our claim (it removes the request
	// before its claim), or the reception system may have replaced it.
	if again, info2, err := readRequest(path); err != nil || sha256.Sum256(again) != sum || !info2.ModTime().Equal(info.ModTime()) {
		os.Remove(s.claimPath(name))
		return false, nil
	}
	e = &entry{Request: name, Hash: hash, ReqMod: info.ModTime().UnixNano(), State: stateBegun, Answer: AnswerName(name)}
	if err := s.save(e); err != nil {
		return false, err
	}
	if err := s.crash(stateBegun); err != nil {
		return false, err
	}
	now := s.cfg.Now()
	var b Built
	if perr != nil {
		b = AnswerMalformed(perr, s.cfg.Institution, now)
	} else {
		cctx, cancel := context.WithTimeout(ctx, s.cfg.CheckTimeout)
		s.lookups++
		res, lerr := s.cfg.Lookup.CheckByInsurance(cctx, req.Query())
		cancel()
		if ctx.Err() != nil {
			return false, nil // shutting down: the journal says begun, ask again next time
		}
		b = Answer(req, res, lerr, s.cfg.Institution, now)
	}
	out, replaced, err := Encode(b.Doc, s.cfg.Encoding)
	if err != nil {
		return false, err
	}
	st, err := atomicfile.Stage(s.res, out, 0o640)
	if err != nil {
		return false, folderError(ResFolder, "write", err)
	}
	e.State, e.Temp = stateStaged, filepath.Base(st.Temp)
	if err := s.save(e); err != nil {
		st.Discard()
		return false, err
	}
	if err := s.crash(stateStaged); err != nil {
		return false, err
	}
	if err := s.publish(e, path); err != nil {
		return false, err
	}
	if s.cfg.Audit != nil {
		s.cfg.Audit.Event(termAnswered, audit.Word(termEncoding, s.cfg.Encoding.term()), audit.Int(termReplaced, replaced),
			audit.Int(termDropped, b.DroppedCodes), audit.Bool(termErrorResult, b.Doc.Header.SegmentOfResult != SegmentNormal),
			audit.Bool(termMalformed, perr != nil))
	}
	return true, nil
}

// publish moves a staged answer into place (if it is not there already),
// marks the entry done and removes the request.
func (s *Service) publish(e *entry, reqPath string) error {
	temp := filepath.Join(s.res, e.Temp)
	if _, err := os.Stat(temp); err == nil {
		st := &atomicfile.Staged{Dir: s.res, Temp: temp}
		if _, err := st.Publish(e.Answer, false); err != nil {
			return folderError(ResFolder, "write", err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return folderError(ResFolder, "write", err)
	} // gone: the rename happened before a crash
	if err := s.crash("published"); err != nil {
		return err
	}
	e.State, e.Temp = stateDone, ""
	if err := s.save(e); err != nil {
		return err
	}
	return s.finish(e, reqPath)
}

// finish removes an answered request from req/. A share that does not let
// the kiosk delete is no failure: the journal remembers the answer.
func (s *Service) finish(e *entry, reqPath string) error {
	if err := os.Remove(reqPath); err == nil {
		os.Remove(s.claimPath(e.Request))
		atomicfile.SyncDir(s.req)
	}
	return nil
}

// claimPrefix names the marker a kiosk puts beside a request it answers,
// so that several kiosks sharing one 連携 folder answer each request once.
const claimPrefix = ".uketsuke-claim-"

// StaleClaim is the age after which a claim of a kiosk that stopped is
// taken over.
const StaleClaim = 10 * time.Minute

func (s *Service) claimPath(name string) string { return filepath.Join(s.req, claimPrefix+name) }

// claim makes this kiosk the one that answers request name: a no-clobber
// create of the marker, or a marker this kiosk made before a restart, or a
// stale marker of a kiosk that stopped.
func (s *Service) claim(name string) (bool, error) {
	p := s.claimPath(name)
	for range 2 {
		// written whole (a kill cannot leave an empty claim) and never over another's
		_, err := atomicfile.Create(s.req, filepath.Base(p), []byte(s.cfg.KioskID), 0o640)
		if err == nil {
			return true, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return false, folderError(ReqFolder, "claim", err)
		}
		owner, rerr := os.ReadFile(p)
		if rerr == nil && string(owner) == s.cfg.KioskID {
			return true, nil
		}
		if st, serr := os.Stat(p); serr != nil || time.Since(st.ModTime()) < StaleClaim {
			return false, nil
		}
		os.Remove(p) // the claiming kiosk stopped: take over
	}
	return false, nil
}

func readRequest(path string) ([]byte, os.FileInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	// one byte more than allowed, so ParseRequest sees the file is too large
	data, err := io.ReadAll(io.LimitReader(f, MaxRequestBytes+1))
	return data, info, err
}

// Cleanup deletes this kiosk's face/ files, its ticket/ files and the res/
// answers the journal lists once they are older than Retention (nobody
// picked them up), prunes the journal, and records the counts in the audit
// log.
func (s *Service) Cleanup() (removed int, err error) {
	if s.cfg.Retention <= 0 {
		return 0, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.folders(); err != nil {
		return 0, err
	}
	now := s.cfg.Now()
	s.lastCleanup = now
	cutoff := now.Add(-s.cfg.Retention)
	old := func(p string) bool {
		st, err := os.Stat(p)
		return err == nil && st.ModTime().Before(cutoff)
	}
	faceRemoved, resRemoved := 0, 0
	entries, err := os.ReadDir(s.face)
	if err != nil {
		return 0, folderError(FaceFolder, "retention", err)
	}
	mine := "_" + s.cfg.KioskID + "_"
	for _, e := range entries {
		n := e.Name()
		if strings.HasPrefix(n, FacePrefix) && strings.HasSuffix(n, XMLSuffix) && strings.Contains(n[len(FacePrefix):], mine) &&
			old(filepath.Join(s.face, n)) && os.Remove(filepath.Join(s.face, n)) == nil {
			faceRemoved++
		}
	}
	ticketRemoved, err := s.removeOldTickets(old)
	if err != nil {
		return 0, err
	}
	journal, err := os.ReadDir(s.jdir)
	if err != nil {
		return 0, folderError("state", "retention", err)
	}
	staged := map[string]bool{} // temporary answers a restart may still publish
	for _, j := range journal {
		if !strings.HasSuffix(j.Name(), ".json") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(s.jdir, j.Name()))
		var e entry
		if err != nil || json.Unmarshal(b, &e) != nil {
			continue
		}
		_, rerr := os.Stat(filepath.Join(s.req, e.Request))
		requestGone := errors.Is(rerr, os.ErrNotExist)
		if e.State != stateDone && requestGone && e.At.Before(cutoff) {
			// taken back by the reception system before it was answered
			if e.Temp != "" {
				os.Remove(filepath.Join(s.res, e.Temp))
			}
			os.Remove(filepath.Join(s.jdir, j.Name()))
			continue
		}
		if e.State == stateStaged {
			staged[e.Temp] = true
		}
		if e.State != stateDone || !e.At.Before(cutoff) {
			continue
		}
		if p := filepath.Join(s.res, e.Answer); old(p) && os.Remove(p) == nil {
			resRemoved++
		}
		// The request is long gone; forget it (a name reused later is a new request).
		if requestGone {
			os.Remove(filepath.Join(s.jdir, j.Name()))
		}
	}
	// temporary files of killed writes, unless a journal entry still needs one
	if temps, err := os.ReadDir(s.res); err == nil {
		for _, t := range temps {
			if p := filepath.Join(s.res, t.Name()); atomicfile.IsTemp(t.Name()) && !staged[t.Name()] &&
				old(p) && now.Sub(mtime(p)) > atomicfile.StaleAge {
				os.Remove(p)
			}
		}
	}
	atomicfile.RemoveStaleTemps(s.face, atomicfile.StaleAge, now)
	atomicfile.RemoveStaleTemps(s.req, atomicfile.StaleAge, now) // claims cut short
	for _, dir := range []string{s.face, s.res} {
		atomicfile.SyncDir(dir)
	}
	if s.cfg.Audit != nil {
		s.cfg.Audit.Event(termRetention, audit.Int(termFaceRemoved, faceRemoved), audit.Int(termResRemoved, resRemoved),
			audit.Int(termTicketRemoved, ticketRemoved), audit.Int(termRetainedDays, int(s.cfg.Retention/(24*time.Hour))))
	}
	return faceRemoved + resRemoved + ticketRemoved, nil
}

// removeOldTickets deletes this kiosk's re-visit tickets in ticket/ that
// old says nobody picked up in time, and stale temporary files of killed
// writes. No ticket/ folder: this kiosk never issued a ticket.
func (s *Service) removeOldTickets(old func(string) bool) (int, error) {
	dir := filepath.Join(s.cfg.Root, TicketFolder)
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, folderError(TicketFolder, "retention", err)
	}
	removed := 0
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		if e.Type().IsRegular() && isTicketOf(e.Name(), s.cfg.KioskID) && old(p) && os.Remove(p) == nil {
			removed++
		}
	}
	atomicfile.RemoveStaleTemps(dir, atomicfile.StaleAge, s.cfg.Now())
	atomicfile.SyncDir(dir)
	return removed, nil
}

func mtime(p string) time.Time {
	st, err := os.Stat(p)
	if err != nil {
		return time.Time{}
	}
	return st.ModTime()
}
