package wire

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"log/slog"
	"net"
	"time"

	"github.com/uketsuke/uketsuke/app/revisit"
	"github.com/uketsuke/uketsuke/sim/visits"
	"github.com/uketsuke/uketsuke/store"
)

// VisitServiceOptions are the stand-in visit-history service's settings
// (`uketsuke visits serve`).
type VisitServiceOptions struct {
	DB       string // its SQLite file, created when missing
	CertFile string // the server's certificate chain (PEM)
	KeyFile  string // its key (PEM)
	// ClientCAFile, when set, admits only kiosks whose client certificate
	// it issued (PEM).
	ClientCAFile string
	Log          *slog.Logger
}

// VisitService is the stand-in visit-history service with its TLS
// configuration.
type VisitService struct {
	*visits.Server
	tls *tls.Config
}

// NewVisitService checks the options, loads the certificates and opens
// the service's database.
func NewVisitService(ctx context.Context, o VisitServiceOptions) (*VisitService, error) {
	if o.DB == "" {
		return nil, bad("db", "the service's database file is required")
	}
	if o.CertFile == "" || o.KeyFile == "" {
		return nil, bad("cert", "the server certificate and its key are required")
	}
	cert, err := tls.LoadX509KeyPair(o.CertFile, o.KeyFile)
	if err != nil {
		return nil, bad("cert", "%v", err)
	}
	var clients *x509.CertPool
	if o.ClientCAFile != "" {
		if clients, err = certPool("client-ca", o.ClientCAFile); err != nil {
			return nil, err
		}
	}
	srv, err := visits.Open(ctx, visits.Config{DB: o.DB, ClientCAs: clients, Log: o.Log})
	if err != nil {
		return nil, bad("db", "%v", err)
	}
	return &VisitService{Server: srv, tls: srv.TLSConfig(cert)}, nil
}

// Serve answers HTTPS on ln until ctx ends.
func (v *VisitService) Serve(ctx context.Context, ln net.Listener) error {
	return v.Server.Serve(ctx, ln, v.tls)
}

// VisitOutboxOptions are a kiosk's settings for sending visit records.
type VisitOutboxOptions struct {
	// OutboxURL is the durable queue's database (store URL). Give each
	// kiosk a local one (sqlite:/var/lib/uketsuke/visits.db, or its
	// SQLite re-visit database): records must be queued while the network
	// is down.
	OutboxURL  string
	ServiceURL string // https://host:port of the visit-history service
	CAFile     string // the service's CA, pinned (PEM)
	ClientCert string // the kiosk's certificate (PEM)
	ClientKey  string
	// Backoff and polling of the sender (revisit.SenderConfig's defaults
	// when zero).
	MinBackoff, MaxBackoff, Poll time.Duration
	Log                          *slog.Logger
}

// VisitOutbox is the kiosk's side: the durable queue and the sender that
// empties it. Run the sender (Sender.Run) for as long as the kiosk runs;
// Sender.Record queues a visit.
type VisitOutbox struct {
	Sender *revisit.Sender
	Queue  *store.DB
	client *revisit.VisitClient
}

// NewVisitOutbox opens the queue and builds the HTTPS client (the
// service's CA pinned, the kiosk's certificate) and the sender.
func NewVisitOutbox(ctx context.Context, o VisitOutboxOptions) (*VisitOutbox, error) {
	if o.OutboxURL == "" {
		return nil, bad("visits.outbox", "the outbox database URL is required")
	}
	roots, err := certPool("visits.ca_file", o.CAFile)
	if err != nil {
		return nil, err
	}
	cert, err := tls.LoadX509KeyPair(o.ClientCert, o.ClientKey)
	if err != nil {
		return nil, bad("visits.client_cert", "%v", err)
	}
	client, err := revisit.NewVisitClient(revisit.VisitClientConfig{BaseURL: o.ServiceURL,
		TLS: &tls.Config{RootCAs: roots, Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}})
	if err != nil {
		return nil, bad("visits.url", "%v", err)
	}
	queue, err := store.Open(ctx, o.OutboxURL)
	if err != nil {
		client.Close()
		return nil, bad("visits.outbox", "%v", err)
	}
	sender, err := revisit.NewSender(revisit.SenderConfig{Queue: queue, Poster: client,
		MinBackoff: o.MinBackoff, MaxBackoff: o.MaxBackoff, Poll: o.Poll, Log: o.Log})
	if err != nil {
		queue.Close()
		client.Close()
		return nil, err
	}
	return &VisitOutbox{Sender: sender, Queue: queue, client: client}, nil
}

// Close releases the queue's database and the client's connections; stop
// Sender.Run first.
func (v *VisitOutbox) Close() error {
	v.client.Close()
	return v.Queue.Close()
}
