package cardscan

import (
	"context"
	"image"
)

// eraYearStands checks a one-digit era year against the ink where it is
// printed. The card pads a one-digit year with a space (「昭和 5年」), so the
// column right after the two-kanji era name is blank for years 2-9 and inked
// for 10-99 and 元. Tesseract's commonest correlated slip, dropping one of
// two digits (昭和54年 read as 昭和5年 by every rendition), contradicts the
// ink. Only one direction is checked: a "1" has side bearings wide enough to
// pass for a space, so a blank does not prove a one-digit year, but ink where
// the padding space belongs does disprove one. A blank narrower than a space
// (some proportional fonts leave 0.19 em for 「平成 4年」's padding, one pixel
// short) but too wide for two digits without a 1 still lets the year stand
// when both engines read the year's digit run alone, cut out between the era
// name's ink and 年's, as that one digit: a 1 that the line's readings
// dropped lies inside the run (spans.go). l.crop is the birth line as
// tighten cut it (the crop the line was read from).
func eraYearStands(ctx context.Context, o OCR, l *textLine[Birth], b Birth) (bool, error) {
	blank, ok := eraYearBlank(l.crop)
	switch {
	case !ok:
		return false, nil
	case blank >= spaceBlankEm || b.Year < 2 || b.Year > 9:
		return true, nil
	case blank < narrowBlankEm:
		return false, nil
	}
	return eraYearReadAlone(ctx, o, l, b)
}

// Blanks where a one-digit era year's padding space belongs, in ems,
// measured on 620 era birth dates of rendered current-design cards
// (normal mix; seeds 30001.. random and 40001.. fixed layouts): one-digit
// years left 0.203-0.61, two-digit years without a 1 at most 0.138, and
// two-digit years with a 1 anything up to 0.273 (a 1's side bearings are
// as wide as a space).
const (
	spaceBlankEm  = 0.20
	narrowBlankEm = 0.15
)

// eraYearBlank is the widest blank run, in ems of the line, where a
// one-digit era year's padding space belongs: past the era name's own
// internal gaps (和 = 禾|口) up to where 年 begins. ok is false without a
// crop or when the line is too short to hold the place.
func eraYearBlank(crop *image.Gray) (blank float64, ok bool) {
	if crop == nil {
		return 0, false
	}
	const pad = 4 // tighten's margin around the ink
	em := float64(crop.Rect.Dy()-2*pad) / 0.88
	// A 3x3 blur first, so sensor noise in the blank does not pass for ink;
	// then any visibly darker pixel counts, not just what Otsu calls ink:
	// glare leaves digits faint, and a faint digit is still a digit. On 2600
	// rendered normal-mix cards this kept every one-digit year (the unblurred
	// count refused 10 of 571) and let no two-digit year without a 1 through.
	smooth := boxBlur(crop)
	defer wipeGray(smooth)
	const faintInk = 220
	w := smooth.Rect.Dx()
	inked := make([]bool, w)
	for y := pad; y < smooth.Rect.Dy()-pad; y++ {
		for x := 0; x < w; x++ {
			inked[x] = inked[x] || smooth.Pix[y*smooth.Stride+x] < faintInk
		}
	}
	x0 := pad
	for x0 < w && !inked[x0] {
		x0++
	}
	// Look past the era name's own internal gaps (和 = 禾|口) up to where 年
	// begins, for the widest blank run: a padding space leaves one of at
	// least a fifth of an em, two digits without a 1 leave less.
	from, to := x0+int(1.7*em), x0+int(2.7*em)
	if to >= w {
		return 0, false
	}
	longest, run := 0, 0
	for x := from; x < to; x++ {
		if inked[x] {
			run = 0
			continue
		}
		run++
		longest = max(longest, run)
	}
	return float64(longest) / em, true
}

// eraYearReadAlone: both engines read the year's digit run alone, across
// the whole gaps, as b's one digit.
func eraYearReadAlone(ctx context.Context, o OCR, l *textLine[Birth], b Birth) (bool, error) {
	for _, r := range l.read {
		if r.err != nil || r.value != b || len(r.spans.x) == 0 {
			continue
		}
		sr, err := l.readSpan(ctx, o, wholeGaps(l.crop, r.spans.x[0]))
		if err != nil {
			return false, err
		}
		return sr.ok && sr.digits.n == 1 && int(sr.digits.d[0]) == b.Year, nil
	}
	return false, nil
}

// wholeGaps widens span x to the ink on either side of it: a run's span
// reaches only halfway across its gaps, and a faint 1 in the left half of
// the gap after the era name would be left out.
func wholeGaps(crop *image.Gray, x [2]int) [2]int {
	lo, hi := 0, crop.Rect.Dx()
	for _, st := range inkColumns(crop) {
		if st.x1 <= x[0] {
			lo = max(lo, st.x1)
		}
		if st.x0 >= x[1] {
			hi = min(hi, st.x0)
		}
	}
	return [2]int{lo, hi}
}
