package ui

import (
	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/i18n"
)

// The session's language-neutral codes, mapped onto catalogue keys. This is
// the only place that knows both vocabularies.

// pair is a screen's title and what to do next.
type pair struct{ title, body i18n.Key }

// errorTexts says, per error code, what went wrong and what to do now.
var errorTexts = map[session.ErrorCode]pair{
	session.ErrCodeNotMyNumber:    {i18n.ErrNotMyNumberTitle, i18n.ErrNotMyNumberBody},
	session.ErrCodeJuki:           {i18n.ErrNotMyNumberTitle, i18n.ErrNotMyNumberBody},
	session.ErrCodeSmartphone:     {i18n.ErrSmartphoneTitle, i18n.ErrSmartphoneBody},
	session.ErrCodeNextGeneration: {i18n.ErrNextGenerationTitle, i18n.ErrNextGenerationBody},
	session.ErrCodeUnreadable:     {i18n.ErrUnreadableTitle, i18n.ErrUnreadableBody},
	session.ErrCodeCardFace:       {i18n.ErrUnreadableTitle, i18n.ErrUnreadableBody},
	session.ErrCodeCardError:      {i18n.ErrUnreadableTitle, i18n.ErrUnreadableBody},
	session.ErrCodeRecordInvalid:  {i18n.ErrGenericTitle, i18n.ErrGenericBody},
	session.ErrCodeKeyBRejected:   {i18n.ErrUnreadableTitle, i18n.ErrUnreadableBody},
	session.ErrCodeKeyBBlocked:    {i18n.ErrCardLockedTitle, i18n.ErrCardLockedBody},
	session.ErrCodeKeyBLowTries:   {i18n.ErrKeyBLowTriesTitle, i18n.ErrKeyBLowTriesBody},
	session.ErrCodePINLocked:      {i18n.PINLockedTitle, i18n.PINLockedBody},
	session.ErrCodeFaceEngine:     {i18n.FaceFailedTitle, i18n.FaceFailedBody},
	session.ErrCodeCamera:         {i18n.FaceFailedTitle, i18n.FaceFailedBody},
	session.ErrCodeStaffRejected:  {i18n.ErrGenericTitle, i18n.ErrGenericBody},
	session.ErrCodeNotRegistered:  {i18n.ResultValidUnregisteredTitle, i18n.ResultValidUnregisteredBody},
	session.ErrCodeIneligible:     {i18n.ResultNotFoundTitle, i18n.ResultNotFoundBody},
	session.ErrCodeEligibility:    {i18n.ErrNetworkTitle, i18n.ErrNetworkBody},
	session.ErrCodeNoMethodLeft:   {i18n.FaceFailedTitle, i18n.FaceFailedBody},
	session.ErrCodeCancelled:      {i18n.ErrGenericTitle, i18n.ErrGenericBody},
	session.ErrCodeInactivity:     {i18n.ErrTimeoutTitle, i18n.ErrTimeoutBody},
	session.ErrCodeCardRemoved:    {i18n.ErrCardRemovedTitle, i18n.ErrCardRemovedBody},
	session.ErrCodeCardStillThere: {i18n.DoneTakeCard, i18n.ErrCardRemovedBody},
	// Re-visit reception.
	session.ErrCodeCertRevoked:       {i18n.ErrRevokedTitle, i18n.RevisitAskReception},
	session.ErrCodeRevisitLocked:     {i18n.ErrRevisitLockedTitle, i18n.ErrRevisitLockedBody},
	session.ErrCodeUnlinkFailed:      {i18n.ErrUnlinkFailedTitle, i18n.RevisitAskReception},
	session.ErrCodeTicketUnavailable: {i18n.ReferredDeskTitle, i18n.ErrTicketUnavailableBody},
	session.ErrCodeLinkFailed:        {i18n.ErrGenericTitle, i18n.LinkFailed},
	session.ErrCodePrinterPaperOut:   {i18n.TicketTitle, i18n.TicketNotPrinted},
	session.ErrCodePrinterOffline:    {i18n.TicketTitle, i18n.TicketNotPrinted},
	session.ErrCodePrinterFault:      {i18n.TicketTitle, i18n.TicketNotPrinted},
}

// errorText falls back to the generic message for a code the UI does not know.
func errorText(c session.ErrorCode) pair {
	if p, ok := errorTexts[c]; ok {
		return p
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
// patient, and what staff do. blocksCards: the kiosk cannot take a card
// now, so the idle screen must not ask for one.
type faultPair struct {
	title, body, staff i18n.Key
	blocksCards        bool
}

// faultTexts covers every code of session.Faults().
var faultTexts = map[session.ErrorCode]faultPair{
	session.ErrCodeNoReader:     {i18n.FaultNoReaderTitle, i18n.FaultNoReaderBody, i18n.FaultNoReaderStaff, true},
	session.ErrCodeNoFaceCamera: {i18n.FaultNoFaceCameraTitle, i18n.FaultNoFaceCameraBody, i18n.FaultNoFaceCameraStaff, false},
	session.ErrCodeNoCardCamera: {i18n.FaultNoCardCameraTitle, i18n.FaultNoCardCameraBody, i18n.FaultNoCardCameraStaff, false},
	session.ErrCodeResults:      {i18n.FaultResultsTitle, i18n.FaultResultsBody, i18n.FaultResultsStaff, true},
}

// faultText falls back to "something is wrong, call staff" for a fault the
// UI does not know, and takes no card then.
func faultText(c session.ErrorCode) faultPair {
	if p, ok := faultTexts[c]; ok {
		return p
	}
	return faultPair{i18n.ErrGenericTitle, i18n.FaultResultsBody, "", true}
}

// guidanceTexts turns the quality gate's reason into words. Keys the
// catalogue may not have yet carry a fallback key it has.
var guidanceTexts = map[session.Guidance][2]i18n.Key{
	session.GuidanceNoFace:    {i18n.FaceGuideNoFace},
	session.GuidanceCloser:    {i18n.FaceGuideCloser},
	session.GuidanceFarther:   {i18n.FaceGuideFarther},
	session.GuidanceCenter:    {"face.guide.center", i18n.FaceGuideFaceFront},
	session.GuidanceStill:     {i18n.FaceGuideHoldStill},
	session.GuidanceLight:     {i18n.FaceGuideTooDark},
	session.GuidanceMask:      {i18n.FaceGuideRemoveMask},
	session.GuidanceGlasses:   {"face.guide.remove_glasses", i18n.FaceGuideShowEyes},
	session.GuidanceEyes:      {i18n.FaceGuideShowEyes},
	session.GuidanceFront:     {i18n.FaceGuideFaceFront},
	session.GuidanceOnePerson: {i18n.FaceGuideManyFaces},
	session.GuidanceNotLive:   {"face.guide.not_live", i18n.FaceGuideFaceFront},
}

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
// than a plain 有効.
var resultTexts = map[session.Validity]pair{
	session.ValidityInvalid:      {i18n.ResultInvalidTitle, i18n.ResultInvalidBody},
	session.ValidityInvalidNew:   {i18n.ResultInvalidNewTitle, i18n.ResultInvalidNewBody},
	session.ValidityNone:         {i18n.ResultNotFoundTitle, i18n.ResultNotFoundBody},
	session.ValidityMultiple:     {i18n.ResultMultipleTitle, i18n.ResultMultipleBody},
	session.ValidityUnregistered: {i18n.ResultValidUnregisteredTitle, i18n.ResultValidUnregisteredBody},
}

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
