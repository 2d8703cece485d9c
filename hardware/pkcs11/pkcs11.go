// Package pkcs11 reads HPKI cards (and any token holding an RSA key and its
// certificate) through a vendor's PKCS#11 module, as app/operator's
// Credential: the token's certificate, C_Login with the user's PIN, and a
// signature with the token's private key.
//
// The signature mechanism is CKM_RSA_PKCS over a SHA-256 DigestInfo that
// the kiosk builds, the same PKCS#1 v1.5 signature a My Number Card makes
// with its user-authentication key, so the operator package verifies both
// the same way. The module pads; the kiosk never hands the token anything
// but a DigestInfo.
//
// Tested against SoftHSM2 (hardware/pkcs11/softhsm_test.go).
package pkcs11

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"sync"

	p11 "github.com/miekg/pkcs11"

	"github.com/uketsuke/uketsuke/app/mynacard"
	"github.com/uketsuke/uketsuke/app/operator"
	"github.com/uketsuke/uketsuke/app/secret"
)

// Errors of the module.
var (
	ErrModule = errors.New("pkcs11: the module cannot be used")
	ErrNoCard = errors.New("pkcs11: no initialised token (card) in any slot")
	ErrNoKey  = errors.New("pkcs11: the token holds no usable certificate and key")
)

// Module is a loaded PKCS#11 module. Its methods may run from any goroutine;
// calls into the module are serialised.
type Module struct {
	mu    sync.Mutex
	ctx   *p11.Ctx
	login *loginFn
}

// Open loads and initialises the module at path (an absolute path from the
// configuration).
func Open(path string) (*Module, error) {
	ctx := p11.New(path)
	if ctx == nil {
		return nil, fmt.Errorf("%w: %s does not load", ErrModule, path)
	}
	if err := ctx.Initialize(); err != nil && !errors.Is(err, p11.Error(p11.CKR_CRYPTOKI_ALREADY_INITIALIZED)) {
		ctx.Destroy()
		return nil, fmt.Errorf("%w: C_Initialize: %v", ErrModule, err)
	}
	l, err := openLogin(path)
	if err != nil {
		ctx.Finalize()
		ctx.Destroy()
		return nil, fmt.Errorf("%w: %v", ErrModule, err)
	}
	return &Module{ctx: ctx, login: l}, nil
}

// Close finalises and unloads the module.
func (m *Module) Close() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.ctx == nil {
		return
	}
	m.ctx.Finalize()
	m.ctx.Destroy()
	m.login.close()
	m.ctx = nil
}

// Card is the token in the first slot that holds an initialised one.
func (m *Module) Card() (*Card, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	slots, err := m.ctx.GetSlotList(true)
	if err != nil {
		return nil, fmt.Errorf("%w: C_GetSlotList: %v", ErrModule, err)
	}
	for _, s := range slots {
		ti, err := m.ctx.GetTokenInfo(s)
		if err == nil && ti.Flags&p11.CKF_TOKEN_INITIALIZED != 0 {
			return &Card{m: m, slot: s}, nil
		}
	}
	return nil, ErrNoCard
}

// Card is one token as an operator credential.
type Card struct {
	m    *Module
	slot uint

	cert *x509.Certificate
	id   []byte // CKA_ID shared by the certificate and its key
}

var _ operator.Credential = (*Card)(nil)

// Scheme is HPKI: the certificate chains to the configured HPKI CA.
func (c *Card) Scheme() operator.Scheme { return operator.SchemeHPKI }

// Certificate reads the token's authentication certificate without a PIN.
// A token with several chooses the first without the non-repudiation
// (content commitment) use: HPKI cards carry a signing certificate with it
// and an authentication certificate without.
func (c *Card) Certificate(ctx context.Context) (*x509.Certificate, error) {
	if c.cert != nil {
		return c.cert, nil
	}
	err := c.inSession(func(sh p11.SessionHandle) error {
		objs, err := c.find(sh, p11.CKO_CERTIFICATE, nil)
		if err != nil {
			return err
		}
		c.cert, c.id = c.authCertificate(sh, objs)
		return nil
	})
	if err == nil && c.cert == nil {
		err = ErrNoKey
	}
	return c.cert, err
}

// authCertificate is the first certificate without the non-repudiation
// use, or else the first certificate, with its CKA_ID.
func (c *Card) authCertificate(sh p11.SessionHandle, objs []p11.ObjectHandle) (*x509.Certificate, []byte) {
	var first *x509.Certificate
	var firstID []byte
	for _, o := range objs {
		attrs, err := c.m.ctx.GetAttributeValue(sh, o, []*p11.Attribute{
			p11.NewAttribute(p11.CKA_VALUE, nil), p11.NewAttribute(p11.CKA_ID, nil)})
		if err != nil || len(attrs) != 2 {
			continue
		}
		cert, err := x509.ParseCertificate(attrs[0].Value)
		if err != nil {
			continue
		}
		if cert.KeyUsage&x509.KeyUsageContentCommitment == 0 {
			return cert, attrs[1].Value
		}
		if first == nil {
			first, firstID = cert, attrs[1].Value
		}
	}
	return first, firstID
}

// PINLength is the shortest and longest PIN the token accepts
// (CK_TOKEN_INFO's ulMinPinLen and ulMaxPinLen), for the kiosk's PIN pad.
func (c *Card) PINLength() (lo, hi int, err error) {
	c.m.mu.Lock()
	defer c.m.mu.Unlock()
	ti, err := c.m.ctx.GetTokenInfo(c.slot)
	if err != nil {
		return 0, 0, fmt.Errorf("%w: C_GetTokenInfo: %v", ErrModule, err)
	}
	return int(ti.MinPinLen), int(ti.MaxPinLen), nil
}

// inSession runs f in a read-only session on the card's slot, holding the
// module for itself.
func (c *Card) inSession(f func(sh p11.SessionHandle) error) error {
	c.m.mu.Lock()
	defer c.m.mu.Unlock()
	sh, err := c.m.ctx.OpenSession(c.slot, p11.CKF_SERIAL_SESSION)
	if err != nil {
		return fmt.Errorf("%w: C_OpenSession: %v", ErrModule, err)
	}
	defer c.m.ctx.CloseSession(sh)
	return f(sh)
}

// find lists the objects of a class, with the given CKA_ID when id is not nil.
func (c *Card) find(sh p11.SessionHandle, class uint, id []byte) ([]p11.ObjectHandle, error) {
	tmpl := []*p11.Attribute{p11.NewAttribute(p11.CKA_CLASS, class)}
	if id != nil {
		tmpl = append(tmpl, p11.NewAttribute(p11.CKA_ID, id))
	}
	if err := c.m.ctx.FindObjectsInit(sh, tmpl); err != nil {
		return nil, fmt.Errorf("%w: C_FindObjectsInit: %v", ErrModule, err)
	}
	defer c.m.ctx.FindObjectsFinal(sh)
	objs, _, err := c.m.ctx.FindObjects(sh, 16)
	if err != nil {
		return nil, fmt.Errorf("%w: C_FindObjects: %v", ErrModule, err)
	}
	return objs, nil
}

// Sign logs in with the PIN once (C_Login; the token counts wrong PINs)
// and signs the SHA-256 DigestInfo of digest with the key whose CKA_ID is
// the certificate's (CKM_RSA_PKCS).
func (c *Card) Sign(ctx context.Context, pin *secret.Buffer, digest [32]byte) ([]byte, error) {
	if _, err := c.Certificate(ctx); err != nil {
		return nil, err
	}
	var sig []byte
	err := c.inSession(func(sh p11.SessionHandle) error {
		if err := c.m.login.login(sh, pin.Bytes()); err != nil {
			if !errors.Is(err, p11.Error(p11.CKR_USER_ALREADY_LOGGED_IN)) {
				return c.loginError(err)
			}
		}
		defer c.m.ctx.Logout(sh)
		keys, err := c.find(sh, p11.CKO_PRIVATE_KEY, c.id)
		if err != nil {
			return err
		}
		if len(keys) != 1 {
			return fmt.Errorf("%w: %d private keys with the certificate's id", ErrNoKey, len(keys))
		}
		if err := c.m.ctx.SignInit(sh, []*p11.Mechanism{p11.NewMechanism(p11.CKM_RSA_PKCS, nil)}, keys[0]); err != nil {
			return fmt.Errorf("%w: C_SignInit: %v", ErrModule, err)
		}
		if sig, err = c.m.ctx.Sign(sh, mynacard.SHA256DigestInfo(digest)); err != nil {
			return fmt.Errorf("%w: C_Sign: %v", ErrModule, err)
		}
		return nil
	})
	return sig, err
}

// loginError says what a failed C_Login means for the operator, with the
// tries left as far as the token's flags tell (1 on the final try).
func (c *Card) loginError(err error) error {
	switch {
	case errors.Is(err, p11.Error(p11.CKR_PIN_LOCKED)):
		return operator.ErrPINBlocked
	case errors.Is(err, p11.Error(p11.CKR_PIN_INCORRECT)), errors.Is(err, p11.Error(p11.CKR_PIN_LEN_RANGE)):
		left := -1
		if ti, e := c.m.ctx.GetTokenInfo(c.slot); e == nil {
			switch {
			case ti.Flags&p11.CKF_USER_PIN_LOCKED != 0:
				return operator.ErrPINBlocked
			case ti.Flags&p11.CKF_USER_PIN_FINAL_TRY != 0:
				left = 1
			}
		}
		return &operator.WrongPINError{Left: left}
	}
	return fmt.Errorf("%w: C_Login: %v", ErrModule, err)
}
