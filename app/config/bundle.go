package config

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
)

// A bundle is a JSON envelope around a configuration document and its
// Ed25519 signature. The signature covers a domain prefix and the exact
// document bytes, so a document signed for anything else never verifies.
//
//	{"format": "uketsuke-config/1", "key_id": "<hex>", "config": "<base64>", "signature": "<base64>"}
type bundle struct {
	Format    string `json:"format"`
	KeyID     string `json:"key_id"`
	Config    []byte `json:"config"`
	Signature []byte `json:"signature"`
}

// BundleFormat names the envelope version.
const BundleFormat = "uketsuke-config/1"

var signingDomain = []byte("uketsuke configuration bundle v1\x00")

// Bundle errors.
var (
	ErrUnsigned     = errors.New("config: bundle is not signed")
	ErrBadSignature = errors.New("config: bundle signature does not verify")
	ErrUnknownKey   = errors.New("config: bundle signed by an unknown key")
	ErrRollback     = errors.New("config: bundle is not newer than the running configuration")
	ErrNoKeys       = errors.New("config: no bundle verification keys")
)

// KeyID is the first 8 bytes of SHA-256 of the public key, in hex.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// SignBundle wraps a configuration document in a signed bundle (for the
// facility's update tooling and tests). The document must be valid.
func SignBundle(doc []byte, priv ed25519.PrivateKey) ([]byte, error) {
	if _, err := Parse(doc); err != nil {
		return nil, err
	}
	pub := priv.Public().(ed25519.PublicKey)
	sig := ed25519.Sign(priv, append(append([]byte{}, signingDomain...), doc...))
	return json.MarshalIndent(bundle{Format: BundleFormat, KeyID: KeyID(pub), Config: doc, Signature: sig}, "", "  ")
}

// OpenBundle verifies a bundle against the trusted keys and returns its
// configuration, parsed and validated. Nothing is parsed before the
// signature verified.
func OpenBundle(data []byte, keys []ed25519.PublicKey) (*Config, error) {
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
		return nil, fmt.Errorf("%w: bundle format %q", ErrMalformed, b.Format)
	}
	if len(b.Signature) == 0 {
		return nil, ErrUnsigned
	}
	key := findKey(keys, b.KeyID)
	if key == nil {
		return nil, fmt.Errorf("%w: %q", ErrUnknownKey, b.KeyID)
	}
	if !ed25519.Verify(key, append(append([]byte{}, signingDomain...), b.Config...), b.Signature) {
		return nil, ErrBadSignature
	}
	c, err := Parse(b.Config)
	if err != nil {
		return nil, err
	}
	if c.Parts != nil {
		return nil, fmt.Errorf("%w: a bundle may not choose the kiosk's parts or update keys", ErrMalformed)
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
	mu   sync.Mutex // serialises Apply
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
	s := &Store{keys: keys}
	s.cur.Store(initial)
	return s, nil
}

// Current is the running configuration; callers must not modify it.
func (s *Store) Current() *Config { return s.cur.Load() }

// Apply verifies and installs a bundle.
func (s *Store) Apply(data []byte) (*Config, error) {
	c, err := OpenBundle(data, s.keys)
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
