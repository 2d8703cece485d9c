package cardscan

import "image"

// eraYearColumnsAgree checks a one-digit era year against the ink where it
// is printed. The card pads a one-digit year with a space (「昭和 5年」), so the
// column right after the two-kanji era name is blank for years 2-9 and inked
// for 10-99 and 元. Tesseract's commonest correlated slip, dropping one of
// two digits (昭和54年 read as 昭和5年 by every rendition), contradicts the ink.
// crop is the birth line as tighten cut it (the crop the line was read from).
func eraYearColumnsAgree(crop *image.Gray, b Birth) bool {
	if crop == nil {
		return false
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
		return false
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
	// Only one direction is checked: a "1" has side bearings wide enough to
	// pass for a space, so a blank does not prove a one-digit year, but ink
	// where the padding space belongs does disprove one.
	spaced := float64(longest) >= 0.20*em
	return spaced || b.Year < 2 || b.Year > 9
}
