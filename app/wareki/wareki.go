// Package wareki converts between Gregorian dates and Japanese era (和暦)
// dates as printed on the My Number Card: 「昭和55年 2月17日」, with the first
// year of an era printed as 元年. Both the card-face renderer and the scanner
// use it, so what is printed and what is parsed follow one calendar.
package wareki

import (
	"errors"
	"fmt"
	"time"
)

// Era is one of the modern Japanese eras.
type Era int

// The eras in order. Unknown is the zero value so a forgotten field never
// silently means Meiji.
const (
	Unknown Era = iota
	Meiji
	Taisho
	Showa
	Heisei
	Reiwa
)

// Typed problems with a date.
var (
	// ErrOutOfRange: a date outside the supported calendar (before
	// 明治6年1月1日, when Japan adopted the Gregorian calendar).
	ErrOutOfRange = errors.New("wareki: date out of supported range")
	// ErrInvalidDate: no such day, or a day outside its era.
	ErrInvalidDate = errors.New("wareki: invalid date")
)

type eraSpan struct {
	era   Era
	name  string
	first time.Time // first Gregorian day of the era
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// eras lists each era's first day. Meiji counts from 1868 but dates before
// 1873-01-01 were lunar-calendar dates whose month and day differ from the
// Gregorian ones, so conversion starts at SupportedFrom.
var eras = []eraSpan{
	{Meiji, "明治", day(1868, 1, 25)},
	{Taisho, "大正", day(1912, 7, 30)},
	{Showa, "昭和", day(1926, 12, 25)},
	{Heisei, "平成", day(1989, 1, 8)},
	{Reiwa, "令和", day(2019, 5, 1)},
}

// SupportedFrom is the first day this package converts: 明治6年1月1日.
var SupportedFrom = day(1873, 1, 1)

// Name is the era's kanji name, e.g. 昭和.
func (e Era) Name() string {
	if s, ok := span(e); ok {
		return s.name
	}
	return ""
}

// String implements fmt.Stringer.
func (e Era) String() string {
	if n := e.Name(); n != "" {
		return n
	}
	return fmt.Sprintf("Era(%d)", int(e))
}

func span(e Era) (eraSpan, bool) {
	for _, s := range eras {
		if s.era == e {
			return s, true
		}
	}
	return eraSpan{}, false
}

// Eras returns every era, oldest first.
func Eras() []Era {
	out := make([]Era, len(eras))
	for i, s := range eras {
		out[i] = s.era
	}
	return out
}

// First is the era's first Gregorian day.
func (e Era) First() time.Time {
	s, _ := span(e)
	return s.first
}

// Last is the era's last Gregorian day; the zero time for the current era.
func (e Era) Last() time.Time {
	for i, s := range eras {
		if s.era == e && i+1 < len(eras) {
			return eras[i+1].first.AddDate(0, 0, -1)
		}
	}
	return time.Time{}
}

// Date is a calendar day in an era: Year 1 is 元年.
type Date struct {
	Era   Era
	Year  int
	Month int
	Day   int
}

// FromTime converts a Gregorian day to its era date.
func FromTime(t time.Time) (Date, error) {
	t = day(t.Year(), t.Month(), t.Day())
	if t.Before(SupportedFrom) {
		return Date{}, ErrOutOfRange
	}
	s := eras[0]
	for _, e := range eras {
		if !t.Before(e.first) {
			s = e
		}
	}
	return Date{Era: s.era, Year: t.Year() - s.first.Year() + 1, Month: int(t.Month()), Day: t.Day()}, nil
}

// Time converts the era date to the Gregorian day, checking that the day
// exists and lies inside its era (so 昭和64年1月8日 and 平成元年1月7日 fail).
func (d Date) Time() (time.Time, error) {
	s, ok := span(d.Era)
	if !ok || d.Year < 1 || d.Year > 200 {
		return time.Time{}, ErrInvalidDate
	}
	t, err := Gregorian(s.first.Year()+d.Year-1, d.Month, d.Day)
	if err != nil {
		return time.Time{}, err
	}
	if t.Before(SupportedFrom) {
		return time.Time{}, ErrOutOfRange
	}
	back, _ := FromTime(t)
	if back.Era != d.Era {
		return time.Time{}, ErrInvalidDate
	}
	return t, nil
}

// Gregorian returns the day y-m-d, or ErrInvalidDate when it does not exist
// (2月30日, 2023年2月29日, month 13).
func Gregorian(y, m, d int) (time.Time, error) {
	if m < 1 || m > 12 || d < 1 || d > 31 || y < 1 || y > 9999 {
		return time.Time{}, ErrInvalidDate
	}
	t := day(y, time.Month(m), d)
	if t.Year() != y || int(t.Month()) != m || t.Day() != d {
		return time.Time{}, ErrInvalidDate
	}
	return t, nil
}

// YearText is the era year as printed: 元 for the first year, else the number
// padded to two columns with a space, as on the card (「平成 5年」).
func (d Date) YearText() string {
	if d.Year == 1 {
		return "元"
	}
	return pad2(d.Year)
}

// String prints the date the way the card does: 「昭和55年 2月17日」.
func (d Date) String() string {
	return d.Era.Name() + d.YearText() + "年" + pad2(d.Month) + "月" + pad2(d.Day) + "日"
}

func pad2(n int) string {
	if n < 10 {
		return fmt.Sprintf(" %d", n)
	}
	return fmt.Sprintf("%d", n)
}

// ParseEra recognises an era's kanji name.
func ParseEra(name []byte) (Era, bool) {
	for _, s := range eras {
		if string(name) == s.name {
			return s.era, true
		}
	}
	return Unknown, false
}
