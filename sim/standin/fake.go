// Package standin provides stand-ins for every port of app/session, for unit
// tests and for `uketsuke simulate` until the real components are wired.
// The stand-in card keeps its PIN, 照合番号B and photo masked (XOR), the way
// a real card keeps them outside the process: a memory scan of the kiosk
// must find them only where the kiosk itself put them.
package standin

import (
	"context"
	"crypto/sha256"
	"errors"
	"sync"
	"time"

	"github.com/uketsuke/uketsuke/app/secret"
	"github.com/uketsuke/uketsuke/app/session"
)

const mask = 0xA5

// Masked returns b XOR the mask, and wipes b.
func Masked(b []byte) []byte {
	out := make([]byte, len(b))
	for i := range b {
		out[i] = b[i] ^ mask
	}
	secret.Wipe(b)
	return out
}

func unmask(dst, src []byte) {
	for i := range src {
		dst[i] = src[i] ^ mask
	}
}

// CardSpec describes a stand-in card. PIN, KeyB and Photo are given in
// masked form (see Masked).
type CardSpec struct {
	Kind        session.CardKind
	PIN         []byte // masked; nil: a card issued without a PIN
	PINTries    int    // tries left now (max 3)
	KeyB        []byte // masked 14 ASCII digits
	KeyBTries   int    // tries left now (max 10)
	Photo       []byte // masked JPEG 2000 stand-in: byte 0 is the person
	RecordValid bool   // the face record's signature verifies
	CertSerial  []byte // printed into the stand-in certificate
	OpDelay     time.Duration
}

// Certificate is the stand-in user-authentication certificate of a card
// whose serial is serial.
func Certificate(serial []byte) []byte {
	return append([]byte("fake-certificate serial="), serial...)
}

// Card is a stateful stand-in card with its own retry counters.
type Card struct {
	mu       sync.Mutex
	spec     CardSpec
	keyBOpen bool
	pinOK    bool
	removed  bool
	Verifies int // VERIFY commands sent with a PIN
}

// NewCard makes a card from spec.
func NewCard(spec CardSpec) *Card { return &Card{spec: spec} }

// Remove makes every further operation fail as if the card left the reader.
func (c *Card) Remove() {
	c.mu.Lock()
	c.removed = true
	c.mu.Unlock()
}

// PINTries is the card's current PIN counter.
func (c *Card) PINTries() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.spec.PINTries
}

func (c *Card) op(ctx context.Context) error {
	if c.spec.OpDelay > 0 {
		t := time.NewTimer(c.spec.OpDelay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if c.removed {
		return session.ErrCardRemoved
	}
	return nil
}

func (c *Card) Detect(ctx context.Context) (session.CardKind, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.spec.Kind, c.op(ctx)
}

func (c *Card) PINTriesLeft(ctx context.Context) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.op(ctx); err != nil {
		return 0, err
	}
	if c.spec.PIN == nil {
		return 0, session.ErrNoPIN
	}
	if c.spec.PINTries == 0 {
		return 0, session.ErrBlocked
	}
	return c.spec.PINTries, nil
}

func (c *Card) VerifyPIN(ctx context.Context, pin *secret.Buffer) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.op(ctx); err != nil {
		return err
	}
	c.Verifies++
	switch {
	case c.spec.PIN == nil:
		return session.ErrNoPIN
	case c.spec.PINTries == 0:
		return session.ErrBlocked
	case !equalMasked(pin.Bytes(), c.spec.PIN):
		c.spec.PINTries--
		return &session.WrongCredentialError{Left: c.spec.PINTries}
	}
	c.spec.PINTries = 3
	c.pinOK = true
	return nil
}

// equalMasked compares plain against masked without unmasking into memory.
func equalMasked(plain, masked []byte) bool {
	if len(plain) != len(masked) {
		return false
	}
	var d byte
	for i := range plain {
		d |= plain[i] ^ masked[i] ^ mask
	}
	return d == 0
}

func (c *Card) SignDigest(ctx context.Context, digest [32]byte) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.op(ctx); err != nil {
		return nil, err
	}
	if !c.pinOK {
		return nil, errSecurityStatus
	}
	sig := sha256.Sum256(append([]byte("fake-signature"), digest[:]...))
	return sig[:], nil
}

var errSecurityStatus = errors.New("fake card: security status not satisfied")

func (c *Card) AuthCertificate(ctx context.Context) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return Certificate(c.spec.CertSerial), c.op(ctx)
}

// KeyBTries is the 照合番号B counter as the card holds it (for tests).
func (c *Card) KeyBTries() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.spec.KeyBTries
}

func (c *Card) KeyBTriesLeft(ctx context.Context) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.op(ctx); err != nil {
		return 0, err
	}
	if c.spec.KeyBTries == 0 {
		return 0, session.ErrBlocked
	}
	return c.spec.KeyBTries, nil
}

func (c *Card) VerifyKeyB(ctx context.Context, key *secret.Buffer) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.op(ctx); err != nil {
		return err
	}
	switch {
	case c.spec.KeyBTries == 0:
		return session.ErrBlocked
	case !equalMasked(key.Bytes(), c.spec.KeyB):
		c.spec.KeyBTries--
		return &session.WrongCredentialError{Left: c.spec.KeyBTries}
	}
	c.spec.KeyBTries = 10
	c.keyBOpen = true
	return nil
}

func (c *Card) ReadPhoto(ctx context.Context) (*secret.Buffer, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.op(ctx); err != nil {
		return nil, err
	}
	if !c.keyBOpen {
		return nil, errSecurityStatus
	}
	if !c.spec.RecordValid {
		return nil, session.ErrRecordInvalid
	}
	out, err := secret.New(len(c.spec.Photo))
	if err != nil {
		return nil, err
	}
	unmask(out.Bytes(), c.spec.Photo)
	return out, nil
}

func (c *Card) Transmit(ctx context.Context, cmd []byte) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return []byte{0x90, 0x00}, c.op(ctx)
}

// SetPhoto replaces the card's photo (masked; byte 0 is the person).
func (c *Card) SetPhoto(masked []byte) {
	c.mu.Lock()
	c.spec.Photo = masked
	c.mu.Unlock()
}

// SetDelay changes how long each operation takes.
func (c *Card) SetDelay(d time.Duration) {
	c.mu.Lock()
	c.spec.OpDelay = d
	c.mu.Unlock()
}
