package pinnedtls

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"testing"
	"time"
)

func TestCheckRefusesAnythingButPinnedMutualTLS(t *testing.T) {
	pinned := &tls.Config{RootCAs: x509.NewCertPool(), Certificates: []tls.Certificate{{}}}
	if err := Check(pinned); err != nil {
		t.Fatalf("pinned mutual TLS refused: %v", err)
	}
	for name, tc := range map[string]*tls.Config{
		"none":           nil,
		"system roots":   {Certificates: []tls.Certificate{{}}},
		"no client cert": {RootCAs: x509.NewCertPool()},
		"no verify":      {RootCAs: x509.NewCertPool(), Certificates: []tls.Certificate{{}}, InsecureSkipVerify: true},
	} {
		if err := Check(tc); !errors.Is(err, ErrUnpinned) {
			t.Errorf("%s: %v, want ErrUnpinned", name, err)
		}
	}
}

func TestTransportRaisesTheFloorWithoutChangingTheCallersConfiguration(t *testing.T) {
	tc := &tls.Config{RootCAs: x509.NewCertPool(), MinVersion: tls.VersionTLS10}
	tr := Transport(tc, 2, time.Second)
	if tc.MinVersion != tls.VersionTLS10 || tc.ClientSessionCache != nil {
		t.Error("the caller's configuration was changed")
	}
	c := tr.TLSClientConfig
	if c.MinVersion != tls.VersionTLS12 || c.ClientSessionCache == nil || c.RootCAs != tc.RootCAs {
		t.Errorf("transport TLS: min %x, session cache %v, roots kept %v", c.MinVersion, c.ClientSessionCache != nil, c.RootCAs == tc.RootCAs)
	}
	if tr.MaxIdleConnsPerHost != 2 || tr.TLSHandshakeTimeout != time.Second {
		t.Errorf("idle %d, handshake %v", tr.MaxIdleConnsPerHost, tr.TLSHandshakeTimeout)
	}
}
