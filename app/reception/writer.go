package reception

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/uketsuke/uketsuke/app/atomicfile"
	"github.com/uketsuke/uketsuke/app/audit"
	"github.com/uketsuke/uketsuke/app/eligibility"
)

// Recorder takes audit events; *audit.Session is one. Events carry terms
// and counts only, never a name or a number of the patient.
type Recorder interface {
	Event(name audit.Term, attrs ...audit.Attr)
}

// WriterConfig shapes a Writer.
type WriterConfig struct {
	// Root is the 連携 folder the reception system reads: face/ is made
	// inside it if missing; Root itself must exist (a share not mounted is
	// an error, never a fresh local folder).
	Root string
	// StateDir is a kiosk-local folder for the file counter (and the
	// Service's journal); it must exist.
	StateDir    string
	KioskID     string // 1–32 letters, digits or '-'; part of every file name
	Institution string // MedicalInstitutionCode when the answer carries none
	Encoding    Encoding
	// SpecificDiseasesList writes SpecificDiseasesCertificateList when the
	// answer has coded entries. Off by default: the reference reader
	// (myclinic) refuses every file that has the list.
	SpecificDiseasesList bool
	Now                  func() time.Time // default time.Now
}

// Writer writes one face/ file per session.
type Writer struct {
	cfg  WriterConfig
	dir  string
	seq  *sequence
	perm os.FileMode
}

// Written says what Write wrote: the path, and counts for the audit log.
type Written struct {
	Path         string
	Name         string
	Encoding     Encoding
	Replaced     int // characters the encoding could not hold, written as 〓
	DroppedCodes int // coded values outside the reference's tables, left empty
	Error        bool
	// Pending: face/ could not be written; the file waits whole in the
	// kiosk-local state folder until FlushPending moves it (Write's error
	// still says why).
	Pending bool
}

// NewWriter checks the folders and removes temporary files a killed
// writer left in face/.
func NewWriter(cfg WriterConfig) (*Writer, error) {
	if err := checkKiosk(cfg.KioskID); err != nil {
		return nil, err
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if st, err := os.Stat(cfg.StateDir); err != nil || !st.IsDir() {
		if err == nil {
			err = fmt.Errorf("%s is not a folder", cfg.StateDir)
		}
		return nil, folderError("state", "check", err)
	}
	dir, err := subfolder(cfg.Root, FaceFolder)
	if err != nil {
		return nil, err
	}
	atomicfile.RemoveStaleTemps(dir, atomicfile.StaleAge, cfg.Now())
	return &Writer{cfg: cfg, dir: dir, seq: newSequence(cfg.StateDir, cfg.KioskID), perm: 0o640}, nil
}

// Dir is the face/ folder.
func (w *Writer) Dir() string { return w.dir }

// Write builds the session's document (see Build) and writes it to face/
// under a new name, whole or not at all. res is the eligibility answer, nil
// when the check failed (then f.Err says why). An error is a *FolderError
// (ErrDiskFull, ErrFolderMissing, ...): nothing was written, and calling
// Write again with the same arguments once the folder is back is safe.
func (w *Writer) Write(res *eligibility.Result, f Facts) (Written, error) {
	if f.At.IsZero() {
		f.At = w.cfg.Now()
	}
	b := Build(res, f, w.cfg.Institution)
	if !w.cfg.SpecificDiseasesList {
		b.Doc.Body.Result.SpecificDiseasesCertificateList = nil
	}
	for range 8 {
		n, err := w.seq.next()
		if err != nil {
			return Written{}, err
		}
		b.Doc.Header.ArbitraryFileIdentifier = fmt.Sprintf("%s-%08d", w.cfg.KioskID, n)
		data, replaced, err := Encode(b.Doc, w.cfg.Encoding)
		if err != nil {
			return Written{}, err
		}
		name := FaceName(w.cfg.Now(), w.cfg.KioskID, n)
		written := Written{Name: name, Encoding: w.cfg.Encoding, Replaced: replaced,
			DroppedCodes: b.DroppedCodes, Error: b.Doc.Header.SegmentOfResult != SegmentNormal}
		// A share mounted again may come back without face/: make it, as at
		// start; a share still missing is held like any refusal.
		if _, err := os.Stat(w.dir); err != nil {
			if _, err := subfolder(w.cfg.Root, FaceFolder); err != nil {
				return w.hold(written, data, err)
			}
		}
		path, err := atomicfile.Create(w.dir, name, data, w.perm)
		if errors.Is(err, os.ErrExist) {
			continue // another kiosk with our id? take the next number
		}
		if err != nil {
			return w.hold(written, data, folderError(FaceFolder, "write", err))
		}
		written.Path = path
		return written, nil
	}
	return Written{}, folderError(FaceFolder, "write", fmt.Errorf("%w: every name taken", os.ErrExist))
}

// pendingFolder is the kiosk-local folder where files wait for face/.
const pendingFolder = "pending"

// hold keeps a file face/ refused in the state folder, so neither a full
// share nor a restart loses it; the folder's error is returned either way.
func (w *Writer) hold(written Written, data []byte, folderErr error) (Written, error) {
	dir, err := subfolder(w.cfg.StateDir, pendingFolder)
	if err == nil {
		_, err = atomicfile.Create(dir, written.Name, data, 0o600)
	}
	if err == nil {
		written.Pending = true
	}
	return written, folderErr
}

// Pending counts the files waiting in the state folder.
func (w *Writer) Pending() int { return len(w.pendingFiles()) }

func (w *Writer) pendingFiles() []string {
	files, _ := filepath.Glob(filepath.Join(w.cfg.StateDir, pendingFolder, "*.xml"))
	sort.Strings(files)
	return files
}

// FlushPending moves the waiting files into face/, oldest first, and stops
// at the first that face/ still refuses.
func (w *Writer) FlushPending() error {
	files := w.pendingFiles()
	if len(files) == 0 {
		return nil
	}
	if _, err := subfolder(w.cfg.Root, FaceFolder); err != nil {
		return err
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return folderError("state", "read", err)
		}
		// Already there: a crash between publishing and removing.
		if _, err := atomicfile.Create(w.dir, filepath.Base(f), data, w.perm); err != nil && !errors.Is(err, os.ErrExist) {
			return folderError(FaceFolder, "write", err)
		}
		if err := os.Remove(f); err != nil {
			return folderError("state", "remove", err)
		}
	}
	return nil
}

var (
	termFaceWritten   = audit.MustTerm("reception.face_written")
	termAnswered      = audit.MustTerm("reception.answered")
	termRetention     = audit.MustTerm("reception.retention")
	termReplaced      = audit.MustTerm("replaced_chars")
	termDropped       = audit.MustTerm("dropped_codes")
	termEncoding      = audit.MustTerm("encoding")
	termErrorResult   = audit.MustTerm("error_result")
	termMalformed     = audit.MustTerm("malformed")
	termFaceRemoved   = audit.MustTerm("face_removed")
	termResRemoved    = audit.MustTerm("res_removed")
	termTicketRemoved = audit.MustTerm("ticket_removed")
	termRetainedDays  = audit.MustTerm("retention_days")
	termUTF8          = audit.MustTerm("utf_8")
	termShiftJIS      = audit.MustTerm("shift_jis")
)

func (e Encoding) term() audit.Term {
	if e == ShiftJIS {
		return termShiftJIS
	}
	return termUTF8
}

// Audit records the write: the encoding and the counts, no text.
func (w Written) Audit(r Recorder) {
	if r == nil {
		return
	}
	r.Event(termFaceWritten, audit.Word(termEncoding, w.Encoding.term()), audit.Int(termReplaced, w.Replaced),
		audit.Int(termDropped, w.DroppedCodes), audit.Bool(termErrorResult, w.Error))
}
