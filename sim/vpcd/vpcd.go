// Package vpcd connects a virtual card to pcscd through vsmartcard's vpcd
// driver, so the kiosk reaches it through the real PC/SC stack. vpcd listens
// (on 35963 for "Virtual PCD 00 00"); the card is the TCP client. Each message
// is a 2-byte big-endian length and a payload: one byte is a control code
// (0 power off, 1 power on, 2 reset, 4 get ATR), more is a command APDU.
// vpcd listens on every interface: this is for tests, never a real kiosk.
package vpcd

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"syscall"
	"time"
)

// DefaultAddr is vpcd's first reader, "Virtual PCD 00 00".
const DefaultAddr = "127.0.0.1:35963"

// Card is what vpcd talks to; *vcard.Card implements it.
type Card interface {
	Process(command []byte) (response []byte, present bool)
	ATR() []byte
	Reset()
	Present() bool
	Pull()
	Insert()
}

// Control codes from vpcd.
const (
	ctrlPowerOff = 0
	ctrlPowerOn  = 1
	ctrlReset    = 2
	ctrlGetATR   = 4
)

// Client keeps a card connected to vpcd while it is present: pulling the card
// closes the connection (pcscd sees it removed), inserting reconnects.
type Client struct {
	Addr string
	Card Card

	mu      sync.Mutex
	conn    net.Conn
	changed chan struct{}
}

// New returns a client for card at addr.
func New(addr string, card Card) *Client {
	return &Client{Addr: addr, Card: card, changed: make(chan struct{}, 1)}
}

// Pull takes the card away from the reader.
func (c *Client) Pull() {
	c.Card.Pull()
	c.mu.Lock()
	if c.conn != nil {
		c.conn.Close()
	}
	c.mu.Unlock()
	c.poke()
}

// Insert puts the card back on the reader.
func (c *Client) Insert() {
	c.Card.Insert()
	c.poke()
}

func (c *Client) poke() {
	select {
	case c.changed <- struct{}{}:
	default:
	}
}

// Run serves until ctx ends, reconnecting whenever the card is present.
func (c *Client) Run(ctx context.Context) error {
	for {
		if c.Card.Present() {
			err := c.serveOnce(ctx)
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
				time.Sleep(100 * time.Millisecond) // vpcd not up yet, or restarting
			}
			continue
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-c.changed:
		}
	}
}

func (c *Client) serveOnce(ctx context.Context) error {
	if err := awaitAbsenceSeen(ctx, c.Addr); err != nil {
		return err
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", c.Addr)
	if err != nil {
		return fmt.Errorf("vpcd: dial %s: %w", c.Addr, err)
	}
	c.mu.Lock()
	c.conn = conn
	c.mu.Unlock()
	if !c.Card.Present() { // pulled while we dialled: Pull found no connection to close
		conn.Close()
		return io.EOF
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	defer func() {
		noteLeft(c.Addr)
		c.mu.Lock()
		c.conn = nil
		c.mu.Unlock()
		conn.Close()
	}()
	return c.serve(conn)
}

func (c *Client) serve(conn net.Conn) error {
	for {
		quickAck(conn)
		msg, err := readMessage(conn)
		if err != nil {
			return err
		}
		reply, ok := c.answer(msg)
		if !ok {
			return io.EOF // pulled while vpcd was talking to it
		}
		if reply == nil {
			continue
		}
		if err := writeMessage(conn, reply); err != nil {
			return err
		}
	}
}

// answer returns nil for control codes that want no reply.
func (c *Client) answer(msg []byte) ([]byte, bool) {
	if len(msg) == 1 {
		switch msg[0] {
		case ctrlGetATR:
			return c.Card.ATR(), true
		case ctrlPowerOff, ctrlPowerOn, ctrlReset:
			c.Card.Reset()
		}
		return nil, true
	}
	return c.Card.Process(msg)
}

// MaxMessage bounds what we accept from vpcd (an extended APDU fits).
const MaxMessage = 0xFFFF

func readMessage(r io.Reader) ([]byte, error) {
	var hdr [2]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, err
	}
	n := int(binary.BigEndian.Uint16(hdr[:]))
	if n == 0 {
		return nil, fmt.Errorf("vpcd: empty message")
	}
	msg := make([]byte, n)
	if _, err := io.ReadFull(r, msg); err != nil {
		return nil, err
	}
	return msg, nil
}

func writeMessage(w io.Writer, payload []byte) error {
	if len(payload) > MaxMessage {
		return fmt.Errorf("vpcd: reply of %d bytes", len(payload))
	}
	out := make([]byte, 2+len(payload))
	binary.BigEndian.PutUint16(out, uint16(len(payload)))
	copy(out[2:], payload)
	_, err := w.Write(out)
	return err
}

// quickAck asks the kernel to acknowledge at once: vpcd writes the length and
// the payload separately without TCP_NODELAY, and delayed ACKs would add
// about 40 ms to every APDU.
func quickAck(conn net.Conn) {
	tc, ok := conn.(*net.TCPConn)
	if !ok {
		return
	}
	raw, err := tc.SyscallConn()
	if err != nil {
		return
	}
	_ = raw.Control(func(fd uintptr) {
		_ = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_QUICKACK, 1)
	})
}

// pcscd learns that vpcd's card left only by polling it (every 400 ms): a
// card that leaves and another that arrives between two polls look to
// pcscd like one card that never left, so no insertion is reported and a
// waiting kiosk never sees the new card. A physical card cannot be swapped
// that fast, and a real reader reports both events; the virtual one stays
// away for two polls so that pcscd sees the slot empty at least once.
const minAway = 2 * 400 * time.Millisecond

var (
	leftMu sync.Mutex
	leftAt = map[string]time.Time{} // vpcd address → when its last card left
)

func noteLeft(addr string) {
	leftMu.Lock()
	defer leftMu.Unlock()
	leftAt[addr] = time.Now()
}

// awaitAbsenceSeen delays a connection to addr until the previous card on
// that slot has been away for minAway.
func awaitAbsenceSeen(ctx context.Context, addr string) error {
	leftMu.Lock()
	wait := time.Until(leftAt[addr].Add(minAway))
	leftMu.Unlock()
	if wait <= 0 {
		return nil
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
