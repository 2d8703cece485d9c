// Package onshi is a stand-in for the オンライン資格確認 system: an HTTPS
// service over an SQLite database of synthetic insured people. Kiosks are
// authenticated by client certificates; card holders by their JPKI
// user-authentication certificate, either through a PIN signature over a
// fresh challenge or through PIN-less 特定機関認証 relayed by the kiosk.
// The wire types are those of app/eligibility.
package onshi

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/uketsuke/uketsuke/sim/internal/httpsserve"

	"github.com/uketsuke/uketsuke/app/eligibility"
)

// Config is what a Server needs.
type Config struct {
	Store *Store
	// JPKIRoots are the trusted JPKI user-authentication CA certificates.
	JPKIRoots []*x509.Certificate
	// Institution runs PIN-less 特定機関認証; nil disables the PIN-less path.
	Institution Institution
	Now         func() time.Time // nil: time.Now
	Log         *slog.Logger     // nil: discard
	// ChallengeTTL bounds how long a challenge can be answered (default 60 s);
	// SessionTTL how long a visit may go on after its card check (default 10 min).
	ChallengeTTL, SessionTTL time.Duration
	// IdempotencyTTL is how long stored answers to writes are kept for
	// retries (default 7 days); Serve prunes older ones hourly.
	IdempotencyTTL time.Duration
}

// GraceMonths is how long after its certificate expired a card may still be used
// for an eligibility check (and only for that).
const GraceMonths = 3

// Server is the eligibility service.
type Server struct {
	cfg        Config
	roots      *x509.CertPool
	challenges *ttlMap[*challenge]
	sessions   *ttlMap[*session]
	relays     *ttlMap[*relay]
	mux        *http.ServeMux
	told       disclosures
}

// NewServer builds a service over cfg.Store.
func NewServer(cfg Config) *Server {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.ChallengeTTL == 0 {
		cfg.ChallengeTTL = time.Minute
	}
	if cfg.SessionTTL == 0 {
		cfg.SessionTTL = 10 * time.Minute
	}
	if cfg.IdempotencyTTL == 0 {
		cfg.IdempotencyTTL = 7 * 24 * time.Hour
	}
	s := &Server{
		cfg:        cfg,
		roots:      x509.NewCertPool(),
		challenges: newTTLMap(func(c *challenge) time.Time { return c.expires }),
		sessions:   newTTLMap(func(c *session) time.Time { return c.expires }),
		relays:     newTTLMap(func(r *relay) time.Time { return r.expires }),
		mux:        http.NewServeMux(),
	}
	for _, c := range cfg.JPKIRoots {
		s.roots.AddCert(c)
	}
	s.route(eligibility.PathChallenge, s.handleChallenge)
	s.route(eligibility.PathCheckByCard, s.handleCardCheck)
	s.route(eligibility.PathCheckByInsurance, s.handleInsuranceCheck)
	s.route(eligibility.PathConsent, s.handleConsent)
	s.route(eligibility.PathRegister, s.handleRegister)
	s.route(eligibility.PathReferenceNumber, s.handleReferenceNumber)
	s.route(eligibility.PathReferenceNumbers, s.handleReferenceNumbers)
	s.route(eligibility.PathReferenceNumberDeregister, s.handleReferenceNumberDeregister)
	s.route(eligibility.PathPinlessStart, s.handlePinlessStart)
	s.route(eligibility.PathPinlessStep, s.handlePinlessStep)
	s.route(eligibility.PathCertStatus, s.handleCertStatus)
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, fail(eligibility.CodeNotFound, "no endpoint %s", r.URL.Path))
	})
	return s
}

// kiosk is the caller, from its client certificate.
type kiosk struct {
	ID          string // certificate CN
	Institution string // 医療機関コード, the certificate's first OU
}

// request is what a handler gets: the caller and the raw body.
type request struct {
	ctx   context.Context
	kiosk kiosk
	body  []byte
	key   string // Idempotency-Key header, may be empty
	path  string
}

type handler func(*request) (status int, resp any, err error)

// route registers h for POST on path, with the body limit and error mapping.
func (s *Server) route(path string, h handler) {
	s.mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
		req, err := s.readRequest(w, r)
		if err == nil {
			var status int
			var resp any
			status, resp, err = h(req)
			if err == nil {
				writeJSON(w, status, resp)
				return
			}
		}
		var api *eligibility.APIError
		if !errors.As(err, &api) {
			s.cfg.Log.Error("onshi: internal error", "path", r.URL.Path, "err", err)
			err = fail(eligibility.CodeInternal, "internal error")
		}
		writeError(w, err)
	})
}

func (s *Server) readRequest(w http.ResponseWriter, r *http.Request) (*request, error) {
	if r.Method != http.MethodPost {
		return nil, fail(eligibility.CodeMethodNotAllowed, "%s wants POST", r.URL.Path)
	}
	k, err := kioskOf(r)
	if err != nil {
		return nil, err
	}
	if r.ContentLength > eligibility.MaxRequestBytes {
		return nil, fail(eligibility.CodeTooLarge, "body over %d bytes", eligibility.MaxRequestBytes)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, eligibility.MaxRequestBytes))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return nil, fail(eligibility.CodeTooLarge, "body over %d bytes", eligibility.MaxRequestBytes)
	case err != nil:
		return nil, fail(eligibility.CodeMalformed, "reading body: %v", err)
	}
	key := r.Header.Get(eligibility.HeaderIdempotencyKey)
	if len(key) > 128 {
		return nil, fail(eligibility.CodeMalformed, "idempotency key over 128 bytes")
	}
	return &request{ctx: r.Context(), kiosk: k, body: body, key: key, path: r.URL.Path}, nil
}

func kioskOf(r *http.Request) (kiosk, error) {
	if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
		return kiosk{}, fail(eligibility.CodeKioskUnknown, "no client certificate")
	}
	c := r.TLS.PeerCertificates[0]
	if c.Subject.CommonName == "" || len(c.Subject.OrganizationalUnit) == 0 {
		return kiosk{}, fail(eligibility.CodeKioskUnknown, "client certificate lacks CN or institution code (OU)")
	}
	return kiosk{ID: c.Subject.CommonName, Institution: c.Subject.OrganizationalUnit[0]}, nil
}

// decode parses a JSON body strictly into v: unknown fields and trailing
// data are malformed.
func decode(body []byte, v any) error {
	dec := json.NewDecoder(bytesReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fail(eligibility.CodeMalformed, "body: %v", err)
	}
	if dec.More() {
		return fail(eligibility.CodeMalformed, "body: data after the JSON value")
	}
	if _, err := dec.Token(); err != io.EOF {
		return fail(eligibility.CodeMalformed, "body: data after the JSON value")
	}
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var body []byte
	if raw, ok := v.(json.RawMessage); ok {
		body = raw
	} else {
		var err error
		if body, err = json.Marshal(v); err != nil {
			status, body = 500, []byte(`{"Error":{"Code":"internal_error","Message":"encoding"}}`)
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(body)
}

func writeError(w http.ResponseWriter, err error) {
	var api *eligibility.APIError
	errors.As(err, &api)
	writeJSON(w, api.Status, eligibility.ErrorResponse{Error: *api})
}

// requestHash identifies a request's content for idempotent replays.
func requestHash(r *request) [32]byte {
	h := sha256.New()
	h.Write([]byte(r.path))
	h.Write([]byte{0})
	h.Write(r.body)
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// Handler is the service's HTTP handler (without TLS; kiosks need r.TLS).
func (s *Server) Handler() http.Handler { return s.mux }

// ServerTLSConfig requires TLS 1.2+ and a kiosk certificate issued by kioskCA.
func ServerTLSConfig(cert tls.Certificate, kioskCA *x509.CertPool) *tls.Config {
	return &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{cert},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    kioskCA,
	}
}

// pruneEvery drops expired idempotency records now and then every period.
func (s *Server) pruneEvery(ctx context.Context, period time.Duration) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		if _, err := s.cfg.Store.PruneIdempotency(ctx, s.cfg.Now().Add(-s.cfg.IdempotencyTTL)); err != nil && ctx.Err() == nil {
			s.cfg.Log.Warn("onshi: pruning idempotency records", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Serve answers HTTPS on ln until ctx ends, then shuts down gracefully.
func (s *Server) Serve(ctx context.Context, ln net.Listener, tlsCfg *tls.Config) error {
	go s.pruneEvery(ctx, time.Hour)
	return httpsserve.Serve(ctx, ln, tlsCfg, s.mux, s.cfg.Log)
}
