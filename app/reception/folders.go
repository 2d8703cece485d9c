package reception

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/uketsuke/uketsuke/app/atomicfile"
)

// Folder names under the 連携 folder, as the qualification terminal's
// 連携アプリ lays them out.
const (
	FaceFolder = "face"
	ReqFolder  = "req"
	ResFolder  = "res"
	// TicketFolder holds the re-visit tickets the kiosk writes for the
	// reception system beside face/ (docs/revisit.md); it is uketsuke's own.
	TicketFolder = "ticket"
)

// File names.
const (
	FacePrefix    = "OQSsiquc01res_face_" // face/ results
	RequestPrefix = "OQSsiquc01req_"      // req/ checks by insured number
	XMLSuffix     = ".xml"
	TicketSuffix  = ".json"
)

// Kinds of folder failure, for errors.Is on a *FolderError.
var (
	ErrFolderMissing = errors.New("reception: folder missing (share not mounted?)")
	ErrDiskFull      = errors.New("reception: no space left on the result folder's disk")
	ErrFolderDenied  = errors.New("reception: no permission to write the result folder")
	ErrFolder        = errors.New("reception: result folder unusable")
)

// FolderError is a failure to use one folder. It matches exactly one of
// ErrFolderMissing, ErrDiskFull, ErrFolderDenied or ErrFolder (errors.Is),
// and names the folder and the step, never a patient.
type FolderError struct {
	Folder string // face, req, res or state
	Op     string // check, write, read, journal, ...
	Kind   error  // one of the four sentinels
	Err    error
}

func (e *FolderError) Error() string {
	return fmt.Sprintf("%v: %s folder, %s: %v", e.Kind, e.Folder, e.Op, e.Err)
}

// Unwrap gives both the kind and the cause.
func (e *FolderError) Unwrap() []error { return []error{e.Kind, e.Err} }

func folderError(folder, op string, err error) error {
	if err == nil {
		return nil
	}
	var fe *FolderError
	if errors.As(err, &fe) {
		return err
	}
	return &FolderError{Folder: folder, Op: op, Kind: kindOf(err), Err: err}
}

func kindOf(err error) error {
	switch {
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT), errors.Is(err, syscall.EFBIG):
		return ErrDiskFull
	case errors.Is(err, os.ErrNotExist), errors.Is(err, syscall.ENOTDIR), errors.Is(err, syscall.ESTALE),
		errors.Is(err, syscall.ENOTCONN), errors.Is(err, syscall.EHOSTDOWN), errors.Is(err, syscall.EHOSTUNREACH),
		errors.Is(err, syscall.ENODEV), errors.Is(err, syscall.EIO):
		return ErrFolderMissing
	case errors.Is(err, os.ErrPermission), errors.Is(err, syscall.EROFS):
		return ErrFolderDenied
	}
	return ErrFolder
}

// subfolder returns root/name, creating name inside an existing root. The
// root itself is never created: a share that is not mounted must fail
// loudly, not fill the kiosk's own disk.
func subfolder(root, name string) (string, error) {
	st, err := os.Stat(root)
	if err == nil && !st.IsDir() {
		err = &os.PathError{Op: "stat", Path: root, Err: syscall.ENOTDIR}
	}
	if err != nil {
		return "", folderError(name, "check", err)
	}
	dir := filepath.Join(root, name)
	if err := os.Mkdir(dir, 0o770); err != nil && !errors.Is(err, os.ErrExist) {
		return "", folderError(name, "check", err)
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		if err == nil {
			err = &os.PathError{Op: "stat", Path: dir, Err: syscall.ENOTDIR}
		}
		return "", folderError(name, "check", err)
	}
	return dir, nil
}

var kioskPattern = regexp.MustCompile(`^[A-Za-z0-9-]{1,32}$`)

// ErrConfig is wrapped for a configuration the package cannot work with.
var ErrConfig = errors.New("reception: configuration")

func checkKiosk(id string) error {
	if !kioskPattern.MatchString(id) {
		return fmt.Errorf("%w: kiosk id %q must be 1–32 letters, digits or '-'", ErrConfig, id)
	}
	return nil
}

// FaceName is a face/ file name: the time to the millisecond (so names sort
// by time across kiosks), the kiosk's id, and the kiosk's persisted
// counter (so a name never repeats, whatever the clock does).
//
//	OQSsiquc01res_face_20260601100000123_KIOSK01_00000042.xml
func FaceName(t time.Time, kiosk string, seq uint64) string {
	t = t.In(jst)
	return fmt.Sprintf("%s%s%03d_%s_%08d%s", FacePrefix, t.Format("20060102150405"), t.Nanosecond()/1e6, kiosk, seq, XMLSuffix)
}

// TicketName is a ticket/ file name: the kiosk's id, the day of issue,
// the department's counter code ("all" for one counter) and the number.
//
//	KIOSK01_20261206_d-0123456789abcdef_0012.json
func TicketName(kiosk string, issued time.Time, department string, number int) string {
	if department == "" {
		department = "all"
	}
	return fmt.Sprintf("%s_%s_%s_%04d%s", kiosk, issued.Format("20060102"), department, number, TicketSuffix)
}

// isTicketOf reports whether name is a ticket/ file kiosk wrote. A kiosk's
// id has no '_', so its prefix tells it from every other kiosk's.
func isTicketOf(name, kiosk string) bool {
	rest, ok := strings.CutPrefix(name, kiosk+"_")
	if !ok {
		return false
	}
	if rest, ok = strings.CutSuffix(rest, TicketSuffix); !ok {
		return false
	}
	day, rest, ok := strings.Cut(rest, "_")
	last := strings.LastIndexByte(rest, '_')
	return ok && len(day) == 8 && allDigits(day) && last > 0 && last < len(rest)-1 && allDigits(rest[last+1:])
}

// IsRequestName reports whether name is a check-by-number request file.
func IsRequestName(name string) bool {
	return strings.HasPrefix(name, RequestPrefix) && strings.HasSuffix(name, XMLSuffix) && len(name) > len(RequestPrefix)+len(XMLSuffix) &&
		!strings.ContainsAny(name, `/\`)
}

// AnswerName is the res/ name of a request: OQSsiquc01req_X.xml →
// OQSsiquc01res_X.xml.
func AnswerName(request string) string {
	return strings.Replace(request, "01req_", "01res_", 1)
}

// sequence is a counter that survives restarts: each value is written
// durably before it is used.
type sequence struct {
	mu   sync.Mutex
	dir  string
	name string
	n    uint64
	read bool
}

func newSequence(stateDir, kiosk string) *sequence {
	return &sequence{dir: stateDir, name: "face-sequence-" + kiosk}
}

func (s *sequence) next() (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.read {
		b, err := os.ReadFile(filepath.Join(s.dir, s.name))
		switch {
		case errors.Is(err, os.ErrNotExist):
		case err != nil:
			return 0, folderError("state", "sequence", err)
		default:
			n, perr := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
			if perr != nil {
				return 0, folderError("state", "sequence", perr)
			}
			s.n = n
		}
		s.read = true
	}
	n := s.n + 1
	if _, err := atomicfile.Write(s.dir, s.name, []byte(strconv.FormatUint(n, 10)+"\n"), 0o600); err != nil {
		return 0, folderError("state", "sequence", err)
	}
	s.n = n
	return n, nil
}
