package cardscan

import (
	"context"

	"github.com/uketsuke/uketsuke/app/secret"
)

// A date vote can close on a shared blind spot: in TakaoGothic jpn reads
// a 0 as 9 in every rendition now and then, and on a fresh bench card the
// first two renditions both read 「1940年」 as 1949 (a wrong code: both years
// fit the card's issue). Every date rendition is jpn's, so more renditions
// cannot outvote it; eng, reading the digits alone, reads that 0 right.

// blindSpotRefuted reads alone each digit run of val's reading where one
// of jpn's blind spots inside a date (dateBlindSpots) could have turned
// another valid value, one check accepts, into val, and reports whether
// both engines, reading such a run alone, read the digits that blind spot
// came from (0 where val has 9). A run read alone in no agreement, or as
// other digits (a crop cut short reads 「6」 for 「26」), refutes nothing; a
// date with no such run costs no reading.
func (l *textLine[T]) blindSpotRefuted(ctx context.Context, o OCR, val T, check func(T) error) (bool, error) {
	r, ok := l.spannedReading(val)
	if !ok {
		return false, nil
	}
	runs := splitRuns(r.digits, r.spans.lens)
	defer clear(runs)
	for k := range runs {
		if !l.blindSpotCouldMake(r.spans.skeleton, runs, k, check) {
			continue
		}
		sr, err := l.readSpan(ctx, o, r.spans.x[k])
		if err != nil {
			return false, err
		}
		if sr.ok && sr.digits != runs[k] && sr.digits.readAs(runs[k], dateBlindSpots["jpn"]) {
			return true, nil
		}
	}
	return false, nil
}

// spannedReading is the first jpn reading of val whose digit runs were
// found in the crop, run by run.
func (l *textLine[T]) spannedReading(val T) (reading[T], bool) {
	for _, r := range l.read {
		if r.err != nil || r.value != val || r.lang != "jpn" || len(r.spans.x) == 0 || len(r.spans.lens) != len(r.spans.x) {
			continue
		}
		n := 0
		for _, k := range r.spans.lens {
			n += k
		}
		if n == r.digits.n {
			return r, true
		}
	}
	return reading[T]{}, false
}

// splitRuns cuts a reading's digits into its runs.
func splitRuns(all digitRun, lens []int) []digitRun {
	runs := make([]digitRun, len(lens))
	at := 0
	for k, n := range lens {
		copy(runs[k].d[:], all.d[at:at+n])
		runs[k].n = n
		at += n
	}
	return runs
}

// blindSpotCouldMake: some digit of run k is what a jpn blind spot makes
// of another digit, and the text with that digit put back parses and
// passes check.
func (l *textLine[T]) blindSpotCouldMake(skeleton []byte, runs []digitRun, k int, check func(T) error) bool {
	alt := make([]digitRun, len(runs))
	defer clear(alt)
	for i := 0; i < runs[k].n; i++ {
		for _, s := range dateBlindSpots["jpn"] {
			if runs[k].d[i] != s[1]-'0' {
				continue
			}
			copy(alt, runs)
			alt[k].d[i] = s[0] - '0'
			text := fillSkeleton(skeleton, alt)
			v, err := l.parse(text)
			secret.Wipe(text)
			if err == nil && passes(check, v) == nil {
				return true
			}
		}
	}
	return false
}
