package wire

import (
	"github.com/uketsuke/uketsuke/app/config"
	"github.com/uketsuke/uketsuke/app/revisit"
	"github.com/uketsuke/uketsuke/hardware/printer"
)

// ticketPrinter builds the reception-ticket printer, when one is
// configured. It opens nothing: each ticket opens the link anew, so a
// printer switched off at start is a fault of its first ticket, not of
// the kiosk.
func (w *World) ticketPrinter() error {
	p, err := newTicketPrinter(w.Config.Parts.Printer)
	if err != nil {
		return err
	}
	w.Printer = p
	return nil
}

func newTicketPrinter(c *config.Printer) (revisit.Printer, error) {
	if c == nil {
		return nil, nil
	}
	var (
		p   *printer.Printer
		err error
	)
	switch c.Kind {
	case config.KindNetwork:
		p, err = printer.Network(c.Address)
	case config.KindUSB:
		p, err = printer.Device(c.Device)
	default:
		return nil, bad("parts.printer.kind", "%q is not a printer kind", c.Kind)
	}
	if err != nil {
		return nil, bad("parts.printer", "%v", err)
	}
	return p, nil
}

func printerPlan(c *config.Printer) map[string]any {
	if c == nil {
		return nil
	}
	if c.Kind == config.KindUSB {
		return map[string]any{"kind": c.Kind, "device": c.Device}
	}
	return map[string]any{"kind": c.Kind, "address": c.Address}
}
