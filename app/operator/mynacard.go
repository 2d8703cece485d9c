package operator

import (
	"context"
	"crypto/x509"

	"github.com/uketsuke/uketsuke/app/apdu"
	"github.com/uketsuke/uketsuke/app/mynacard"
	"github.com/uketsuke/uketsuke/app/secret"
)

// MyNumberCard is a staff member's own My Number Card as an operator
// credential: JPKI-AP's user-authentication (利用者証明用) certificate, its
// 4-digit PIN and its key.
type MyNumberCard struct{ Card *mynacard.Card }

var _ Credential = MyNumberCard{}

// Scheme is JPKI: the certificate chains to the configured JPKI roots.
func (MyNumberCard) Scheme() Scheme { return SchemeJPKI }

// Certificate reads the user-authentication certificate; no PIN.
func (m MyNumberCard) Certificate(ctx context.Context) (*x509.Certificate, error) {
	return m.Card.AuthCertificate(ctx)
}

// Sign sends one VERIFY with the PIN, then signs the digest with the
// user-authentication key. A wrong PIN on the last try answers 63C0, which
// is ErrPINBlocked (no tries left).
func (m MyNumberCard) Sign(ctx context.Context, pin *secret.Buffer, digest [32]byte) ([]byte, error) {
	if err := m.Card.VerifyAuthPIN(ctx, pin); err != nil {
		if left, ok := apdu.TriesLeft(err); ok {
			if left == 0 {
				return nil, ErrPINBlocked
			}
			return nil, &WrongPINError{Left: left}
		}
		return nil, err
	}
	return m.Card.SignWithAuthKey(ctx, digest)
}
