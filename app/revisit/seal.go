package revisit

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/uketsuke/uketsuke/app/secret"
)

// SealKeyLen is the AES-256 key size.
const SealKeyLen = 32

// ErrTampered means a sealed value does not open under its row: it was
// changed, or moved from another row or column.
var ErrTampered = errors.New("revisit: sealed value does not open (changed, or moved from another row)")

// Sealer encrypts the table's personal fields with AES-256-GCM under keys
// from the configuration (never stored in the database). Each sealed value
// names its key id, so the data key can rotate like the code key: the first
// configured key seals, every configured key opens.
//
// A sealed value is: key-id length (1 byte), key id, 12-byte nonce,
// ciphertext and tag. The associated data binds it to its row and column.
type Sealer struct {
	ids  []string
	keys []*secret.Buffer
}

// NewSealer takes the configured data keys (current first), moves them into
// locked memory and wipes the given bytes.
func NewSealer(material []KeyMaterial) (*Sealer, error) {
	defer wipeMaterial(material)
	if len(material) == 0 {
		return nil, ErrNoKeys
	}
	s := &Sealer{}
	for _, m := range material {
		if err := checkKeyID(m.ID, s.ids); err != nil {
			s.Destroy()
			return nil, err
		}
		if len(m.Secret) != SealKeyLen {
			s.Destroy()
			return nil, fmt.Errorf("%w: data key %q has %d bytes, want %d", ErrWeakKey, m.ID, len(m.Secret), SealKeyLen)
		}
		buf, err := secret.Take(m.Secret)
		if err != nil {
			s.Destroy()
			return nil, err
		}
		s.ids = append(s.ids, m.ID)
		s.keys = append(s.keys, buf)
	}
	return s, nil
}

// Destroy wipes every key.
func (s *Sealer) Destroy() {
	for _, k := range s.keys {
		k.Destroy()
	}
}

// Seal encrypts plain under the current key, bound to ad, and wipes plain.
func (s *Sealer) Seal(plain, ad []byte) ([]byte, error) {
	defer secret.Wipe(plain)
	aead, err := s.aead(0)
	if err != nil {
		return nil, err
	}
	id := s.ids[0]
	out := make([]byte, 0, 1+len(id)+aead.NonceSize()+len(plain)+aead.Overhead())
	out = append(out, byte(len(id)))
	out = append(out, id...)
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	out = append(out, nonce...)
	return aead.Seal(out, nonce, plain, ad), nil
}

// Open decrypts a sealed value bound to ad. The caller wipes the result
// once it has been decoded.
func (s *Sealer) Open(sealed, ad []byte) ([]byte, error) {
	if len(sealed) < 1 || len(sealed) < 1+int(sealed[0]) {
		return nil, ErrTampered
	}
	id := string(sealed[1 : 1+sealed[0]])
	rest := sealed[1+sealed[0]:]
	for i, have := range s.ids {
		if have != id {
			continue
		}
		aead, err := s.aead(i)
		if err != nil {
			return nil, err
		}
		if len(rest) < aead.NonceSize()+aead.Overhead() {
			return nil, ErrTampered
		}
		plain, err := aead.Open(nil, rest[:aead.NonceSize()], rest[aead.NonceSize():], ad)
		if err != nil {
			return nil, ErrTampered
		}
		return plain, nil
	}
	return nil, fmt.Errorf("%w: data key %q", ErrUnknownKey, id)
}

func (s *Sealer) aead(i int) (cipher.AEAD, error) {
	block, err := aes.NewCipher(s.keys[i].Bytes())
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}
