package pinless

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"fmt"
)

// Institution is the service's side of 特定機関認証. A licensed
// implementation (the real J-LIS protocol) replaces Simulated behind it.
type Institution interface {
	// Begin starts one authentication and returns the first batch of
	// commands for the kiosk to send to the card. extended says the
	// kiosk's link carries extended-length commands.
	Begin(ctx context.Context, extended bool) (Run, [][]byte, error)
}

// Run is one authentication in progress. Its batches come in three kinds:
// commands to relay now, whose answers come back with the next step;
// commands to relay now whose answers the kiosk holds back (they arrive
// with the final step); and final commands the kiosk relays only once it
// has verified the holder.
type Run interface {
	// Step takes the card's responses (data ‖ SW1 SW2) to the last batch
	// and returns the next one.
	Step(ctx context.Context, responses [][]byte) (Batch, error)
	// Finish takes the held and final responses with the holder's
	// user-authentication certificate (DER), which the kiosk read itself,
	// and returns nil once the card has proven it holds that certificate's key.
	Finish(ctx context.Context, responses [][]byte, certificate []byte) error
}

// Batch is a step's answer: Commands alone continue the exchange; with
// Final, Commands are relayed at once but answered only with Final's
// answers, after the holder is verified.
type Batch struct {
	Commands [][]byte
	Final    [][]byte
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

// Begin implements Institution: the institution's certificate and the
// card's challenge, which say nothing about the holder.
func (s Simulated) Begin(_ context.Context, extended bool) (Run, [][]byte, error) {
	nonce := make([]byte, NonceLen)
	rand.Read(nonce)
	r := &simRun{h: s.H, nonce: nonce, extended: extended}
	cmds := [][]byte{append([]byte{0x00, 0xA4, 0x04, 0x0C, byte(len(JPKIAID))}, JPKIAID...)}
	cmds = append(cmds, r.command(0x80, InsSetPublicKey, s.H.CVCert)...)
	cmds = append(cmds, []byte{0x00, InsGetChallenge, 0x00, 0x00, ChallengeLen})
	r.want = len(cmds)
	return r, cmds, nil
}

type simRun struct {
	h        *Hierarchy
	nonce    []byte
	extended bool
	stage    int
	want     int // responses expected for the current batch
}

// command carries data in one extended APDU when the link allows, chained
// short APDUs otherwise.
func (r *simRun) command(cla, ins byte, data []byte) [][]byte {
	if r.extended && len(data) > maxShortDataBytes {
		return [][]byte{extended(cla, ins, 0x00, 0x00, data)}
	}
	return chained(cla, ins, 0x00, 0x00, data)
}

// Step answers the challenge: the institution's signature over it, then
// the signing command, held until the holder is verified.
func (r *simRun) Step(_ context.Context, responses [][]byte) (Batch, error) {
	if r.stage != 0 {
		return Batch{}, fmt.Errorf("%w: the challenge was answered already", ErrCard)
	}
	r.stage++
	data, err := payloads(responses, r.want)
	if err != nil {
		return Batch{}, err
	}
	challenge := data[len(data)-1]
	if len(challenge) != ChallengeLen {
		return Batch{}, fmt.Errorf("%w: challenge of %d bytes", ErrCard, len(challenge))
	}
	sig, err := rsa.SignPKCS1v15(nil, r.h.Key, crypto.SHA256, ExternalAuthDigest(challenge))
	if err != nil {
		return Batch{}, err
	}
	now := append(r.command(0x00, InsExternalAuth, sig), []byte{0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x17})
	sign := append([]byte{0x00, InsPinlessSign, 0x00, P2PinlessSign, NonceLen}, r.nonce...)
	final := [][]byte{append(sign, 0x00)}
	r.want = len(now) + len(final)
	return Batch{Commands: now, Final: final}, nil
}

// Finish checks the card's signature over the nonce with the certificate's key.
func (r *simRun) Finish(_ context.Context, responses [][]byte, certificate []byte) error {
	if r.stage != 1 {
		return fmt.Errorf("%w: nothing to finish", ErrCard)
	}
	r.stage++
	data, err := payloads(responses, r.want)
	if err != nil {
		return err
	}
	cert, err := x509.ParseCertificate(certificate)
	if err != nil {
		return fmt.Errorf("%w: certificate: %v", ErrCard, err)
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return fmt.Errorf("%w: certificate key is not RSA", ErrCard)
	}
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, PinlessDigest(r.h.Code, r.nonce), data[len(data)-1]); err != nil {
		return fmt.Errorf("%w: PIN-less signature does not verify", ErrCard)
	}
	return nil
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
