package cli

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/uketsuke/uketsuke/wire"
)

func init() {
	Register(Command{Name: "visits serve", Summary: "run the visit-history stand-in (HTTPS, loopback by default)", Run: visitsServe})
}

func visitsServe(ctx context.Context, env *Env, args []string) error {
	fs := flag.NewFlagSet("visits serve", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8444", "address to listen on")
	db := fs.String("db", "", "the service's SQLite file (required; created when missing)")
	cert := fs.String("cert", "", "server certificate, PEM (required; `uketsuke onshi init` writes a test one: server.pem)")
	key := fs.String("key", "", "its key, PEM (required; server-key.pem)")
	clientCA := fs.String("client-ca", "", "admit only kiosks with a client certificate from this CA (PEM; e.g. ca.pem)")
	allowRemote := fs.Bool("allow-remote", false, "allow listening beyond loopback")
	if err := onshiFlags(fs, env, args); err != nil {
		return err
	}
	if *db == "" || *cert == "" || *key == "" {
		return fmt.Errorf("%w: --db, --cert and --key are required", ErrUsage)
	}
	if err := onshiCheckListen(*addr, *allowRemote); err != nil {
		return err
	}
	// Only failures are logged; records carry no personal data anyway.
	logger := slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	svc, err := wire.NewVisitService(ctx, wire.VisitServiceOptions{DB: *db, CertFile: *cert, KeyFile: *key,
		ClientCAFile: *clientCA, Log: logger})
	if err != nil {
		return err
	}
	defer svc.Close()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	who := "any TLS client"
	if *clientCA != "" {
		who = "kiosks certified by " + *clientCA
	}
	fmt.Fprintf(env.Stdout, "visits: serving https://%s (records in %s; admits %s)\n", ln.Addr(), *db, who)
	return svc.Serve(ctx, ln)
}
