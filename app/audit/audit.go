package audit

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Errors of the audit package.
var (
	ErrBadTerm    = errors.New("audit: not an identifier")
	ErrBadOptions = errors.New("audit: bad options")
)

// File names inside Options.Dir.
const (
	OperationFile = "operation.jsonl"
	ErrorFile     = "error.jsonl"
)

// Options configures the logs.
type Options struct {
	Dir      string   // folder for both files
	MaxBytes int64    // rotate a file before it grows past this; 0 = 8 MiB
	Keep     int      // rotated generations kept; 0 = 5
	App      Version  // the kiosk software's version
	Devices  []Device // attached devices, logged with every session
	// OnError hears what the logs cannot write about themselves (a failed
	// rotation); nil writes it to standard error, which the journal keeps.
	OnError func(error)
}

// Logger owns both log files and the running success counters.
type Logger struct {
	opts     Options
	opsFile  *rotatingFile
	errFile  *rotatingFile
	ops, err *slog.Logger

	mu    sync.Mutex
	stats Stats
}

// Stats counts sessions and successes since the logger opened, and the
// rotations that failed (the logs then keep growing in their current files).
type Stats struct {
	Sessions, Succeeded int
	ByMethod            map[string]*MethodStats
	RotationFailures    int
}

// MethodStats counts one identification method.
type MethodStats struct{ Tried, Succeeded int }

// Open creates the folder and both files.
func Open(opts Options) (*Logger, error) {
	if opts.Dir == "" {
		return nil, fmt.Errorf("%w: no folder", ErrBadOptions)
	}
	if opts.MaxBytes == 0 {
		opts.MaxBytes = 8 << 20
	}
	if opts.Keep == 0 {
		opts.Keep = 5
	}
	if opts.OnError == nil {
		opts.OnError = func(err error) { fmt.Fprintln(os.Stderr, err) }
	}
	if opts.MaxBytes < 4096 || opts.Keep < 0 {
		return nil, fmt.Errorf("%w: max %d bytes, keep %d", ErrBadOptions, opts.MaxBytes, opts.Keep)
	}
	if err := os.MkdirAll(opts.Dir, 0o700); err != nil {
		return nil, err
	}
	l := &Logger{opts: opts, stats: Stats{ByMethod: map[string]*MethodStats{}}}
	var err error
	if l.opsFile, err = openRotating(filepath.Join(opts.Dir, OperationFile), opts.MaxBytes, opts.Keep, opts.OnError); err != nil {
		return nil, err
	}
	if l.errFile, err = openRotating(filepath.Join(opts.Dir, ErrorFile), opts.MaxBytes, opts.Keep, opts.OnError); err != nil {
		l.opsFile.Close()
		return nil, err
	}
	l.ops = slog.New(slog.NewJSONHandler(l.opsFile, nil))
	l.err = slog.New(slog.NewJSONHandler(l.errFile, nil))
	// Which software ran is on record from the start, before any session:
	// after an update the log shows when the new version took over.
	l.ops.Info("start", slog.String("app", opts.App.String()))
	return l, nil
}

// Close records the stop, then syncs and closes both files: a start with
// no stop before the next start is a crash or a power cut, not an
// orderly shutdown.
func (l *Logger) Close() error {
	l.ops.Info("stop")
	return errors.Join(l.opsFile.Close(), l.errFile.Close())
}

// Stats returns a copy of the counters.
func (l *Logger) Stats() Stats {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := Stats{Sessions: l.stats.Sessions, Succeeded: l.stats.Succeeded, ByMethod: map[string]*MethodStats{},
		RotationFailures: l.opsFile.rotationFailures() + l.errFile.rotationFailures()}
	for k, v := range l.stats.ByMethod {
		c := *v
		out.ByMethod[k] = &c
	}
	return out
}

// Access records one operator access (a login attempt, a privileged use,
// the end of an operator session) in the operation log, outside any
// patient's session and its counters, and syncs it: an access record must
// survive a crash.
func (l *Logger) Access(attrs ...Attr) error {
	l.ops.Info("access", slogAttrs(attrs)...)
	return l.opsFile.Sync()
}

// Session is one patient's session in the logs, under a random id that
// links its records and nothing else.
type Session struct {
	l     *Logger
	id    string
	start time.Time
	ops   *slog.Logger
	err   *slog.Logger
	ended bool
}

// Begin starts a session's records.
func (l *Logger) Begin() *Session {
	var raw [16]byte
	rand.Read(raw[:])
	id := hex.EncodeToString(raw[:])
	s := &Session{l: l, id: id, start: time.Now()}
	s.ops = l.ops.With(slog.String("session", id))
	s.err = l.err.With(slog.String("session", id))
	s.ops.Info("begin", slogAttrs(l.deviceAttrs())...)
	return s
}

func (l *Logger) deviceAttrs() []Attr {
	out := []Attr{{slog.String("app", l.opts.App.String())}}
	for _, d := range l.opts.Devices {
		out = append(out, DeviceAttr(d))
	}
	return out
}

// ID is the session's random id.
func (s *Session) ID() string { return s.id }

// Event records a step with the time since the session began.
func (s *Session) Event(name Term, attrs ...Attr) {
	attrs = append(attrs, Duration(termT, time.Since(s.start)))
	s.ops.Info(name.name, slogAttrs(attrs)...)
}

// Error records a failure in the error log (and a pointer in the operation log).
func (s *Session) Error(code Term, attrs ...Attr) {
	attrs = append(attrs, Duration(termT, time.Since(s.start)))
	s.err.Error(code.name, slogAttrs(attrs)...)
	s.ops.Warn("error", slog.String("code", code.name))
}

// End closes the session's records with its outcome and the identification
// method, updates the success counters, writes them, and fsyncs both files.
func (s *Session) End(outcome, method Term, ok bool, attrs ...Attr) error {
	if s.ended {
		return nil
	}
	s.ended = true
	attrs = append(attrs, Word(termOutcome, outcome), Word(termMethod, method),
		Bool(termOK, ok), Duration(termTotal, time.Since(s.start)))
	s.ops.Info("end", slogAttrs(attrs)...)
	s.ops.Info("stats", slogAttrs(s.l.count(method, ok))...)
	return errors.Join(s.l.opsFile.Sync(), s.l.errFile.Sync())
}

func (l *Logger) count(method Term, ok bool) []Attr {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.stats.Sessions++
	m := l.stats.ByMethod[method.name]
	if m == nil {
		m = &MethodStats{}
		l.stats.ByMethod[method.name] = m
	}
	m.Tried++
	if ok {
		l.stats.Succeeded++
		m.Succeeded++
	}
	out := []Attr{Int(termSessions, l.stats.Sessions), Ratio(termSuccessRate, rate(l.stats.Succeeded, l.stats.Sessions))}
	for name, ms := range l.stats.ByMethod {
		out = append(out, Attr{slog.Group("method_"+name,
			slog.Int("tried", ms.Tried), slog.Float64("success_rate", rate(ms.Succeeded, ms.Tried)))})
	}
	return out
}

func rate(n, d int) float64 {
	if d == 0 {
		return 0
	}
	return float64(int64(float64(n)/float64(d)*10000+0.5)) / 10000
}

var (
	termT           = MustTerm("t")
	termTotal       = MustTerm("total")
	termOutcome     = MustTerm("outcome")
	termMethod      = MustTerm("method")
	termOK          = MustTerm("ok")
	termSessions    = MustTerm("sessions")
	termSuccessRate = MustTerm("success_rate")
)
