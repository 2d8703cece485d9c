// Package httpsserve runs the stand-in services (the eligibility system,
// the visit-history service) over HTTPS with the same limits, so a slow or
// oversized client meets the same walls at each.
package httpsserve

import (
	"context"
	"crypto/tls"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Serve answers HTTPS on ln with h until ctx ends, then shuts down
// gracefully (at most 5 s). Server errors go to log at warning level.
func Serve(ctx context.Context, ln net.Listener, tlsCfg *tls.Config, h http.Handler, log *slog.Logger) error {
	hs := &http.Server{
		Handler:           h,
		TLSConfig:         tlsCfg,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      15 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	done := make(chan error, 1)
	go func() { done <- hs.Serve(tls.NewListener(ln, tlsCfg)) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err := hs.Shutdown(shut)
		<-done
		return err
	}
}
