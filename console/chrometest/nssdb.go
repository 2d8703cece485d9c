package chrometest

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// clientNickname is the name the client certificate gets in the NSS
// database; the browser holds no other, so the policy needs no filter.
const clientNickname = "operator"

// makeNSSDB creates home/.pki/nssdb, where chromium on Linux looks for
// trusted CAs and client certificates: the CAs trusted for TLS servers, and
// the client certificate with its key when there is one.
func makeNSSDB(home string, trusted []*x509.Certificate, client *tls.Certificate) error {
	db := filepath.Join(home, ".pki", "nssdb")
	if err := os.MkdirAll(db, 0o700); err != nil {
		return fmt.Errorf("NSS database: %w", err)
	}
	dbArg := "sql:" + db
	if err := run(nil, "certutil", "-N", "-d", dbArg, "--empty-password"); err != nil {
		return err
	}
	for i, ca := range trusted {
		if ca == nil {
			return fmt.Errorf("TrustedCAs[%d] is nil", i)
		}
		caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Raw})
		// C,, : a CA trusted to issue TLS server certificates, nothing else.
		if err := run(caPEM, "certutil", "-A", "-d", dbArg, "-n", fmt.Sprintf("trusted-ca-%d", i), "-t", "C,,", "-a"); err != nil {
			return err
		}
	}
	if client == nil {
		return nil
	}
	return importClientCert(home, dbArg, client)
}

// importClientCert imports the certificate chain and key through a PKCS#12
// file with an empty password (pk12util reads no other form). The key goes
// to openssl on standard input; the PKCS#12 file lives in a private folder
// only until pk12util has read it.
func importClientCert(home, dbArg string, client *tls.Certificate) error {
	if len(client.Certificate) == 0 || client.PrivateKey == nil {
		return errors.New("ClientCert needs a certificate and its private key")
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(client.PrivateKey)
	if err != nil {
		return fmt.Errorf("ClientCert's private key: %w", err)
	}
	scratch, err := os.MkdirTemp(home, "p12-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(scratch)

	var chain []byte
	for _, der := range client.Certificate {
		chain = append(chain, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	}
	chainFile := filepath.Join(scratch, "chain.pem")
	if err := os.WriteFile(chainFile, chain, 0o600); err != nil {
		return err
	}
	p12 := filepath.Join(scratch, "client.p12")
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	if err := run(keyPEM, "openssl", "pkcs12", "-export", "-in", chainFile, "-inkey", "/dev/stdin",
		"-name", clientNickname, "-passout", "pass:", "-out", p12); err != nil {
		return err
	}
	return run(nil, "pk12util", "-i", p12, "-d", dbArg, "-W", "")
}

// run runs a tool with stdin and returns its output in the error when it fails.
func run(stdin []byte, name string, args ...string) error {
	cmd := exec.Command(name, args...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s %s: %v\n%s", name, args[0], err, out)
	}
	return nil
}
