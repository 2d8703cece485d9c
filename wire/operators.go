package wire

import (
	"crypto/x509"
	"fmt"
	"os"

	"github.com/uketsuke/uketsuke/app/config"
	"github.com/uketsuke/uketsuke/app/operator"
	"github.com/uketsuke/uketsuke/hardware/pkcs11"
)

// operators builds the operator authenticator when operators are
// registered: My Number Cards against the JPKI roots of the trust anchors,
// HPKI cards through the configured PKCS#11 module against the HPKI CA file.
func (w *World) operators() error {
	s := w.Config.Parts.Staff
	if len(s.Operators) == 0 {
		return nil
	}
	registered, err := s.Registered()
	if err != nil {
		return fmt.Errorf("%w: %w", ErrConfig, err)
	}
	roots := map[operator.Scheme]*x509.CertPool{}
	if w.Anchors != nil && w.Anchors.JPKI != nil {
		roots[operator.SchemeJPKI] = w.Anchors.JPKI
	}
	if s.PKCS11Module != "" {
		pool, err := hpkiRoots(s)
		if err != nil {
			return err
		}
		roots[operator.SchemeHPKI] = pool
		m, err := pkcs11.Open(s.PKCS11Module)
		if err != nil {
			return bad("parts.staff.pkcs11_module", "%v", err)
		}
		w.onClose(m.Close)
		w.HPKI = m
	}
	a, err := operator.New(operator.Config{Operators: registered, Roots: roots,
		Timeout: s.SessionTimeout.Duration, Log: w.Audit})
	if err != nil {
		return bad("parts.staff.operators", "%v", err)
	}
	w.Operators = a
	w.Desk = newStaffDesk(a, w.HPKI)
	if w.reader != nil {
		w.reader.desk = w.Desk
	}
	return nil
}

// hpkiRoots reads the HPKI CA certificates.
func hpkiRoots(s config.Staff) (*x509.CertPool, error) {
	return certPool("parts.staff.hpki_ca_file", s.HPKICAFile)
}

// checkHPKIFiles is the dry run's check of the HPKI CA file and module
// (the module is only looked for, not loaded).
func checkHPKIFiles(s config.Staff) error {
	if s.PKCS11Module == "" {
		return nil
	}
	if _, err := hpkiRoots(s); err != nil {
		return err
	}
	if fi, err := os.Stat(s.PKCS11Module); err != nil || fi.IsDir() {
		return bad("parts.staff.pkcs11_module", "%s is not a file", s.PKCS11Module)
	}
	return nil
}
