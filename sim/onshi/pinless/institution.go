package pinless

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/binary"
	"fmt"
)

// Institution is the service's side of 特定機関認証. A licensed
// implementation (the real J-LIS protocol) replaces Simulated behind it.
type Institution interface {
	// Begin starts one authentication and returns the first batch of
	// commands for the kiosk to send to the card.
	Begin(ctx context.Context) (Run, [][]byte, error)
}

// Run is one authentication in progress.
type Run interface {
	// Step takes the card's responses (data ‖ SW1 SW2) to the last batch and
	// returns the next batch, or, when the card has proven itself, nil and
	// the DER user-authentication certificate whose key signed.
	Step(ctx context.Context, responses [][]byte) (next [][]byte, certificate []byte, err error)
}

// Hierarchy is the simulated institution PKI: a CA whose public key the
// cards trust for this exchange, and one institution (the eligibility
// service) holding a CV certificate from it.
type Hierarchy struct {
	CAKey  *rsa.PrivateKey
	CAID   [KeyIDLen]byte
	Key    *rsa.PrivateKey
	Code   [KeyIDLen]byte // the institution code, the CV certificate's subject
	CVCert []byte
}

// NewHierarchy derives the hierarchy from seed: the same seed, the same keys.
func NewHierarchy(seed string) (*Hierarchy, error) {
	h := &Hierarchy{
		CAKey: deterministicKey("uketsuke institution CA/"+seed, 2048),
		Key:   deterministicKey("uketsuke institution/"+seed, 2048),
	}
	copy(h.CAID[:], "UKETSUKE-IA-CA-1")
	copy(h.Code[:], "ONSHI-SIM-000001")
	cv, err := EncodeCV(h.CAID, h.Code, &h.Key.PublicKey, h.CAKey)
	if err != nil {
		return nil, err
	}
	h.CVCert = cv
	return h, nil
}

// Simulated drives the exchange with this project's own hierarchy.
type Simulated struct{ H *Hierarchy }

// Begin implements Institution.
func (s Simulated) Begin(context.Context) (Run, [][]byte, error) {
	nonce := make([]byte, NonceLen)
	rand.Read(nonce)
	r := &simRun{h: s.H, nonce: nonce}
	return r, [][]byte{
		append([]byte{0x00, 0xA4, 0x04, 0x0C, byte(len(JPKIAID))}, JPKIAID...),
		{0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x0A},
		{0x00, 0xB0, 0x00, 0x00, 0x04},
	}, nil
}

type simRun struct {
	h     *Hierarchy
	nonce []byte
	stage int
	want  int // responses expected for the current batch
	cert  []byte
	size  int
}

func (r *simRun) Step(_ context.Context, responses [][]byte) ([][]byte, []byte, error) {
	r.stage++
	switch r.stage {
	case 1:
		return r.afterHeader(responses)
	case 2:
		return r.afterCertificate(responses)
	case 3:
		return r.afterChallenge(responses)
	case 4:
		return r.afterSignature(responses)
	}
	return nil, nil, fmt.Errorf("%w: exchange already finished", ErrCard)
}

// payloads checks n responses all ended 9000 and returns their data.
func payloads(responses [][]byte, n int) ([][]byte, error) {
	if len(responses) != n {
		return nil, fmt.Errorf("%w: %d responses for %d commands", ErrCard, len(responses), n)
	}
	out := make([][]byte, n)
	for i, resp := range responses {
		if len(resp) < 2 || !bytes.Equal(resp[len(resp)-2:], SWOK) {
			return nil, fmt.Errorf("%w: command %d answered % X", ErrCard, i+1, resp[max(0, len(resp)-2):])
		}
		out[i] = resp[:len(resp)-2]
	}
	return out, nil
}

func (r *simRun) afterHeader(responses [][]byte) ([][]byte, []byte, error) {
	data, err := payloads(responses, 3)
	if err != nil {
		return nil, nil, err
	}
	head := data[2]
	if len(head) != 4 || head[0] != 0x30 || head[1] != 0x82 {
		return nil, nil, fmt.Errorf("%w: certificate header % X", ErrCard, head)
	}
	r.size = int(binary.BigEndian.Uint16(head[2:])) + 4
	var cmds [][]byte
	for off := 0; off < r.size; off += maxShortDataBytes {
		n := min(maxShortDataBytes, r.size-off)
		cmds = append(cmds, []byte{0x00, 0xB0, byte(off >> 8), byte(off), byte(n)})
	}
	r.want = len(cmds)
	return cmds, nil, nil
}

func (r *simRun) afterCertificate(responses [][]byte) ([][]byte, []byte, error) {
	data, err := payloads(responses, r.want)
	if err != nil {
		return nil, nil, err
	}
	r.cert = bytes.Join(data, nil)
	if len(r.cert) != r.size {
		return nil, nil, fmt.Errorf("%w: certificate is %d bytes, header said %d", ErrCard, len(r.cert), r.size)
	}
	cmds := chained(0x80, InsSetPublicKey, 0x00, 0x00, r.h.CVCert)
	cmds = append(cmds, []byte{0x00, InsGetChallenge, 0x00, 0x00, ChallengeLen})
	r.want = len(cmds)
	return cmds, nil, nil
}

func (r *simRun) afterChallenge(responses [][]byte) ([][]byte, []byte, error) {
	data, err := payloads(responses, r.want)
	if err != nil {
		return nil, nil, err
	}
	challenge := data[len(data)-1]
	if len(challenge) != ChallengeLen {
		return nil, nil, fmt.Errorf("%w: challenge of %d bytes", ErrCard, len(challenge))
	}
	sig, err := rsa.SignPKCS1v15(nil, r.h.Key, crypto.SHA256, ExternalAuthDigest(challenge))
	if err != nil {
		return nil, nil, err
	}
	cmds := chained(0x00, InsExternalAuth, 0x00, 0x00, sig)
	cmds = append(cmds, []byte{0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x17})
	sign := append([]byte{0x00, InsPinlessSign, 0x00, P2PinlessSign, NonceLen}, r.nonce...)
	cmds = append(cmds, append(sign, 0x00))
	r.want = len(cmds)
	return cmds, nil, nil
}

func (r *simRun) afterSignature(responses [][]byte) ([][]byte, []byte, error) {
	data, err := payloads(responses, r.want)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(r.cert)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: certificate: %v", ErrCard, err)
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return nil, nil, fmt.Errorf("%w: certificate key is not RSA", ErrCard)
	}
	sig := data[len(data)-1]
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, PinlessDigest(r.h.Code, r.nonce), sig); err != nil {
		return nil, nil, fmt.Errorf("%w: PIN-less signature does not verify", ErrCard)
	}
	return nil, r.cert, nil
}
