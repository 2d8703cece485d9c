// Package visits is the stand-in visit-history service (受診履歴): it
// registers the kiosks' visit records (revisit.VisitRecord's JSON form) in
// its own SQLite database, each record id once, lists them as JSON and on a
// small web page, as the specification's mock service does. It is for
// tests and demos; `uketsuke visits serve` runs it.
package visits

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/uketsuke/uketsuke/sim/internal/httpsserve"

	"github.com/uketsuke/uketsuke/app/revisit"
)

// Config shapes a Server.
type Config struct {
	DB string // the SQLite file, created when missing
	// ClientCAs, when set, admits only kiosks showing a certificate it
	// issued (the kiosk's client certificate, as for the eligibility
	// service); nil admits any TLS client.
	ClientCAs *x509.CertPool
	Log       *slog.Logger     // nil: discard
	Now       func() time.Time // nil: time.Now
}

// Server is the visit-history service.
type Server struct {
	cfg Config
	db  *sql.DB
	mux *http.ServeMux
}

// Open opens the database and builds the service.
func Open(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	db, err := openDB(ctx, cfg.DB)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, db: db, mux: http.NewServeMux()}
	s.mux.HandleFunc("POST "+revisit.VisitPath, s.post)
	s.mux.HandleFunc("GET "+revisit.VisitPath, s.listJSON)
	s.mux.HandleFunc("GET /{$}", s.page)
	return s, nil
}

// Close closes the database.
func (s *Server) Close() error { return s.db.Close() }

// Handler is the service's HTTP handler.
func (s *Server) Handler() http.Handler { return securityHeaders(s.mux) }

// Records lists what the service holds, in the order it registered them.
func (s *Server) Records(ctx context.Context) ([]Registered, error) {
	return list(ctx, s.db, maxList)
}

// maxList bounds one listing.
const maxList = 10000

// TLSConfig is the server side of the link: TLS 1.2 or later, and the
// kiosk's certificate required when ClientCAs is set.
func (s *Server) TLSConfig(cert tls.Certificate) *tls.Config {
	tc := &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
	if s.cfg.ClientCAs != nil {
		tc.ClientAuth, tc.ClientCAs = tls.RequireAndVerifyClientCert, s.cfg.ClientCAs
	}
	return tc
}

// Serve answers HTTPS on ln until ctx ends, then shuts down gracefully.
func (s *Server) Serve(ctx context.Context, ln net.Listener, tlsCfg *tls.Config) error {
	return httpsserve.Serve(ctx, ln, tlsCfg, s.Handler(), s.cfg.Log)
}

// Answer is the body of a 2xx answer to a POST.
type Answer struct {
	ID     string `json:"id"`
	Status string `json:"status"` // "registered" or "duplicate"
}

// Errors a request can get, as the error body's code.
const (
	codeMalformed   = "malformed"
	codeTooLarge    = "too_large"
	codeContentType = "content_type"
	codeConflict    = "conflict"
	codeInternal    = "internal"
)

func (s *Server) post(w http.ResponseWriter, r *http.Request) {
	rec, status, err := DecodeRequest(w, r)
	if err != nil {
		writeError(w, status, err)
		return
	}
	out, err := register(r.Context(), s.db, rec, s.cfg.Now())
	if err != nil {
		s.cfg.Log.Warn("visits: register failed", "id", rec.ID.String(), "err", err)
		writeError(w, http.StatusInternalServerError, &requestError{codeInternal, "could not store the record"})
		return
	}
	switch out {
	case registered:
		writeJSON(w, http.StatusCreated, Answer{ID: rec.ID.String(), Status: "registered"})
	case duplicate:
		writeJSON(w, http.StatusOK, Answer{ID: rec.ID.String(), Status: "duplicate"})
	default:
		writeError(w, http.StatusConflict, &requestError{codeConflict, "this record id is registered with other content"})
	}
}

// requestError is an error answer: a code and a message that names the
// problem, never a value from the request.
type requestError struct{ code, message string }

func (e *requestError) Error() string { return e.code + ": " + e.message }

// DecodeRequest reads one POSTed record: JSON content type, at most
// revisit.MaxVisitJSON bytes, the record's strict wire form. On failure it
// returns the HTTP status to answer with.
func DecodeRequest(w http.ResponseWriter, r *http.Request) (revisit.VisitRecord, int, error) {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return revisit.VisitRecord{}, http.StatusUnsupportedMediaType, &requestError{codeContentType, "want application/json"}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, revisit.MaxVisitJSON))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return revisit.VisitRecord{}, http.StatusRequestEntityTooLarge,
			&requestError{codeTooLarge, "a record is at most " + strconv.Itoa(revisit.MaxVisitJSON) + " bytes"}
	case err != nil:
		return revisit.VisitRecord{}, http.StatusBadRequest, &requestError{codeMalformed, "body unreadable"}
	}
	rec, err := revisit.ParseVisitRecord(body)
	if err != nil {
		// revisit's errors name the field, never its value.
		return revisit.VisitRecord{}, http.StatusBadRequest, &requestError{codeMalformed, err.Error()}
	}
	return rec, 0, nil
}

func (s *Server) listJSON(w http.ResponseWriter, r *http.Request) {
	limit := maxList
	if q := r.URL.Query().Get("limit"); q != "" {
		n, err := strconv.Atoi(q)
		if err != nil || n < 1 || n > maxList {
			writeError(w, http.StatusBadRequest, &requestError{codeMalformed, "limit must be 1 to " + strconv.Itoa(maxList)})
			return
		}
		limit = n
	}
	regs, err := list(r.Context(), s.db, limit)
	if err != nil {
		s.cfg.Log.Warn("visits: list failed", "err", err)
		writeError(w, http.StatusInternalServerError, &requestError{codeInternal, "could not list"})
		return
	}
	type entry struct {
		Received string              `json:"received"`
		Record   revisit.VisitRecord `json:"record"`
	}
	out := struct {
		Visits []entry `json:"visits"`
	}{Visits: make([]entry, 0, len(regs))}
	for _, g := range regs {
		out.Visits = append(out.Visits, entry{Received: g.Received.UTC().Format(time.RFC3339Nano), Record: g.Record})
	}
	writeJSON(w, http.StatusOK, out)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, err error) {
	var re *requestError
	if !errors.As(err, &re) {
		re = &requestError{codeInternal, "internal error"}
	}
	var body revisit.VisitError
	body.Error.Code, body.Error.Message = re.code, re.message
	writeJSON(w, status, body)
}

// securityHeaders keeps the page self-contained: no script, no outside
// resource, no framing, no caching of records.
func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("Cache-Control", "no-store")
		h.ServeHTTP(w, r)
	})
}
