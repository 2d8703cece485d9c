package onshi

import (
	"context"
	"crypto/x509"

	"github.com/uketsuke/uketsuke/app/eligibility"
)

// handleCertStatus answers as the proxy CA for the J-LIS user-authentication
// certificates: good, revoked, expired or unknown (another issuer). It is
// the check a PIN-read certificate gets inside the card check, for a
// certificate the kiosk read without a PIN. The request holds the
// certificate only, and the certificate names the card, so it counts as a
// disclosure.
func (s *Server) handleCertStatus(r *request) (int, any, error) {
	s.disclosed(r)
	var req eligibility.CertStatusRequest
	if err := decode(r.body, &req); err != nil {
		return 0, nil, err
	}
	cert, err := x509.ParseCertificate(req.Certificate)
	if err != nil {
		return 0, nil, fail(eligibility.CodeMalformed, "certificate: %v", err)
	}
	status, err := s.certStatus(r.ctx, cert)
	if err != nil {
		return 0, nil, err
	}
	return 200, eligibility.CertStatusResponse{Status: status, CheckedAt: rfc3339(s.cfg.Now())}, nil
}

// certStatus judges cert: a certificate no configured JPKI CA issued, or
// a CA's own, is unknown (the service speaks for cards only); a listed one is revoked even
// when it has expired too; one outside its dates is expired. The grace the
// card check allows expired certificates is for that check alone.
func (s *Server) certStatus(ctx context.Context, cert *x509.Certificate) (eligibility.CertStatus, error) {
	if cert.IsCA {
		return eligibility.CertUnknown, nil
	}
	now := s.cfg.Now()
	outside := now.Before(cert.NotBefore) || now.After(cert.NotAfter)
	at := now
	if outside {
		at = cert.NotBefore // the chain is judged at a moment the leaf was valid
	}
	opts := x509.VerifyOptions{Roots: s.roots, CurrentTime: at, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}
	if _, err := cert.Verify(opts); err != nil {
		return eligibility.CertUnknown, nil
	}
	revoked, err := s.cfg.Store.isRevoked(ctx, issuerKey(cert), cert.SerialNumber.Text(16))
	switch {
	case err != nil:
		return 0, err
	case revoked:
		return eligibility.CertRevoked, nil
	case outside:
		return eligibility.CertExpired, nil
	}
	return eligibility.CertGood, nil
}

// Revoke puts cert on the service's revocation list (the tests' and the
// simulated world's way to revoke one card).
func (s *Server) Revoke(ctx context.Context, cert *x509.Certificate) error {
	return s.cfg.Store.RevokeCertificate(ctx, cert, s.cfg.Now())
}
