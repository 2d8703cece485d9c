// Package apdu builds ISO 7816-4 command APDUs, runs them over a Transport with
// the 61xx/6Cxx conventions, and turns every status word into a typed error.
package apdu

import (
	"errors"
	"fmt"
)

// Command is one command APDU. Le is the expected response length: 0 means
// no Le field; 256 (short) or 65536 (extended) mean "as much as available".
type Command struct {
	CLA, INS, P1, P2 byte
	Data             []byte
	Le               int
}

// Limits of the two encodings.
const (
	MaxShortData    = 255
	MaxShortLe      = 256
	MaxExtendedData = 65535
	MaxExtendedLe   = 65536
)

// ErrCommandTooLong means the data or Le does not fit even an extended APDU.
var ErrCommandTooLong = errors.New("apdu: command too long")

// Extended reports whether the command needs the extended-length encoding.
func (c Command) Extended() bool {
	return len(c.Data) > MaxShortData || c.Le > MaxShortLe
}

// Encode serialises the command. The result may hold sensitive data (a PIN):
// callers wipe it after transmission.
func (c Command) Encode() ([]byte, error) {
	if len(c.Data) > MaxExtendedData || c.Le < 0 || c.Le > MaxExtendedLe {
		return nil, fmt.Errorf("%w: %d data bytes, Le %d", ErrCommandTooLong, len(c.Data), c.Le)
	}
	out := make([]byte, 0, 4+3+len(c.Data)+3)
	out = append(out, c.CLA, c.INS, c.P1, c.P2)
	if c.Extended() {
		return c.appendExtended(out), nil
	}
	if len(c.Data) > 0 {
		out = append(out, byte(len(c.Data)))
		out = append(out, c.Data...)
	}
	if c.Le > 0 {
		out = append(out, byte(c.Le)) // 256 encodes as 0x00
	}
	return out, nil
}

func (c Command) appendExtended(out []byte) []byte {
	if len(c.Data) > 0 {
		out = append(out, 0, byte(len(c.Data)>>8), byte(len(c.Data)))
		out = append(out, c.Data...)
	}
	if c.Le > 0 {
		if len(c.Data) == 0 {
			out = append(out, 0)
		}
		out = append(out, byte(c.Le>>8), byte(c.Le)) // 65536 encodes as 0x0000
	}
	return out
}

// String names the command without its data, safe for logs.
func (c Command) String() string {
	return fmt.Sprintf("%02X %02X %02X %02X (%d data bytes, Le %d)", c.CLA, c.INS, c.P1, c.P2, len(c.Data), c.Le)
}

// Common commands of the My Number Card.

// SelectDF selects an application by its AID.
func SelectDF(aid []byte) Command {
	return Command{CLA: 0x00, INS: 0xA4, P1: 0x04, P2: 0x0C, Data: aid}
}

// SelectEF selects an elementary file of the current application.
func SelectEF(fid uint16) Command {
	return Command{CLA: 0x00, INS: 0xA4, P1: 0x02, P2: 0x0C, Data: []byte{byte(fid >> 8), byte(fid)}}
}

// ReadBinary reads up to le bytes at offset (15-bit) of the selected EF.
func ReadBinary(offset, le int) Command {
	return Command{CLA: 0x00, INS: 0xB0, P1: byte(offset>>8) & 0x7F, P2: byte(offset), Le: le}
}

// Verify presents a credential to the selected key file; empty data queries
// the tries left without using one.
func Verify(credential []byte) Command {
	return Command{CLA: 0x00, INS: 0x20, P1: 0x00, P2: 0x80, Data: credential}
}

// GetResponse fetches pending response bytes after a 61xx.
func GetResponse(le int) Command {
	return Command{CLA: 0x00, INS: 0xC0, P1: 0x00, P2: 0x00, Le: le}
}
