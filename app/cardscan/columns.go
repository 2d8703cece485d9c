package cardscan

import "image"

// eraYearColumnsAgree checks the era year against the ink where it is
// printed. The card pads a one-digit year with a space (「昭和 5年」), so the
// column right after the two-kanji era name is blank for years 2-9 and inked
// for 10-99 and 元. Tesseract's commonest correlated slip, dropping one of
// two digits (昭和54年 read as 昭和5年 by every rendition), contradicts the ink.
func eraYearColumnsAgree(card *image.Gray, b Birth) bool {
	crop := tighten(card, BirthRect)
	if crop == nil {
		return false
	}
	defer wipeGray(crop)
	const pad = 4 // tighten's margin around the ink
	em := float64(crop.Rect.Dy()-2*pad) / 0.88
	t, _, _ := otsu(histogram(crop))
	w := crop.Rect.Dx()
	inked := make([]bool, w)
	for y := pad; y < crop.Rect.Dy()-pad; y++ {
		for x := 0; x < w; x++ {
			if int(crop.Pix[y*crop.Stride+x]) <= t {
				inked[x] = true
			}
		}
	}
	x0 := pad
	for x0 < w && !inked[x0] {
		x0++
	}
	from, to := x0+int(1.97*em), x0+int(2.30*em)
	if to >= w {
		return false
	}
	blank := 0
	for x := from; x < to; x++ {
		if !inked[x] {
			blank++
		}
	}
	oneDigit := float64(blank) >= 0.15*em
	return oneDigit == (b.Year >= 2 && b.Year <= 9)
}
