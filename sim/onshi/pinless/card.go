package pinless

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
)

// Card is the card's side of the exchange, for a virtual card's JPKI-AP.
// It holds the trusted institution CA key and a way to sign with the
// user-authentication key; the virtual card routes the commands it does not
// handle itself to Handle. Card is not safe for concurrent use (a card isn't).
type Card struct {
	InstitutionCA *rsa.PublicKey
	// Sign returns the PKCS#1 v1.5 signature of a SHA-256 digest with the
	// user-authentication private key.
	Sign func(digest []byte) ([]byte, error)

	pending     []byte // chained command data received so far
	pendingIns  byte
	institution *CV
	challenge   []byte
	allowed     bool // external authentication passed; one signature allowed
}

// Reset forgets the exchange, as a card does on power-off or re-selection.
func (c *Card) Reset() {
	c.pending, c.pendingIns, c.institution, c.challenge, c.allowed = nil, 0, nil, nil, false
}

// Handle answers the exchange's commands; handled is false for any other
// command, which the caller answers itself.
func (c *Card) Handle(cmd []byte) (resp []byte, handled bool) {
	if len(cmd) < 4 {
		return nil, false
	}
	cla, ins, p1, p2 := cmd[0], cmd[1], cmd[2], cmd[3]
	switch {
	case cla&^chainBit == 0x80 && ins == InsSetPublicKey && p1 == 0 && p2 == 0:
		return c.chain(cmd, c.setInstitution), true
	case cla == 0x00 && ins == InsGetChallenge && p1 == 0 && p2 == 0:
		return c.getChallenge(cmd), true
	case cla&^chainBit == 0x00 && ins == InsExternalAuth && p1 == 0 && p2 == 0:
		return c.chain(cmd, c.externalAuth), true
	case cla == 0x00 && ins == InsPinlessSign && p1 == 0 && p2 == P2PinlessSign:
		return c.sign(cmd), true
	}
	return nil, false
}

// commandData returns the data of an APDU with Lc (and optional Le), short
// (Lc one byte) or extended (00 HH LL).
func commandData(cmd []byte) ([]byte, bool) {
	if len(cmd) >= 7 && cmd[4] == 0 {
		n := int(cmd[5])<<8 | int(cmd[6])
		if n > 0 && (len(cmd) == 7+n || len(cmd) == 9+n) {
			return cmd[7 : 7+n], true
		}
		return nil, false
	}
	if len(cmd) < 6 {
		return nil, false
	}
	n := int(cmd[4])
	if n == 0 || (len(cmd) != 5+n && len(cmd) != 6+n) {
		return nil, false
	}
	return cmd[5 : 5+n], true
}

// chain collects chained command data and calls done with all of it.
func (c *Card) chain(cmd []byte, done func([]byte) []byte) []byte {
	data, ok := commandData(cmd)
	if !ok {
		c.pending = nil
		return SWWrongLength
	}
	if c.pending != nil && c.pendingIns != cmd[1] {
		c.pending = nil
	}
	if len(c.pending)+len(data) > 4096 {
		c.pending = nil
		return SWWrongLength
	}
	c.pending, c.pendingIns = append(c.pending, data...), cmd[1]
	if cmd[0]&chainBit != 0 {
		return SWOK
	}
	all := c.pending
	c.pending = nil
	return done(all)
}

func (c *Card) setInstitution(cv []byte) []byte {
	c.institution, c.challenge, c.allowed = nil, nil, false
	parsed, err := ParseCV(cv, c.InstitutionCA)
	if err != nil {
		return SWWrongData
	}
	c.institution = parsed
	return SWOK
}

func (c *Card) getChallenge(cmd []byte) []byte {
	if len(cmd) != 5 || cmd[4] != ChallengeLen {
		return SWWrongLength
	}
	if c.institution == nil {
		return SWConditions
	}
	c.challenge = make([]byte, ChallengeLen)
	rand.Read(c.challenge)
	return append(append([]byte{}, c.challenge...), SWOK...)
}

func (c *Card) externalAuth(sig []byte) []byte {
	challenge := c.challenge
	c.challenge, c.allowed = nil, false // a challenge answers one attempt
	if c.institution == nil || challenge == nil {
		return SWConditions
	}
	if rsa.VerifyPKCS1v15(c.institution.Key, crypto.SHA256, ExternalAuthDigest(challenge), sig) != nil {
		return SWAuthFailed
	}
	c.allowed = true
	return SWOK
}

func (c *Card) sign(cmd []byte) []byte {
	nonce, ok := commandData(cmd)
	if !ok || len(nonce) != NonceLen {
		return SWWrongLength
	}
	if !c.allowed || c.institution == nil {
		return SWSecurityStatus
	}
	c.allowed = false // one signature per authentication
	sig, err := c.Sign(PinlessDigest(c.institution.Subject, nonce))
	if err != nil {
		return SWConditions
	}
	return append(sig, SWOK...)
}
