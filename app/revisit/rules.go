package revisit

import (
	"fmt"
	"time"
)

// Rules are the clinic's answers to "who is a re-visit", from the
// configuration.
type Rules struct {
	// LapseMonths sends a patient whose last visit is more than this many
	// months ago to the first-visit counter (commonly 3 or 6); 0 never does.
	LapseMonths int
	// DeskOnFailedMonthlyCheck sends a patient whose eligibility check
	// failed on their first visit of a month to the desk instead of
	// issuing a ticket (the monthly insurance check, 月初めの資格確認).
	DeskOnFailedMonthlyCheck bool
}

// Validate keeps the span within ten years.
func (r Rules) Validate() error {
	if r.LapseMonths < 0 || r.LapseMonths > 120 {
		return &InvalidError{"lapse months", fmt.Sprintf("%d is not within 0 to 120", r.LapseMonths)}
	}
	return nil
}

// Route is where a card's holder is sent: the one vocabulary from the
// rules to the kiosk's screen (session.Recognition carries it).
type Route int

// The routes; the rules decide the last three for a linked card.
const (
	RouteUnknown    Route = iota // no link: the first-visit path, then the offer to link
	RouteTicket                  // a re-visit: issue a reception number
	RouteFirstVisit              // lapsed: the first-visit counter
	RouteDesk                    // the month's check failed: the reception desk
)

func (r Route) String() string {
	switch r {
	case RouteUnknown:
		return "unknown"
	case RouteTicket:
		return "ticket"
	case RouteFirstVisit:
		return "first-visit"
	case RouteDesk:
		return "desk"
	}
	return fmt.Sprintf("Route(%d)", int(r))
}

// Visit is what the rules look at: the row's last recorded visit, now (in
// the clinic's time zone) and whether today's eligibility check passed.
type Visit struct {
	LastVisit   time.Time
	Now         time.Time
	CheckPassed bool
}

// Route applies the rules: a lapsed patient goes to the first-visit counter
// first, then a failed check on the month's first visit goes to the desk.
// A row without a recorded visit counts as lapsed.
func (r Rules) Route(v Visit) Route {
	if v.LastVisit.IsZero() || (r.LapseMonths > 0 && Lapsed(v.LastVisit, v.Now, r.LapseMonths)) {
		return RouteFirstVisit
	}
	if r.DeskOnFailedMonthlyCheck && !v.CheckPassed && FirstOfMonth(v.LastVisit, v.Now) {
		return RouteDesk
	}
	return RouteTicket
}

// Lapsed reports whether more than months calendar months lie between last
// and now. A month later than the 31st is the last day of the shorter
// month (31 Aug + 6 months = 28 or 29 Feb), not a day in March.
func Lapsed(last, now time.Time, months int) bool {
	return now.After(addMonths(last.In(now.Location()), months))
}

// FirstOfMonth reports whether now is the first visit of its calendar
// month (in now's time zone) given the previous visit last.
func FirstOfMonth(last, now time.Time) bool {
	l := last.In(now.Location())
	return l.Year() != now.Year() || l.Month() != now.Month()
}

func addMonths(t time.Time, months int) time.Time {
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(months), 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
	lastDay := first.AddDate(0, 1, -1).Day()
	return first.AddDate(0, 0, min(d, lastDay)-1)
}
