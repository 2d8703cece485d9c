package revisit

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// MaxTicketNumber is the largest reception number of a day. Four digits fit
// the large print on a 58 mm roll and any clinic's daily count.
const MaxTicketNumber = 9999

// Label limits, in characters. An 80 mm roll holds 24 kanji a line at
// normal size: the clinic name may take two lines, the department prints
// at double size on one.
const (
	MaxClinicNameLen = 48
	MaxDepartmentLen = 12
)

// ErrBadTicket means a ticket cannot be printed as it is: a number out of
// range, a missing clinic name, a label too long or with control characters.
var ErrBadTicket = errors.New("revisit: bad ticket")

// Ticket is a reception ticket (受付票). It holds no personal data: the
// number is the day's reception order, not a patient identifier.
type Ticket struct {
	Number     int       // reception number of the day, 1..MaxTicketNumber
	Department string    // 診療科, optional
	Issued     time.Time // when the number was issued
	ClinicName string
}

// Validate says whether the ticket can be printed.
func (t Ticket) Validate() error {
	if t.Number < 1 || t.Number > MaxTicketNumber {
		return fmt.Errorf("%w: number %d outside 1..%d", ErrBadTicket, t.Number, MaxTicketNumber)
	}
	if t.Issued.IsZero() {
		return fmt.Errorf("%w: no issue time", ErrBadTicket)
	}
	if strings.TrimSpace(t.ClinicName) == "" {
		return fmt.Errorf("%w: no clinic name", ErrBadTicket)
	}
	if err := checkLabel("clinic name", t.ClinicName, MaxClinicNameLen); err != nil {
		return err
	}
	return checkLabel("department", t.Department, MaxDepartmentLen)
}

// NumberText is the number as printed and as carried by the QR code.
func (t Ticket) NumberText() string { return strconv.Itoa(t.Number) }

// checkLabel refuses control characters, which a printer would take as
// commands, and labels that overflow a line.
func checkLabel(what, s string, max int) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%w: %s is not UTF-8", ErrBadTicket, what)
	}
	if n := utf8.RuneCountInString(s); n > max {
		return fmt.Errorf("%w: %s has %d characters, at most %d fit", ErrBadTicket, what, n, max)
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return fmt.Errorf("%w: %s holds control character %U", ErrBadTicket, what, r)
		}
	}
	return nil
}
