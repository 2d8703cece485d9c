package mynacard

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"fmt"
	"math/big"

	"github.com/uketsuke/uketsuke/app/tlv"
)

// KeyID names a J-LIS key in card-verifiable certificates.
type KeyID [16]byte

// Tags of the card-verifiable certificate (EF 0004 of 券面AP and 入力補助AP).
const (
	tagCVCert    = 0x7F21
	tagCVBody    = 0x5F4E
	tagCVSig     = 0x5F37
	tagExponent  = 0x90
	tagModulus   = 0x91
	cvIDsLen     = 2 * len(KeyID{})
	minRSAModLen = 2048 / 8
)

// CVCertificate binds SubjectKey to Subject, signed by the key named Issuer.
type CVCertificate struct {
	Issuer     KeyID
	Subject    KeyID
	SubjectKey *rsa.PublicKey
	body       []byte // the signed 5F4E value
	signature  []byte
}

// ParseCVCertificate decodes 7F21 { 5F4E [issuer|subject|90 e|91 n], 5F37 sig }.
func ParseCVCertificate(der []byte) (*CVCertificate, error) {
	outer, _, err := tlv.Next(der)
	if err != nil || outer.Tag != tagCVCert {
		return nil, fmt.Errorf("%w: CV certificate: %v", ErrMalformedRecord, errOrTag(err, outer.Tag))
	}
	items, err := tlv.Parse(outer.Value)
	if err != nil {
		return nil, fmt.Errorf("%w: CV certificate: %v", ErrMalformedRecord, err)
	}
	body, err1 := tlv.Find(items, tagCVBody)
	sig, err2 := tlv.Find(items, tagCVSig)
	if err1 != nil || err2 != nil || len(body) < cvIDsLen {
		return nil, fmt.Errorf("%w: CV certificate lacks body or signature", ErrMalformedRecord)
	}
	cert := &CVCertificate{body: bytes.Clone(body), signature: bytes.Clone(sig)}
	copy(cert.Issuer[:], body[:16])
	copy(cert.Subject[:], body[16:32])
	if cert.SubjectKey, err = parseRSAComponents(body[cvIDsLen:]); err != nil {
		return nil, err
	}
	return cert, nil
}

func errOrTag(err error, tag uint32) error {
	if err != nil {
		return err
	}
	return fmt.Errorf("unexpected tag %X", tag)
}

func parseRSAComponents(b []byte) (*rsa.PublicKey, error) {
	items, err := tlv.Parse(b)
	if err != nil {
		return nil, fmt.Errorf("%w: key: %v", ErrMalformedRecord, err)
	}
	e, err1 := tlv.Find(items, tagExponent)
	n, err2 := tlv.Find(items, tagModulus)
	if err1 != nil || err2 != nil || len(e) == 0 || len(e) > 4 || len(n) < minRSAModLen {
		return nil, fmt.Errorf("%w: key needs exponent and a ≥2048-bit modulus", ErrMalformedRecord)
	}
	exp := int(new(big.Int).SetBytes(e).Int64())
	if exp < 3 || exp%2 == 0 {
		return nil, fmt.Errorf("%w: RSA exponent %d", ErrMalformedRecord, exp)
	}
	return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: exp}, nil
}

// EncodeCVCertificate builds a certificate; the virtual card and the test
// hierarchy use it, and it documents the layout ParseCVCertificate expects.
func EncodeCVCertificate(issuer, subject KeyID, key *rsa.PublicKey, sign func(digest []byte) ([]byte, error)) ([]byte, error) {
	body := append(append([]byte{}, issuer[:]...), subject[:]...)
	body = tlv.Append(body, tagExponent, big.NewInt(int64(key.E)).Bytes())
	body = tlv.Append(body, tagModulus, key.N.Bytes())
	digest := sha256.Sum256(body)
	sig, err := sign(digest[:])
	if err != nil {
		return nil, err
	}
	inner := tlv.Append(tlv.Append(nil, tagCVBody, body), tagCVSig, sig)
	return tlv.Append(nil, tagCVCert, inner), nil
}

// Verify checks the certificate's signature with the anchor key named by its issuer.
func (c *CVCertificate) Verify(anchors map[KeyID]*rsa.PublicKey) error {
	issuerKey, ok := anchors[c.Issuer]
	if !ok {
		return fmt.Errorf("%w: %X", ErrUntrustedIssuer, c.Issuer[:])
	}
	digest := sha256.Sum256(c.body)
	if err := rsa.VerifyPKCS1v15(issuerKey, crypto.SHA256, digest[:], c.signature); err != nil {
		return fmt.Errorf("%w: CV certificate signature", ErrVerification)
	}
	return nil
}
