package mynacard

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"fmt"

	"github.com/uketsuke/uketsuke/app/secret"
	"github.com/uketsuke/uketsuke/app/tlv"
)

// Files and credentials of 券面事項入力補助AP the kiosk may use.
const (
	hojoAttributes  fileID = 0x0002
	hojoIntegrity   fileID = 0x0003
	hojoCertificate fileID = 0x0004
	hojoPIN         fileID = 0x0011
	pinLength              = 4
)

// Tags of the 入力補助AP records.
const (
	TagAttrName      = 0xDF22
	TagAttrAddress   = 0xDF23
	TagAttrBirth     = 0xDF24
	TagAttrSex       = 0xDF25
	TagIntegrity     = 0xFF30
	TagDigestNumber  = 0xDF31 // digest of EF 0001: checked only as part of the signed data
	TagDigestAttrs   = 0xDF32
	TagIntegritySig  = 0xDF33
	hojoMaxPrefixLen = 2
)

// HojoPINTriesLeft asks how many PIN attempts remain on 入力補助AP.
func (c *Card) HojoPINTriesLeft(ctx context.Context) (int, error) {
	return c.triesLeft(ctx, appHojo, hojoPIN)
}

// VerifyHojoPIN presents the 4-digit PIN to 入力補助AP.
func (c *Card) VerifyHojoPIN(ctx context.Context, pin *secret.Buffer) error {
	if err := checkDigits(pin, pinLength, "PIN"); err != nil {
		return err
	}
	return c.verify(ctx, appHojo, hojoPIN, pin)
}

// Attributes are the four text attributes (基本4情報) as UTF-8 in locked memory.
type Attributes struct {
	raw     *secret.Buffer
	record  []byte // the FF20 TLV, without any prefix bytes
	Name    []byte // family and given name separated by U+3000
	Address []byte
	Birth   []byte // YYYYMMDD
	Sex     []byte
}

// Destroy wipes the attributes.
func (a *Attributes) Destroy() {
	if a != nil {
		a.raw.Destroy()
		*a = Attributes{}
	}
}

// ReadAttributes reads EF 0002 after VerifyHojoPIN and checks it against the
// signed integrity record EF 0003 and its certificate EF 0004.
func (c *Card) ReadAttributes(ctx context.Context, anchors *TrustAnchors) (*Attributes, error) {
	attrs, err := c.readAttributes(ctx)
	if err != nil {
		return nil, err
	}
	if err := c.checkAttributes(ctx, attrs, anchors); err != nil {
		attrs.Destroy()
		return nil, err
	}
	return attrs, nil
}

func (c *Card) readAttributes(ctx context.Context) (*Attributes, error) {
	if err := c.selectFile(ctx, appHojo, hojoAttributes); err != nil {
		return nil, err
	}
	prefix := 0
	raw, err := c.readSized(ctx, func(head []byte) (int, error) {
		var err error
		if prefix, err = recordPrefix(head); err != nil {
			return 0, err
		}
		return tlvSize(head, prefix)
	})
	if err != nil {
		return nil, fmt.Errorf("read attributes: %w", err)
	}
	a, err := parseAttributes(raw, prefix)
	if err != nil {
		raw.Destroy()
		return nil, err
	}
	return a, nil
}

// recordPrefix finds where FF 20 starts in the record's first bytes: some
// cards put two bytes before it.
func recordPrefix(head []byte) (int, error) {
	for p := 0; p+1 < len(head) && p <= hojoMaxPrefixLen; p++ {
		if head[p] == 0xFF && head[p+1] == 0x20 {
			return p, nil
		}
	}
	return 0, fmt.Errorf("%w: attributes record has no FF20 header", ErrMalformedRecord)
}

func parseAttributes(raw *secret.Buffer, prefix int) (*Attributes, error) {
	record := raw.Bytes()[prefix:]
	outer, _, err := tlv.Next(record)
	if err != nil || outer.Tag != TagFaceRecord {
		return nil, fmt.Errorf("%w: attributes: %v", ErrMalformedRecord, errOrTag(err, outer.Tag))
	}
	items, err := tlv.Parse(outer.Value)
	if err != nil {
		return nil, fmt.Errorf("%w: attributes: %v", ErrMalformedRecord, err)
	}
	a := &Attributes{raw: raw, record: record}
	for _, f := range []struct {
		tag uint32
		dst *[]byte
	}{{TagAttrName, &a.Name}, {TagAttrAddress, &a.Address}, {TagAttrBirth, &a.Birth}, {TagAttrSex, &a.Sex}} {
		if *f.dst, err = tlv.Find(items, f.tag); err != nil {
			return nil, fmt.Errorf("%w: attributes: %v", ErrMalformedRecord, err)
		}
	}
	return a, nil
}

func (c *Card) checkAttributes(ctx context.Context, a *Attributes, anchors *TrustAnchors) error {
	if err := c.selectFile(ctx, appHojo, hojoCertificate); err != nil {
		return err
	}
	certRaw, err := c.readTLVFile(ctx, 0)
	if err != nil {
		return fmt.Errorf("read attributes certificate: %w", err)
	}
	cert, err := ParseCVCertificate(certRaw.Bytes())
	certRaw.Destroy()
	if err != nil {
		return err
	}
	if err := cert.Verify(anchors.Hojo); err != nil {
		return err
	}
	if err := c.selectFile(ctx, appHojo, hojoIntegrity); err != nil {
		return err
	}
	integ, err := c.readTLVFile(ctx, 0)
	if err != nil {
		return fmt.Errorf("read integrity record: %w", err)
	}
	defer integ.Destroy()
	return VerifyIntegrity(integ.Bytes(), a.record, cert.SubjectKey)
}

// VerifyIntegrity checks EF 0003: DF33 signs DF31‖DF32, and DF32 is the
// SHA-256 of the attributes record as read.
func VerifyIntegrity(integrity, attributesRecord []byte, signer *rsa.PublicKey) error {
	outer, _, err := tlv.Next(integrity)
	if err != nil || outer.Tag != TagIntegrity {
		return fmt.Errorf("%w: integrity record: %v", ErrMalformedRecord, errOrTag(err, outer.Tag))
	}
	items, err := tlv.Parse(outer.Value)
	if err != nil {
		return fmt.Errorf("%w: integrity record: %v", ErrMalformedRecord, err)
	}
	dNumber, err1 := tlv.Find(items, TagDigestNumber)
	dAttrs, err2 := tlv.Find(items, TagDigestAttrs)
	sig, err3 := tlv.Find(items, TagIntegritySig)
	if err1 != nil || err2 != nil || err3 != nil {
		return fmt.Errorf("%w: integrity record lacks DF31, DF32 or DF33", ErrMalformedRecord)
	}
	signed := sha256.Sum256(append(bytes.Clone(dNumber), dAttrs...))
	if err := rsa.VerifyPKCS1v15(signer, crypto.SHA256, signed[:], sig); err != nil {
		return fmt.Errorf("%w: integrity record signature", ErrVerification)
	}
	actual := sha256.Sum256(attributesRecord)
	if !bytes.Equal(actual[:], dAttrs) {
		return fmt.Errorf("%w: attributes do not match their signed digest", ErrVerification)
	}
	return nil
}
