package netprobe

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/hardware/netprobe/netprobetest"
)

func TestAListeningHostIsReachable(t *testing.T) {
	p, err := NewTCP(netprobetest.AnsweringHost(t), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Reachable(context.Background()) {
		t.Fatal("a listening port was not reachable")
	}
}

func TestARefusalIsNotAnAnswer(t *testing.T) {
	// Nothing listens: the kernel answers with a reset.
	p, _ := NewTCP(netprobetest.SilentPort(t), time.Second)
	if p.Reachable(context.Background()) {
		t.Fatal("a refused connection counted as the host being there")
	}
}

func TestASilentHostIsUnreachable(t *testing.T) {
	// 192.0.2.0/24 (TEST-NET-1) is never routed: the connect times out,
	// finds no route, or a firewall refuses it; all are silence.
	p, err := NewTCP("192.0.2.1:9", 300*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if p.Reachable(context.Background()) {
		t.Fatal("an unrouted address was reachable")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("the probe took %v, past its time-out", d)
	}
	unresolvable, _ := NewTCP("no-such-host.invalid:80", 300*time.Millisecond)
	if unresolvable.Reachable(context.Background()) {
		t.Fatal("a name that does not resolve was reachable")
	}
}

func TestAddressesAreChecked(t *testing.T) {
	for _, a := range []string{"", "gateway", ":80", "gateway:0", "gateway:http", "gateway:70000", "[::1]"} {
		if _, err := NewTCP(a, 0); !errors.Is(err, ErrAddress) {
			t.Errorf("%q: %v, want ErrAddress", a, err)
		}
	}
	for _, a := range []string{"192.0.2.1:443", "[2001:db8::1]:22", "console.clinic.lan:8443"} {
		if _, err := NewTCP(a, 0); err != nil {
			t.Errorf("%q: %v", a, err)
		}
	}
}
