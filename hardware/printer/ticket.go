package printer

import (
	"fmt"

	"github.com/uketsuke/uketsuke/app/revisit"
)

// The ticket's layout, sized for an 80 mm roll (576 dots, 48 half-width
// columns) and still whole on a 58 mm one except the longest labels.
const (
	numberSize     = 6 // the reception number, 72x144 dots a digit
	departmentSize = 2
	qrModuleDots   = 6
	qrLevel        = QRLevelM
)

// Heading printed above the number.
const numberHeading = "受付番号"

// TicketBytes lays a ticket out as an ESC/POS stream: clinic name, the
// heading and the large number, the department, the time, the QR code of
// the number, and the cut. The ticket is validated first.
func TicketBytes(t revisit.Ticket) ([]byte, error) {
	if err := t.Validate(); err != nil {
		return nil, err
	}
	var e Encoder
	e.Init()
	e.Align(AlignCenter)
	e.Size(1, 1)
	e.Line(t.ClinicName)
	e.Feed(1)
	e.Line(numberHeading)
	e.Size(numberSize, numberSize)
	e.Line(t.NumberText())
	if t.Department != "" {
		e.Size(departmentSize, departmentSize)
		e.Line(t.Department)
	}
	e.Size(1, 1)
	e.Line(issuedText(t))
	e.Feed(1)
	e.QR(t.NumberText(), qrModuleDots, qrLevel)
	e.Feed(2)
	e.KanjiOff()
	e.Cut()
	return e.Bytes()
}

// issuedText is the issue time in the kiosk's own zone, the way Japanese
// tickets print it.
func issuedText(t revisit.Ticket) string {
	i := t.Issued
	return fmt.Sprintf("%d年%d月%d日 %02d:%02d", i.Year(), int(i.Month()), i.Day(), i.Hour(), i.Minute())
}
