// Package staff checks the staff PIN that lets staff leave kiosk mode and
// approve a visual check (目視) on the kiosk's screen; registered operators
// log in with their own card instead (app/operator). The PIN is at least
// MinPINLength digits, stored only as an argon2id hash (memory-hard, so a
// stolen configuration does not give the PIN away cheaply), and wrong
// entries lock the pad for a growing time.
package staff

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/uketsuke/uketsuke/app/secret"
)

// MinPINLength is the shortest staff PIN; MaxPINLength the longest.
const (
	MinPINLength = 6
	MaxPINLength = 12
)

// The hash's cost: 64 MiB and three passes, about 0.2 s on a kiosk's CPU.
const (
	argonMemoryKiB = 64 * 1024
	argonTime      = 3
	argonThreads   = 1
	saltLen        = 16
	hashLen        = 32
)

// Errors of the staff check.
var (
	ErrPINForm = fmt.Errorf("staff: a staff PIN is %d to %d digits", MinPINLength, MaxPINLength)
	ErrWrong   = errors.New("staff: wrong PIN")
	ErrHash    = errors.New("staff: not an argon2id PIN hash")
)

// LockedError says how long the pad stays locked after wrong entries.
type LockedError struct{ For time.Duration }

func (e *LockedError) Error() string {
	return fmt.Sprintf("staff: locked for %s after wrong PINs", e.For.Round(time.Second))
}

func checkForm(pin []byte) error {
	if len(pin) < MinPINLength || len(pin) > MaxPINLength {
		return ErrPINForm
	}
	for _, c := range pin {
		if c < '0' || c > '9' {
			return ErrPINForm
		}
	}
	return nil
}

// HashPIN makes the configuration's pin_hash from ASCII digits.
func HashPIN(pin []byte) (string, error) {
	if err := checkForm(pin); err != nil {
		return "", err
	}
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	sum := argon2.IDKey(pin, salt, argonTime, argonMemoryKiB, argonThreads, hashLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemoryKiB, argonTime,
		argonThreads, enc.EncodeToString(salt), enc.EncodeToString(sum)), nil
}

// hash is a parsed pin_hash.
type hash struct {
	memory, time uint32
	threads      uint8
	salt, sum    []byte
}

func parseHash(s string) (hash, error) {
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return hash{}, ErrHash
	}
	var h hash
	var threads uint32
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &h.memory, &h.time, &threads); err != nil {
		return hash{}, ErrHash
	}
	enc := base64.RawStdEncoding
	var err1, err2 error
	h.salt, err1 = enc.DecodeString(parts[4])
	h.sum, err2 = enc.DecodeString(parts[5])
	switch {
	case err1 != nil, err2 != nil, len(h.salt) < 8, len(h.sum) < 16:
		return hash{}, ErrHash
	case h.memory < 8*1024 || h.memory > 1<<20, h.time < 1 || h.time > 10, threads < 1 || threads > 8:
		return hash{}, fmt.Errorf("%w: cost outside the accepted range", ErrHash)
	}
	h.threads = uint8(threads)
	return h, nil
}

// Guard checks typed PINs against the hash and slows guessing down: after
// freeAttempts wrong PINs in a row the pad locks for lockStart, doubling
// with each further wrong PIN up to lockMax. A right PIN resets it.
type Guard struct {
	h   hash
	now func() time.Time

	mu     sync.Mutex
	wrong  int
	until  time.Time
	checks int // PINs hashed, for tests
}

const (
	freeAttempts = 3
	lockStart    = 30 * time.Second
	lockMax      = 15 * time.Minute
)

// NewGuard parses the configured hash.
func NewGuard(pinHash string) (*Guard, error) {
	h, err := parseHash(pinHash)
	if err != nil {
		return nil, err
	}
	return &Guard{h: h, now: time.Now}, nil
}

// Check compares a typed PIN (ASCII digits in locked memory) with the hash.
// While locked it does not even hash the PIN.
func (g *Guard) Check(pin *secret.Buffer) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if wait := g.until.Sub(g.now()); wait > 0 {
		return &LockedError{For: wait}
	}
	if err := checkForm(pin.Bytes()); err != nil {
		return g.fail()
	}
	g.checks++
	sum := argon2.IDKey(pin.Bytes(), g.h.salt, g.h.time, g.h.memory, g.h.threads, uint32(len(g.h.sum)))
	defer secret.Wipe(sum)
	if subtle.ConstantTimeCompare(sum, g.h.sum) != 1 {
		return g.fail()
	}
	g.wrong, g.until = 0, time.Time{}
	return nil
}

func (g *Guard) fail() error {
	g.wrong++
	if g.wrong < freeAttempts {
		return ErrWrong
	}
	lock := lockStart << min(g.wrong-freeAttempts, 10)
	g.until = g.now().Add(min(lock, lockMax))
	return &LockedError{For: min(lock, lockMax)}
}
