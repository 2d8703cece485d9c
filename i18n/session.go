package i18n

// Text is what a screen says for one of the session's codes: a title and,
// when there is more to say, a body. Body may be empty.
type Text struct {
	Title, Body Key
}

// sessionTexts maps the language-neutral codes app/session publishes in its
// View (message keys, error codes, guidance keys) to catalogue keys. The
// codes are plain strings here so that i18n stays free of app/; a test
// checks this table against session.MessageKeys, ErrorCodes and Guidances.
var sessionTexts = map[string]Text{
	// Screens.
	"screen.idle":          {PlaceCardTitle, PlaceCardHow},
	"screen.reading":       {ReadingTitle, ReadingBody},
	"screen.rejected":      {ErrGenericTitle, ErrGenericBody}, // the error code says more
	"screen.method":        {MethodTitle, ""},
	"screen.face":          {FaceTitle, FaceBody},
	"screen.face_failed":   {FaceRetryTitle, FaceRetryBody},
	"screen.pin":           {PINTitle, PINBody},
	"screen.pin_verifying": {PINChecking, PleaseWait},
	"screen.staff_check":   {StaffCheckTitle, StaffCheckBody},
	"screen.checking":      {CheckingTitle, CheckingBody},
	"screen.register":      {RegisterTitle, RegisterBody},
	"screen.registering":   {RegisterBusy, PleaseWait},
	"screen.consent":       {ConsentTitle, ConsentBody},
	"screen.prescription":  {PrescriptionTitle, PrescriptionElectronicHint},
	"screen.submitting":    {ConsentSaving, PleaseWait},
	"screen.done":          {DoneTitle, DoneBody},
	"screen.error":         {ErrGenericTitle, ErrGenericBody},
	// Re-visit reception's screens.
	"screen.visit_kind":     {VisitTitle, ""},
	"screen.recognising":    {RecogniseTitle, PleaseWait},
	"screen.department":     {DepartmentTitle, ""},
	"screen.ticketing":      {TicketingTitle, PleaseWait},
	"screen.ticket":         {TicketTitle, TicketBody},
	"screen.link_offer":     {LinkTitle, LinkBody},
	"screen.linking":        {LinkingTitle, PleaseWait},
	"screen.referred":       {ReferredDeskTitle, ReferredDeskBody},
	"screen.unlink_confirm": {UnlinkTitle, UnlinkBody},
	"screen.unlinking":      {UnlinkingTitle, PleaseWait},
	"screen.unlinked":       {UnlinkedTitle, UnlinkedBody},
	// Message variants.
	"idle.remove_card":       {RemoveCard, ""},
	"method.pin_locked":      {PINLockedTitle, PINLockedBody},
	"face_failed.staff_only": {FaceFailedTitle, FaceFailedStaffOnly},
	"pin.last_try":           {PINTitle, PINLastTry},
	"done.see_reception":     {DoneTitle, ResultNotFoundBody},
	"referred.first_visit":   {ReferredFirstVisitTitle, ReferredFirstVisitBody},
	"referred.desk":          {ReferredDeskTitle, ReferredDeskBody},
	"referred.no_ticket":     {ReferredDeskTitle, ErrTicketUnavailableBody},
	"ticket.not_printed":     {TicketTitle, TicketNotPrinted},
	// Prompts over the screen (View.Prompt) and the help banner.
	"session.still_there": {StillThere, StillThereBody},
	"session.card_left":   {CardLeft, ""},
	"session.help_called": {StaffCalled, ""},
	// Error codes.
	"card.not_mynumber":    {ErrNotMyNumberTitle, ErrNotMyNumberBody},
	"card.juki":            {ErrJukiTitle, ErrJukiBody},
	"card.smartphone":      {ErrSmartphoneTitle, ErrSmartphoneBody},
	"card.next_generation": {ErrNextGenerationTitle, ErrNextGenerationBody},
	"card.unreadable":      {ErrUnreadableTitle, ErrUnreadableBody},
	"card.face_unreadable": {ErrCardFaceTitle, ErrCardFaceBody},
	"card.keyb_rejected":   {ErrFaceUnavailableTitle, ErrFaceUnavailableBody},
	"card.keyb_blocked":    {ErrFaceUnavailableTitle, ErrFaceUnavailableBody},
	"card.keyb_low_tries":  {ErrKeyBLowTriesTitle, ErrKeyBLowTriesBody},
	"card.record_invalid":  {ErrCardInvalidTitle, ErrCardInvalidBody},
	"card.error":           {ErrUnreadableTitle, ErrUnreadableBody},
	"face.engine":          {ErrCameraTitle, ErrCameraBody},
	"face.camera":          {ErrCameraTitle, ErrCameraBody},
	"pin.locked":           {PINLockedTitle, PINLockedBody},
	"pin.wrong":            {PINWrong, PINTriesLeft}, // pass CountArg
	"staff.rejected":       {ErrStaffRejectedTitle, ErrStaffRejectedBody},
	"elig.not_registered":  {RegisterTitle, ResultNotFoundBody},     // declined: the error screen has no "register now?"
	"elig.ineligible":      {ResultInvalidTitle, ResultInvalidBody}, // ForValidity is more precise
	"elig.unavailable":     {ErrNetworkTitle, ErrNetworkBody},
	"auth.no_method_left":  {ErrNoMethodTitle, ErrNoMethodBody},
	"session.cancelled":    {ErrCancelledTitle, ErrCancelledBody},
	"session.inactivity":   {ErrInactivityTitle, ErrInactivityBody},
	"session.card_removed": {ErrCardRemovedTitle, ErrCardRemovedBody},
	"session.remove_card":  {RemoveCard, ""},
	// Re-visit reception's errors; a printer fault is said once, as the
	// ticket screen's note (the number is on the screen).
	"card.revoked":          {ErrRevokedTitle, RevisitAskReception},
	"revisit.locked":        {ErrRevisitLockedTitle, ErrRevisitLockedBody},
	"ticket.unavailable":    {ReferredDeskTitle, ErrTicketUnavailableBody},
	"revisit.link_failed":   {LinkFailed, ""},
	"revisit.unlink_failed": {ErrUnlinkFailedTitle, RevisitAskReception},
	"printer.paper_out":     {TicketNotPrinted, ""},
	"printer.offline":       {TicketNotPrinted, ""},
	"printer.fault":         {TicketNotPrinted, ""},
	// Faults (View.Fault): what is wrong, for the patient; the staff line
	// (fault.*.staff) is the screen's business.
	"device.no_reader":      {FaultNoReaderTitle, FaultNoReaderBody},
	"device.no_face_camera": {FaultNoFaceCameraTitle, FaultNoFaceCameraBody},
	"device.no_card_camera": {FaultNoCardCameraTitle, FaultNoCardCameraBody},
	"results.unwritable":    {FaultResultsTitle, FaultResultsBody},
	// The face quality gate's guidance (a single line: Title only).
	"face.no_face":        {FaceGuideNoFace, ""},
	"face.come_closer":    {FaceGuideCloser, ""},
	"face.move_back":      {FaceGuideFarther, ""},
	"face.center":         {FaceGuideCenter, ""},
	"face.hold_still":     {FaceGuideHoldStill, ""},
	"face.more_light":     {FaceGuideTooDark, ""},
	"face.remove_mask":    {FaceGuideRemoveMask, ""},
	"face.remove_glasses": {FaceGuideGlasses, ""},
	"face.open_eyes":      {FaceGuideShowEyes, ""},
	"face.look_front":     {FaceGuideFaceFront, ""},
	"face.one_person":     {FaceGuideManyFaces, ""},
	"face.not_live":       {FaceGuideNotLive, ""},
}

// ForSession returns the catalogue keys for a code from app/session's View
// (View.Message, View.Error or View.Guidance, as a string).
func ForSession(code string) (Text, bool) {
	t, ok := sessionTexts[code]
	return t, ok
}

// ForValidity returns the keys for an eligibility result
// (QualificationValidity 1–6); anything else is treated as not found.
func ForValidity(v int) Text {
	switch v {
	case 1:
		return Text{DoneTitle, ResultValid}
	case 2:
		return Text{ResultInvalidTitle, ResultInvalidBody}
	case 3:
		return Text{ResultInvalidNewTitle, ResultInvalidNewBody}
	case 5:
		return Text{ResultMultipleTitle, ResultMultipleBody}
	case 6:
		return Text{ResultValidUnregisteredTitle, ResultValidUnregisteredBody}
	}
	return Text{ResultNotFoundTitle, ResultNotFoundBody}
}
