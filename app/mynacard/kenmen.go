package mynacard

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"fmt"
	"time"

	"github.com/uketsuke/uketsuke/app/apdu"
	"github.com/uketsuke/uketsuke/app/secret"
	"github.com/uketsuke/uketsuke/app/tlv"
)

// Files and credentials of 券面AP the kiosk may use.
const (
	kenmenFaceRecord  fileID = 0x0002
	kenmenCertificate fileID = 0x0004
	kenmenCodeB       fileID = 0x0012 // 照合番号B
	codeBLength              = 14
)

// Tags of the 券面AP face record (EF 0002).
const (
	TagFaceRecord   = 0xFF20
	TagOffsets      = 0xDF21
	TagBirth        = 0xDF22
	TagSex          = 0xDF23
	TagCardKey      = 0xDF24
	TagNameImage    = 0xDF25
	TagAddressImage = 0xDF26
	TagPhoto        = 0xDF27
	TagSignature    = 0xDF28
	TagExpiry       = 0xDF29
	TagCodeImage    = 0xDF2A
)

// CodeBTriesLeft asks how many 照合番号B attempts remain (10 on a fresh card).
func (c *Card) CodeBTriesLeft(ctx context.Context) (int, error) {
	return c.triesLeft(ctx, appKenmen, kenmenCodeB)
}

// VerifyCodeB presents 照合番号B (14 ASCII digits in locked memory). A wrong code
// returns *apdu.WrongCredentialError with the tries left.
func (c *Card) VerifyCodeB(ctx context.Context, code *secret.Buffer) error {
	if err := checkDigits(code, codeBLength, "照合番号B"); err != nil {
		return err
	}
	return c.verify(ctx, appKenmen, kenmenCodeB, code)
}

// FaceRecord is the 券面AP card-face record. Its fields are views into locked
// memory, valid until Destroy.
type FaceRecord struct {
	raw   *secret.Buffer
	items []tlv.Item

	Birth        []byte // YYYYMMDD, Gregorian
	Sex          []byte // one ASCII digit
	CardKey      *rsa.PublicKey
	NameImage    []byte // PNG
	AddressImage []byte // PNG
	Photo        []byte // JPEG 2000, greyscale
	Signature    []byte
	Expiry       []byte // YYYYMMDD
	CodeImage    []byte // PNG of the セキュリティコード
}

// Destroy wipes the record.
func (r *FaceRecord) Destroy() {
	if r != nil {
		r.raw.Destroy()
		*r = FaceRecord{}
	}
}

// BirthDate parses Birth.
func (r *FaceRecord) BirthDate() (time.Time, error) { return parseYMD(r.Birth) }

// ExpiryDate parses Expiry.
func (r *FaceRecord) ExpiryDate() (time.Time, error) { return parseYMD(r.Expiry) }

func parseYMD(b []byte) (time.Time, error) {
	if len(b) != 8 {
		return time.Time{}, fmt.Errorf("%w: date of %d bytes", ErrMalformedRecord, len(b))
	}
	var n [3]int
	for i, w := range [3][2]int{{0, 4}, {4, 6}, {6, 8}} {
		for _, d := range b[w[0]:w[1]] {
			if d < '0' || d > '9' {
				return time.Time{}, fmt.Errorf("%w: date is not digits", ErrMalformedRecord)
			}
			n[i] = n[i]*10 + int(d-'0')
		}
	}
	t := time.Date(n[0], time.Month(n[1]), n[2], 0, 0, 0, 0, time.UTC)
	if t.Year() != n[0] || int(t.Month()) != n[1] || t.Day() != n[2] {
		return time.Time{}, fmt.Errorf("%w: no such calendar date", ErrMalformedRecord)
	}
	return t, nil
}

// ReadFaceRecord reads EF 0002 after VerifyCodeB, without verifying it: use
// ReadVerifiedFaceRecord unless you verify yourself.
func (c *Card) ReadFaceRecord(ctx context.Context) (*FaceRecord, error) {
	if err := c.selectFile(ctx, appKenmen, kenmenFaceRecord); err != nil {
		return nil, err
	}
	raw, err := c.readTLVFile(ctx, 0)
	if err != nil {
		return nil, fmt.Errorf("read face record: %w", err)
	}
	rec, err := ParseFaceRecord(raw)
	if err != nil {
		raw.Destroy()
		return nil, err
	}
	return rec, nil
}

// ParseFaceRecord decodes a face record held in locked memory; the record
// takes ownership of raw.
func ParseFaceRecord(raw *secret.Buffer) (*FaceRecord, error) {
	outer, _, err := tlv.Next(raw.Bytes())
	if err != nil || outer.Tag != TagFaceRecord {
		return nil, fmt.Errorf("%w: face record: %v", ErrMalformedRecord, errOrTag(err, outer.Tag))
	}
	items, err := tlv.Parse(outer.Value)
	if err != nil {
		return nil, fmt.Errorf("%w: face record: %v", ErrMalformedRecord, err)
	}
	r := &FaceRecord{raw: raw, items: items}
	fields := []struct {
		tag uint32
		dst *[]byte
	}{
		{TagBirth, &r.Birth}, {TagSex, &r.Sex}, {TagNameImage, &r.NameImage},
		{TagAddressImage, &r.AddressImage}, {TagPhoto, &r.Photo}, {TagSignature, &r.Signature},
		{TagExpiry, &r.Expiry}, {TagCodeImage, &r.CodeImage},
	}
	for _, f := range fields {
		if *f.dst, err = tlv.Find(items, f.tag); err != nil {
			return nil, fmt.Errorf("%w: face record: %v", ErrMalformedRecord, err)
		}
	}
	keyDER, err := tlv.Find(items, TagCardKey)
	if err != nil {
		return nil, fmt.Errorf("%w: face record: %v", ErrMalformedRecord, err)
	}
	if r.CardKey, err = ParseCardKey(keyDER); err != nil {
		return nil, err
	}
	if _, err := r.BirthDate(); err != nil {
		return nil, err
	}
	return r, nil
}

// ParseCardKey decodes DF24: a DER RSAPublicKey (PKCS#1), or a
// SubjectPublicKeyInfo, of at least 2048 bits.
func ParseCardKey(der []byte) (*rsa.PublicKey, error) {
	if k, err := x509.ParsePKCS1PublicKey(der); err == nil && k.N.BitLen() >= 2048 {
		return k, nil
	}
	if k, err := x509.ParsePKIXPublicKey(der); err == nil {
		if rk, ok := k.(*rsa.PublicKey); ok && rk.N.BitLen() >= 2048 {
			return rk, nil
		}
	}
	return nil, fmt.Errorf("%w: DF24 is not an RSA-2048 public key", ErrMalformedRecord)
}

// digestInfo96 is the DigestInfo header that wraps the three SHA-256 digests
// the face record's signature covers (SHA-256 OID, 96-byte OCTET STRING).
var digestInfo96 = []byte{0x30, 0x71, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x60}

// FaceRecordDigestInfo is what DF28 signs: the digests of (DF22‖DF23‖DF24),
// (DF25‖DF26) and (DF27), over the values, concatenated in a DigestInfo.
func FaceRecordDigestInfo(birth, sex, cardKey, nameImg, addrImg, photo []byte) []byte {
	h1 := sha256.New()
	h1.Write(birth)
	h1.Write(sex)
	h1.Write(cardKey)
	h2 := sha256.New()
	h2.Write(nameImg)
	h2.Write(addrImg)
	h3 := sha256.Sum256(photo)
	out := append(bytes.Clone(digestInfo96), h1.Sum(nil)...)
	out = append(out, h2.Sum(nil)...)
	return append(out, h3[:]...)
}

// VerifySignature checks DF28 with the signer key from EF 0004.
func (r *FaceRecord) VerifySignature(signer *rsa.PublicKey) error {
	keyDER, _ := tlv.Find(r.items, TagCardKey)
	di := FaceRecordDigestInfo(r.Birth, r.Sex, keyDER, r.NameImage, r.AddressImage, r.Photo)
	// Hash 0: di is the complete DigestInfo the card's issuer signed.
	if err := rsa.VerifyPKCS1v15(signer, crypto.Hash(0), di, r.Signature); err != nil {
		return fmt.Errorf("%w: face record signature", ErrVerification)
	}
	return nil
}

// ReadFaceCertificate reads EF 0004, the CV certificate of the record signer.
func (c *Card) ReadFaceCertificate(ctx context.Context) (*CVCertificate, error) {
	if err := c.selectFile(ctx, appKenmen, kenmenCertificate); err != nil {
		return nil, err
	}
	raw, err := c.readTLVFile(ctx, 0)
	if err != nil {
		return nil, fmt.Errorf("read face certificate: %w", err)
	}
	defer raw.Destroy()
	return ParseCVCertificate(raw.Bytes())
}

// ProveCardPresence runs INTERNAL AUTHENTICATE with a fresh challenge and
// checks the answer with the record's DF24 key: a copied record cannot answer.
func (c *Card) ProveCardPresence(ctx context.Context, rec *FaceRecord) error {
	if err := c.selectApp(ctx, appKenmen); err != nil {
		return err
	}
	challenge := make([]byte, sha256.Size)
	if _, err := rand.Read(challenge); err != nil {
		return err
	}
	cmd := apdu.Command{CLA: 0x80, INS: 0x2A, P1: 0x00, P2: 0x00, Data: sha256DigestInfo(challenge), Le: apdu.MaxShortLe}
	sig, err := c.ch.Do(ctx, cmd)
	if err != nil {
		return fmt.Errorf("card presence: %w", err)
	}
	if err := rsa.VerifyPKCS1v15(rec.CardKey, crypto.SHA256, challenge, sig); err != nil {
		return fmt.Errorf("%w: card presence answer", ErrVerification)
	}
	return nil
}

// sha256Prefix is the DigestInfo header for one SHA-256 digest.
var sha256Prefix = []byte{0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20}

func sha256DigestInfo(digest []byte) []byte {
	return append(bytes.Clone(sha256Prefix), digest...)
}

// SHA256DigestInfo wraps a 32-byte digest for the card's signing commands.
func SHA256DigestInfo(digest [32]byte) []byte { return sha256DigestInfo(digest[:]) }

// ReadVerifiedFaceRecord is the face-authentication read: after VerifyCodeB it
// reads the record and checks its signature, with a signer key the anchors
// verified before or else with the signer's certificate read from the card
// and checked against the trust anchors; then it proves the card is the one
// the record names. Any failure returns no record.
func (c *Card) ReadVerifiedFaceRecord(ctx context.Context, anchors *TrustAnchors) (*FaceRecord, error) {
	rec, err := c.ReadFaceRecord(ctx)
	if err != nil {
		return nil, err
	}
	if err := c.verifyRecord(ctx, rec, anchors); err != nil {
		rec.Destroy()
		return nil, err
	}
	if err := c.ProveCardPresence(ctx, rec); err != nil {
		rec.Destroy()
		return nil, err
	}
	return rec, nil
}

// verifyRecord checks the record's signature. The signer's certificate
// (EF 0004) is the same on every card one J-LIS key signed, so a key once
// verified against the anchors spares the next cards its read, a tenth of
// the link's time for the whole face read.
func (c *Card) verifyRecord(ctx context.Context, rec *FaceRecord, anchors *TrustAnchors) error {
	if anchors.signers.verifies(rec) {
		return nil
	}
	cert, err := c.ReadFaceCertificate(ctx)
	if err != nil {
		return err
	}
	if err := cert.Verify(anchors.Kenmen); err != nil {
		return err
	}
	if err := rec.VerifySignature(cert.SubjectKey); err != nil {
		return err
	}
	anchors.signers.remember(cert.SubjectKey)
	return nil
}
