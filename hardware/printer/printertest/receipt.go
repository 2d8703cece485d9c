package printertest

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/text/encoding/japanese"

	"github.com/uketsuke/uketsuke/hardware/printer"
)

// ErrBadSequence means known commands came in an order or state a printer
// would not print as meant: Kanji without Shift_JIS, alignment in mid-line,
// a QR code printed before it was stored.
var ErrBadSequence = errors.New("printertest: commands out of sequence")

// Receipt is what one cut of paper carries.
type Receipt struct {
	Blocks []Block
	Cut    bool // ended by GS V; false for what was left uncut
}

// Block is a printed line of text, a blank feed or a QR code.
type Block struct {
	Align Align
	Runs  []Run // text, in order; none for a blank line
	QR    *QR   // set for a QR code block
	Feed  int   // lines fed by ESC d (no text)
}

// Align is the block's justification.
type Align = printer.Align

// Run is text printed at one size.
type Run struct {
	Text          string
	Width, Height int // multiples of the normal size
}

// QR is a printed QR code as the printer was told to make it.
type QR struct {
	Model      byte // 50: model 2
	ModuleDots int
	Level      printer.QRLevel
	Data       string
}

// Text is the block's text, all runs joined.
func (b Block) Text() string {
	var s strings.Builder
	for _, r := range b.Runs {
		s.WriteString(r.Text)
	}
	return s.String()
}

// Lines is each text block's text, blank lines and QR codes left out.
func (r Receipt) Lines() []string {
	var out []string
	for _, b := range r.Blocks {
		if len(b.Runs) > 0 {
			out = append(out, b.Text())
		}
	}
	return out
}

// Interpret plays commands through a printer's state and returns the
// receipts they print. Status requests print nothing.
func Interpret(cmds []Command) ([]Receipt, error) {
	var s state
	s.reset()
	for i, c := range cmds {
		if err := s.apply(c); err != nil {
			return s.receipts, fmt.Errorf("command %d (%v): %w", i, c.Op, err)
		}
	}
	s.flushLine()
	if len(s.current.Blocks) > 0 {
		s.receipts = append(s.receipts, s.current)
	}
	return s.receipts, nil
}

// state is the printer's modes and the receipt under way.
type state struct {
	align         Align
	width, height int
	kanji         bool
	codeSystem    byte
	codePage      byte
	qrModel       byte
	qrModule      int
	qrLevel       printer.QRLevel
	qrData        []byte
	line          []Run
	current       Receipt
	receipts      []Receipt
}

// reset is ESC @, and the power-on state of a Japanese model with Kanji
// mode off.
func (s *state) reset() {
	s.align, s.width, s.height = printer.AlignLeft, 1, 1
	s.kanji, s.codeSystem, s.codePage = false, 0, 0
	s.qrModel, s.qrModule, s.qrLevel, s.qrData = printer.QRModel2, 3, printer.QRLevelL, nil
}

func (s *state) apply(c Command) error {
	switch c.Op {
	case OpInit:
		if len(s.line) > 0 {
			return fmt.Errorf("%w: ESC @ discards unprinted text", ErrBadSequence)
		}
		s.reset()
	case OpCodePage:
		s.codePage = c.Arg
	case OpCodeSystem:
		s.codeSystem = c.Arg % '0'
	case OpKanjiOn:
		s.kanji = true
	case OpKanjiOff:
		s.kanji = false
	case OpAlign:
		if len(s.line) > 0 {
			return fmt.Errorf("%w: ESC a in mid-line is ignored by the printer", ErrBadSequence)
		}
		s.align = Align(c.Arg % '0')
	case OpSize:
		s.width, s.height = int(c.Arg>>4)+1, int(c.Arg&7)+1
	case OpText:
		return s.text(c.Data)
	case OpLineFeed:
		s.endLine()
	case OpFeed:
		s.flushLine()
		s.current.Blocks = append(s.current.Blocks, Block{Align: s.align, Feed: int(c.Arg)})
	case OpQR:
		return s.qr(c)
	case OpCut:
		s.flushLine()
		s.current.Cut = true
		s.receipts = append(s.receipts, s.current)
		s.current = Receipt{}
	case OpClearBuffers:
		s.line, s.current = nil, Receipt{}
	case OpPaperStatus, OpRealTimeStatus:
		// answered, not printed
	default:
		return fmt.Errorf("%w: %v", ErrUnknownCommand, c.Op)
	}
	return nil
}

// text decodes printable bytes in the current mode: Shift_JIS pairs need
// Kanji mode with the Shift_JIS code system, single high bytes the
// katakana code page.
func (s *state) text(data []byte) error {
	var out strings.Builder
	dec := japanese.ShiftJIS.NewDecoder()
	for i := 0; i < len(data); i++ {
		b := data[i]
		switch {
		case b < 0x80:
			out.WriteByte(b)
		case isLead(b):
			if !s.kanji || s.codeSystem != printer.CodeSystemShiftJIS {
				return fmt.Errorf("%w: byte %#02x needs Shift_JIS Kanji mode", ErrBadSequence, b)
			}
			if i+1 >= len(data) {
				return ErrTruncated
			}
			r, err := dec.Bytes(data[i : i+2])
			if err != nil || strings.ContainsRune(string(r), '\uFFFD') {
				return fmt.Errorf("%w: %#02x %#02x is no Shift_JIS character", ErrBadSequence, b, data[i+1])
			}
			out.Write(r)
			i++
		default: // 0xA1..0xDF
			if s.codePage != printer.CodePageKatakana {
				return fmt.Errorf("%w: byte %#02x needs the katakana code page", ErrBadSequence, b)
			}
			r, _ := dec.Bytes([]byte{b})
			out.Write(r)
		}
	}
	if n := len(s.line); n > 0 && s.line[n-1].Width == s.width && s.line[n-1].Height == s.height {
		s.line[n-1].Text += out.String()
		return nil
	}
	s.line = append(s.line, Run{Text: out.String(), Width: s.width, Height: s.height})
	return nil
}

func (s *state) qr(c Command) error {
	switch c.Arg {
	case printer.QRFnModel:
		s.qrModel = c.Data[0]
	case printer.QRFnModuleSize:
		s.qrModule = int(c.Data[0])
	case printer.QRFnCorrection:
		s.qrLevel = printer.QRLevel(c.Data[0])
	case printer.QRFnStore:
		s.qrData = append([]byte(nil), c.Data[1:]...)
	case printer.QRFnPrint:
		if s.qrData == nil {
			return fmt.Errorf("%w: QR printed with no data stored", ErrBadSequence)
		}
		if len(s.line) > 0 {
			return fmt.Errorf("%w: QR code in mid-line", ErrBadSequence)
		}
		s.current.Blocks = append(s.current.Blocks, Block{Align: s.align, QR: &QR{
			Model: s.qrModel, ModuleDots: s.qrModule, Level: s.qrLevel, Data: string(s.qrData)}})
	}
	return nil
}

// endLine is LF: the line is printed, or a blank line fed.
func (s *state) endLine() {
	s.current.Blocks = append(s.current.Blocks, Block{Align: s.align, Runs: s.line})
	s.line = nil
}

// flushLine prints text still waiting, as a cut or the end does.
func (s *state) flushLine() {
	if len(s.line) > 0 {
		s.endLine()
	}
}
