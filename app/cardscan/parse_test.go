package cardscan

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/app/wareki"
)

func TestParseBirthEveryEraAndGannen(t *testing.T) {
	cases := []struct {
		text   string
		yymmdd string
		greg   string
	}{
		{"明治45年 7月29日生", "450729", "1912-07-29"},
		{"大正元年 7月30日生", "010730", "1912-07-30"},
		{"大正15年12月24日生", "151224", "1926-12-24"},
		{"昭和元年12月25日生", "011225", "1926-12-25"},
		{"昭和 2年 1月 1日生", "020101", "1927-01-01"},
		{"昭和55年 2月17日生", "550217", "1980-02-17"},
		{"昭和64年 1月 7日生", "640107", "1989-01-07"},
		{"平成元年 1月 8日生", "010108", "1989-01-08"},
		{"平成31年 4月30日生", "310430", "2019-04-30"},
		{"令和元年 5月 1日生", "010501", "2019-05-01"},
		{"令和 2年 2月29日生", "020229", "2020-02-29"},
		{"明治 6年 1月 1日生", "060101", "1873-01-01"},
		{"昭和５５年　２月１７日生", "550217", "1980-02-17"},      // full-width digits and space
		{"平成元年1月8日", "010108", "1989-01-08"},          // 生 lost by the engine
		{"平成20年12月24日生 性別 女", "201224", "2008-12-24"}, // 性別 joined the line
		{"昭和52年 3月17日活", "520317", "1977-03-17"},      // glare's 生
	}
	for _, c := range cases {
		b, err := ParseBirth([]byte(c.text))
		if err != nil {
			t.Errorf("ParseBirth(%q): %v", c.text, err)
			continue
		}
		yymmdd := b.YYMMDD()
		if string(yymmdd[:]) != c.yymmdd {
			t.Errorf("ParseBirth(%q) YYMMDD = %s, want %s", c.text, yymmdd[:], c.yymmdd)
		}
		want, _ := time.Parse(time.DateOnly, c.greg)
		if b.GregorianYear != want.Year() || b.Month != int(want.Month()) || b.Day != want.Day() {
			t.Errorf("ParseBirth(%q) = %+v, want %s", c.text, b, c.greg)
		}
		if b.Era == wareki.Unknown {
			t.Errorf("ParseBirth(%q) lost the era", c.text)
		}
	}
}

func TestParseBirthGregorian(t *testing.T) {
	b, err := ParseBirth([]byte("1985年 3月 4日生"))
	if err != nil || b.Era != wareki.Unknown || b.Year != 1985 {
		t.Fatalf("Gregorian birth: %+v %v", b, err)
	}
	if y := b.YYMMDD(); string(y[:]) != "850304" {
		t.Errorf("YYMMDD = %s", y[:])
	}
	b, err = ParseBirth([]byte("2000年 2月29日生"))
	if y := b.YYMMDD(); err != nil || string(y[:]) != "000229" {
		t.Errorf("2000-02-29: %+v %v", b, err)
	}
}

func TestParseBirthRefusals(t *testing.T) {
	invalid := []string{
		"昭和64年 1月 8日生", // 平成 already
		"平成元年 1月 7日生",  // still 昭和
		"令和元年 4月30日生",  // still 平成
		"大正元年 7月29日生",  // still 明治
		"昭和元年12月24日生",  // still 大正
		"平成 5年 2月30日生", // no such day
		"令和 5年 2月29日生", // 2023 is common
		"明治 5年 1月 1日生", // lunar calendar
		"1900年 2月29日生", // 1900 is common
		"1850年 1月 1日生",
	}
	for _, s := range invalid {
		if _, err := ParseBirth([]byte(s)); !errors.Is(err, ErrDateInvalid) {
			t.Errorf("ParseBirth(%q) err = %v, want ErrDateInvalid", s, err)
		}
	}
	garbage := []string{"", "昭和", "慶応 3年 1月 1日生",
		"平成1年 9月 8日生",  // the card prints 元年: a "1" is 「11」 misread
		"平成01年 9月 8日生", // nor a leading zero
		"昭和55年 02月17日生", "1985年 3月 04日生", "昭和10年13月 1日生", "昭和55年 2月17日生生", "昭和55年 2月17日生性別1", "昭和55年 2月17日活活", "昭和55年 2月17日a", "昭和5S年 2月17日生",
		"昭和555年 2月17日生", "昭和55年 2月17日生 男", "55021720352285", "昭 和55年2月17日生x"}
	for _, s := range garbage {
		if _, err := ParseBirth([]byte(s)); err == nil || errors.Is(err, ErrDateInvalid) {
			t.Errorf("ParseBirth(%q) err = %v, want a syntax refusal", s, err)
		}
	}
}

func TestParseExpiry(t *testing.T) {
	e, err := ParseExpiry([]byte("2035年 2月17日まで有効"))
	if err != nil || e != (Expiry{2035, 2, 17}) {
		t.Fatalf("ParseExpiry = %+v %v", e, err)
	}
	for _, s := range []string{"2014年 1月 1日まで有効", "2046年 1月 1日まで有効", "2035年 2月30日まで有効"} {
		if _, err := ParseExpiry([]byte(s)); !errors.Is(err, ErrDateInvalid) {
			t.Errorf("ParseExpiry(%q) err = %v, want ErrDateInvalid", s, err)
		}
	}
	// The words after the date carry no value and glare garbles them
	// (「まで用効」, 「まで人石効」); a digit there is refused.
	// A code printed close after 「まで有効」 joins the line: four digits
	// right after 有効 are the code's.
	for _, s := range []string{"2035年2月17日まで用効", "2035年2月17日まで人石効", "2035年2月17日", "2035年2月17日まで有効8074"} {
		if e, err := ParseExpiry([]byte(s)); err != nil || e != (Expiry{2035, 2, 17}) {
			t.Errorf("ParseExpiry(%q) = %+v %v, want 2035-02-17", s, e, err)
		}
	}
	// A box's side read as a letter before the year.
	for _, s := range []string{"t2035年2月17日まで有効", "L2035年2月17日まで有効"} {
		if e, err := ParseExpiry([]byte(s)); err != nil || e != (Expiry{2035, 2, 17}) {
			t.Errorf("ParseExpiry(%q) = %+v %v, want 2035-02-17", s, e, err)
		}
	}
	if e, err := ParseExpiry([]byte("t035年2月17日まで有効")); err == nil {
		t.Errorf("a letter for the year's first digit parsed: %+v", e)
	}
	if startsWithWords([]byte("t2035年2月17日まで有効")) {
		t.Error("a box's side before the year made the line words")
	}
	// 日 read as its two strokes before まで (a thin font, every rendition).
	for _, s := range []string{"2035年2月17|1まで有効", "2035年2月1711まで有効", "2035年2月17||まで有効", "2035年2月17|[まで有効", "2035年2月171まで有効",
		"2035年2月17唱まで有効", "2035年2月17中まで有効"} {
		if e, err := ParseExpiry([]byte(s)); err != nil || e != (Expiry{2035, 2, 17}) {
			t.Errorf("ParseExpiry(%q) = %+v %v, want 2035-02-17", s, e, err)
		}
	}
	// Not without まで, not more than two strokes, and never on the birth line.
	for _, s := range []string{"2035年2月1711有効", "2035年2月17111まで有効", "2035年2月1791まで有効", "2035年2月17和1まで有効"} {
		if e, err := ParseExpiry([]byte(s)); err == nil {
			t.Errorf("ParseExpiry(%q) = %+v, want a refusal", s, e)
		}
	}
	if b, err := ParseBirth([]byte("昭和38年3月1911生")); err == nil {
		t.Errorf("ParseBirth took strokes for 日: %+v", b)
	}
	for _, s := range []string{"", "2035年2月17日まで有効3", "2035年2月17日1まで有効", "203年 2月17日まで有効", "昭和55年 2月17日生",
		"2035年2月17日まで有効807", "2035年2月17日まで有効80741", "2035年2月17日8074", "2035年2月17日まで8074"} {
		if _, err := ParseExpiry([]byte(s)); err == nil || errors.Is(err, ErrDateInvalid) {
			t.Errorf("ParseExpiry(%q) err = %v, want a syntax refusal", s, err)
		}
	}
}

func TestParseSecurityCode(t *testing.T) {
	c, err := ParseSecurityCode([]byte("22 85"))
	if err != nil || string(c[:]) != "2285" {
		t.Fatalf("code = %s %v", c[:], err)
	}
	if c, err := ParseSecurityCode([]byte("０１２３")); err != nil || string(c[:]) != "0123" {
		t.Errorf("full-width code = %s %v", c[:], err)
	}
	if c, err := ParseSecurityCode([]byte("ド 7166")); err != nil || string(c[:]) != "7166" {
		t.Errorf("code after its label's ド = %s %v", c[:], err)
	}
	for _, s := range []string{":3288", ",3288", ".3288.", "ド:3288", "|3288", "3288」", "r3288", "r:3288"} {
		if c, err := ParseSecurityCode([]byte(s)); err != nil || string(c[:]) != "3288" {
			t.Errorf("code with a stray mark %q = %s %v", s, c[:], err)
		}
	}
	for _, s := range []string{"", "228", "22855", "22B5", "2285\x00", "二二八五", "ド", "ド228", "ドド7166", "7166ド", "ト7166", "コード7166",
		"|288", ":228:", "r328", "3288r", "rr3288", "32:88"} {
		if _, err := ParseSecurityCode([]byte(s)); err == nil {
			t.Errorf("ParseSecurityCode(%q) accepted", s)
		}
	}
}

func TestBirthdayRule(t *testing.T) {
	b := Birth{Era: wareki.Heisei, Year: 12, Month: 2, Day: 29}
	for _, e := range []Expiry{{2030, 2, 28}, {2030, 3, 1}, {2032, 2, 29}} {
		if !birthdayRuleHolds(b, e) {
			t.Errorf("2月29日 birth, expiry %+v refused", e)
		}
	}
	if birthdayRuleHolds(Birth{Month: 2, Day: 17}, Expiry{2035, 2, 18}) {
		t.Error("expiry off the birthday accepted")
	}
}

func FuzzParseBirth(f *testing.F) {
	for _, s := range []string{"昭和55年 2月17日生", "平成元年 1月 8日生", "1985年 3月 4日生", "令和 2年 2月29日生", "大止8年11月12日生", ""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		b, err := ParseBirth(text)
		if err != nil {
			return
		}
		// Whatever parses must be a real day that prints back to itself.
		var printed string
		if b.Era == wareki.Unknown {
			printed = fmt.Sprintf("%d年%d月%d日生", b.Year, b.Month, b.Day)
		} else {
			d := wareki.Date{Era: b.Era, Year: b.Year, Month: b.Month, Day: b.Day}
			if _, err := d.Time(); err != nil {
				t.Fatalf("%q parsed to an impossible day %+v", text, b)
			}
			printed = d.String() + "生"
		}
		again, err := ParseBirth([]byte(printed))
		if err != nil || again != b {
			t.Fatalf("%q -> %+v -> %q -> %+v %v", text, b, printed, again, err)
		}
	})
}

func FuzzParseExpiry(f *testing.F) {
	for _, s := range []string{"2035年 2月17日まで有効", "2015年12月31日まで", "2031年3月19|1まで有効", ""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		e, err := ParseExpiry(text)
		if err != nil {
			return
		}
		if e.Year < minExpiryYear || e.Year > maxExpiryYear {
			t.Fatalf("%q: year %d out of range", text, e.Year)
		}
		if _, err := wareki.Gregorian(e.Year, e.Month, e.Day); err != nil {
			t.Fatalf("%q: impossible day %+v", text, e)
		}
	})
}

func FuzzParseSecurityCode(f *testing.F) {
	for _, s := range []string{"2285", "22 85", "０１２３", "x"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		c, err := ParseSecurityCode(text)
		if err != nil {
			return
		}
		for _, d := range c {
			if d < '0' || d > '9' {
				t.Fatalf("%q -> %q", text, c[:])
			}
		}
	})
}

func TestIssuanceFits(t *testing.T) {
	born := func(y int) Birth { return Birth{Era: wareki.Heisei, GregorianYear: y} }
	cases := []struct {
		birth, expiry int
		ok            bool
	}{
		{2015, 2023, true},  // 5-year card issued 2018 to a three-year-old
		{1995, 2023, false}, // 平成27年 misread as 平成7年: a 23-year-old's card would run 10 years
		{1980, 2035, true},  // adult, issued 2025
		{1980, 2026, true},  // adult, issued 2016
		{1980, 2023, false}, // a 10-year card issued 2013 or 2014 did not exist
		{2004, 2027, true},  // 5-year card issued at 18 under the old rule
		{1930, 2034, true},  // 昭和5年 holder aged 94: a misread the rule cannot see
		{2019, 2030, true},  // 5-year card issued 2025 to a six-year-old
		{2019, 2039, false}, // 2030 misread as 2039: issued in 2034, or at 11 for 10 years
		{1980, 2036, true},  // adult, issued 2026
		{1980, 2037, false}, // a 10-year card issued in 2027, after thisYear
		{2010, 2031, true},  // 5-year card issued 2026 at 16
		{2010, 2032, false}, // a 5-year card issued 2027
	}
	const thisYear = 2026
	for _, c := range cases {
		if got := issuanceFits(born(c.birth), Expiry{Year: c.expiry}, thisYear); got != c.ok {
			t.Errorf("born %d, expiry %d: %v, want %v", c.birth, c.expiry, got, c.ok)
		}
	}
}

// A reading's confidence leaves out what the parsers trim: the stray marks
// at either end and the code label's last character before the code.
func TestKeptConfidenceLeavesTrimmedMarksOut(t *testing.T) {
	for _, c := range []struct {
		text  string
		confs []float64
		want  float64
	}{
		{":6706", []float64{0.86, 0.99, 0.98, 0.99, 0.99}, 0.98},
		{"ド7166", []float64{0.4, 0.97, 0.99, 0.99, 0.99}, 0.97},
		{"6706」", []float64{0.99, 0.99, 0.96, 0.99, 0.5}, 0.96},
		{"67:06", []float64{0.99, 0.99, 0.5, 0.99, 0.99}, 0.5}, // inside: kept
		{"7166ド", []float64{0.99, 0.99, 0.99, 0.99, 0.4}, 0.4}, // the label only before
		{"| 2030年", []float64{0.3, 0.2, 0.99, 0.99, 0.99, 0.95, 0.99}, 0.95},
		{"::", []float64{0.3, 0.2}, 0.1}, // nothing kept: the engine's lowest
		{"6706", nil, 0.1},               // no confidence per rune
	} {
		res := OCRResult{Text: []byte(c.text), Confidence: 0.1, Confidences: c.confs}
		if got := keptConfidence(res); got != c.want {
			t.Errorf("%q: %v, want %v", c.text, got, c.want)
		}
	}
}

// An era name jpn garbled still places the date when one era fits: its
// first or last kanji survived and the era has the day. The era is no
// digit of 照合番号B; the era year is.
func TestParseBirthWithAGarbledEra(t *testing.T) {
	for _, c := range []struct {
		text string
		want Birth
	}{
		{"大止8年11月12日生", Birth{Era: wareki.Taisho, Year: 8, Month: 11, Day: 12, GregorianYear: 1919}},
		{"大上正8年11月12日生", Birth{Era: wareki.Taisho, Year: 8, Month: 11, Day: 12, GregorianYear: 1919}},
		{"信和元年5月1日生", Birth{Era: wareki.Reiwa, Year: 1, Month: 5, Day: 1, GregorianYear: 2019}}, // 昭和元年 began on 12月25日
	} {
		if b, err := ParseBirth([]byte(c.text)); err != nil || b != c.want {
			t.Errorf("ParseBirth(%q) = %+v %v, want %+v", c.text, b, err, c.want)
		}
	}
	// Two eras fit, none shares a kanji, or a name before the year.
	for _, s := range []string{"信和5年3月3日生", "智子8年11月12日生", "林翔太昭和2年1月14日生", "湊昭和25年6月8日生"} {
		if b, err := ParseBirth([]byte(s)); err == nil {
			t.Errorf("ParseBirth(%q) = %+v, want a refusal", s, b)
		}
	}
	// A garbled era begins a date; a name's last kanji before a whole era
	// name is words before one (its tails are read).
	if startsWithWords([]byte("大止8年11月12日生")) || !startsWithWords([]byte("湊昭和25年6月8日生")) {
		t.Error("startsWithWords: want a garbled era to begin a date and a name before an era to be words")
	}
}
