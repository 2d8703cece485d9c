package vcard

import (
	"crypto"
	"crypto/rsa"
	"errors"

	"github.com/uketsuke/uketsuke/app/apdu"
	"github.com/uketsuke/uketsuke/sim/onshi/pinless"
)

// authKeyFile is JPKI-AP's 利用者証明用 private key.
const authKeyFile = 0x0017

// institutionAuth is the card's side of PIN-less 特定機関認証 (the exchange
// package pinless defines): an Extension of JPKI-AP.
type institutionAuth struct {
	side pinless.Card
}

// EnableInstitutionAuth lets the card answer PIN-less 特定機関認証 from
// institutions whose CV certificate the institution CA ca signed (the
// eligibility stand-in's pinless.Hierarchy). A card without a
// 利用者証明用 key refuses the final signature.
func (c *Card) EnableInstitutionAuth(ca *rsa.PublicKey) {
	c.AddExtension(&institutionAuth{side: pinless.Card{InstitutionCA: ca}})
}

// Handle runs under the card's lock, like every command.
func (e *institutionAuth) Handle(s *State, cmd apdu.Command) ([]byte, bool) {
	if s.App != "JPKI-AP" {
		return nil, false
	}
	raw, err := cmd.Encode()
	if err != nil {
		return nil, false
	}
	e.side.Sign = func(digest []byte) ([]byte, error) {
		f := s.c.cur.files[authKeyFile]
		if f == nil || f.key == nil {
			return nil, errors.New("vcard: no user-authentication key")
		}
		return rsa.SignPKCS1v15(nil, f.key, crypto.SHA256, digest)
	}
	return e.side.Handle(raw)
}

// Reset forgets a half-done exchange: a card that lost power keeps no
// institution authentication.
func (e *institutionAuth) Reset() {
	e.side = pinless.Card{InstitutionCA: e.side.InstitutionCA}
}
