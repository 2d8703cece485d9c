package mynacard

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
)

// TrustAnchors are the keys the kiosk trusts, from configuration: J-LIS CA keys
// for the 券面AP and 入力補助AP CV certificates, and JPKI root CAs.
type TrustAnchors struct {
	Kenmen map[KeyID]*rsa.PublicKey
	Hojo   map[KeyID]*rsa.PublicKey
	JPKI   *x509.CertPool

	jpkiPEM string // kept so the anchors can be written back out
	signers *signerCache
}

// NewTrustAnchors returns empty anchors that remember the face-record
// signer keys they have verified (see ReadVerifiedFaceRecord).
func NewTrustAnchors() *TrustAnchors {
	return &TrustAnchors{Kenmen: map[KeyID]*rsa.PublicKey{}, Hojo: map[KeyID]*rsa.PublicKey{}, signers: &signerCache{}}
}

// anchorFile is the JSON form of TrustAnchors.
type anchorFile struct {
	Kenmen []anchorKey `json:"kenmen"`
	Hojo   []anchorKey `json:"hojo"`
	JPKI   string      `json:"jpki_pem"`
}

type anchorKey struct {
	ID       string `json:"id"`       // 32 hex digits
	Modulus  string `json:"modulus"`  // hex
	Exponent int    `json:"exponent"` // usually 65537
}

// LoadTrustAnchors reads a trust file (JSON).
func LoadTrustAnchors(path string) (*TrustAnchors, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseTrustAnchors(data)
}

// ParseTrustAnchors decodes the JSON trust file.
func ParseTrustAnchors(data []byte) (*TrustAnchors, error) {
	var f anchorFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("trust anchors: %w", err)
	}
	t := NewTrustAnchors()
	for _, set := range []struct {
		keys []anchorKey
		into map[KeyID]*rsa.PublicKey
	}{{f.Kenmen, t.Kenmen}, {f.Hojo, t.Hojo}} {
		for _, k := range set.keys {
			id, pub, err := k.decode()
			if err != nil {
				return nil, err
			}
			set.into[id] = pub
		}
	}
	if f.JPKI != "" {
		t.JPKI, t.jpkiPEM = x509.NewCertPool(), f.JPKI
		if !t.JPKI.AppendCertsFromPEM([]byte(f.JPKI)) {
			return nil, fmt.Errorf("trust anchors: jpki_pem holds no certificate")
		}
	}
	return t, nil
}

func (k anchorKey) decode() (KeyID, *rsa.PublicKey, error) {
	var id KeyID
	raw, err := hex.DecodeString(k.ID)
	if err != nil || len(raw) != len(id) {
		return id, nil, fmt.Errorf("trust anchors: key id %q is not 32 hex digits", k.ID)
	}
	copy(id[:], raw)
	n, ok := new(big.Int).SetString(k.Modulus, 16)
	if !ok || n.BitLen() < 2048 || k.Exponent < 3 {
		return id, nil, fmt.Errorf("trust anchors: key %s is not an RSA-2048 key", k.ID)
	}
	return id, &rsa.PublicKey{N: n, E: k.Exponent}, nil
}

// MarshalJSON writes the trust file form.
func (t *TrustAnchors) MarshalJSON() ([]byte, error) {
	enc := func(m map[KeyID]*rsa.PublicKey) []anchorKey {
		var out []anchorKey
		for id, k := range m {
			out = append(out, anchorKey{ID: hex.EncodeToString(id[:]), Modulus: k.N.Text(16), Exponent: k.E})
		}
		return out
	}
	return json.MarshalIndent(anchorFile{Kenmen: enc(t.Kenmen), Hojo: enc(t.Hojo), JPKI: t.jpkiPEM}, "", "  ")
}

// AddJPKIRoot trusts a JPKI root CA certificate.
func (t *TrustAnchors) AddJPKIRoot(cert *x509.Certificate) {
	if t.JPKI == nil {
		t.JPKI = x509.NewCertPool()
	}
	t.JPKI.AddCert(cert)
	t.jpkiPEM += string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}))
}
