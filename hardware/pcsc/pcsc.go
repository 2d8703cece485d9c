// Package pcsc is the kiosk's card reader: PC/SC through pcsc-lite (or
// winscard) with github.com/ebfe/scard. It lists readers, refuses readers not
// on the configured allow-list, waits for cards, and gives an apdu.Transport.
package pcsc

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/ebfe/scard"

	"github.com/uketsuke/uketsuke/app/apdu"
)

// Errors of the reader layer.
var (
	ErrNoService         = errors.New("pcsc: the PC/SC service is not running")
	ErrNoReader          = errors.New("pcsc: no such reader")
	ErrReaderNotAllowed  = errors.New("pcsc: reader is not on the allow-list")
	ErrNoCard            = errors.New("pcsc: no card on the reader")
	ErrReaderUnavailable = errors.New("pcsc: reader is in use or unavailable")
)

// AllowList holds reader names the kiosk may use: exact names, or prefixes
// ending in '*' ("Virtual PCD*"). An empty list allows nothing.
type AllowList []string

// Allows reports whether a reader name is on the list.
func (a AllowList) Allows(reader string) bool {
	for _, pat := range a {
		if prefix, ok := strings.CutSuffix(pat, "*"); ok && strings.HasPrefix(reader, prefix) || pat == reader {
			return true
		}
	}
	return false
}

// Context is a connection to the PC/SC service.
type Context struct {
	sc    *scard.Context
	allow AllowList
}

// Establish connects to the PC/SC service.
func Establish(allow AllowList) (*Context, error) {
	sc, err := scard.EstablishContext()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoService, err)
	}
	return &Context{sc: sc, allow: allow}, nil
}

// Close releases the service connection.
func (c *Context) Close() error { return c.sc.Release() }

// Readers lists every reader pcscd knows, allowed or not.
func (c *Context) Readers() ([]string, error) {
	readers, err := c.sc.ListReaders()
	if errors.Is(err, scard.ErrNoReadersAvailable) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("pcsc: list readers: %w", err)
	}
	return readers, nil
}

func (c *Context) check(reader string) error {
	readers, err := c.Readers()
	if err != nil {
		return err
	}
	found := false
	for _, r := range readers {
		found = found || r == reader
	}
	if !found {
		return fmt.Errorf("%w: %q", ErrNoReader, reader)
	}
	if !c.allow.Allows(reader) {
		return fmt.Errorf("%w: %q", ErrReaderNotAllowed, reader)
	}
	return nil
}

// CardPresent reports whether a card is on the reader.
func (c *Context) CardPresent(reader string) (bool, error) {
	rs := []scard.ReaderState{{Reader: reader, CurrentState: scard.StateUnaware}}
	if err := c.sc.GetStatusChange(rs, 0); err != nil && !errors.Is(err, scard.ErrTimeout) {
		return false, fmt.Errorf("pcsc: status of %q: %w", reader, err)
	}
	return rs[0].EventState&scard.StatePresent != 0, nil
}

// WaitFor blocks until the reader has (present=true) or lacks a card, or ctx ends.
func (c *Context) WaitFor(ctx context.Context, reader string, present bool) error {
	found := errors.New("found")
	err := c.Watch(ctx, reader, func(now bool) error {
		if now == present {
			return found
		}
		return nil
	})
	if errors.Is(err, found) {
		return nil
	}
	return err
}

// pollEvery bounds how long a status wait blocks, so ctx is noticed promptly.
const pollEvery = 200 * time.Millisecond

// Watch calls onChange with the reader's card presence now and after every
// change, until ctx ends or onChange returns an error (which Watch returns).
// It uses its own PC/SC context, because a status wait blocks its context.
func (c *Context) Watch(ctx context.Context, reader string, onChange func(present bool) error) error {
	if err := c.check(reader); err != nil {
		return err
	}
	sc, err := scard.EstablishContext()
	if err != nil {
		return fmt.Errorf("%w: %v", ErrNoService, err)
	}
	defer sc.Release()
	rs := []scard.ReaderState{{Reader: reader, CurrentState: scard.StateUnaware}}
	known := false
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		err := sc.GetStatusChange(rs, pollEvery)
		if errors.Is(err, scard.ErrTimeout) {
			continue
		}
		if err != nil {
			return fmt.Errorf("pcsc: watching %q: %w", reader, mapError(err))
		}
		now := rs[0].EventState&scard.StatePresent != 0
		wasPresent := rs[0].CurrentState&scard.StatePresent != 0
		if !known || now != wasPresent {
			known = true
			if err := onChange(now); err != nil {
				return err
			}
		}
		rs[0].CurrentState = rs[0].EventState &^ scard.StateChanged
	}
}

// Connect opens the card on an allowed reader exclusively, with T=1.
func (c *Context) Connect(reader string) (*Conn, error) {
	if err := c.check(reader); err != nil {
		return nil, err
	}
	card, err := c.sc.Connect(reader, scard.ShareExclusive, scard.ProtocolT1)
	if err != nil {
		return nil, fmt.Errorf("pcsc: connect to %q: %w", reader, mapError(err))
	}
	conn := &Conn{card: card, reader: reader, ctx: c, maxResponse: maxResponse(card)}
	if st, err := card.Status(); err == nil {
		conn.atr = st.Atr
	}
	return conn, nil
}

// shortMessage is the longest short command APDU (4 + Lc + 255 + Le).
const shortMessage = 4 + 1 + apdu.MaxShortData + 1

// maxResponse reads how long a message the reader takes
// (SCARD_ATTR_MAXINPUT) and makes it the bound of an answer, less its status
// word. A reader that takes no more than a short APDU says nothing by it:
// its driver may still chain T=1 blocks into an extended APDU, so the card
// layer probes. A reader without the attribute says nothing either.
func maxResponse(card *scard.Card) int {
	b, err := card.GetAttrib(scard.AttrMaxinput)
	if err != nil {
		return 0
	}
	return responseLimit(b)
}

// responseLimit turns a SCARD_ATTR_MAXINPUT value into maxResponse's answer.
func responseLimit(b []byte) int {
	var n uint64
	switch len(b) { // a DWORD: 4 bytes from most drivers, 8 where DWORD is a long
	case 4:
		n = uint64(binary.NativeEndian.Uint32(b))
	case 8:
		n = binary.NativeEndian.Uint64(b)
	default:
		return 0
	}
	if n <= shortMessage {
		return 0
	}
	return int(min(n-2, apdu.MaxExtendedLe))
}

// Conn is an exclusive connection to one card; an apdu.Transport.
type Conn struct {
	mu     sync.Mutex
	card   *scard.Card
	reader string
	atr    []byte
	ctx    *Context // the connection's handle is only valid while this lives
	owned  bool     // Close also releases ctx (Dial made it)
	// maxResponse is the longest answer the reader said it carries; 0 if it did not.
	maxResponse int
}

// MaxResponse implements apdu.LengthLimits: 0 when the reader did not say.
func (c *Conn) MaxResponse() int { return c.maxResponse }

// Dial establishes a PC/SC context of its own and connects to an allowed
// reader; Close on the connection releases both.
func Dial(allow AllowList, reader string) (*Conn, error) {
	c, err := Establish(allow)
	if err != nil {
		return nil, err
	}
	conn, err := c.Connect(reader)
	if err != nil {
		c.Close()
		return nil, err
	}
	conn.owned = true
	return conn, nil
}

// ATR is the card's answer to reset.
func (c *Conn) ATR() []byte { return c.atr }

// Reader names the reader this card sits on.
func (c *Conn) Reader() string { return c.reader }

// Transmit sends one APDU. A card that is gone answers apdu.ErrCardRemoved.
func (c *Conn) Transmit(ctx context.Context, cmd []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.card == nil {
		return nil, apdu.ErrCardRemoved
	}
	resp, err := c.card.Transmit(cmd)
	if err != nil {
		return nil, fmt.Errorf("pcsc: transmit: %w", c.explain(err))
	}
	return resp, nil
}

// explain tells a card that left the field from other failures: a card pulled
// during a command often surfaces as an aborted transaction, not as removal.
func (c *Conn) explain(err error) error {
	if isGone(err) || !errors.Is(err, scard.ErrNotTransacted) {
		return mapError(err)
	}
	// pcscd notices a removal at its next presence poll; give it that long.
	for deadline := time.Now().Add(time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		st, serr := c.card.Status()
		if serr != nil && isGone(serr) || serr == nil && st.State&scard.Present == 0 {
			return fmt.Errorf("%w (%v)", apdu.ErrCardRemoved, err)
		}
	}
	return err
}

// Close resets the card so no security state outlives the session.
func (c *Conn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.card == nil {
		return nil
	}
	err := c.card.Disconnect(scard.ResetCard)
	c.card = nil
	if c.owned {
		c.ctx.Close()
	}
	if err != nil && !isGone(err) {
		return fmt.Errorf("pcsc: disconnect: %w", err)
	}
	return nil
}

func isGone(err error) bool {
	return errors.Is(err, scard.ErrRemovedCard) || errors.Is(err, scard.ErrNoSmartcard) ||
		errors.Is(err, scard.ErrResetCard) || errors.Is(err, scard.ErrReaderUnavailable)
}

// mapError turns PC/SC codes the kiosk acts on into this project's errors.
func mapError(err error) error {
	switch {
	case isGone(err):
		return fmt.Errorf("%w (%v)", apdu.ErrCardRemoved, err)
	case errors.Is(err, scard.ErrSharingViolation):
		return fmt.Errorf("%w (%v)", ErrReaderUnavailable, err)
	case errors.Is(err, scard.ErrNoService), errors.Is(err, scard.ErrServiceStopped):
		return fmt.Errorf("%w (%v)", ErrNoService, err)
	}
	return err
}
