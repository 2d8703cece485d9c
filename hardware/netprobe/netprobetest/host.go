// Package netprobetest is a host for netprobe's probes to find in tests: a
// real TCP listener on the loopback, for the probe's own tests and for the
// tests that build a theft lock around it. Only tests import it.
package netprobetest

import (
	"net"
	"testing"
)

// AnsweringHost listens on a free loopback port and accepts every
// connection, closing it at once, as a host that is there does. It stops
// when the test ends. It returns the host:port to probe.
func AnsweringHost(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return // closed at the test's end
			}
			c.Close()
		}
	}()
	return ln.Addr().String()
}

// SilentPort returns a loopback host:port where nothing listens: a
// connection to it is refused at once.
func SilentPort(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}
