package revisit

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"

	"github.com/uketsuke/uketsuke/app/secret"
)

// MinCodeKeyLen is the shortest facility key accepted for converted codes:
// an HMAC-SHA256 key shorter than the hash's output weakens it.
const MinCodeKeyLen = 32

// KeyMaterial is one configured key: its id (kept in the table beside what
// the key made) and its secret bytes, which the constructors take and wipe.
type KeyMaterial struct {
	ID     string
	Secret []byte
}

// Code is a converted code: HMAC-SHA256 under the facility key KeyID of the
// certificate's issuer and serial. It identifies a card inside one facility
// and means nothing outside it. It prints as a placeholder so that it never
// reaches a log by accident.
type Code struct {
	KeyID string
	Sum   [sha256.Size]byte
}

// String hides the code.
func (Code) String() string { return "revisit.Code(hidden)" }

// Format hides the code under every verb (%x, %+v and the rest).
func (c Code) Format(f fmt.State, _ rune) { fmt.Fprint(f, c.String()) }

// LogValue hides the code from log/slog.
func (c Code) LogValue() slog.Value { return slog.StringValue(c.String()) }

// IsZero reports whether the code was never made.
func (c Code) IsZero() bool { return c.KeyID == "" && c.Sum == [sha256.Size]byte{} }

// CardID is what a PIN-less read yields about the user certificate: the
// issuer's distinguished name (DER, public) and the certificate serial
// (発行番号), which must be guarded like the 個人番号 and so lives only in
// locked memory. The caller owns Serial and destroys it.
type CardID struct {
	IssuerDN []byte
	Serial   *secret.Buffer
}

// Errors about keys and card ids.
var (
	ErrNoKeys      = errors.New("revisit: no key configured")
	ErrWeakKey     = errors.New("revisit: key too short")
	ErrKeyID       = errors.New("revisit: key id must be 1 to 32 characters of [A-Za-z0-9._-], and unique")
	ErrUnknownKey  = errors.New("revisit: no configured key has this id")
	ErrEmptyCardID = errors.New("revisit: card id without issuer or serial")
)

// CodeKeys are the facility's HMAC keys, the current one first. Older keys
// stay configured while codes made with them remain in the table: a lookup
// tries every key, and a card found under an old key is moved to the
// current one (Book.Find).
type CodeKeys struct {
	ids  []string
	keys []*secret.Buffer
}

// NewCodeKeys takes the configured keys (current first), moves each secret
// into locked memory and wipes the given bytes.
func NewCodeKeys(material []KeyMaterial) (*CodeKeys, error) {
	defer wipeMaterial(material)
	if len(material) == 0 {
		return nil, ErrNoKeys
	}
	ck := &CodeKeys{}
	for _, m := range material {
		if err := checkKeyID(m.ID, ck.ids); err != nil {
			ck.Destroy()
			return nil, err
		}
		if len(m.Secret) < MinCodeKeyLen {
			ck.Destroy()
			return nil, fmt.Errorf("%w: code key %q has %d bytes, want at least %d", ErrWeakKey, m.ID, len(m.Secret), MinCodeKeyLen)
		}
		buf, err := secret.Take(m.Secret)
		if err != nil {
			ck.Destroy()
			return nil, err
		}
		ck.ids = append(ck.ids, m.ID)
		ck.keys = append(ck.keys, buf)
	}
	return ck, nil
}

// Current is the id of the key new codes are made with.
func (ck *CodeKeys) Current() string { return ck.ids[0] }

// Destroy wipes every key.
func (ck *CodeKeys) Destroy() {
	for _, k := range ck.keys {
		k.Destroy()
	}
}

// Convert makes the card's code under the current key.
func (ck *CodeKeys) Convert(card CardID) (Code, error) {
	return ck.convertWith(0, card)
}

// All makes the card's code under every configured key, the current first.
func (ck *CodeKeys) All(card CardID) ([]Code, error) {
	out := make([]Code, 0, len(ck.keys))
	for i := range ck.keys {
		c, err := ck.convertWith(i, card)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

func (ck *CodeKeys) convertWith(i int, card CardID) (Code, error) {
	serial := card.Serial.Bytes()
	if len(card.IssuerDN) == 0 || len(serial) == 0 {
		return Code{}, ErrEmptyCardID
	}
	mac := hmac.New(sha256.New, ck.keys[i].Bytes())
	// The issuer's length first, so that no issuer/serial split of the same
	// bytes gives the same code.
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(card.IssuerDN)))
	mac.Write(n[:])
	mac.Write(card.IssuerDN)
	mac.Write(serial)
	c := Code{KeyID: ck.ids[i]}
	mac.Sum(c.Sum[:0])
	// The inner hash keeps the serial's last partial block in its buffer;
	// 64 more bytes overwrite that buffer whatever its fill was.
	mac.Write(make([]byte, sha256.BlockSize))
	return c, nil
}

func checkKeyID(id string, taken []string) error {
	if id == "" || len(id) > 32 {
		return fmt.Errorf("%w: %q", ErrKeyID, id)
	}
	for _, r := range id {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-'
		if !ok {
			return fmt.Errorf("%w: %q", ErrKeyID, id)
		}
	}
	for _, t := range taken {
		if t == id {
			return fmt.Errorf("%w: %q twice", ErrKeyID, id)
		}
	}
	return nil
}

func wipeMaterial(material []KeyMaterial) {
	for _, m := range material {
		secret.Wipe(m.Secret)
	}
}
