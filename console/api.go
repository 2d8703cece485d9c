package console

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/uketsuke/uketsuke/app/config"
	appconsole "github.com/uketsuke/uketsuke/app/console"
	"github.com/uketsuke/uketsuke/app/operator"
)

// CSRFHeader must be on every POST: a browser sends the client
// certificate with any request, but a page of another origin cannot add
// a custom header without a CORS preflight, which the console never grants.
const CSRFHeader = "X-Uketsuke-Console"

// maxBundle bounds an uploaded bundle (config.OpenBundle's own limit).
const maxBundle = 2*config.MaxSize + 1

// apiError is every error's JSON: a stable code, the field at fault when
// there is one, and a sentence for people.
type apiError struct {
	Error   string `json:"error"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

type handler func(w http.ResponseWriter, r *http.Request, op operator.Operator)

// Handler routes the page and the API.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	view, check, settings, apply, logs := operator.FuncViewStatus, operator.FuncVisualCheck,
		operator.FuncViewSettings, operator.FuncApplySettings, operator.FuncDownloadLogs
	mux.Handle("GET /{$}", s.guard(view, s.page("index.html")))
	mux.Handle("GET /console.js", s.guard(view, s.page("console.js")))
	mux.Handle("GET /console.css", s.guard(view, s.page("console.css")))
	mux.Handle("GET /api/whoami", s.guard(view, s.whoami))
	mux.Handle("GET /api/status", s.guard(view, s.status))
	mux.Handle("GET /api/counts", s.guard(view, s.counts))
	mux.Handle("GET /api/checks", s.guard(view, s.pending))
	mux.Handle("POST /api/checks/approve", s.guard(check, s.decide(true)))
	mux.Handle("POST /api/checks/refuse", s.guard(check, s.decide(false)))
	mux.Handle("GET /api/help", s.guard(view, s.helpCalls))
	mux.Handle("POST /api/help/answer", s.guard(check, s.answerHelp))
	mux.Handle("GET /api/settings", s.guard(settings, s.settings))
	mux.Handle("POST /api/settings", s.guard(apply, s.changeSettings))
	mux.Handle("POST /api/bundle", s.guard(apply, s.bundle))
	mux.Handle("GET /api/logs", s.guard(logs, s.listLogs))
	mux.Handle("GET /api/logs/{name}", s.guard(logs, s.downloadLog))
	s.revisitRoutes(mux)
	return headers(mux)
}

// headers sets the security headers on every answer, errors included.
func headers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Strict-Transport-Security", "max-age=31536000")
		next.ServeHTTP(w, r)
	})
}

// guard lets a request through when it comes from this origin (POST) and
// its certificate is a registered operator's whose role allows f.
func (s *Server) guard(f operator.Function, next handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
			writeError(w, http.StatusUnauthorized, "no_certificate", "", "a console client certificate is needed")
			return
		}
		if r.Method == http.MethodPost && !sameOrigin(r) {
			writeError(w, http.StatusForbidden, "cross_origin", "", "POST requests need the "+CSRFHeader+" header and this origin")
			return
		}
		op, err := s.o.Auth.ConsoleUse(operator.FingerprintOf(r.TLS.PeerCertificates[0].Raw), f)
		switch {
		case errors.Is(err, operator.ErrNotRegistered):
			writeError(w, http.StatusForbidden, "not_registered", "", "this certificate is not a registered operator's console certificate")
			return
		case errors.Is(err, operator.ErrNotAllowed):
			writeError(w, http.StatusForbidden, "not_allowed", "", "the operator's role does not allow "+f.String())
			return
		case err != nil:
			writeError(w, http.StatusForbidden, "refused", "", "refused")
			return
		}
		next(w, r, op)
	})
}

// sameOrigin: the custom header is there, and the browser's Origin and
// Sec-Fetch-Site, when it sends them, say this origin.
func sameOrigin(r *http.Request) bool {
	if r.Header.Get(CSRFHeader) != "1" {
		return false
	}
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" {
		return false
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true // not a browser's cross-site request: those carry Origin on POST
	}
	u, err := url.Parse(origin)
	return err == nil && u.Scheme == "https" && u.Host == r.Host
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, code int, name, field, msg string) {
	writeJSON(w, code, apiError{Error: name, Field: field, Message: msg})
}

// readBody reads a bounded body of the expected content type.
func readBody(w http.ResponseWriter, r *http.Request, limit int64, types ...string) ([]byte, bool) {
	ct := r.Header.Get("Content-Type")
	ok := false
	for _, t := range types {
		ok = ok || ct == t || len(ct) > len(t) && ct[:len(t)+1] == t+";"
	}
	if !ok {
		writeError(w, http.StatusUnsupportedMediaType, "content_type", "", "the body must be "+types[0])
		return nil, false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		writeError(w, http.StatusRequestEntityTooLarge, "too_large", "", "the body is too large")
		return nil, false
	case err != nil:
		writeError(w, http.StatusBadRequest, "bad_request", "", "the body could not be read")
		return nil, false
	}
	return body, true
}

func (s *Server) whoami(w http.ResponseWriter, _ *http.Request, op operator.Operator) {
	fs := []string{}
	for f := operator.FuncVisualCheck; f <= operator.FuncDeadLetters; f++ {
		if op.Role.Allowed(f) {
			fs = append(fs, f.String())
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"operator": op.ID, "role": op.Role.String(), "functions": fs})
}

func (s *Server) status(w http.ResponseWriter, _ *http.Request, _ operator.Operator) {
	s.logs.poll()
	facts := s.o.Facts()
	facts.Serial = s.o.Settings.Current().Serial
	writeJSON(w, http.StatusOK, appconsole.StatusOf(s.o.Kiosk.View(), facts, s.tally, s.o.Now()))
}

func (s *Server) counts(w http.ResponseWriter, _ *http.Request, _ operator.Operator) {
	s.logs.poll()
	writeJSON(w, http.StatusOK, s.tally.Counts(s.o.Now()))
}

func (s *Server) pending(w http.ResponseWriter, _ *http.Request, _ operator.Operator) {
	writeJSON(w, http.StatusOK, map[string]any{"checks": s.checks.Pending(s.o.Kiosk.View(), s.o.Now())})
}

func (s *Server) decide(approve bool) handler {
	action := appconsole.ActionRefuse
	if approve {
		action = appconsole.ActionApprove
	}
	return func(w http.ResponseWriter, r *http.Request, op operator.Operator) {
		body, ok := readBody(w, r, appconsole.MaxBody, "application/json")
		if !ok {
			return
		}
		d, err := appconsole.DecodeDecision(body)
		if err == nil {
			err = appconsole.Decide(s.o.Kiosk, d, approve)
		}
		appconsole.Record(s.o.Record, op, action, nil, err)
		if err != nil {
			s.refuse(w, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"session": d.Session, "decision": action})
	}
}

func (s *Server) helpCalls(w http.ResponseWriter, _ *http.Request, _ operator.Operator) {
	writeJSON(w, http.StatusOK, map[string]any{"calls": s.calls.Pending(s.o.Kiosk.View(), s.o.Now())})
}

// answerHelp acknowledges a patient's help call: staff are on their way.
func (s *Server) answerHelp(w http.ResponseWriter, r *http.Request, op operator.Operator) {
	body, ok := readBody(w, r, appconsole.MaxBody, "application/json")
	if !ok {
		return
	}
	d, err := appconsole.DecodeDecision(body)
	if err == nil {
		err = appconsole.Answer(s.o.Kiosk, d)
	}
	appconsole.Record(s.o.Record, op, appconsole.ActionAnswer, nil, err)
	if err != nil {
		s.refuse(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"session": d.Session, "answered": true})
}

func (s *Server) settings(w http.ResponseWriter, _ *http.Request, _ operator.Operator) {
	writeJSON(w, http.StatusOK, appconsole.ViewOf(s.o.Settings.Current()))
}

func (s *Server) changeSettings(w http.ResponseWriter, r *http.Request, op operator.Operator) {
	body, ok := readBody(w, r, appconsole.MaxBody, "application/json")
	if !ok {
		return
	}
	ch, err := appconsole.DecodeSettings(body)
	var c *config.Config
	if err == nil {
		c, err = s.o.Settings.Change(ch)
	}
	appconsole.Record(s.o.Record, op, appconsole.ActionSettings, ch.Fields(), err)
	if err != nil {
		s.refuse(w, err)
		return
	}
	writeJSON(w, http.StatusOK, appconsole.ViewOf(c))
}

func (s *Server) bundle(w http.ResponseWriter, r *http.Request, op operator.Operator) {
	body, ok := readBody(w, r, maxBundle, "application/octet-stream", "application/json")
	if !ok {
		return
	}
	c, err := s.o.Settings.ApplyBundle(body)
	appconsole.Record(s.o.Record, op, appconsole.ActionBundle, nil, err)
	if err != nil {
		s.refuse(w, err)
		return
	}
	writeJSON(w, http.StatusOK, appconsole.ViewOf(c))
}

// refuse answers a refused request: the field named where there is one.
func (s *Server) refuse(w http.ResponseWriter, err error) {
	var req *appconsole.RequestError
	var val *config.ValidationError
	switch {
	case errors.As(err, &req):
		writeError(w, http.StatusBadRequest, "bad_request", req.Field, err.Error())
	case errors.As(err, &val):
		writeError(w, http.StatusUnprocessableEntity, "invalid", val.Field, err.Error())
	case errors.Is(err, appconsole.ErrNotFound):
		writeError(w, http.StatusNotFound, "not_found", "", err.Error())
	case errors.Is(err, appconsole.ErrStale):
		writeError(w, http.StatusConflict, "stale", "", err.Error())
	case appconsole.Outcome(err) != "error":
		writeError(w, http.StatusUnprocessableEntity, appconsole.Outcome(err), "", err.Error())
	default:
		s.o.Log.Warn("console request failed", "err", err)
		writeError(w, http.StatusInternalServerError, "internal", "", "the kiosk could not do that; see its journal")
	}
}

type logEntry struct {
	Name     string    `json:"name"`
	Size     int64     `json:"size"`
	Modified time.Time `json:"modified"`
}

func (s *Server) listLogs(w http.ResponseWriter, _ *http.Request, _ operator.Operator) {
	entries, err := os.ReadDir(s.o.LogDir)
	if err != nil {
		s.refuse(w, err)
		return
	}
	out := []logEntry{}
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || !e.Type().IsRegular() || !appconsole.IsLogFile(e.Name()) {
			continue
		}
		out = append(out, logEntry{e.Name(), info.Size(), info.ModTime().UTC()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	writeJSON(w, http.StatusOK, map[string]any{"files": out})
}

func (s *Server) downloadLog(w http.ResponseWriter, r *http.Request, _ operator.Operator) {
	name := r.PathValue("name")
	if !appconsole.IsLogFile(name) {
		writeError(w, http.StatusNotFound, "not_found", "name", "not a log file")
		return
	}
	f, err := os.Open(filepath.Join(s.o.LogDir, name))
	if err != nil {
		writeError(w, http.StatusNotFound, "not_found", "name", "no such log file")
		return
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil || !info.Mode().IsRegular() {
		writeError(w, http.StatusNotFound, "not_found", "name", "no such log file")
		return
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	http.ServeContent(w, r, name, info.ModTime(), f)
}
