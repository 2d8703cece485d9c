package apdu

import (
	"context"
	"errors"
	"fmt"

	"github.com/uketsuke/uketsuke/app/secret"
)

// Transport sends one raw command APDU and returns the raw response (data and
// SW1 SW2). Readers (PC/SC) and the in-process virtual card implement it.
type Transport interface {
	Transmit(ctx context.Context, command []byte) ([]byte, error)
}

// LengthLimits is what a Transport may say up front about the link: a
// reader that knows how long an answer it carries spares the card a probe.
// A Transport without it, or answering 0, knows nothing; the card layer
// then tries extended length and falls back when it is refused.
type LengthLimits interface {
	// MaxResponse is the most response data (Le) one command may ask for
	// on this link: 256 or less means short APDUs only; 0 means unknown.
	MaxResponse() int
}

// Transport-level failures.
var (
	ErrCardRemoved       = errors.New("apdu: card removed")
	ErrMalformedResponse = errors.New("apdu: malformed response")
)

// Response is a parsed response APDU.
type Response struct {
	Data []byte
	SW   uint16
}

// Channel runs commands over a Transport, following 61xx (GET RESPONSE) and
// 6Cxx (resend with the right Le) so callers see complete answers.
type Channel struct {
	T Transport
	// MaxChained bounds GET RESPONSE rounds so a hostile card cannot loop us.
	MaxChained int
}

// NewChannel wraps a transport.
func NewChannel(t Transport) *Channel { return &Channel{T: t, MaxChained: 64} }

// Do sends cmd and returns its data; a status other than 9000 is a typed error
// (the data, if any, is still returned).
func (c *Channel) Do(ctx context.Context, cmd Command) ([]byte, error) {
	r, err := c.Exchange(ctx, cmd)
	if err != nil {
		return nil, err
	}
	return r.Data, CheckSW(r.SW)
}

// Exchange sends cmd and returns the final response without judging its status.
func (c *Channel) Exchange(ctx context.Context, cmd Command) (Response, error) {
	r, err := c.once(ctx, cmd)
	if err != nil {
		return r, err
	}
	if sw1 := byte(r.SW >> 8); sw1 == 0x6C {
		cmd.Le = leFromSW2(byte(r.SW))
		if r, err = c.once(ctx, cmd); err != nil {
			return r, err
		}
	}
	return c.collect(ctx, r)
}

// collect follows 61xx chains, concatenating the data. Each piece is wiped
// once copied, so a file read in chained pieces leaves no stray copies.
func (c *Channel) collect(ctx context.Context, r Response) (Response, error) {
	data := r.Data
	for rounds := 0; byte(r.SW>>8) == 0x61; rounds++ {
		if rounds >= c.MaxChained {
			secret.Wipe(data)
			return Response{}, fmt.Errorf("%w: more than %d GET RESPONSE rounds", ErrMalformedResponse, c.MaxChained)
		}
		var err error
		if r, err = c.once(ctx, GetResponse(leFromSW2(byte(r.SW)))); err != nil {
			secret.Wipe(data)
			return r, err
		}
		data = joinWiping(data, r.Data)
	}
	return Response{Data: data, SW: r.SW}, nil
}

// joinWiping returns a‖b in fresh memory and wipes a and b.
func joinWiping(a, b []byte) []byte {
	out := make([]byte, 0, len(a)+len(b))
	out = append(append(out, a...), b...)
	secret.Wipe(a)
	secret.Wipe(b)
	return out
}

func leFromSW2(sw2 byte) int {
	if sw2 == 0 {
		return MaxShortLe
	}
	return int(sw2)
}

func (c *Channel) once(ctx context.Context, cmd Command) (Response, error) {
	if err := ctx.Err(); err != nil {
		return Response{}, err
	}
	raw, err := cmd.Encode()
	if err != nil {
		return Response{}, err
	}
	resp, err := c.T.Transmit(ctx, raw)
	secret.Wipe(raw) // the command may carry a PIN or 照合番号B
	if err != nil {
		return Response{}, err
	}
	return ParseResponse(resp)
}

// ParseResponse splits a raw response into data and status word.
func ParseResponse(raw []byte) (Response, error) {
	if len(raw) < 2 {
		return Response{}, fmt.Errorf("%w: %d bytes", ErrMalformedResponse, len(raw))
	}
	n := len(raw) - 2
	return Response{Data: raw[:n], SW: uint16(raw[n])<<8 | uint16(raw[n+1])}, nil
}
