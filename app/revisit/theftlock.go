package revisit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/uketsuke/uketsuke/app/atomicfile"
	"github.com/uketsuke/uketsuke/app/audit"
	"github.com/uketsuke/uketsuke/app/operator"
)

// The theft lock. A kiosk carried off with its reader could still turn any
// linked card into a ticket and a check by insured number without the
// holder's face or PIN: re-visit reception trusts the kiosk's place. So
// the PIN-less function locks when the kiosk seems to have left that
// place, and stays locked, across restarts, until an administrator
// unlocks it with operator authentication.

// Probe tells whether a host the kiosk should always reach (the facility
// network's gateway, the console's host) answers now.
type Probe interface {
	Reachable(ctx context.Context) bool
}

// EnclosureSwitch reads the kiosk enclosure's tamper switch.
type EnclosureSwitch interface {
	Opened() (bool, error)
}

// Authorizer checks that the logged-in operator may use a function, and
// records the use (*operator.Authenticator).
type Authorizer interface {
	Use(f operator.Function) (operator.Session, error)
}

// Recorder keeps the lock's own records (*audit.Logger).
type Recorder interface {
	Access(attrs ...audit.Attr) error
}

// LockReason says why the lock engaged; it is what the state file and the
// log keep.
type LockReason string

const (
	ReasonNetwork   LockReason = "network"    // every probe unreachable for the set time
	ReasonEnclosure LockReason = "enclosure"  // the enclosure switch read opened (or could not be read)
	ReasonState     LockReason = "state_file" // the state file could not be read: locked to be safe
)

// TheftLockFile is the state file's name in the state folder.
const TheftLockFile = "theft-lock.json"

// TheftLockConfig shapes a TheftLock.
type TheftLockConfig struct {
	// Probes are asked together; the lock engages when none has answered
	// for UnreachableFor. One host down is maintenance; all of them
	// silent is a kiosk off its network.
	Probes         []Probe
	UnreachableFor time.Duration
	Enclosure      EnclosureSwitch // nil: no switch
	StateDir       string          // kiosk-local folder for TheftLockFile
	Log            Recorder        // nil: no records
	Now            func() time.Time
}

// ErrTheftLockConfig is a configuration the lock cannot work with.
var ErrTheftLockConfig = errors.New("revisit: theft lock configuration")

// TheftLock is the latch. Check advances it; Locked reads it; only Unlock
// releases it.
type TheftLock struct {
	cfg TheftLockConfig

	mu         sync.Mutex
	locked     bool
	reason     LockReason
	silentFrom time.Time // when every probe first failed; zero while one answers
	armed      bool      // the switch has read closed since the last unlock (or start)
}

// lockState is the state file's content.
type lockState struct {
	Locked bool       `json:"locked"`
	Reason LockReason `json:"reason,omitempty"`
	Since  time.Time  `json:"since,omitzero"`
}

// NewTheftLock opens the lock and its state: a lock saved locked is locked
// again; a state file that cannot be read locks too.
func NewTheftLock(cfg TheftLockConfig) (*TheftLock, error) {
	if cfg.StateDir == "" {
		return nil, fmt.Errorf("%w: no state folder", ErrTheftLockConfig)
	}
	if len(cfg.Probes) > 0 && cfg.UnreachableFor <= 0 {
		return nil, fmt.Errorf("%w: probes need a time after which silence locks", ErrTheftLockConfig)
	}
	if len(cfg.Probes) == 0 && cfg.Enclosure == nil {
		return nil, fmt.Errorf("%w: neither probes nor an enclosure switch", ErrTheftLockConfig)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	l := &TheftLock{cfg: cfg, armed: true}
	st, err := l.load()
	switch {
	case err != nil:
		l.engage(ReasonState)
		return l, fmt.Errorf("revisit: theft lock state unreadable, locked: %w", err)
	case st.Locked:
		l.locked, l.reason = true, st.Reason
	}
	return l, nil
}

// Locked says whether re-visit reception is locked now.
func (l *TheftLock) Locked() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.locked
}

// Reason is why the lock is engaged ("" when it is not).
func (l *TheftLock) Reason() LockReason {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.locked {
		return ""
	}
	return l.reason
}

// Check asks the probes and the switch once and engages the lock when the
// kiosk seems to have left its place. It returns whether it is locked.
func (l *TheftLock) Check(ctx context.Context) bool {
	reachable := l.anyReachable(ctx)
	opened := l.enclosureOpened()
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.cfg.Now()
	switch {
	case len(l.cfg.Probes) == 0 || reachable:
		l.silentFrom = time.Time{}
	case l.silentFrom.IsZero():
		l.silentFrom = now
	}
	if l.locked {
		return true
	}
	switch {
	case opened && l.armed:
		l.engage(ReasonEnclosure)
	case !l.silentFrom.IsZero() && now.Sub(l.silentFrom) >= l.cfg.UnreachableFor:
		l.engage(ReasonNetwork)
	}
	return l.locked
}

// anyReachable asks every probe at once; true as soon as one answers.
func (l *TheftLock) anyReachable(ctx context.Context) bool {
	if len(l.cfg.Probes) == 0 {
		return false
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	answers := make(chan bool, len(l.cfg.Probes))
	for _, p := range l.cfg.Probes {
		go func() { answers <- p.Reachable(ctx) }()
	}
	for range l.cfg.Probes {
		if <-answers {
			return true
		}
	}
	return false
}

// enclosureOpened reads the switch; a switch that cannot be read counts as
// opened (a cut wire looks the same). It disarms after reading closed
// once, so an unlock during maintenance with the door open holds until
// the door has been closed and opened again.
func (l *TheftLock) enclosureOpened() bool {
	if l.cfg.Enclosure == nil {
		return false
	}
	opened, err := l.cfg.Enclosure.Opened()
	opened = opened || err != nil
	if !opened {
		l.mu.Lock()
		l.armed = true
		l.mu.Unlock()
	}
	return opened
}

// engage latches the lock and saves it; the caller holds mu. A save that
// fails still locks: the memory is the lock, the file its memory across a
// restart, and the failure is recorded.
func (l *TheftLock) engage(why LockReason) {
	l.locked, l.reason = true, why
	err := l.save(lockState{Locked: true, Reason: why, Since: l.cfg.Now().UTC()})
	l.record(termEngaged, why, err)
}

// Unlock releases the lock for the logged-in operator if they may
// (operator.FuncUnlockRevisit: administrators); the authorizer records
// the attempt whatever its result. The probes start counting afresh.
func (l *TheftLock) Unlock(auth Authorizer) error {
	s, err := auth.Use(operator.FuncUnlockRevisit)
	if err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.save(lockState{}); err != nil {
		l.record(termRelease, l.reason, err)
		return fmt.Errorf("revisit: theft lock kept, its state not saved: %w", err)
	}
	l.record(termRelease, l.reason, nil, audit.Word(termOperator, termOf(s.OperatorID)))
	l.locked, l.reason, l.silentFrom = false, "", time.Time{}
	l.armed = l.cfg.Enclosure == nil
	return nil
}

func (l *TheftLock) load() (lockState, error) {
	var st lockState
	data, err := os.ReadFile(filepath.Join(l.cfg.StateDir, TheftLockFile))
	if errors.Is(err, os.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return st, err
	}
	if err := json.Unmarshal(data, &st); err != nil {
		return st, err
	}
	return st, nil
}

func (l *TheftLock) save(st lockState) error {
	data, err := json.Marshal(st)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(l.cfg.StateDir, 0o700); err != nil {
		return err
	}
	_, err = atomicfile.Write(l.cfg.StateDir, TheftLockFile, data, 0o600)
	return err
}

var (
	termTheftLock = audit.MustTerm("theft_lock")
	termEngaged   = audit.MustTerm("engaged")
	termRelease   = audit.MustTerm("released")
	termReason    = audit.MustTerm("reason")
	termSaved     = audit.MustTerm("saved")
	termOperator  = audit.MustTerm("operator")
	termUnknownID = audit.MustTerm("unknown")
)

func termOf(s string) audit.Term {
	t, err := audit.NewTerm(s)
	if err != nil {
		return termUnknownID
	}
	return t
}

// record writes what the lock did; no address, path or patient.
func (l *TheftLock) record(what audit.Term, why LockReason, saveErr error, extra ...audit.Attr) {
	if l.cfg.Log == nil {
		return
	}
	attrs := []audit.Attr{audit.Word(termTheftLock, what), audit.Bool(termSaved, saveErr == nil)}
	if why != "" {
		attrs = append(attrs, audit.Word(termReason, termOf(string(why))))
	}
	_ = l.cfg.Log.Access(append(attrs, extra...)...)
}

// Run checks every period until ctx ends (wire runs it with the kiosk).
func (l *TheftLock) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		l.Check(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
