package mynacard

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	"github.com/uketsuke/uketsuke/app/apdu"
	"github.com/uketsuke/uketsuke/app/secret"
)

// Files of JPKI-AP the kiosk may use (利用者証明用 only; the 署名用 side needs
// the signature password, which a reception kiosk never asks for).
const (
	jpkiAuthCert   fileID = 0x000A
	jpkiAuthCACert fileID = 0x000B
	jpkiToken      fileID = 0x0006
	jpkiAuthKey    fileID = 0x0017
	jpkiAuthPIN    fileID = 0x0018
	tokenNameLen          = 32
)

// Kind is what sits on the reader.
type Kind int

// Kinds of token that answer JPKI-AP.
const (
	KindUnknown      Kind = iota
	KindMyNumberCard      // JPKIAPICCTOKEN2
	KindJukiCard          // JPKIAPICCTOKEN: the older 住民基本台帳カード
	KindSmartphone        // JPKIAPGPSETOKEN / JPKIAPIOSTOKEN: スマホ用電子証明書
)

func (k Kind) String() string {
	return [...]string{"unknown", "my_number_card", "juki_card", "smartphone"}[k]
}

// Detect tells a My Number Card from older cards, smartphones and anything
// else, from JPKI-AP's token information (EF 0006). A card without JPKI-AP
// may be of a newer generation (nextgen.go): that one is an error wrapping
// ErrUnsupportedGeneration, anything else ErrNotMyNumberCard.
// The kind is read once per Card: the PIN path and the PIN-less path both
// ask.
func (c *Card) Detect(ctx context.Context) (Kind, error) {
	if c.known.kind != KindUnknown {
		return c.known.kind, nil
	}
	kind, err := c.detect(ctx)
	if err == nil {
		c.known.kind = kind
	}
	return kind, err
}

func (c *Card) detect(ctx context.Context) (Kind, error) {
	if err := c.selectApp(ctx, appJPKI); err != nil {
		if errors.Is(err, apdu.ErrNotFound) {
			return c.detectNewer(ctx, err)
		}
		return KindUnknown, err
	}
	if err := c.selectFile(ctx, appJPKI, jpkiToken); err != nil {
		if errors.Is(err, apdu.ErrNotFound) {
			return KindUnknown, fmt.Errorf("%w: %v", ErrNotMyNumberCard, err)
		}
		return KindUnknown, err
	}
	info, err := c.ch.Do(ctx, apdu.ReadBinary(0, tokenNameLen))
	if err != nil {
		return KindUnknown, err
	}
	return classifyToken(info)
}

func classifyToken(info []byte) (Kind, error) {
	name := string(bytes.TrimRight(info, " \x00"))
	switch name {
	case "JPKIAPICCTOKEN2":
		return KindMyNumberCard, nil
	case "JPKIAPICCTOKEN":
		return KindJukiCard, nil
	case "JPKIAPGPSETOKEN", "JPKIAPIOSTOKEN":
		return KindSmartphone, nil
	}
	return KindUnknown, fmt.Errorf("%w: token %q", ErrNotMyNumberCard, name)
}

// AuthPINTriesLeft asks how many 利用者証明用 PIN attempts remain; it uses none.
// A card issued without a PIN answers ErrCredentialMissing.
func (c *Card) AuthPINTriesLeft(ctx context.Context) (int, error) {
	n, err := c.triesLeft(ctx, appJPKI, jpkiAuthPIN)
	if errors.Is(err, apdu.ErrNotFound) {
		return 0, fmt.Errorf("%w: 利用者証明用 PIN", ErrCredentialMissing)
	}
	return n, err
}

// VerifyAuthPIN presents the 4-digit 利用者証明用 PIN. A wrong PIN returns
// *apdu.WrongCredentialError with the tries left; never retry automatically.
func (c *Card) VerifyAuthPIN(ctx context.Context, pin *secret.Buffer) error {
	if err := checkDigits(pin, pinLength, "PIN"); err != nil {
		return err
	}
	return c.verify(ctx, appJPKI, jpkiAuthPIN, pin)
}

// AuthCertificate reads the 利用者証明用 certificate (EF 000A), once per Card:
// later calls return the same certificate, which callers must not modify.
func (c *Card) AuthCertificate(ctx context.Context) (*x509.Certificate, error) {
	if c.known.authCert != nil {
		return c.known.authCert, nil
	}
	cert, err := c.readX509(ctx, jpkiAuthCert)
	if err == nil {
		c.known.authCert = cert
	}
	return cert, err
}

// sessionFacts are the card's answers that cannot change while it stays on
// the reader, kept so that no path reads them twice. Tries-left counters
// change with every VERIFY and are never kept.
type sessionFacts struct {
	kind     Kind // from Detect; KindUnknown until it succeeded
	authCert *x509.Certificate
}

// AuthCACertificate reads the certificate of the CA that issued it (EF 000B).
func (c *Card) AuthCACertificate(ctx context.Context) (*x509.Certificate, error) {
	return c.readX509(ctx, jpkiAuthCACert)
}

func (c *Card) readX509(ctx context.Context, fid fileID) (*x509.Certificate, error) {
	if err := c.selectFile(ctx, appJPKI, fid); err != nil {
		return nil, err
	}
	der, err := c.readCertificateFile(ctx)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("%w: certificate: %v", ErrMalformedRecord, err)
	}
	return cert, nil
}

// SignWithAuthKey signs a SHA-256 digest with the 利用者証明用 key after
// VerifyAuthPIN (PKCS#1 v1.5, padded by the card).
func (c *Card) SignWithAuthKey(ctx context.Context, digest [32]byte) ([]byte, error) {
	if err := c.selectFile(ctx, appJPKI, jpkiAuthKey); err != nil {
		return nil, err
	}
	cmd := apdu.Command{CLA: 0x80, INS: 0x2A, P1: 0x00, P2: 0x80, Data: SHA256DigestInfo(digest), Le: apdu.MaxShortLe}
	sig, err := c.ch.Do(ctx, cmd)
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	return sig, nil
}

// VerifyAuthChain checks the user certificate against the configured JPKI CAs
// at time at. The card's own CA file is not trusted: only configuration is.
func VerifyAuthChain(cert *x509.Certificate, anchors *TrustAnchors, at time.Time) error {
	if anchors.JPKI == nil {
		return fmt.Errorf("%w: no JPKI CA configured", ErrUntrustedIssuer)
	}
	_, err := cert.Verify(x509.VerifyOptions{
		Roots:       anchors.JPKI,
		CurrentTime: at,
		KeyUsages:   []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	if err != nil {
		return fmt.Errorf("%w: JPKI chain: %v", ErrVerification, err)
	}
	return nil
}
