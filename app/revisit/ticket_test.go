package revisit

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func validTicket() Ticket {
	return Ticket{Number: 12, Department: "内科", Issued: time.Date(2026, 12, 6, 9, 30, 0, 0, time.UTC), ClinicName: "さくら診療所"}
}

func TestValidateAcceptsAGoodTicket(t *testing.T) {
	if err := validTicket().Validate(); err != nil {
		t.Fatal(err)
	}
	noDept := validTicket()
	noDept.Department = ""
	if err := noDept.Validate(); err != nil {
		t.Fatalf("department is optional: %v", err)
	}
}

func TestValidateRefusesBadTickets(t *testing.T) {
	cases := map[string]func(*Ticket){
		"number zero":         func(t *Ticket) { t.Number = 0 },
		"number too large":    func(t *Ticket) { t.Number = MaxTicketNumber + 1 },
		"no time":             func(t *Ticket) { t.Issued = time.Time{} },
		"no clinic":           func(t *Ticket) { t.ClinicName = "  " },
		"escape in clinic":    func(t *Ticket) { t.ClinicName = "A\x1bi" },
		"newline in dept":     func(t *Ticket) { t.Department = "内科\n外科" },
		"clinic too long":     func(t *Ticket) { t.ClinicName = strings.Repeat("診", MaxClinicNameLen+1) },
		"department too long": func(t *Ticket) { t.Department = strings.Repeat("科", MaxDepartmentLen+1) },
		"not UTF-8":           func(t *Ticket) { t.Department = "\xff" },
	}
	for name, spoil := range cases {
		tk := validTicket()
		spoil(&tk)
		if err := tk.Validate(); !errors.Is(err, ErrBadTicket) {
			t.Errorf("%s: got %v, want ErrBadTicket", name, err)
		}
	}
}

func TestStatusErrNamesTheMostSpecificFault(t *testing.T) {
	cases := []struct {
		s    PrinterStatus
		want error
	}{
		{PrinterStatus{}, nil},
		{PrinterStatus{PaperNearEnd: true}, nil},
		{PrinterStatus{Offline: true}, ErrOffline},
		{PrinterStatus{Offline: true, PaperOut: true}, ErrPaperOut},
		{PrinterStatus{Offline: true, PaperOut: true, CoverOpen: true}, ErrCoverOpen},
	}
	for _, c := range cases {
		if got := c.s.Err(); got != c.want {
			t.Errorf("%+v: got %v, want %v", c.s, got, c.want)
		}
	}
}
