package onshi

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"time"

	"github.com/uketsuke/uketsuke/app/eligibility"
)

// verifiedCard is a card holder proven by a signature of their card.
type verifiedCard struct {
	cert  *x509.Certificate
	key   []byte // SHA-256 of the certificate's public key: what 初回登録 links
	grace bool   // expired, inside the three-month grace
}

// verifyCertificate checks the chain to a configured JPKI CA, the validity
// period (with the grace for eligibility), and the revocation list.
func (s *Server) verifyCertificate(ctx context.Context, der []byte) (*verifiedCard, error) {
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fail(eligibility.CodeMalformed, "certificate: %v", err)
	}
	if _, ok := cert.PublicKey.(*rsa.PublicKey); !ok {
		return nil, fail(eligibility.CodeUntrustedCert, "certificate key is not RSA")
	}
	now := s.cfg.Now()
	if now.Before(cert.NotBefore) {
		return nil, fail(eligibility.CodeUntrustedCert, "certificate not yet valid")
	}
	expired := now.After(cert.NotAfter)
	if expired && now.After(cert.NotAfter.AddDate(0, GraceMonths, 0)) {
		return nil, fail(eligibility.CodeCertExpired, "certificate expired on %s, past the %d-month grace",
			day(cert.NotAfter), GraceMonths)
	}
	// The chain is judged at a moment the leaf was valid; expiry is handled above.
	at := now
	if expired {
		at = cert.NotAfter
	}
	opts := x509.VerifyOptions{Roots: s.roots, CurrentTime: at, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}
	if _, err := cert.Verify(opts); err != nil {
		return nil, fail(eligibility.CodeUntrustedCert, "certificate chain: %v", err)
	}
	revoked, err := s.cfg.Store.isRevoked(ctx, issuerKey(cert), cert.SerialNumber.Text(16))
	if err != nil {
		return nil, err
	}
	if revoked {
		return nil, fail(eligibility.CodeRevokedCert, "certificate serial %s is revoked", cert.SerialNumber.Text(16))
	}
	key := sha256.Sum256(cert.RawSubjectPublicKeyInfo)
	return &verifiedCard{cert: cert, key: key[:], grace: expired}, nil
}

// issuerKey names a certificate's issuer in the revocation list: its
// authority key id when present, else the hash of the issuer name.
func issuerKey(c *x509.Certificate) []byte {
	if len(c.AuthorityKeyId) > 0 {
		return c.AuthorityKeyId
	}
	h := sha256.Sum256(c.RawIssuer)
	return h[:]
}

// RevokeCertificate puts cert on the service's revocation list.
func (s *Store) RevokeCertificate(ctx context.Context, cert *x509.Certificate, at time.Time) error {
	return s.Revoke(ctx, issuerKey(cert), cert.SerialNumber.Text(16), rfc3339(at))
}

// verifyPINSignature checks the card's PKCS#1 v1.5 SHA-256 signature over nonce.
func verifyPINSignature(cert *x509.Certificate, nonce, sig []byte) error {
	digest := sha256.Sum256(nonce)
	if err := rsa.VerifyPKCS1v15(cert.PublicKey.(*rsa.PublicKey), crypto.SHA256, digest[:], sig); err != nil {
		return fail(eligibility.CodeBadSignature, "signature over the challenge does not verify")
	}
	return nil
}

// newNonce is a fresh 32-byte challenge.
func newNonce() []byte {
	b := make([]byte, 32)
	rand.Read(b)
	return b
}

// takeChallenge consumes the kiosk's challenge id: a challenge answers one
// attempt, right or wrong, so a signature cannot be guessed at. A retry of the
// identical request returns the first answer via replay.
func (s *Server) takeChallenge(r *request, id string) (nonce []byte, replay *challenge, err error) {
	now := s.cfg.Now()
	hash := requestHash(r)
	s.challenges.with(id, func(c *challenge, ok bool) bool {
		switch {
		case !ok || c.kiosk != r.kiosk.ID:
			err = fail(eligibility.CodeChallengeUnknown, "no challenge %q for this kiosk", id)
			return ok
		case c.used && r.key != "" && c.useKey == r.key && c.useHash == hash && c.answer != nil:
			replay = c
		case c.used:
			err = fail(eligibility.CodeChallengeUsed, "challenge already answered")
		case now.After(c.expires):
			err = fail(eligibility.CodeChallengeExpired, "challenge expired at %s", rfc3339(c.expires))
		default:
			c.used, c.useKey, c.useHash = true, r.key, hash
			nonce = c.nonce
		}
		return true
	})
	return nonce, replay, err
}

// remember stores the answer to a challenge's one use.
func (s *Server) remember(id string, status int, answer []byte) {
	s.challenges.with(id, func(c *challenge, ok bool) bool {
		if ok {
			c.status, c.answer = status, answer
		}
		return true
	})
}

// openSession starts the visit a verified card unlocks.
func (s *Server) openSession(k kiosk, card *verifiedCard, person int64, method string) (string, time.Time) {
	exp := s.cfg.Now().Add(s.cfg.SessionTTL)
	id := s.sessions.add(s.cfg.Now(), &session{kiosk: k.ID, cardKey: card.key, person: person,
		grace: card.grace, method: method, expires: exp})
	return id, exp
}

// sessionFor returns the kiosk's live session for a write (consent,
// registration); an expired certificate's grace does not cover writes.
func (s *Server) sessionFor(k kiosk, id string) (*session, error) {
	var out session
	var err error
	now := s.cfg.Now()
	s.sessions.with(id, func(v *session, ok bool) bool {
		switch {
		case !ok || v.kiosk != k.ID || now.After(v.expires):
			err = fail(eligibility.CodeSessionInvalid, "no live session %q for this kiosk", id)
		case v.grace:
			err = fail(eligibility.CodeCertExpired, "the certificate has expired: only an eligibility check is allowed")
		default:
			out = *v
		}
		return ok
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func (s *Server) setSessionPerson(id string, person int64) {
	s.sessions.with(id, func(v *session, ok bool) bool {
		if ok {
			v.person = person
		}
		return ok
	})
}

func checkFlag(name, v string) error {
	if v != "0" && v != "1" {
		return fail(eligibility.CodeMalformed, "%s must be \"0\" or \"1\", not %q", name, v)
	}
	return nil
}

func checkDigits(name, v string, minLen, maxLen int) error {
	if len(v) < minLen || len(v) > maxLen {
		return fail(eligibility.CodeMalformed, "%s must be %d-%d characters", name, minLen, maxLen)
	}
	for _, c := range v {
		if c < '0' || c > '9' {
			return fail(eligibility.CodeMalformed, "%s must be digits", name)
		}
	}
	return nil
}

func validateQuery(q eligibility.InsuranceQuery) error {
	if err := validateInsured(q.InsurerNumber, q.InsuredCardSymbol, q.InsuredIdentificationNumber, q.InsuredBranchNumber); err != nil {
		return err
	}
	if err := checkDigits("Birthdate", q.Birthdate, 8, 8); err != nil {
		return err
	}
	if _, err := time.Parse("20060102", q.Birthdate); err != nil {
		return fail(eligibility.CodeMalformed, "Birthdate %q is not a date", q.Birthdate)
	}
	if f := q.LimitApplicationCertificateRelatedConsFlg; f != "" {
		return checkFlag("LimitApplicationCertificateRelatedConsFlg", f)
	}
	return nil
}

// validateInsured checks the parts of an insured number (insurer, symbol,
// number, branch).
func validateInsured(insurer, symbol, number, branch string) error {
	if err := checkDigits("InsurerNumber", insurer, 6, 8); err != nil {
		return err
	}
	if len(symbol) > 38*4 {
		return fail(eligibility.CodeMalformed, "InsuredCardSymbol too long")
	}
	if number == "" || len(number) > 38*4 {
		return fail(eligibility.CodeMalformed, "InsuredIdentificationNumber must be 1-38 characters")
	}
	if branch != "" {
		return checkDigits("InsuredBranchNumber", branch, 2, 2)
	}
	return nil
}

// ErrBadCRL is returned for a revocation list that does not parse or that no
// trusted JPKI CA signed.
var ErrBadCRL = errors.New("onshi: revocation list not usable")

// ImportCRL verifies an X.509 CRL (DER or PEM) against the trusted JPKI CAs
// and adds every serial it lists to the revocation list; it returns how many.
func (s *Server) ImportCRL(ctx context.Context, data []byte) (int, error) {
	if b, _ := pem.Decode(data); b != nil {
		data = b.Bytes
	}
	crl, err := x509.ParseRevocationList(data)
	if err != nil {
		return 0, fmt.Errorf("%w: %v", ErrBadCRL, err)
	}
	var issuer *x509.Certificate
	for _, root := range s.cfg.JPKIRoots {
		if crl.CheckSignatureFrom(root) == nil {
			issuer = root
			break
		}
	}
	if issuer == nil {
		return 0, fmt.Errorf("%w: no trusted JPKI CA signed it", ErrBadCRL)
	}
	key := crl.AuthorityKeyId
	if len(key) == 0 {
		h := sha256.Sum256(crl.RawIssuer)
		key = h[:]
	}
	serials := make([]string, len(crl.RevokedCertificateEntries))
	for i, e := range crl.RevokedCertificateEntries {
		serials[i] = e.SerialNumber.Text(16)
	}
	return len(serials), s.cfg.Store.revokeAll(ctx, key, serials, rfc3339(s.cfg.Now()))
}
