package pinless

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/big"
)

// ErrBadCV is returned for a card-verifiable certificate that does not parse
// or whose signature does not verify.
var ErrBadCV = errors.New("pinless: bad card-verifiable certificate")

// KeyIDLen is the length of the key identifiers in a CV certificate.
const KeyIDLen = 16

// EncodeCV builds a card-verifiable certificate in the form the card's
// 券面AP uses: 7F21 { 5F4E body, 5F37 signature }, body = issuer id (16) ‖
// subject id (16) ‖ 90 exponent ‖ 91 modulus, signed PKCS#1 v1.5 SHA-256 by
// the issuer. For an institution the subject id is its institution code.
func EncodeCV(issuer, subject [KeyIDLen]byte, pub *rsa.PublicKey, ca *rsa.PrivateKey) ([]byte, error) {
	var body []byte
	body = append(body, issuer[:]...)
	body = append(body, subject[:]...)
	body = appendTLV(body, []byte{0x90}, big.NewInt(int64(pub.E)).Bytes())
	body = appendTLV(body, []byte{0x91}, pub.N.Bytes())
	digest := sha256.Sum256(body)
	sig, err := rsa.SignPKCS1v15(nil, ca, crypto.SHA256, digest[:])
	if err != nil {
		return nil, err
	}
	inner := appendTLV(nil, []byte{0x5F, 0x4E}, body)
	inner = appendTLV(inner, []byte{0x5F, 0x37}, sig)
	return appendTLV(nil, []byte{0x7F, 0x21}, inner), nil
}

// CV is a parsed, verified card-verifiable certificate.
type CV struct {
	Issuer, Subject [KeyIDLen]byte
	Key             *rsa.PublicKey
}

// ParseCV parses b and verifies it under ca.
func ParseCV(b []byte, ca *rsa.PublicKey) (*CV, error) {
	inner, rest, err := readTLV(b, []byte{0x7F, 0x21})
	if err != nil || len(rest) != 0 {
		return nil, fmt.Errorf("%w: outer: %v", ErrBadCV, err)
	}
	body, rest, err := readTLV(inner, []byte{0x5F, 0x4E})
	if err != nil {
		return nil, fmt.Errorf("%w: body: %v", ErrBadCV, err)
	}
	sig, rest, err := readTLV(rest, []byte{0x5F, 0x37})
	if err != nil || len(rest) != 0 {
		return nil, fmt.Errorf("%w: signature: %v", ErrBadCV, err)
	}
	digest := sha256.Sum256(body)
	if rsa.VerifyPKCS1v15(ca, crypto.SHA256, digest[:], sig) != nil {
		return nil, fmt.Errorf("%w: signature does not verify", ErrBadCV)
	}
	if len(body) < 2*KeyIDLen {
		return nil, fmt.Errorf("%w: body too short", ErrBadCV)
	}
	var cv CV
	copy(cv.Issuer[:], body[:KeyIDLen])
	copy(cv.Subject[:], body[KeyIDLen:2*KeyIDLen])
	exp, rest, err := readTLV(body[2*KeyIDLen:], []byte{0x90})
	if err != nil {
		return nil, fmt.Errorf("%w: exponent: %v", ErrBadCV, err)
	}
	mod, rest, err := readTLV(rest, []byte{0x91})
	if err != nil || len(rest) != 0 {
		return nil, fmt.Errorf("%w: modulus: %v", ErrBadCV, err)
	}
	e := new(big.Int).SetBytes(exp)
	if !e.IsInt64() || e.Int64() < 3 || e.Int64() > 1<<31-1 || len(mod) < 128 {
		return nil, fmt.Errorf("%w: unusable key", ErrBadCV)
	}
	cv.Key = &rsa.PublicKey{N: new(big.Int).SetBytes(mod), E: int(e.Int64())}
	return &cv, nil
}

func appendTLV(dst, tag, value []byte) []byte {
	dst = append(dst, tag...)
	switch n := len(value); {
	case n < 0x80:
		dst = append(dst, byte(n))
	case n < 0x100:
		dst = append(dst, 0x81, byte(n))
	default:
		dst = append(dst, 0x82, byte(n>>8), byte(n))
	}
	return append(dst, value...)
}

// readTLV reads one TLV with the expected tag and definite length.
func readTLV(b, tag []byte) (value, rest []byte, err error) {
	if !bytes.HasPrefix(b, tag) {
		return nil, nil, fmt.Errorf("want tag % X", tag)
	}
	b = b[len(tag):]
	if len(b) == 0 {
		return nil, nil, errors.New("no length")
	}
	n, skip := int(b[0]), 1
	switch b[0] {
	case 0x81:
		if len(b) < 2 {
			return nil, nil, errors.New("short length")
		}
		n, skip = int(b[1]), 2
	case 0x82:
		if len(b) < 3 {
			return nil, nil, errors.New("short length")
		}
		n, skip = int(b[1])<<8|int(b[2]), 3
	default:
		if b[0] >= 0x80 {
			return nil, nil, errors.New("unsupported length form")
		}
	}
	b = b[skip:]
	if n > len(b) {
		return nil, nil, errors.New("value past the end")
	}
	return b[:n], b[n:], nil
}
