// Package pinless is the project's model of PIN-less 特定機関認証: the
// eligibility service, acting as a J-LIS-registered institution, drives the
// card's JPKI-AP over an APDU relay through the kiosk; the card checks the
// institution's certificate and a signature over its own challenge, then
// signs, without a PIN, a digest bound to the institution's code.
//
// No J-LIS specification of this exchange is public. The commands follow the
// public hints (SET PUBLIC KEY 80 A2, GET CHALLENGE 00 84, EXTERNAL
// AUTHENTICATE 00 82); the rest is this project's own design, kept behind the
// Institution interface so a licensed implementation can replace it.
//
// The exchange, in batches the kiosk relays; nothing before the last one
// identifies the holder, so the kiosk runs them while it matches the face:
//
//  1. SELECT JPKI-AP; SET PUBLIC KEY 80 A2 00 00 with the institution's CV
//     certificate (one extended APDU, or chained short ones on a link
//     without extended length); GET CHALLENGE 00 84 00 00 08
//  2. relayed at once, answers held by the kiosk: EXTERNAL AUTHENTICATE
//     00 82 00 00 with the institution's PKCS#1 v1.5 SHA-256 signature over
//     SHA-256(Domain ‖ challenge); SELECT EF 0017
//  3. final, relayed only after the holder is verified: INTERNAL
//     AUTHENTICATE 00 88 00 81 20 <nonce> 00, which the card answers with
//     its user-authentication key's PKCS#1 v1.5 signature over
//     PinlessDigest(code, nonce). (Not 80 2A: that is the PIN path's SIGN,
//     and a PIN-less signature must never look like one.) The kiosk sends
//     the answers of 2 and 3 with the user-authentication certificate,
//     which it read from the card itself.
//
// A PIN signature is over SHA-256 of a challenge the host chose; a PIN-less
// one is over a digest the card built with a fixed prefix and the
// institution's code, so one can never pass for the other.
package pinless

import (
	"crypto/sha256"
	"errors"
)

// JPKIAID is the JPKI-AP application identifier.
var JPKIAID = []byte{0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01}

// Instruction bytes of the exchange.
const (
	InsSetPublicKey   = 0xA2
	InsGetChallenge   = 0x84
	InsExternalAuth   = 0x82
	InsPinlessSign    = 0x88 // INTERNAL AUTHENTICATE
	P2PinlessSign     = 0x81 // the user-authentication key, PIN-less
	ChallengeLen      = 8
	NonceLen          = 32
	chainBit          = 0x10 // CLA bit b5: more command data follows
	maxShortDataBytes = 255
)

// Domain separates the digests of this exchange from any other signature.
const (
	DomainExternalAuth = "JPKI-IA-EXTERNAL-AUTHENTICATE\x00"
	DomainPinlessSign  = "JPKI-IA-PINLESS-USER-AUTH\x00"
)

// Status words the card returns.
var (
	SWOK             = []byte{0x90, 0x00}
	SWSecurityStatus = []byte{0x69, 0x82}
	SWConditions     = []byte{0x69, 0x85}
	SWWrongData      = []byte{0x6A, 0x80}
	SWAuthFailed     = []byte{0x63, 0x00}
	SWWrongLength    = []byte{0x67, 0x00}
)

// ErrCard is returned when the card's answers break the exchange.
var ErrCard = errors.New("pinless: card refused or answered unexpectedly")

// ExternalAuthDigest is what the institution signs to answer the card's challenge.
func ExternalAuthDigest(challenge []byte) []byte {
	h := sha256.New()
	h.Write([]byte(DomainExternalAuth))
	h.Write(challenge)
	return h.Sum(nil)
}

// PinlessDigest is what the card signs after a successful external
// authentication: the service's nonce bound to the institution's code.
func PinlessDigest(code [16]byte, nonce []byte) []byte {
	h := sha256.New()
	h.Write([]byte(DomainPinlessSign))
	h.Write(code[:])
	h.Write(nonce)
	return h.Sum(nil)
}

// extended carries data in one extended-length command APDU (Lc 00 HH LL, no Le).
func extended(cla, ins, p1, p2 byte, data []byte) []byte {
	cmd := []byte{cla, ins, p1, p2, 0x00, byte(len(data) >> 8), byte(len(data))}
	return append(cmd, data...)
}

// chained splits data into command APDUs with ISO 7816-4 command chaining.
func chained(cla, ins, p1, p2 byte, data []byte) [][]byte {
	var out [][]byte
	for len(data) > 0 {
		n := min(len(data), maxShortDataBytes)
		c := cla
		if n < len(data) {
			c |= chainBit
		}
		cmd := append([]byte{c, ins, p1, p2, byte(n)}, data[:n]...)
		out = append(out, cmd)
		data = data[n:]
	}
	return out
}
