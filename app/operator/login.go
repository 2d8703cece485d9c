package operator

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/uketsuke/uketsuke/app/audit"
	"github.com/uketsuke/uketsuke/app/secret"
)

// Scheme is the kind of card, which chooses the roots its certificate must
// chain to.
type Scheme uint8

// The kinds of operator card.
const (
	SchemeJPKI Scheme = iota // a My Number Card's user-authentication certificate
	SchemeHPKI               // an HPKI card through a PKCS#11 module
)

func (s Scheme) String() string {
	if s == SchemeHPKI {
		return "hpki"
	}
	return "jpki"
}

// Credential is an operator's card. Both methods run while the card stays
// on the reader.
type Credential interface {
	Scheme() Scheme
	// Certificate is the card's authentication certificate; it needs no PIN.
	Certificate(ctx context.Context) (*x509.Certificate, error)
	// Sign presents the PIN once (the card counts wrong PINs; a wrong one is
	// a *WrongPINError, a blocked one ErrPINBlocked) and signs digest with
	// the certificate's key: RSA PKCS#1 v1.5 over the SHA-256 DigestInfo.
	Sign(ctx context.Context, pin *secret.Buffer, digest [32]byte) ([]byte, error)
}

// Errors of a login or a privileged use.
var (
	ErrWrongPIN      = errors.New("operator: wrong PIN")
	ErrPINBlocked    = errors.New("operator: the card's PIN is blocked")
	ErrNotRegistered = errors.New("operator: the card is not a registered operator's")
	ErrUntrusted     = errors.New("operator: the card's certificate does not chain to a configured root")
	ErrBadSignature  = errors.New("operator: the card's signature does not verify")
	ErrNoSession     = errors.New("operator: no operator is logged in")
	ErrExpired       = errors.New("operator: the operator session has expired")
	ErrNotAllowed    = errors.New("operator: the operator's role does not allow this")
)

// WrongPINError is a wrong PIN with the tries the card has left (-1: the
// card does not say).
type WrongPINError struct{ Left int }

func (e *WrongPINError) Error() string {
	if e.Left < 0 {
		return "operator: wrong PIN"
	}
	return fmt.Sprintf("operator: wrong PIN, %d tries left", e.Left)
}

// Unwrap lets errors.Is(err, ErrWrongPIN) hold.
func (e *WrongPINError) Unwrap() error { return ErrWrongPIN }

// Recorder keeps the access records (*audit.Logger).
type Recorder interface {
	Access(attrs ...audit.Attr) error
}

// DefaultTimeout is how long an operator session lasts without a timeout configured.
const DefaultTimeout = 5 * time.Minute

// Config builds an Authenticator.
type Config struct {
	Operators []Operator
	Roots     map[Scheme]*x509.CertPool // a scheme without roots logs no one in
	Timeout   time.Duration             // 0: DefaultTimeout
	Log       Recorder                  // nil: no access records (tests of other parts only)
	Now       func() time.Time          // nil: time.Now
	Rand      io.Reader                 // nil: crypto/rand
}

// Session is a logged-in operator.
type Session struct {
	OperatorID string
	Name       string
	Role       Role
	Expires    time.Time
}

// Authenticator logs operators in and checks their privileged uses. The
// kiosk has one reader, so one operator session at most is open.
type Authenticator struct {
	cfg       Config
	byFP      map[Fingerprint]Operator
	byConsole map[Fingerprint]Operator

	refusedMu sync.Mutex
	refused   map[refusal]time.Time // console refusals recorded lately

	mu      sync.Mutex
	current *Session
}

// New checks the registered list (ids and fingerprints unique).
func New(cfg Config) (*Authenticator, error) {
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	a := &Authenticator{cfg: cfg, byFP: map[Fingerprint]Operator{}, byConsole: map[Fingerprint]Operator{},
		refused: map[refusal]time.Time{}}
	ids := map[string]bool{}
	for _, o := range cfg.Operators {
		if err := CheckID(o.ID); err != nil {
			return nil, err
		}
		if o.Role == RoleNone || ids[o.ID] {
			return nil, fmt.Errorf("operator: %s: no role, or registered twice", o.ID)
		}
		if _, dup := a.byFP[o.Fingerprint]; dup {
			return nil, fmt.Errorf("operator: %s: the same certificate is registered twice", o.ID)
		}
		if err := a.addConsole(o); err != nil {
			return nil, err
		}
		ids[o.ID] = true
		a.byFP[o.Fingerprint] = o
	}
	return a, nil
}

// challengeDomain separates the login challenge from anything else a card signs.
var challengeDomain = []byte("uketsuke operator login v1\x00")

// Login authenticates the operator whose card cred is: certificate, chain
// and registration first (a card that is not registered spends no PIN
// try), then the PIN and the signature over a fresh challenge. A new login
// ends the session before it, whatever its result.
func (a *Authenticator) Login(ctx context.Context, cred Credential, pin *secret.Buffer) (Session, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.current = nil
	op, err := a.login(ctx, cred, pin)
	if err != nil {
		id, role := termUnregistered, RoleNone
		if op.ID != "" {
			id, role = op.ID, op.Role
		}
		a.record(id, role, FuncLogin, err)
		return Session{}, err
	}
	s := &Session{OperatorID: op.ID, Name: op.Name, Role: op.Role, Expires: a.cfg.Now().Add(a.cfg.Timeout)}
	a.current = s
	a.record(op.ID, op.Role, FuncLogin, nil)
	return *s, nil
}

// login returns the operator as soon as the card is known to be theirs.
func (a *Authenticator) login(ctx context.Context, cred Credential, pin *secret.Buffer) (Operator, error) {
	cert, err := cred.Certificate(ctx)
	if err != nil {
		return Operator{}, fmt.Errorf("operator: reading the card's certificate: %w", err)
	}
	roots := a.cfg.Roots[cred.Scheme()]
	if roots == nil {
		return Operator{}, fmt.Errorf("%w: no %s roots configured", ErrUntrusted, cred.Scheme())
	}
	if _, err := cert.Verify(x509.VerifyOptions{Roots: roots, CurrentTime: a.cfg.Now(),
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		return Operator{}, fmt.Errorf("%w: %v", ErrUntrusted, err)
	}
	op, ok := a.byFP[FingerprintOf(cert.Raw)]
	if !ok {
		return Operator{}, ErrNotRegistered
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return op, fmt.Errorf("%w: not an RSA key", ErrBadSignature)
	}
	var nonce [32]byte
	if _, err := io.ReadFull(a.cfg.Rand, nonce[:]); err != nil {
		return op, fmt.Errorf("operator: challenge: %w", err)
	}
	digest := sha256.Sum256(append(append([]byte{}, challengeDomain...), nonce[:]...))
	sig, err := cred.Sign(ctx, pin, digest)
	if err != nil {
		return op, err
	}
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig); err != nil {
		return op, ErrBadSignature
	}
	return op, nil
}

// Use checks that the logged-in operator may use f now, and records the
// use whatever the answer. An expired session ends here.
func (a *Authenticator) Use(f Function) (Session, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	s := a.current
	var err error
	switch {
	case s == nil:
		a.record(termNone, RoleNone, f, ErrNoSession)
		return Session{}, ErrNoSession
	case !a.cfg.Now().Before(s.Expires):
		a.current, err = nil, ErrExpired
		a.recordTerm(s.OperatorID, s.Role, termEnd, termTimeout)
	case !s.Role.Allowed(f):
		err = ErrNotAllowed
	}
	a.record(s.OperatorID, s.Role, f, err)
	if err != nil {
		return Session{}, err
	}
	return *s, nil
}

// Current is the open session, if one is open and has not expired.
func (a *Authenticator) Current() (Session, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	s := a.current
	if s == nil {
		return Session{}, false
	}
	if !a.cfg.Now().Before(s.Expires) {
		a.current = nil
		a.recordTerm(s.OperatorID, s.Role, termEnd, termTimeout)
		return Session{}, false
	}
	return *s, true
}

// Logout ends the session at the operator's request.
func (a *Authenticator) Logout() { a.end(termLogout) }

// CardRemoved ends the session: the operator's card left the reader.
func (a *Authenticator) CardRemoved() { a.end(termCardRemoved) }

func (a *Authenticator) end(why audit.Term) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if s := a.current; s != nil {
		a.current = nil
		a.recordTerm(s.OperatorID, s.Role, termEnd, why)
	}
}
