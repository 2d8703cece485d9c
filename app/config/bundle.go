package config

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// A bundle is a JSON envelope around a configuration document and its
// Ed25519 signature. The signature covers a domain prefix, the bundle's
// expiry and audience, and the exact document bytes, so a document signed
// for anything else, for another facility or kiosk, or with another expiry
// never verifies.
//
//	{"format": "uketsuke-config/2", "key_id": "<hex>", "not_after": "<RFC 3339>",
//	 "facility": "<医療機関コード>", "kiosk": "<kiosk id or empty>",
//	 "config": "<base64>", "signature": "<base64>"}
type bundle struct {
	Format    string    `json:"format"`
	KeyID     string    `json:"key_id"`
	NotAfter  time.Time `json:"not_after"`
	Facility  string    `json:"facility"`
	Kiosk     string    `json:"kiosk,omitempty"`
	Config    []byte    `json:"config"`
	Signature []byte    `json:"signature"`
}

// BundleFormat names the envelope version. Version 1 had neither expiry
// nor audience and is refused.
const BundleFormat = "uketsuke-config/2"

var signingDomain = []byte("uketsuke configuration bundle v2\x00")

// Bundle errors.
var (
	ErrUnsigned      = errors.New("config: bundle is not signed")
	ErrBadSignature  = errors.New("config: bundle signature does not verify")
	ErrUnknownKey    = errors.New("config: bundle signed by an unknown key")
	ErrRollback      = errors.New("config: bundle is not newer than the running configuration")
	ErrNoKeys        = errors.New("config: no bundle verification keys")
	ErrBundleExpired = errors.New("config: bundle has expired")
	ErrWrongAudience = errors.New("config: bundle is for another facility or kiosk")
)

// Claims are what a bundle is signed for besides its document: until when
// it may be applied, and by whom.
type Claims struct {
	NotAfter time.Time // required; kept to the second
	Facility string    // required: the 10-digit 医療機関コード
	Kiosk    string    // optional: one kiosk's parts.kiosk_id; empty = every kiosk of the facility
}

// Audience is the kiosk that opens a bundle, and when.
type Audience struct {
	Facility string    // the local configuration's facility.code
	Kiosk    string    // the local configuration's parts.kiosk_id
	Now      time.Time // zero: the expiry is not checked (the bundle was applied before, in time)
}

// AudienceOf is the audience a kiosk with configuration c is at now.
func AudienceOf(c *Config, now time.Time) Audience {
	a := Audience{Facility: c.Facility.Code, Now: now}
	if c.Parts != nil {
		a.Kiosk = c.Parts.KioskID
	}
	return a
}

// KeyID is the first 8 bytes of SHA-256 of the public key, in hex.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

func (cl Claims) check() error {
	if cl.NotAfter.IsZero() {
		return fmt.Errorf("%w: a bundle needs an expiry", ErrInvalid)
	}
	if !facilityCode.MatchString(cl.Facility) {
		return fmt.Errorf("%w: bundle facility %q: must be 10 digits", ErrInvalid, cl.Facility)
	}
	if cl.Kiosk != "" && !kioskID.MatchString(cl.Kiosk) {
		return fmt.Errorf("%w: bundle kiosk %q", ErrInvalid, cl.Kiosk)
	}
	return nil
}

// signedBytes is the message a signature covers. Every variable part is
// length-prefixed, so no two claim sets share a message.
func signedBytes(cl Claims, doc []byte) []byte {
	m := append([]byte{}, signingDomain...)
	m = binary.BigEndian.AppendUint64(m, uint64(cl.NotAfter.Unix()))
	for _, f := range []string{cl.Facility, cl.Kiosk} {
		m = binary.BigEndian.AppendUint32(m, uint32(len(f)))
		m = append(m, f...)
	}
	return append(m, doc...)
}

// SignBundle wraps a configuration document in a signed bundle (for the
// facility's update tooling and tests). The document must be valid, and
// for the facility the bundle is addressed to.
func SignBundle(doc []byte, cl Claims, priv ed25519.PrivateKey) ([]byte, error) {
	c, err := Parse(doc)
	if err != nil {
		return nil, err
	}
	if err := cl.check(); err != nil {
		return nil, err
	}
	if c.Facility.Code != cl.Facility {
		return nil, fmt.Errorf("%w: the document is for facility %s, the bundle for %s", ErrInvalid, c.Facility.Code, cl.Facility)
	}
	cl.NotAfter = time.Unix(cl.NotAfter.Unix(), 0).UTC()
	pub := priv.Public().(ed25519.PublicKey)
	sig := ed25519.Sign(priv, signedBytes(cl, doc))
	return json.MarshalIndent(bundle{Format: BundleFormat, KeyID: KeyID(pub), NotAfter: cl.NotAfter,
		Facility: cl.Facility, Kiosk: cl.Kiosk, Config: doc, Signature: sig}, "", "  ")
}

// OpenBundle verifies a bundle against the trusted keys, its expiry and its
// audience, and returns its configuration, parsed and validated. Nothing is
// parsed before the signature verified.
func OpenBundle(data []byte, keys []ed25519.PublicKey, aud Audience) (*Config, error) {
	if len(keys) == 0 {
		return nil, ErrNoKeys
	}
	if len(data) > 2*MaxSize {
		return nil, fmt.Errorf("%w: bundle of %d bytes", ErrMalformed, len(data))
	}
	var b bundle
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		return nil, fmt.Errorf("%w: bundle: %v", ErrMalformed, err)
	}
	if b.Format != BundleFormat {
		return nil, fmt.Errorf("%w: bundle format %q (sign it again with this version)", ErrMalformed, b.Format)
	}
	if len(b.Signature) == 0 {
		return nil, ErrUnsigned
	}
	key := findKey(keys, b.KeyID)
	if key == nil {
		return nil, fmt.Errorf("%w: %q", ErrUnknownKey, b.KeyID)
	}
	// Only whole seconds are signed; a fraction added later counts for nothing.
	cl := Claims{NotAfter: time.Unix(b.NotAfter.Unix(), 0), Facility: b.Facility, Kiosk: b.Kiosk}
	if !ed25519.Verify(key, signedBytes(cl, b.Config), b.Signature) {
		return nil, ErrBadSignature
	}
	if !aud.Now.IsZero() && aud.Now.After(cl.NotAfter) {
		return nil, fmt.Errorf("%w: not after %s", ErrBundleExpired, cl.NotAfter.UTC().Format(time.RFC3339))
	}
	if cl.Facility != aud.Facility || (cl.Kiosk != "" && cl.Kiosk != aud.Kiosk) {
		return nil, fmt.Errorf("%w: for facility %q kiosk %q, this is facility %q kiosk %q", ErrWrongAudience, cl.Facility, cl.Kiosk, aud.Facility, aud.Kiosk)
	}
	c, err := Parse(b.Config)
	if err != nil {
		return nil, err
	}
	if c.Parts != nil {
		return nil, fmt.Errorf("%w: a bundle may not choose the kiosk's parts or update keys", ErrMalformed)
	}
	// The document names the facility too; it may not contradict the claims.
	if c.Facility.Code != cl.Facility {
		return nil, fmt.Errorf("%w: document for facility %q in a bundle for %q", ErrWrongAudience, c.Facility.Code, cl.Facility)
	}
	return c, nil
}

func findKey(keys []ed25519.PublicKey, id string) ed25519.PublicKey {
	for _, k := range keys {
		if len(k) == ed25519.PublicKeySize && KeyID(k) == id {
			return k
		}
	}
	return nil
}

// Store is the running configuration. Apply swaps it only for a verified,
// valid, newer bundle; on any error the running configuration stays.
type Store struct {
	keys []ed25519.PublicKey
	aud  Audience         // the kiosk's facility and id; Now is set at each Apply
	now  func() time.Time // time.Now; tests may set another clock
	mu   sync.Mutex       // serialises Apply
	cur  atomic.Pointer[Config]
}

// NewStore starts from an initial (already trusted) configuration.
func NewStore(initial *Config, keys ...ed25519.PublicKey) (*Store, error) {
	if len(keys) == 0 {
		return nil, ErrNoKeys
	}
	if err := initial.Validate(); err != nil {
		return nil, err
	}
	s := &Store{keys: keys, aud: AudienceOf(initial, time.Time{}), now: time.Now}
	s.cur.Store(initial)
	return s, nil
}

// Current is the running configuration; callers must not modify it.
func (s *Store) Current() *Config { return s.cur.Load() }

// Apply verifies and installs a bundle.
func (s *Store) Apply(data []byte) (*Config, error) {
	aud := s.aud
	aud.Now = s.now()
	c, err := OpenBundle(data, s.keys, aud)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if cur := s.cur.Load(); c.Serial <= cur.Serial {
		return nil, fmt.Errorf("%w: serial %d, running %d", ErrRollback, c.Serial, cur.Serial)
	}
	s.cur.Store(c)
	return c, nil
}

// ApplyFile reads a bundle from disk and applies it.
func (s *Store) ApplyFile(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return s.Apply(data)
}
