// Package printertest is a stand-in ESC/POS printer for tests: it accepts
// the byte stream (as a raw TCP 9100 server or behind a pseudo-terminal
// standing for /dev/usb/lpN), answers the status requests from a state a
// test sets (paper out, cover open, offline), parses the stream back with
// a strict decoder of the commands package printer sends, and renders the
// receipts it printed to images.
package printertest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/uketsuke/uketsuke/hardware/printer"
)

// ErrUnknownCommand means the stream holds a command outside the set this
// decoder knows, or a known one with a parameter out of range.
var ErrUnknownCommand = errors.New("printertest: unknown ESC/POS command")

// ErrTruncated means the stream ends inside a command or character.
var ErrTruncated = errors.New("printertest: stream ends inside a command")

// Op names a decoded command.
type Op int

// The commands the decoder knows.
const (
	OpText           Op = iota + 1 // Data: printable bytes (ASCII, katakana, Shift_JIS pairs)
	OpLineFeed                     // LF
	OpInit                         // ESC @
	OpCodePage                     // ESC t n
	OpAlign                        // ESC a n (Arg 0..2)
	OpFeed                         // ESC d n
	OpCodeSystem                   // FS C n (Arg 0..2)
	OpKanjiOn                      // FS &
	OpKanjiOff                     // FS .
	OpSize                         // GS ! n
	OpQR                           // GS ( k: Arg is fn, Data its parameters
	OpCut                          // GS V m [n]: Arg m, Data [n]
	OpPaperStatus                  // GS r n
	OpRealTimeStatus               // DLE EOT n
	OpClearBuffers                 // DLE DC4 8 1 3 20 1 6 2 8
)

var opNames = map[Op]string{
	OpText: "text", OpLineFeed: "LF", OpInit: "ESC @", OpCodePage: "ESC t", OpAlign: "ESC a",
	OpFeed: "ESC d", OpCodeSystem: "FS C", OpKanjiOn: "FS &", OpKanjiOff: "FS .", OpSize: "GS !",
	OpQR: "GS ( k", OpCut: "GS V", OpPaperStatus: "GS r", OpRealTimeStatus: "DLE EOT",
	OpClearBuffers: "DLE DC4 8",
}

func (o Op) String() string {
	if s, ok := opNames[o]; ok {
		return s
	}
	return fmt.Sprintf("op(%d)", int(o))
}

// Command is one decoded command.
type Command struct {
	Op   Op
	Arg  byte
	Data []byte
}

// Parse decodes a whole stream.
func Parse(stream []byte) ([]Command, error) {
	d := NewDecoder(bytes.NewReader(stream))
	var cmds []Command
	for {
		c, err := d.Next()
		if errors.Is(err, io.EOF) {
			return cmds, nil
		}
		if err != nil {
			return cmds, err
		}
		cmds = append(cmds, c)
	}
}

// Decoder reads commands one at a time from a live link: it never waits
// for bytes past the command it returns, so a status request is answered
// while the sender waits.
type Decoder struct {
	r   *bufio.Reader
	off int64 // bytes consumed, for error messages
}

// NewDecoder reads from r.
func NewDecoder(r io.Reader) *Decoder { return &Decoder{r: bufio.NewReader(r)} }

// Next returns the next command, io.EOF at a clean end of the stream.
func (d *Decoder) Next() (Command, error) {
	start := d.off
	b, err := d.byte()
	if err != nil {
		return Command{}, err // io.EOF between commands is the clean end
	}
	c, err := d.command(b)
	if errors.Is(err, io.EOF) {
		err = fmt.Errorf("%w at offset %d", ErrTruncated, start)
	}
	return c, err
}

func (d *Decoder) command(b byte) (Command, error) {
	switch {
	case b == printer.LF:
		return Command{Op: OpLineFeed}, nil
	case b == printer.ESC:
		return d.escape()
	case b == printer.FS:
		return d.fileSeparator()
	case b == printer.GS:
		return d.groupSeparator()
	case b == printer.DLE:
		return d.realTime()
	case isText(b):
		return d.text(b)
	}
	return Command{}, d.unknown("byte %#02x", b)
}

func (d *Decoder) escape() (Command, error) {
	b, err := d.byte()
	if err != nil {
		return Command{}, err
	}
	switch b {
	case '@':
		return Command{Op: OpInit}, nil
	case 't':
		return d.withArg(OpCodePage, func(n byte) bool { return true })
	case 'a':
		return d.withArg(OpAlign, func(n byte) bool { return n <= 2 || (n >= '0' && n <= '2') })
	case 'd':
		return d.withArg(OpFeed, func(n byte) bool { return true })
	}
	return Command{}, d.unknown("ESC %#02x", b)
}

func (d *Decoder) fileSeparator() (Command, error) {
	b, err := d.byte()
	if err != nil {
		return Command{}, err
	}
	switch b {
	case 'C':
		return d.withArg(OpCodeSystem, func(n byte) bool { return n <= 2 || (n >= '0' && n <= '2') })
	case '&':
		return Command{Op: OpKanjiOn}, nil
	case '.':
		return Command{Op: OpKanjiOff}, nil
	}
	return Command{}, d.unknown("FS %#02x", b)
}

func (d *Decoder) groupSeparator() (Command, error) {
	b, err := d.byte()
	if err != nil {
		return Command{}, err
	}
	switch b {
	case '!':
		return d.withArg(OpSize, func(n byte) bool { return n&0x88 == 0 })
	case '(':
		return d.qr()
	case 'V':
		return d.cut()
	case printer.TransmitStatus:
		return d.withArg(OpPaperStatus, func(n byte) bool { return n == 1 || n == 2 || n == '1' || n == '2' })
	}
	return Command{}, d.unknown("GS %#02x", b)
}

func (d *Decoder) realTime() (Command, error) {
	b, err := d.byte()
	if err != nil {
		return Command{}, err
	}
	switch b {
	case printer.EOT:
		return d.withArg(OpRealTimeStatus, func(n byte) bool { return n >= 1 && n <= 4 })
	case printer.DC4:
		fn, err := d.byte()
		if err != nil {
			return Command{}, err
		}
		if fn != printer.ClearBuffers[2] {
			return Command{}, d.unknown("DLE DC4 fn %d", fn)
		}
		rest, err := d.bytes(len(printer.ClearBuffers) - 3)
		if err != nil {
			return Command{}, err
		}
		if !bytes.Equal(rest, printer.ClearBuffers[3:]) {
			return Command{}, d.unknown("DLE DC4 % x", rest)
		}
		return Command{Op: OpClearBuffers}, nil
	}
	return Command{}, d.unknown("DLE %#02x", b)
}

// qr decodes GS ( k pL pH cn fn params for the QR symbol.
func (d *Decoder) qr() (Command, error) {
	head, err := d.bytes(4)
	if err != nil {
		return Command{}, err
	}
	if head[0] != 'k' {
		return Command{}, d.unknown("GS ( %#02x", head[0])
	}
	n := int(head[1]) | int(head[2])<<8
	if head[3] != printer.QRSymbol || n < 2 {
		return Command{}, d.unknown("GS ( k for symbol %d, length %d", head[3], n)
	}
	fn, err := d.byte()
	if err != nil {
		return Command{}, err
	}
	params, err := d.bytes(n - 2)
	if err != nil {
		return Command{}, err
	}
	if !qrParamsValid(fn, params) {
		return Command{}, d.unknown("GS ( k fn %d with %d parameter bytes", fn, len(params))
	}
	return Command{Op: OpQR, Arg: fn, Data: params}, nil
}

func qrParamsValid(fn byte, p []byte) bool {
	switch fn {
	case printer.QRFnModel:
		return len(p) == 2 && p[0] >= 49 && p[0] <= 51 && p[1] == 0
	case printer.QRFnModuleSize:
		return len(p) == 1 && p[0] >= 1 && p[0] <= 16
	case printer.QRFnCorrection:
		return len(p) == 1 && p[0] >= 48 && p[0] <= 51
	case printer.QRFnStore:
		return len(p) >= 2 && p[0] == printer.QRStoreM && len(p)-1 <= printer.QRMaxData
	case printer.QRFnPrint:
		return len(p) == 1 && p[0] == printer.QRStoreM
	}
	return false
}

// cut decodes GS V m, and GS V m n for the feeding forms 65 and 66.
func (d *Decoder) cut() (Command, error) {
	m, err := d.byte()
	if err != nil {
		return Command{}, err
	}
	switch m {
	case 0, 1, '0', '1':
		return Command{Op: OpCut, Arg: m}, nil
	case 65, 66:
		n, err := d.byte()
		if err != nil {
			return Command{}, err
		}
		return Command{Op: OpCut, Arg: m, Data: []byte{n}}, nil
	}
	return Command{}, d.unknown("GS V %d", m)
}

// text reads printable bytes up to the next command or the end of what
// has arrived, keeping each Shift_JIS pair whole.
func (d *Decoder) text(first byte) (Command, error) {
	data := []byte{first}
	if isLead(first) {
		if err := d.trail(&data); err != nil {
			return Command{}, err
		}
	}
	for d.r.Buffered() > 0 {
		b, _ := d.r.Peek(1)
		if !isText(b[0]) {
			break
		}
		c, _ := d.byte()
		data = append(data, c)
		if isLead(c) {
			if err := d.trail(&data); err != nil {
				return Command{}, err
			}
		}
	}
	return Command{Op: OpText, Data: data}, nil
}

func (d *Decoder) trail(data *[]byte) error {
	t, err := d.byte()
	if err != nil {
		return err
	}
	if !isTrail(t) {
		return d.unknown("Shift_JIS lead byte %#02x followed by %#02x", (*data)[len(*data)-1], t)
	}
	*data = append(*data, t)
	return nil
}

// isText: ASCII printable, half-width katakana, or a Shift_JIS lead byte.
func isText(b byte) bool { return (b >= 0x20 && b < 0x7f) || (b >= 0xa1 && b <= 0xdf) || isLead(b) }

func isLead(b byte) bool { return (b >= 0x81 && b <= 0x9f) || (b >= 0xe0 && b <= 0xfc) }

func isTrail(b byte) bool { return b >= 0x40 && b <= 0xfc && b != 0x7f }

func (d *Decoder) withArg(op Op, valid func(byte) bool) (Command, error) {
	n, err := d.byte()
	if err != nil {
		return Command{}, err
	}
	if !valid(n) {
		return Command{}, d.unknown("%v %d", op, n)
	}
	return Command{Op: op, Arg: n}, nil
}

func (d *Decoder) byte() (byte, error) {
	b, err := d.r.ReadByte()
	if err == nil {
		d.off++
	}
	return b, err
}

func (d *Decoder) bytes(n int) ([]byte, error) {
	buf := make([]byte, n)
	got, err := io.ReadFull(d.r, buf)
	d.off += int64(got)
	if errors.Is(err, io.ErrUnexpectedEOF) {
		err = io.EOF
	}
	return buf, err
}

func (d *Decoder) unknown(format string, args ...any) error {
	return fmt.Errorf("%w: %s at offset %d", ErrUnknownCommand, fmt.Sprintf(format, args...), d.off)
}
