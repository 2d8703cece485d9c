package revisit

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/uketsuke/uketsuke/app/pinnedtls"
)

// VisitPath is where the visit-history service takes records (POST, one
// record's JSON form) and lists them (GET).
const VisitPath = "/v1/visits"

// VisitClientConfig shapes a VisitClient.
type VisitClientConfig struct {
	BaseURL string      // https://host:port of the visit-history service
	TLS     *tls.Config // the service's CA pinned, the kiosk's client certificate
	Timeout time.Duration
	// Transport replaces the HTTPS transport built from TLS (tests); TLS is
	// checked all the same.
	Transport http.RoundTripper
}

// ErrUnpinned means the TLS configuration would trust more than the
// service's own CA, or would not show the kiosk's certificate: visit
// records carry converted codes and travel only over mutual TLS with a
// pinned CA, as the eligibility client's requests do.
var ErrUnpinned = pinnedtls.ErrUnpinned

// VisitClient posts visit records to the visit-history service. It makes
// one attempt per call: retrying is the Sender's, whose queue outlives the
// process.
type VisitClient struct {
	endpoint string
	http     *http.Client
}

var _ VisitPoster = (*VisitClient)(nil)

// NewVisitClient checks cfg and builds a client.
func NewVisitClient(cfg VisitClientConfig) (*VisitClient, error) {
	base, err := url.Parse(cfg.BaseURL)
	if err != nil || base.Scheme != "https" || base.Host == "" || base.User != nil {
		return nil, &InvalidError{"visit service URL", "want https://host:port"}
	}
	if err := pinnedtls.Check(cfg.TLS); err != nil {
		return nil, err
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	rt := cfg.Transport
	if rt == nil {
		rt = pinnedtls.Transport(cfg.TLS, 1, cfg.Timeout)
	}
	// Redirects are not followed: a record goes to the configured service
	// only.
	hc := &http.Client{Transport: rt, Timeout: cfg.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &VisitClient{endpoint: base.JoinPath(VisitPath).String(), http: hc}, nil
}

// Close drops kept-alive connections.
func (c *VisitClient) Close() { c.http.CloseIdleConnections() }

// maxAnswerBytes bounds what is read of the service's answer.
const maxAnswerBytes = 16 << 10

// PostVisit sends one record. 2xx: the service has it (a record it already
// had answers 2xx too). 400, 409, 413, 415 and 422 are about the record
// itself: *RefusedError. Everything else (no answer, 5xx, 408, 429, and
// 401, 403 or 404, which say the kiosk or the address is wrong, not the
// record) wraps ErrUndelivered, and the record stays queued.
func (c *VisitClient) PostVisit(ctx context.Context, payload []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(payload))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrUndelivered, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return nil
	case refusesRecord(resp.StatusCode):
		return &RefusedError{Status: resp.StatusCode, Reason: cleanReason(answerMessage(body))}
	}
	return fmt.Errorf("%w: HTTP %d: %s", ErrUndelivered, resp.StatusCode, cleanReason(answerMessage(body)))
}

func refusesRecord(status int) bool {
	switch status {
	case http.StatusBadRequest, http.StatusConflict, http.StatusRequestEntityTooLarge,
		http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity:
		return true
	}
	return false
}

// VisitError is the service's error body: {"error":{"code":…,"message":…}}.
type VisitError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func answerMessage(body []byte) string {
	var e VisitError
	if json.Unmarshal(body, &e) == nil && e.Error.Code != "" {
		return e.Error.Code + ": " + e.Error.Message
	}
	return "no error body"
}
