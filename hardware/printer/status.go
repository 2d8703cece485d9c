package printer

import (
	"errors"
	"fmt"

	"github.com/uketsuke/uketsuke/app/revisit"
)

// The real-time status requests (DLE EOT n); the printer answers them at
// once, even while offline or with data waiting in its buffer.
const (
	StatusPrinter = 1 // bit 3: offline
	StatusOffline = 2 // bit 2: cover open; bit 5: stopped at paper end
	StatusError   = 3 // bit 3: autocutter error; bit 5: unrecoverable; bit 6: auto-recoverable
	StatusPaper   = 4 // bits 2-3: paper near end; bits 5-6: paper end
)

// ClearBuffers (DLE DC4 fn 8) discards what the printer received but has
// not printed, so a ticket that failed is not printed later, once staff
// changed the roll or closed the cover, with a number nobody was given.
var ClearBuffers = []byte{DLE, DC4, 8, 1, 3, 20, 1, 6, 2, 8}

// Paper sensor status (GS r 1): processed in order with the data, so its
// answer means everything sent before it was printed.
const (
	TransmitStatus   = 'r'
	TransmitPaper    = 1
	paperNearEndBits = 0x03
	paperEndBits     = 0x0c
)

// Bits of the DLE EOT answers.
const (
	dleFixedMask   = 0x93 // bits 0, 1, 4 and 7 are fixed
	dleFixedValue  = 0x12 // bit 1 and bit 4 set
	bitOffline     = 0x08
	bitCoverOpen   = 0x04
	bitStopAtEnd   = 0x20
	bitsNearEnd    = 0x0c
	bitsPaperEnd   = 0x60
	bitsErrorFault = 0x68
	gsrFixedMask   = 0x90 // bits 4 and 7 are 0 in a GS r answer
)

// ErrBadStatus means the printer's answer to a status request was not one.
var ErrBadStatus = errors.New("printer: malformed status answer")

// checkStatusByte tells a DLE EOT answer by its fixed bits.
func checkStatusByte(n, b byte) error {
	if b&dleFixedMask != dleFixedValue {
		return fmt.Errorf("%w: DLE EOT %d answered %#02x", ErrBadStatus, n, b)
	}
	return nil
}

// decodeStatus turns the answers to DLE EOT 1, 2, 3 and 4 into a status.
func decodeStatus(printer, offline, errs, paper byte) revisit.PrinterStatus {
	return revisit.PrinterStatus{
		Offline:      printer&bitOffline != 0 || errs&bitsErrorFault != 0,
		CoverOpen:    offline&bitCoverOpen != 0,
		PaperOut:     offline&bitStopAtEnd != 0 || paper&bitsPaperEnd != 0,
		PaperNearEnd: paper&bitsNearEnd != 0,
	}
}

// decodePaper reads a GS r 1 answer.
func decodePaper(b byte) (revisit.PrinterStatus, error) {
	if b&gsrFixedMask != 0 {
		return revisit.PrinterStatus{}, fmt.Errorf("%w: GS r 1 answered %#02x", ErrBadStatus, b)
	}
	return revisit.PrinterStatus{PaperOut: b&paperEndBits != 0, PaperNearEnd: b&paperNearEndBits != 0}, nil
}
