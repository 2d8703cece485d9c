package vcard

import (
	"bytes"
	"crypto"
	"crypto/rsa"

	"github.com/uketsuke/uketsuke/app/apdu"
)

func (c *Card) doSelect(cmd apdu.Command) []byte {
	switch {
	case cmd.P1 == 0x04:
		return c.selectByName(cmd)
	case cmd.P1 == 0x02 && len(cmd.Data) == 2:
		if c.cur == nil {
			return sw(0x6A82)
		}
		f := c.cur.files[uint16(cmd.Data[0])<<8|uint16(cmd.Data[1])]
		if f == nil {
			return sw(0x6A82)
		}
		if f.forbidden {
			c.forbidden++
		}
		c.curEF = f
		return sw(0x9000)
	}
	return sw(0x6A86)
}

// selectByName selects an application by its AID or, as ISO 7816-4
// allows, by the start of it: P2 00 the first match, 02 the next one after
// the current application. P2 0C asks for no FCI.
func (c *Card) selectByName(cmd apdu.Command) []byte {
	var found *application
	after := cmd.P2&0x03 == 0x02
	switch cmd.P2 & 0x03 {
	case 0x00:
	case 0x02:
		if c.cur == nil || !bytes.HasPrefix(c.cur.aid, cmd.Data) {
			return sw(0x6A82)
		}
	default:
		return sw(0x6A86)
	}
	for _, a := range c.apps {
		if after {
			after = a != c.cur
			continue
		}
		if len(cmd.Data) > 0 && bytes.HasPrefix(a.aid, cmd.Data) {
			found = a
			break
		}
	}
	if found == nil {
		return sw(0x6A82)
	}
	c.cur, c.curEF = found, nil
	if cmd.P2&0x0C == 0x0C {
		return sw(0x9000)
	}
	return withSW(fci(found.aid), 0x9000)
}

func (c *Card) opened(f *file) bool {
	if len(f.openedBy) == 0 {
		return true
	}
	for _, id := range f.openedBy {
		if c.cur.verified[id] {
			return true
		}
	}
	return false
}

func (c *Card) doReadBinary(cmd apdu.Command) []byte {
	f := c.curEF
	if f == nil || f.kind != dataFile {
		return sw(0x6986) // no current EF
	}
	if !c.opened(f) {
		return sw(0x6982)
	}
	off := int(cmd.P1&0x7F)<<8 | int(cmd.P2)
	if off >= len(f.data) {
		return sw(0x6B00)
	}
	end := min(off+cmd.Le, len(f.data))
	if cmd.Le == 0 {
		end = min(off+apdu.MaxShortLe, len(f.data))
	}
	return withSW(f.data[off:end], 0x9000)
}

func (c *Card) doVerify(cmd apdu.Command) []byte {
	f := c.curEF
	if f == nil || f.kind != credentialFile || cmd.P1 != 0x00 || cmd.P2 != 0x80 {
		return sw(0x6A86)
	}
	cr := f.cred
	if cr == nil || cr.value == nil {
		return sw(0x6984) // no such credential on this card (issued without a PIN)
	}
	if len(cmd.Data) == 0 {
		return sw(0x63C0 | uint16(cr.left))
	}
	if cr.left == 0 {
		return sw(0x6984)
	}
	if !bytes.Equal(cmd.Data, cr.value) {
		cr.left--
		c.cur.verified[f.id] = false
		return sw(0x63C0 | uint16(cr.left))
	}
	cr.left = cr.max
	c.cur.verified[f.id] = true
	return sw(0x9000)
}

// doSign covers INTERNAL AUTHENTICATE (P2 00: the card-presence key of 券面AP)
// and COMPUTE SIGNATURE (P2 80: the selected JPKI key); both pad a given
// DigestInfo with PKCS#1 v1.5 type 1.
func (c *Card) doSign(cmd apdu.Command) []byte {
	if c.cur == nil {
		return sw(0x6985)
	}
	var key *rsa.PrivateKey
	switch cmd.P2 {
	case 0x00:
		key = c.cur.presenceKey
	case 0x80:
		if f := c.curEF; f != nil && f.kind == keyFile {
			if !c.opened(f) {
				return sw(0x6982)
			}
			key = f.key
		}
	default:
		return sw(0x6A86)
	}
	if key == nil {
		return sw(0x6985)
	}
	if len(cmd.Data) == 0 || len(cmd.Data) > key.Size()-11 {
		return sw(0x6700)
	}
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.Hash(0), cmd.Data)
	if err != nil {
		return sw(0x6F00)
	}
	return withSW(sig, 0x9000)
}
