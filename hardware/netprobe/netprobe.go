// Package netprobe tells whether a host answers on a TCP port: the theft
// lock's probe (revisit.Probe) of the facility network's gateway or the
// console's host.
//
// Why TCP and not ping: an ICMP echo needs a raw socket (CAP_NET_RAW) or
// the ping_group_range sysctl, and the kiosk runs without either
// (docs/operations.md); a TCP connect needs nothing. Only an accepted
// connection counts: a refusal may come from a firewall, or from another
// network's host that has the same private address (a kiosk carried off
// and plugged in elsewhere), so probe a port the host really listens on.
package netprobe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"
)

// DefaultTimeout bounds one connect attempt.
const DefaultTimeout = 3 * time.Second

// TCP probes one host:port.
type TCP struct {
	address string
	timeout time.Duration
	dialer  net.Dialer
}

// ErrAddress is an address the probe cannot use.
var ErrAddress = errors.New("netprobe: address must be host:port with a port 1-65535")

// NewTCP checks address (host:port) and builds a probe; timeout 0 is DefaultTimeout.
func NewTCP(address string, timeout time.Duration) (*TCP, error) {
	host, port, err := net.SplitHostPort(address)
	if err != nil || host == "" {
		return nil, fmt.Errorf("%w: %q", ErrAddress, address)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return nil, fmt.Errorf("%w: %q", ErrAddress, address)
	}
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return &TCP{address: address, timeout: timeout}, nil
}

// Reachable connects once and closes at once: only an accepted connection
// is reachable; a refusal, a time-out, no route or a name that does not
// resolve is not.
func (p *TCP) Reachable(ctx context.Context) bool {
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	conn, err := p.dialer.DialContext(ctx, "tcp", p.address)
	if err != nil {
		return false
	}
	conn.Close()
	return true
}

// String is the probe's address (a facility host, not personal data).
func (p *TCP) String() string { return "tcp " + p.address }
