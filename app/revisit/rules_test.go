package revisit

import (
	"testing"
	"time"
)

func TestRoute(t *testing.T) {
	tokyo := time.FixedZone("JST", 9*3600)
	at := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, tokyo) }
	both := Rules{LapseMonths: 6, DeskOnFailedMonthlyCheck: true}
	cases := []struct {
		name  string
		rules Rules
		visit Visit
		want  Route
	}{
		{"same month, check passed", both, Visit{at(2026, 12, 1, 10), at(2026, 12, 6, 9), true}, RouteTicket},
		{"same month, check failed: not the month's first", both, Visit{at(2026, 12, 1, 10), at(2026, 12, 6, 9), false}, RouteTicket},
		{"new month, check failed", both, Visit{at(2026, 11, 30, 10), at(2026, 12, 1, 9), false}, RouteDesk},
		{"new month, check failed, desk rule off", Rules{LapseMonths: 6}, Visit{at(2026, 11, 30, 10), at(2026, 12, 1, 9), false}, RouteTicket},
		{"new month, check passed", both, Visit{at(2026, 11, 30, 10), at(2026, 12, 1, 9), true}, RouteTicket},
		{"exactly six months", both, Visit{at(2026, 6, 6, 9), at(2026, 12, 6, 9), true}, RouteTicket},
		{"six months and an hour", both, Visit{at(2026, 6, 6, 9), at(2026, 12, 6, 10), true}, RouteFirstVisit},
		{"lapse wins over desk", both, Visit{at(2025, 1, 6, 9), at(2026, 12, 6, 10), false}, RouteFirstVisit},
		{"31 Aug + 6 months is end of Feb", both, Visit{at(2026, 8, 31, 9), at(2027, 2, 28, 9), true}, RouteTicket},
		{"31 Aug + 6 months, 1 Mar lapsed", both, Visit{at(2026, 8, 31, 9), at(2027, 3, 1, 9), true}, RouteFirstVisit},
		{"no lapse rule", Rules{}, Visit{at(2016, 1, 1, 9), at(2026, 12, 6, 9), true}, RouteTicket},
		{"no recorded visit", both, Visit{time.Time{}, at(2026, 12, 6, 9), true}, RouteFirstVisit},
		// 30 Nov 23:30 UTC is 1 Dec in Tokyo: the clinic's month counts.
		{"month in the clinic's zone", both, Visit{time.Date(2026, 11, 30, 23, 30, 0, 0, time.UTC), at(2026, 12, 1, 18), false}, RouteTicket},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.rules.Route(c.visit); got != c.want {
				t.Fatalf("Route = %v, want %v", got, c.want)
			}
		})
	}
}

func TestRulesValidate(t *testing.T) {
	for _, months := range []int{-1, 121} {
		if err := (Rules{LapseMonths: months}).Validate(); err == nil {
			t.Errorf("LapseMonths %d accepted", months)
		}
	}
	if err := (Rules{LapseMonths: 3}).Validate(); err != nil {
		t.Errorf("LapseMonths 3: %v", err)
	}
}
