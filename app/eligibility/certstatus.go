package eligibility

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// PathCertStatus asks the service, as the proxy CA for the J-LIS
// certificates, whether a user-authentication certificate is still good.
// Re-visit reception reads that certificate without a PIN (the card's
// JPKI-AP gives it to anyone), so its revocation is checked separately: the
// PIN path's check happens inside the card check.
const PathCertStatus = "/v1/certificate/status"

// CertStatus is the service's (or the kiosk's own) verdict on a certificate.
// Only CertGood lets a card through; the zero value is not a verdict.
type CertStatus uint8

const (
	CertGood    CertStatus = iota + 1 // issued by a known CA, in its validity period, not revoked
	CertRevoked                       // on the issuer's revocation list
	CertExpired                       // outside its validity period (the kiosk checks this first)
	CertUnknown                       // not issued by a CA the service answers for
)

// certStatusNames is the wire form of each status, and its String.
var certStatusNames = map[CertStatus]string{
	CertGood:    "good",
	CertRevoked: "revoked",
	CertExpired: "expired",
	CertUnknown: "unknown",
}

func (s CertStatus) String() string {
	if name, ok := certStatusNames[s]; ok {
		return name
	}
	return fmt.Sprintf("CertStatus(%d)", uint8(s))
}

// ParseCertStatus reads a status's wire form ("good", "revoked", …).
func ParseCertStatus(name string) (CertStatus, error) {
	for s, n := range certStatusNames {
		if n == name {
			return s, nil
		}
	}
	return 0, fmt.Errorf("%w: certificate status %q", ErrMalformedAnswer, truncate(name, 32))
}

// MarshalText writes the wire form; an unknown value is an error, never sent.
func (s CertStatus) MarshalText() ([]byte, error) {
	name, ok := certStatusNames[s]
	if !ok {
		return nil, fmt.Errorf("eligibility: no wire form for %v", s)
	}
	return []byte(name), nil
}

// CertStatusRequest carries nothing but the certificate: the service
// learns no more than the card gives anyone who asks.
type CertStatusRequest struct {
	Certificate []byte // DER of the user-authentication certificate
}

// CertStatusResponse is the service's answer.
type CertStatusResponse struct {
	Status    CertStatus
	CheckedAt string // RFC 3339, the service's clock
}

// ErrMalformedAnswer means the service answered 200 with a body the client
// cannot take as an answer.
var ErrMalformedAnswer = errors.New("eligibility: malformed answer from the service")

// ErrCertificateUnreadable means the certificate handed to CertificateStatus
// does not parse: the kiosk does not send what it cannot read itself.
var ErrCertificateUnreadable = errors.New("eligibility: certificate does not parse")

// CertificateStatus checks a user-authentication certificate read without
// a PIN. Its validity dates are checked at the kiosk first (an expired or
// not yet valid certificate is CertExpired without asking); otherwise the
// service answers. A read, so safe to retry; only the certificate is sent.
func (c *Client) CertificateStatus(ctx context.Context, certificate []byte) (CertStatus, error) {
	cert, err := x509.ParseCertificate(certificate)
	if err != nil {
		return 0, fmt.Errorf("%w: %v", ErrCertificateUnreadable, err)
	}
	now := c.cfg.Now()
	if now.Before(cert.NotBefore) || now.After(cert.NotAfter) {
		return CertExpired, nil
	}
	var raw json.RawMessage
	if err := c.post(ctx, PathCertStatus, "", CertStatusRequest{Certificate: certificate}, &raw); err != nil {
		return 0, err
	}
	return DecodeCertStatus(raw)
}

// DecodeCertStatus reads the service's answer strictly: one JSON object
// with a known Status and nothing after it. Unknown fields are ignored so
// the service may add some.
func DecodeCertStatus(body []byte) (CertStatus, error) {
	var out struct {
		Status    *string
		CheckedAt string
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&out); err != nil {
		return 0, fmt.Errorf("%w: %s: %v", ErrMalformedAnswer, PathCertStatus, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return 0, fmt.Errorf("%w: %s: data after the answer", ErrMalformedAnswer, PathCertStatus)
	}
	if out.Status == nil {
		return 0, fmt.Errorf("%w: %s: no Status", ErrMalformedAnswer, PathCertStatus)
	}
	return ParseCertStatus(*out.Status)
}

// truncate keeps an untrusted value short enough for an error message.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
