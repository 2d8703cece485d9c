package apdu

import "fmt"

// ParseCommand decodes a raw command APDU (the card's side of Encode), in any
// of the four ISO cases, short or extended. Data aliases raw.
func ParseCommand(raw []byte) (Command, error) {
	if len(raw) < 4 {
		return Command{}, fmt.Errorf("%w: command of %d bytes", ErrMalformedResponse, len(raw))
	}
	c := Command{CLA: raw[0], INS: raw[1], P1: raw[2], P2: raw[3]}
	body := raw[4:]
	switch {
	case len(body) == 0: // case 1
		return c, nil
	case len(body) == 1: // case 2 short
		c.Le = shortLe(body[0])
		return c, nil
	case body[0] != 0 || len(body) < 3: // case 3/4 short
		return parseShortBody(c, body)
	default:
		return parseExtendedBody(c, body[1:])
	}
}

func shortLe(b byte) int {
	if b == 0 {
		return MaxShortLe
	}
	return int(b)
}

func extendedLe(hi, lo byte) int {
	if n := int(hi)<<8 | int(lo); n != 0 {
		return n
	}
	return MaxExtendedLe
}

func parseShortBody(c Command, body []byte) (Command, error) {
	lc := int(body[0])
	switch len(body) {
	case 1 + lc:
	case 2 + lc:
		c.Le = shortLe(body[1+lc])
	default:
		return Command{}, fmt.Errorf("%w: Lc %d does not fit %d body bytes", ErrMalformedResponse, lc, len(body))
	}
	c.Data = body[1 : 1+lc]
	return c, nil
}

// parseExtendedBody reads what follows the 00 marker of an extended APDU.
func parseExtendedBody(c Command, b []byte) (Command, error) {
	if len(b) == 2 { // case 2 extended: 00 Le1 Le2
		c.Le = extendedLe(b[0], b[1])
		return c, nil
	}
	lc := int(b[0])<<8 | int(b[1])
	switch len(b) {
	case 2 + lc:
	case 4 + lc:
		c.Le = extendedLe(b[2+lc], b[3+lc])
	default:
		return Command{}, fmt.Errorf("%w: extended Lc %d does not fit %d bytes", ErrMalformedResponse, lc, len(b))
	}
	if lc == 0 {
		return Command{}, fmt.Errorf("%w: extended Lc of zero", ErrMalformedResponse)
	}
	c.Data = b[2 : 2+lc]
	return c, nil
}
