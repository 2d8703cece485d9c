package wareki

import (
	"errors"
	"testing"
	"time"
)

func TestFromTimeBoundaries(t *testing.T) {
	cases := []struct {
		greg string
		want Date
	}{
		{"1873-01-01", Date{Meiji, 6, 1, 1}},
		{"1912-07-29", Date{Meiji, 45, 7, 29}},
		{"1912-07-30", Date{Taisho, 1, 7, 30}},
		{"1926-12-24", Date{Taisho, 15, 12, 24}},
		{"1926-12-25", Date{Showa, 1, 12, 25}},
		{"1927-01-01", Date{Showa, 2, 1, 1}},
		{"1980-02-17", Date{Showa, 55, 2, 17}},
		{"1989-01-07", Date{Showa, 64, 1, 7}},
		{"1989-01-08", Date{Heisei, 1, 1, 8}},
		{"1990-01-01", Date{Heisei, 2, 1, 1}},
		{"2019-04-30", Date{Heisei, 31, 4, 30}},
		{"2019-05-01", Date{Reiwa, 1, 5, 1}},
		{"2020-02-29", Date{Reiwa, 2, 2, 29}},
	}
	for _, c := range cases {
		g, _ := time.Parse(time.DateOnly, c.greg)
		got, err := FromTime(g)
		if err != nil || got != c.want {
			t.Errorf("FromTime(%s) = %v, %v; want %v", c.greg, got, err, c.want)
		}
		back, err := got.Time()
		if err != nil || !back.Equal(g) {
			t.Errorf("%v.Time() = %v, %v; want %s", got, back, err, c.greg)
		}
	}
}

func TestInvalidEraDates(t *testing.T) {
	bad := []Date{
		{Showa, 64, 1, 8},  // 平成 from this day
		{Heisei, 1, 1, 7},  // still 昭和
		{Showa, 1, 12, 24}, // still 大正
		{Taisho, 1, 7, 29}, // still 明治
		{Reiwa, 1, 4, 30},  // still 平成
		{Heisei, 31, 5, 1}, // 令和
		{Heisei, 5, 2, 30}, // no such day
		{Reiwa, 5, 2, 29},  // 2023 is not a leap year
		{Showa, 0, 1, 1},   // no year zero
		{Unknown, 5, 1, 1}, // no era
		{Showa, 10, 13, 1}, // month 13
		{Taisho, 16, 1, 1}, // 大正 ended in its 15th year
	}
	for _, d := range bad {
		if _, err := d.Time(); !errors.Is(err, ErrInvalidDate) {
			t.Errorf("%#v.Time() err = %v, want ErrInvalidDate", d, err)
		}
	}
	if _, err := (Date{Meiji, 5, 12, 1}).Time(); !errors.Is(err, ErrOutOfRange) {
		t.Errorf("lunar-calendar Meiji date: err = %v, want ErrOutOfRange", err)
	}
	if _, err := FromTime(day(1870, 1, 1)); !errors.Is(err, ErrOutOfRange) {
		t.Errorf("1870: err = %v", err)
	}
}

func TestPrintedForm(t *testing.T) {
	cases := map[Date]string{
		{Showa, 55, 2, 17}: "昭和55年 2月17日",
		{Heisei, 1, 1, 8}:  "平成元年 1月 8日",
		{Reiwa, 1, 5, 1}:   "令和元年 5月 1日",
		{Heisei, 5, 12, 3}: "平成 5年12月 3日",
		{Taisho, 1, 7, 30}: "大正元年 7月30日",
	}
	for d, want := range cases {
		if got := d.String(); got != want {
			t.Errorf("%#v prints %q, want %q", d, got, want)
		}
	}
}

func TestEraNamesRoundTrip(t *testing.T) {
	for _, e := range Eras() {
		got, ok := ParseEra([]byte(e.Name()))
		if !ok || got != e {
			t.Errorf("ParseEra(%s) = %v %v", e.Name(), got, ok)
		}
		if e != Reiwa && !e.Last().AddDate(0, 0, 1).Equal(Eras()[int(e)].First()) {
			t.Errorf("%s does not end the day before the next era", e)
		}
	}
	if _, ok := ParseEra([]byte("慶応")); ok {
		t.Error("慶応 accepted")
	}
}
