package eligibility

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/uketsuke/uketsuke/app/pinnedtls"
)

// Config shapes a Client.
type Config struct {
	BaseURL string      // e.g. https://127.0.0.1:8443
	TLS     *tls.Config // with the kiosk's client certificate and the service's CA
	// AttemptTimeout bounds one attempt (default 3 s); Attempts is how many
	// tries a request gets (default 3); Backoff is the pause before the
	// first retry, doubled for each next one (default 100 ms).
	AttemptTimeout time.Duration
	Attempts       int
	Backoff        time.Duration
	// Transport replaces the HTTPS transport built from TLS (for tests).
	Transport http.RoundTripper
	// Now is the kiosk's clock for its own certificate date checks (nil: time.Now).
	Now func() time.Time
}

// Client talks to the eligibility service. Every request is safe to retry:
// reads change nothing, and writes carry an idempotency key the service
// stores with its answer, so a retry after a lost answer gets the first
// answer instead of writing again.
type Client struct {
	base *url.URL
	http *http.Client
	cfg  Config
}

// ErrTransport wraps a failure to reach the service after every attempt.
var ErrTransport = errors.New("eligibility: service unreachable")

// maxResponseBytes bounds what the client reads from the service.
const maxResponseBytes = 1 << 20

// NewClient checks cfg and builds a client.
func NewClient(cfg Config) (*Client, error) {
	base, err := url.Parse(cfg.BaseURL)
	if err != nil || base.Scheme != "https" || base.Host == "" {
		return nil, fmt.Errorf("eligibility: base URL %q must be https://host:port", cfg.BaseURL)
	}
	if err := pinnedtls.Check(cfg.TLS); err != nil {
		return nil, err
	}
	if cfg.AttemptTimeout <= 0 {
		cfg.AttemptTimeout = 3 * time.Second
	}
	if cfg.Attempts <= 0 {
		cfg.Attempts = 3
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = 100 * time.Millisecond
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	rt := cfg.Transport
	if rt == nil {
		rt = pinnedtls.Transport(cfg.TLS, 4, cfg.AttemptTimeout)
	}
	return &Client{base: base, http: &http.Client{Transport: rt}, cfg: cfg}, nil
}

// ErrUnpinned means the TLS configuration would trust more than the
// service's own CA, or would not show the kiosk's certificate: the
// eligibility service is reached only through mutual TLS with a pinned CA,
// even when Transport replaces the HTTPS transport.
var ErrUnpinned = pinnedtls.ErrUnpinned

// Close drops the kept-alive connections (when the kiosk shuts down).
func (c *Client) Close() { c.http.CloseIdleConnections() }

// NewIdempotencyKey returns a fresh key for one logical write (one press of
// the consent button, one 初回登録); reuse it for every retry of that write.
func NewIdempotencyKey() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Challenge asks for a fresh single-use challenge for the card to sign.
func (c *Client) Challenge(ctx context.Context) (*ChallengeResponse, error) {
	var out ChallengeResponse
	return &out, c.post(ctx, PathChallenge, "", struct{}{}, &out)
}

// CheckByCard presents a signed challenge and asks for eligibility.
func (c *Client) CheckByCard(ctx context.Context, req CardCheckRequest) (*CardCheckResponse, error) {
	var out CardCheckResponse
	return &out, c.post(ctx, PathCheckByCard, NewIdempotencyKey(), req, &out)
}

// CardSigner is the card after its PIN was verified; *mynacard.Card is one.
type CardSigner interface {
	AuthCertificate(ctx context.Context) (*x509.Certificate, error)
	SignWithAuthKey(ctx context.Context, digest [32]byte) ([]byte, error)
}

// CheckByPIN runs the PIN path once the PIN is verified on the card: a
// fresh challenge, the card's signature over it, the check.
func (c *Client) CheckByPIN(ctx context.Context, card CardSigner) (*CardCheckResponse, error) {
	cert, err := card.AuthCertificate(ctx)
	if err != nil {
		return nil, fmt.Errorf("eligibility: reading the card certificate: %w", err)
	}
	ch, err := c.Challenge(ctx)
	if err != nil {
		return nil, err
	}
	sig, err := card.SignWithAuthKey(ctx, sha256.Sum256(ch.Nonce))
	if err != nil {
		return nil, fmt.Errorf("eligibility: card signature: %w", err)
	}
	return c.CheckByCard(ctx, CardCheckRequest{ChallengeID: ch.ChallengeID, Certificate: cert.Raw, Signature: sig})
}

// CheckByInsurance asks for eligibility by insurance card number.
func (c *Client) CheckByInsurance(ctx context.Context, q InsuranceQuery) (*Result, error) {
	var out Result
	return &out, c.post(ctx, PathCheckByInsurance, "", q, &out)
}

// RecordConsent records the patient's consent in the visit's session. key
// names this one consent (see NewIdempotencyKey); "" makes a fresh one, which
// still protects the retries inside this call.
func (c *Client) RecordConsent(ctx context.Context, key, session string, consent Consent) (*ConsentResponse, error) {
	if key == "" {
		key = NewIdempotencyKey()
	}
	var out ConsentResponse
	return &out, c.post(ctx, PathConsent, key, ConsentRequest{Session: session, Consent: consent}, &out)
}

// Register is 初回登録: it links the session's card to the insurance record.
func (c *Client) Register(ctx context.Context, key, session string, record InsuranceQuery) (*RegisterResponse, error) {
	if key == "" {
		key = NewIdempotencyKey()
	}
	var out RegisterResponse
	return &out, c.post(ctx, PathRegister, key, RegisterRequest{Session: session, Record: record}, &out)
}

// post sends one request, retrying transport failures and 5xx answers with
// the same body and key. A 4xx answer is returned at once as *APIError.
func (c *Client) post(ctx context.Context, path, key string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	delay := c.cfg.Backoff
	var last error
	for attempt := 0; attempt < c.cfg.Attempts; attempt++ {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return errors.Join(ctx.Err(), last)
			case <-time.After(delay):
			}
			delay *= 2
		}
		var retry bool
		retry, last = c.once(ctx, path, key, body, out)
		if !retry {
			return last
		}
		if ctx.Err() != nil {
			break
		}
	}
	return fmt.Errorf("%w: %s after %d attempts: %w", ErrTransport, path, c.cfg.Attempts, last)
}

func (c *Client) once(ctx context.Context, path, key string, body []byte, out any) (retry bool, err error) {
	actx, cancel := context.WithTimeout(ctx, c.cfg.AttemptTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodPost, c.base.JoinPath(path).String(), bytes.NewReader(body))
	if err != nil {
		return false, err
	}
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set(HeaderIdempotencyKey, key)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return true, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return true, err
	}
	if resp.StatusCode >= 500 {
		return true, decodeError(resp.StatusCode, data)
	}
	if resp.StatusCode != http.StatusOK {
		return false, decodeError(resp.StatusCode, data)
	}
	if err := json.Unmarshal(data, out); err != nil {
		return false, fmt.Errorf("%w: %s: %w", ErrMalformedAnswer, path, err)
	}
	return false, nil
}

func decodeError(status int, data []byte) error {
	var er ErrorResponse
	if err := json.Unmarshal(data, &er); err != nil || er.Error.Code == "" {
		return &APIError{Status: status, Code: CodeInternal, Message: fmt.Sprintf("HTTP %d without an error body", status)}
	}
	er.Error.Status = status
	return &er.Error
}
