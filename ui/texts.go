package ui

import (
	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/i18n"
)

// The session's language-neutral codes become catalogue keys through
// i18n.ForSession and i18n.ForValidity, the one table the voice guidance
// (app/guidance) speaks from too: what the screen shows is what is said.
// Only what a screen draws beyond that (the staff line of a fault, whether
// the kiosk takes a card) is here.

// pair is a screen's title and what to do next.
type pair struct{ title, body i18n.Key }

// errorText says what went wrong and what to do now, and falls back to the
// generic message for a code the table does not know.
func errorText(c session.ErrorCode) pair {
	if t, ok := i18n.ForSession(string(c)); ok {
		return pair{t.Title, t.Body}
	}
	return pair{i18n.ErrGenericTitle, i18n.ErrGenericBody}
}

// ErrorCodes lists every code the UI has words for (screenshots and tests).
func ErrorCodes() []session.ErrorCode {
	return []session.ErrorCode{
		session.ErrCodeNotMyNumber, session.ErrCodeJuki, session.ErrCodeSmartphone, session.ErrCodeNextGeneration,
		session.ErrCodeUnreadable, session.ErrCodeCardFace, session.ErrCodeKeyBRejected,
		session.ErrCodeKeyBBlocked, session.ErrCodeRecordInvalid, session.ErrCodeFaceEngine,
		session.ErrCodeCamera, session.ErrCodePINLocked, session.ErrCodeCardError,
		session.ErrCodeStaffRejected, session.ErrCodeNotRegistered, session.ErrCodeIneligible,
		session.ErrCodeEligibility, session.ErrCodeNoMethodLeft, session.ErrCodeCancelled,
		session.ErrCodeInactivity, session.ErrCodeCardRemoved, session.ErrCodeCardStillThere,
		session.ErrCodeKeyBLowTries,
		session.ErrCodeCertRevoked, session.ErrCodeRevisitLocked, session.ErrCodeUnlinkFailed,
	}
}

// faultPair is a fault's words: what is wrong and what to do, for the
// patient (i18n.ForSession), and what staff do. blocksCards: the kiosk
// cannot take a card now, so the idle screen must not ask for one.
type faultPair struct {
	title, body, staff i18n.Key
	blocksCards        bool
}

// faultStaff is, per fault, the staff's line and whether cards are refused.
var faultStaff = map[session.ErrorCode]struct {
	staff       i18n.Key
	blocksCards bool
}{
	session.ErrCodeNoReader:     {i18n.FaultNoReaderStaff, true},
	session.ErrCodeNoFaceCamera: {i18n.FaultNoFaceCameraStaff, false},
	session.ErrCodeNoCardCamera: {i18n.FaultNoCardCameraStaff, false},
	session.ErrCodeResults:      {i18n.FaultResultsStaff, true},
}

// faultTexts covers every code of session.Faults().
var faultTexts = func() map[session.ErrorCode]faultPair {
	m := map[session.ErrorCode]faultPair{}
	for c, x := range faultStaff {
		if t, ok := i18n.ForSession(string(c)); ok {
			m[c] = faultPair{t.Title, t.Body, x.staff, x.blocksCards}
		}
	}
	return m
}()

// faultText falls back to "something is wrong, call staff" for a fault the
// UI does not know, and takes no card then.
func faultText(c session.ErrorCode) faultPair {
	if p, ok := faultTexts[c]; ok {
		return p
	}
	return faultPair{i18n.ErrGenericTitle, i18n.FaultResultsBody, "", true}
}

// guidanceTexts turns the quality gate's reason into words (one line).
var guidanceTexts = func() map[session.Guidance][2]i18n.Key {
	m := map[session.Guidance][2]i18n.Key{}
	for _, g := range Guidances() {
		if t, ok := i18n.ForSession(string(g)); ok {
			m[g] = [2]i18n.Key{t.Title}
		}
	}
	return m
}()

// Guidances lists every reason the face screen can show.
func Guidances() []session.Guidance {
	return []session.Guidance{
		session.GuidanceNoFace, session.GuidanceCloser, session.GuidanceFarther,
		session.GuidanceCenter, session.GuidanceStill, session.GuidanceLight,
		session.GuidanceMask, session.GuidanceGlasses, session.GuidanceEyes,
		session.GuidanceFront, session.GuidanceOnePerson, session.GuidanceNotLive,
	}
}

// resultTexts are the done screen's words for an eligibility answer other
// than a plain 有効 (i18n.ForValidity).
var resultTexts = func() map[session.Validity]pair {
	m := map[session.Validity]pair{}
	for _, v := range []session.Validity{session.ValidityInvalid, session.ValidityInvalidNew,
		session.ValidityNone, session.ValidityMultiple, session.ValidityUnregistered} {
		t := i18n.ForValidity(int(v))
		m[v] = pair{t.Title, t.Body}
	}
	return m
}()

// translator looks keys up in one language, with a fallback for keys the
// catalogue does not have yet (Catalog.T returns the key itself then).
type translator struct {
	cat  *i18n.Catalog
	lang i18n.Lang
}

func (t translator) T(k i18n.Key, args ...any) string { return t.cat.T(t.lang, k, args...) }

// either uses the first key the catalogue has.
func (t translator) either(keys ...i18n.Key) string {
	for _, k := range keys {
		if k == "" {
			continue
		}
		if s := t.T(k); s != string(k) {
			return s
		}
	}
	return t.T(keys[0])
}
