package revisit

import (
	"context"
	"errors"
)

// Printer prints reception tickets. Print returns nil only when the printer
// took the whole ticket and reported no fault after it: the caller counts a
// number as issued only then, and shows it on screen otherwise.
type Printer interface {
	Print(ctx context.Context, t Ticket) error
	Status(ctx context.Context) (PrinterStatus, error)
}

// The printer's faults. A printer that cannot be reached, does not answer
// in time or reports itself offline is ErrOffline.
var (
	ErrPaperOut  = errors.New("printer: paper out")
	ErrOffline   = errors.New("printer: offline")
	ErrCoverOpen = errors.New("printer: cover open")
)

// PrinterStatus is what the printer reports about itself.
type PrinterStatus struct {
	Offline      bool // not accepting data (set by the printer with every fault below too)
	CoverOpen    bool
	PaperOut     bool
	PaperNearEnd bool // still prints; staff should change the roll soon
}

// Err is the fault that stops printing, the most specific first, or nil
// when the printer is ready.
func (s PrinterStatus) Err() error {
	switch {
	case s.CoverOpen:
		return ErrCoverOpen
	case s.PaperOut:
		return ErrPaperOut
	case s.Offline:
		return ErrOffline
	}
	return nil
}
