// Package pinnedtls is the one rule for every service the kiosk calls out
// to (the eligibility system, the visit-history service): mutual TLS with
// the service's own CA pinned. A configuration that would fall back to the
// system's roots, skip verification or show no kiosk certificate is refused
// before any client is built, so no caller can build around it.
package pinnedtls

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// ErrUnpinned means the TLS configuration would trust more than the
// service's own CA, or would not show the kiosk's certificate.
var ErrUnpinned = errors.New("TLS must pin the service's CA and carry the kiosk's certificate")

// Check refuses a configuration that is not pinned mutual TLS.
func Check(tc *tls.Config) error {
	switch {
	case tc == nil:
		return fmt.Errorf("%w: no TLS configuration", ErrUnpinned)
	case tc.InsecureSkipVerify:
		return fmt.Errorf("%w: certificate verification is switched off", ErrUnpinned)
	case tc.RootCAs == nil:
		return fmt.Errorf("%w: no pinned CA (the system's roots are never trusted)", ErrUnpinned)
	case len(tc.Certificates) == 0 && tc.GetClientCertificate == nil:
		return fmt.Errorf("%w: no client certificate", ErrUnpinned)
	}
	return nil
}

// Transport is the HTTPS transport over a checked configuration: at least
// TLS 1.2, resumed sessions (a reconnect skips the full handshake), at
// most idle connections kept per host, and handshake bounding the TLS
// handshake. tc is cloned, never changed.
func Transport(tc *tls.Config, idle int, handshake time.Duration) *http.Transport {
	c := tc.Clone()
	if c.MinVersion < tls.VersionTLS12 {
		c.MinVersion = tls.VersionTLS12
	}
	if c.ClientSessionCache == nil {
		c.ClientSessionCache = tls.NewLRUClientSessionCache(4)
	}
	return &http.Transport{TLSClientConfig: c, MaxIdleConnsPerHost: idle,
		IdleConnTimeout: 90 * time.Second, TLSHandshakeTimeout: handshake}
}
