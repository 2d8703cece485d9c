// Package console is the staff's management console: an HTTPS server on
// the clinic network (TLS 1.3, a client certificate from the console's CA
// required of every browser), its JSON API and the one embedded page that
// uses it. Who may do what is app/operator's; what a request may change
// and how it is checked is app/console's.
package console

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	appconsole "github.com/uketsuke/uketsuke/app/console"
	"github.com/uketsuke/uketsuke/app/operator"
)

// Authorizer tells which operator a console certificate belongs to and
// whether their role allows a function (*operator.Authenticator).
type Authorizer interface {
	ConsoleUse(fp operator.Fingerprint, f operator.Function) (operator.Operator, error)
}

// Options build a Server.
type Options struct {
	Listener    net.Listener    // where to serve (the composition root opens it)
	Certificate tls.Certificate // the console's own
	ClientCAs   *x509.CertPool  // issues the operators' console certificates
	Auth        Authorizer
	Kiosk       appconsole.Kiosk
	Settings    *appconsole.Settings
	Facts       func() appconsole.Facts
	LogDir      string              // the audit log's folder (parts.audit)
	Record      appconsole.Recorder // the audit log, for what operators did
	Log         *slog.Logger        // the journal: the server's own troubles
	Now         func() time.Time
	// Re-visit reception; nil where the kiosk has none (the routes then
	// answer 503 not_configured).
	Unlinker    appconsole.Unlinker
	DeadLetters appconsole.DeadLetters
}

// Server is the console.
type Server struct {
	o      Options
	tally  *appconsole.Tally
	logs   *logTail
	checks appconsole.Checks
	calls  appconsole.Calls
	ln     net.Listener
	srv    *http.Server
}

// ErrOptions means the server lacks something it needs.
var ErrOptions = errors.New("console: options")

// New checks the options.
func New(o Options) (*Server, error) {
	switch {
	case o.Auth == nil || o.Kiosk == nil || o.Settings == nil:
		return nil, fmt.Errorf("%w: authorizer, kiosk and settings are needed", ErrOptions)
	case o.Listener == nil:
		return nil, fmt.Errorf("%w: a listener is needed", ErrOptions)
	case o.ClientCAs == nil || len(o.Certificate.Certificate) == 0:
		return nil, fmt.Errorf("%w: the server certificate and the client CA are needed", ErrOptions)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Facts == nil {
		o.Facts = func() appconsole.Facts { return appconsole.Facts{} }
	}
	tally := appconsole.NewTally(nil)
	s := &Server{o: o, tally: tally, logs: newLogTail(o.LogDir, tally), ln: o.Listener}
	s.srv = &http.Server{Handler: s.Handler(), TLSConfig: s.TLS(),
		ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second,
		IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 16 << 10,
		ErrorLog: slog.NewLogLogger(o.Log.Handler(), slog.LevelWarn)}
	return s, nil
}

// TLS is the server's TLS configuration: TLS 1.3 only, and a client
// certificate that chains to the console's CA, or no connection at all.
func (s *Server) TLS() *tls.Config {
	return &tls.Config{MinVersion: tls.VersionTLS13, Certificates: []tls.Certificate{s.o.Certificate},
		ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: s.o.ClientCAs}
}

// Addr is where the server listens.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Serve answers until ctx ends.
func (s *Server) Serve(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() {
		shut, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		s.srv.Shutdown(shut)
	})
	defer stop()
	err := s.srv.ServeTLS(s.ln, "", "")
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Close stops the server at once, served or not.
func (s *Server) Close() error {
	err := s.srv.Close()
	s.ln.Close() // closed already once served
	return err
}
