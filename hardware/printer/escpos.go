package printer

import (
	"bytes"
	"errors"
	"fmt"
	"unicode"

	"golang.org/x/text/encoding/japanese"

	"github.com/uketsuke/uketsuke/app/revisit"
)

// The control bytes that start ESC/POS commands.
const (
	LF  = 0x0a
	DLE = 0x10
	EOT = 0x04
	DC4 = 0x14
	ESC = 0x1b
	FS  = 0x1c
	GS  = 0x1d
)

// Parameters of the commands this package sends; printertest decodes the
// same values.
const (
	CodeSystemShiftJIS = 1  // FS C 1: Kanji characters in Shift_JIS
	CodePageKatakana   = 1  // ESC t 1: single bytes 0xA1..0xDF are half-width katakana
	QRSymbol           = 49 // cn of GS ( k: the QR code
	QRModel2           = 50 // the model every phone reads
	QRFnModel          = 65
	QRFnModuleSize     = 67
	QRFnCorrection     = 69
	QRFnStore          = 80
	QRFnPrint          = 81
	QRStoreM           = 48
	QRMaxData          = 7089 // digits of a version 40 symbol at level L
	CutPartialFeed     = 66   // GS V 66 n: feed n dots past the cutter, then a partial cut
)

// ErrUnencodable means text holds a character Shift_JIS cannot carry, or a
// control character that the printer would take as a command.
var ErrUnencodable = errors.New("printer: character not printable in Shift_JIS")

// ErrBadParameter means a command's parameter is out of the printer's range.
var ErrBadParameter = errors.New("printer: parameter out of range")

// UnencodableError names the character that could not be printed. It
// matches ErrUnencodable and revisit.ErrBadTicket.
type UnencodableError struct {
	Rune rune
}

func (e *UnencodableError) Error() string {
	return fmt.Sprintf("%v: %U %q", ErrUnencodable, e.Rune, string(e.Rune))
}

// Unwrap lets errors.Is match both the printer's and the domain's error.
func (e *UnencodableError) Unwrap() []error { return []error{ErrUnencodable, revisit.ErrBadTicket} }

// Align is the justification of the lines that follow (ESC a).
type Align byte

// The justifications.
const (
	AlignLeft   Align = 0
	AlignCenter Align = 1
	AlignRight  Align = 2
)

// QRLevel is the QR code's error correction level (GS ( k fn 69).
type QRLevel byte

// The levels, as the printer numbers them.
const (
	QRLevelL QRLevel = 48
	QRLevelM QRLevel = 49
	QRLevelQ QRLevel = 50
	QRLevelH QRLevel = 51
)

// Encoder builds an ESC/POS byte stream. Its methods append commands; the
// first error stops it and is returned by every later call and by Bytes.
type Encoder struct {
	buf bytes.Buffer
	err error
}

// Init resets the printer (ESC @) and selects Shift_JIS Kanji mode with the
// katakana code page, so every byte Shift_JIS produces prints as meant.
func (e *Encoder) Init() {
	e.raw(ESC, '@')
	e.raw(ESC, 't', CodePageKatakana)
	e.raw(FS, 'C', CodeSystemShiftJIS)
	e.raw(FS, '&')
}

// KanjiOff leaves Kanji mode (FS .).
func (e *Encoder) KanjiOff() { e.raw(FS, '.') }

// Align sets the justification (ESC a); it takes effect at a line's start.
func (e *Encoder) Align(a Align) {
	if a > AlignRight {
		e.fail(fmt.Errorf("%w: alignment %d", ErrBadParameter, a))
		return
	}
	e.raw(ESC, 'a', byte(a))
}

// Size sets the character size as multiples of the normal size (GS !), for
// alphanumeric and Kanji characters alike.
func (e *Encoder) Size(width, height int) {
	if width < 1 || width > 8 || height < 1 || height > 8 {
		e.fail(fmt.Errorf("%w: character size %dx%d", ErrBadParameter, width, height))
		return
	}
	e.raw(GS, '!', byte(width-1)<<4|byte(height-1))
}

// Text appends s in Shift_JIS. It refuses control characters and any
// character Shift_JIS lacks, naming it, before appending anything.
func (e *Encoder) Text(s string) {
	if e.err != nil {
		return
	}
	encoded, err := ShiftJIS(s)
	if err != nil {
		e.fail(err)
		return
	}
	e.buf.Write(encoded)
}

// Line appends s and a line feed.
func (e *Encoder) Line(s string) {
	e.Text(s)
	e.raw(LF)
}

// Feed prints the buffer and feeds n lines (ESC d).
func (e *Encoder) Feed(lines int) {
	if lines < 0 || lines > 255 {
		e.fail(fmt.Errorf("%w: feed %d lines", ErrBadParameter, lines))
		return
	}
	e.raw(ESC, 'd', byte(lines))
}

// QR prints data as a model 2 QR code with the printer's own encoder
// (GS ( k): model, module size in dots, error correction, store, print. It
// belongs at the start of a line.
func (e *Encoder) QR(data string, moduleDots int, level QRLevel) {
	switch {
	case len(data) == 0 || len(data) > QRMaxData:
		e.fail(fmt.Errorf("%w: QR data of %d bytes", ErrBadParameter, len(data)))
		return
	case moduleDots < 1 || moduleDots > 16:
		e.fail(fmt.Errorf("%w: QR module of %d dots", ErrBadParameter, moduleDots))
		return
	case level < QRLevelL || level > QRLevelH:
		e.fail(fmt.Errorf("%w: QR level %d", ErrBadParameter, level))
		return
	}
	e.qrFunction(QRFnModel, QRModel2, 0)
	e.qrFunction(QRFnModuleSize, byte(moduleDots))
	e.qrFunction(QRFnCorrection, byte(level))
	e.qrFunction(QRFnStore, append([]byte{QRStoreM}, data...)...)
	e.qrFunction(QRFnPrint, QRStoreM)
}

// qrFunction appends GS ( k pL pH cn fn params, the length counting cn and fn.
func (e *Encoder) qrFunction(fn byte, params ...byte) {
	n := len(params) + 2
	e.raw(GS, '(', 'k', byte(n), byte(n>>8), QRSymbol, fn)
	e.raw(params...)
}

// Cut feeds the last line past the cutter and cuts, leaving one point
// uncut so the ticket does not fall (GS V 66 n).
func (e *Encoder) Cut() { e.raw(GS, 'V', CutPartialFeed, 0) }

// Bytes returns the stream, or the first error.
func (e *Encoder) Bytes() ([]byte, error) {
	if e.err != nil {
		return nil, e.err
	}
	return e.buf.Bytes(), nil
}

func (e *Encoder) raw(b ...byte) {
	if e.err == nil {
		e.buf.Write(b)
	}
}

func (e *Encoder) fail(err error) {
	if e.err == nil {
		e.err = err
	}
}

// ShiftJIS encodes s character by character, so that a character the
// encoding lacks is named rather than replaced. Only JIS X 0208 is kept:
// the Windows extensions that golang.org/x/text also encodes (NEC row 13
// such as ① and ㈱, the IBM kanji such as 髙 and 﨑) are refused, because
// a printer's JIS X 0208 Kanji font has no glyph for them.
func ShiftJIS(s string) ([]byte, error) {
	enc := japanese.ShiftJIS.NewEncoder()
	out := make([]byte, 0, 2*len(s))
	for _, r := range s {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return nil, &UnencodableError{Rune: r}
		}
		b, err := enc.Bytes([]byte(string(r)))
		if err != nil || len(b) == 0 || windowsExtension(b[0]) {
			return nil, &UnencodableError{Rune: r}
		}
		out = append(out, b...)
	}
	return out, nil
}

// windowsExtension tells the lead bytes of Windows-31J's additions to
// JIS X 0208: 0x87 (NEC row 13) and 0xED..0xFC (IBM extensions, user area).
func windowsExtension(lead byte) bool { return lead == 0x87 || lead >= 0xed }
