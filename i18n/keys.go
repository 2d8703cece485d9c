package i18n

// Key names one message. This file is the single source of the key list:
// every Key constant must appear in keyList (a test parses this file to
// check), and every catalogue must hold exactly these keys.
type Key string

// Keys shared by every screen.
const (
	AppTitle           Key = "app.title"
	LanguageButton     Key = "common.language"
	LanguageTitle      Key = "language.title"
	LargeTextToggle    Key = "common.large_text"
	HighContrastToggle Key = "common.high_contrast"
	Back               Key = "common.back"
	Cancel             Key = "common.cancel"
	OK                 Key = "common.ok"
	TryAgain           Key = "common.try_again"
	CallStaff          Key = "common.call_staff"
	PleaseWait         Key = "common.please_wait"
	StillThere         Key = "common.still_there"
	StillThereBody     Key = "common.still_there_body"
	RemoveCard         Key = "common.remove_card"
)

// Voice guidance's controls on the patient's screens.
const (
	VoiceRepeat      Key = "voice.repeat"      // say the screen again
	VoiceUnavailable Key = "voice.unavailable" // no voice for the screen's language
	VoiceJapanese    Key = "voice.japanese"    // hear Japanese instead
	VoiceEnglish     Key = "voice.english"     // hear English instead
)

// Placing and reading the card.
const (
	PlaceCardTitle Key = "place_card.title"
	PlaceCardHow   Key = "place_card.how"
	PlaceCardNote  Key = "place_card.note"
	ReadingTitle   Key = "reading.title"
	ReadingBody    Key = "reading.body"
)

// Choosing face authentication or the PIN.
const (
	MethodTitle    Key = "method.title"
	MethodFace     Key = "method.face"
	MethodFaceHint Key = "method.face_hint"
	MethodPIN      Key = "method.pin"
	MethodPINHint  Key = "method.pin_hint"
	MethodNoPIN    Key = "method.no_pin"
)

// Face capture and the quality gate's guidance, one key per reason.
const (
	FaceTitle           Key = "face.title"
	FaceBody            Key = "face.body"
	FaceChecking        Key = "face.checking"
	FaceTriesLeft       Key = "face.tries_left" // {count}
	FaceGuideNoFace     Key = "face.guide.no_face"
	FaceGuideManyFaces  Key = "face.guide.many_faces"
	FaceGuideCloser     Key = "face.guide.closer"
	FaceGuideFarther    Key = "face.guide.farther"
	FaceGuideTooDark    Key = "face.guide.too_dark"
	FaceGuideTooBright  Key = "face.guide.too_bright"
	FaceGuideHoldStill  Key = "face.guide.hold_still"
	FaceGuideFaceFront  Key = "face.guide.face_front"
	FaceGuideShowEyes   Key = "face.guide.show_eyes"
	FaceGuideRemoveMask Key = "face.guide.remove_mask"
	FaceGuideCenter     Key = "face.guide.center"
	FaceGuideGlasses    Key = "face.guide.remove_glasses"
	FaceGuideNotLive    Key = "face.guide.not_live"
	FaceRetryTitle      Key = "face_retry.title"
	FaceRetryBody       Key = "face_retry.body"
	FaceRetryUsePIN     Key = "face_retry.use_pin"
	FaceFailedTitle     Key = "face_failed.title"
	FaceFailedBody      Key = "face_failed.body"
	FaceFailedStaffOnly Key = "face_failed.staff_only"
)

// The PIN pad.
const (
	PINTitle       Key = "pin.title"
	PINBody        Key = "pin.body"
	PINTriesLeft   Key = "pin.tries_left" // {count}
	PINLastTry     Key = "pin.last_try"
	PINWrong       Key = "pin.wrong"
	PINSend        Key = "pin.send"
	PINDelete      Key = "pin.delete"
	PINClear       Key = "pin.clear"
	PINNeedDigits  Key = "pin.need_digits"
	PINLockedTitle Key = "pin.locked.title"
	PINLockedBody  Key = "pin.locked.body"
	PINChecking    Key = "pin.checking"
)

// Staff visual check (目視) and prompts addressed to staff.
const (
	StaffCheckTitle   Key = "staff_check.title"
	StaffCheckBody    Key = "staff_check.body"
	StaffPromptVisual Key = "staff.prompt.visual_check"
	StaffConfirm      Key = "staff.confirm"
	StaffReject       Key = "staff.reject"
	StaffAuthRequired Key = "staff.auth_required"
	StaffExitKiosk    Key = "staff.exit_kiosk"
	StaffCalled       Key = "staff.called"
	StaffMenuTitle    Key = "staff.menu.title"
	StaffMenuBack     Key = "staff.menu.back"
	StaffMenuNoCheck  Key = "staff.menu.no_check"
	StaffPINBody      Key = "staff.pin_body" // {min} {max}
	StaffPINWrong     Key = "staff.pin_wrong"
	StaffLocked       Key = "staff.locked" // {count}: seconds
)

// Operator login with a staff card on the kiosk's own screens.
const (
	StaffCardTitle         Key = "staff.card.title"
	StaffCardPlace         Key = "staff.card.place"
	StaffCardHPKI          Key = "staff.card.hpki"
	StaffCardUsePIN        Key = "staff.card.use_pin"
	StaffCardBusy          Key = "staff.card.busy"
	StaffCardBusyPIN       Key = "staff.card.busy_pin"
	StaffCardPINTitle      Key = "staff.card.pin_title"
	StaffCardPINJPKI       Key = "staff.card.pin_jpki" // {digits}
	StaffCardPINHPKI       Key = "staff.card.pin_hpki" // {min} {max}
	StaffCardWrong         Key = "staff.card.wrong"    // {count}: tries the card has left
	StaffCardWrongPlain    Key = "staff.card.wrong_plain"
	StaffCardBlocked       Key = "staff.card.blocked"
	StaffCardNotRegistered Key = "staff.card.not_registered"
	StaffCardRefused       Key = "staff.card.refused"
	StaffMenuOperator      Key = "staff.menu.operator" // {name} {role}
	StaffRoleReception     Key = "staff.role.reception"
	StaffRoleAdministrator Key = "staff.role.administrator"
	StaffLoginEnded        Key = "staff.denied.logged_out"
	StaffNotAllowed        Key = "staff.denied.role"
)

// Re-visit reception's theft lock, in the staff menu.
const (
	StaffRevisitLocked       Key = "staff.revisit.locked"
	StaffRevisitUnlock       Key = "staff.revisit.unlock"
	StaffRevisitUnlockFailed Key = "staff.revisit.unlock_failed"
)

// Faults: a part of the kiosk is missing or broken. Title and body speak to
// the patient; "staff" says what staff do.
const (
	FaultNoReaderTitle     Key = "fault.no_reader.title"
	FaultNoReaderBody      Key = "fault.no_reader.body"
	FaultNoReaderStaff     Key = "fault.no_reader.staff"
	FaultNoFaceCameraTitle Key = "fault.no_face_camera.title"
	FaultNoFaceCameraBody  Key = "fault.no_face_camera.body"
	FaultNoFaceCameraStaff Key = "fault.no_face_camera.staff"
	FaultNoCardCameraTitle Key = "fault.no_card_camera.title"
	FaultNoCardCameraBody  Key = "fault.no_card_camera.body"
	FaultNoCardCameraStaff Key = "fault.no_card_camera.staff"
	FaultResultsTitle      Key = "fault.results.title"
	FaultResultsBody       Key = "fault.results.body"
	FaultResultsStaff      Key = "fault.results.staff"
)

// 初回登録: a card not yet registered for insurance use.
const (
	RegisterTitle Key = "register.title"
	RegisterBody  Key = "register.body"
	RegisterYes   Key = "register.yes"
	RegisterNo    Key = "register.no"
	RegisterDone  Key = "register.done"
	RegisterBusy  Key = "register.busy"
)

// Consent to share information (まとめて同意 / 個別に同意).
const (
	ConsentTitle        Key = "consent.title"
	ConsentBody         Key = "consent.body"
	ConsentAll          Key = "consent.all"
	ConsentIndividual   Key = "consent.individual"
	ConsentMedicalTitle Key = "consent.item.medical.title"
	ConsentMedicalBody  Key = "consent.item.medical.body"
	ConsentCheckupTitle Key = "consent.item.checkup.title"
	ConsentCheckupBody  Key = "consent.item.checkup.body"
	ConsentAgree        Key = "consent.agree"
	ConsentDisagree     Key = "consent.disagree"
	ConsentNote         Key = "consent.note"
	ConsentConfirm      Key = "consent.confirm"
	ConsentSaving       Key = "consent.saving"
)

// The prescription form after consent (facility.ask_prescription).
const (
	PrescriptionTitle          Key = "prescription.title"
	PrescriptionElectronic     Key = "prescription.electronic"
	PrescriptionElectronicHint Key = "prescription.electronic_hint"
	PrescriptionPaper          Key = "prescription.paper"
	PrescriptionPaperHint      Key = "prescription.paper_hint"
)

// Checking eligibility and the end of the session.
const (
	CheckingTitle Key = "checking.title"
	CheckingBody  Key = "checking.body"
	DoneTitle     Key = "done.title"
	DoneBody      Key = "done.body"
	DoneTakeCard  Key = "done.take_card"
)

// Errors, each a title and what to do next.
const (
	ErrNotMyNumberTitle     Key = "error.not_mynumber.title"
	ErrNotMyNumberBody      Key = "error.not_mynumber.body"
	ErrSmartphoneTitle      Key = "error.smartphone.title"
	ErrSmartphoneBody       Key = "error.smartphone.body"
	ErrNextGenerationTitle  Key = "error.next_generation.title"
	ErrNextGenerationBody   Key = "error.next_generation.body"
	ErrUnreadableTitle      Key = "error.unreadable.title"
	ErrUnreadableBody       Key = "error.unreadable.body"
	ErrCardRemovedTitle     Key = "error.card_removed.title"
	ErrCardRemovedBody      Key = "error.card_removed.body"
	ErrCardLockedTitle      Key = "error.card_locked.title"
	ErrCardLockedBody       Key = "error.card_locked.body"
	ErrCertExpiredTitle     Key = "error.cert_expired.title"
	ErrCertExpiredGrace     Key = "error.cert_expired.grace"
	ErrCertExpiredBody      Key = "error.cert_expired.body"
	ErrNetworkTitle         Key = "error.network.title"
	ErrNetworkBody          Key = "error.network.body"
	ErrTimeoutTitle         Key = "error.timeout.title"
	ErrTimeoutBody          Key = "error.timeout.body"
	ErrGenericTitle         Key = "error.generic.title"
	ErrGenericBody          Key = "error.generic.body"
	ErrJukiTitle            Key = "error.juki.title"
	ErrJukiBody             Key = "error.juki.body"
	ErrCardFaceTitle        Key = "error.card_face.title"
	ErrCardFaceBody         Key = "error.card_face.body"
	ErrFaceUnavailableTitle Key = "error.face_unavailable.title"
	ErrFaceUnavailableBody  Key = "error.face_unavailable.body"
	ErrCardInvalidTitle     Key = "error.card_invalid.title"
	ErrCardInvalidBody      Key = "error.card_invalid.body"
	ErrCameraTitle          Key = "error.camera.title"
	ErrCameraBody           Key = "error.camera.body"
	ErrStaffRejectedTitle   Key = "error.staff_rejected.title"
	ErrStaffRejectedBody    Key = "error.staff_rejected.body"
	ErrNoMethodTitle        Key = "error.no_method.title"
	ErrNoMethodBody         Key = "error.no_method.body"
	ErrCancelledTitle       Key = "error.cancelled.title"
	ErrCancelledBody        Key = "error.cancelled.body"
	ErrInactivityTitle      Key = "error.inactivity.title"
	ErrInactivityBody       Key = "error.inactivity.body"
	ErrKeyBLowTriesTitle    Key = "error.keyb_low_tries.title"
	ErrKeyBLowTriesBody     Key = "error.keyb_low_tries.body"
)

// Eligibility results (QualificationValidity 1–6) other than a plain success.
const (
	ResultValid                  Key = "result.valid"
	ResultInvalidTitle           Key = "result.invalid.title"
	ResultInvalidBody            Key = "result.invalid.body"
	ResultInvalidNewTitle        Key = "result.invalid_new.title"
	ResultInvalidNewBody         Key = "result.invalid_new.body"
	ResultNotFoundTitle          Key = "result.not_found.title"
	ResultNotFoundBody           Key = "result.not_found.body"
	ResultMultipleTitle          Key = "result.multiple.title"
	ResultMultipleBody           Key = "result.multiple.body"
	ResultValidUnregisteredTitle Key = "result.valid_unregistered.title"
	ResultValidUnregisteredBody  Key = "result.valid_unregistered.body"
)

// Re-visit reception: 初診 / 再診, the 診療科, the reception number, the
// offer to use the card as 診察券 and undoing it, and where else to go.
const (
	VisitTitle               Key = "visit.title"
	VisitFirst               Key = "visit.first"
	VisitFirstHint           Key = "visit.first_hint"
	VisitRevisit             Key = "visit.revisit"
	VisitRevisitHint         Key = "visit.revisit_hint"
	RecogniseTitle           Key = "recognise.title"
	DepartmentTitle          Key = "department.title"
	TicketingTitle           Key = "ticketing.title"
	TicketTitle              Key = "ticket.title"
	TicketNumber             Key = "ticket.number"
	TicketBody               Key = "ticket.body"
	TicketBodyNoPrinter      Key = "ticket.body_no_printer"
	TicketNotPrinted         Key = "ticket.not_printed"
	TicketUnlink             Key = "ticket.unlink"
	LinkTitle                Key = "link.title"
	LinkBody                 Key = "link.body"
	LinkYes                  Key = "link.yes"
	LinkNo                   Key = "link.no"
	LinkFailed               Key = "link.failed"
	LinkingTitle             Key = "linking.title"
	ReferredFirstVisitTitle  Key = "referred.first_visit.title"
	ReferredFirstVisitBody   Key = "referred.first_visit.body"
	ReferredDeskTitle        Key = "referred.desk.title"
	ReferredDeskBody         Key = "referred.desk.body"
	UnlinkTitle              Key = "unlink.title"
	UnlinkBody               Key = "unlink.body"
	UnlinkYes                Key = "unlink.yes"
	UnlinkingTitle           Key = "unlinking.title"
	UnlinkedTitle            Key = "unlinked.title"
	UnlinkedBody             Key = "unlinked.body"
	ErrRevokedTitle          Key = "error.revoked.title"
	ErrRevisitLockedTitle    Key = "error.revisit_locked.title"
	ErrRevisitLockedBody     Key = "error.revisit_locked.body"
	ErrUnlinkFailedTitle     Key = "error.unlink_failed.title"
	ErrTicketUnavailableBody Key = "error.ticket_unavailable.body"
	RevisitAskReception      Key = "revisit.ask_reception"
)

// Nobody timed out unwarned, and help on every screen (issue 21).
const (
	Continue Key = "common.continue" // answers "are you still there?"
	Help     Key = "common.help"     // the help button on every patient screen
	CardLeft Key = "done.card_left"  // the reminder for a card left on the reader
)

// keyList is every key, in catalogue order.
var keyList = []Key{
	AppTitle, LanguageButton, LanguageTitle, LargeTextToggle, HighContrastToggle,
	VoiceRepeat, VoiceUnavailable, VoiceJapanese, VoiceEnglish,
	Back, Cancel, OK, TryAgain, CallStaff, PleaseWait, StillThere, StillThereBody,
	RemoveCard,

	PlaceCardTitle, PlaceCardHow, PlaceCardNote, ReadingTitle, ReadingBody,

	MethodTitle, MethodFace, MethodFaceHint, MethodPIN, MethodPINHint, MethodNoPIN,

	FaceTitle, FaceBody, FaceChecking, FaceTriesLeft,
	FaceGuideNoFace, FaceGuideManyFaces, FaceGuideCloser, FaceGuideFarther,
	FaceGuideTooDark, FaceGuideTooBright, FaceGuideHoldStill, FaceGuideFaceFront,
	FaceGuideShowEyes, FaceGuideRemoveMask, FaceGuideCenter, FaceGuideGlasses, FaceGuideNotLive,
	FaceRetryTitle, FaceRetryBody, FaceRetryUsePIN, FaceFailedTitle, FaceFailedBody,
	FaceFailedStaffOnly,

	PINTitle, PINBody, PINTriesLeft, PINLastTry, PINWrong, PINSend, PINDelete,
	PINClear, PINNeedDigits, PINLockedTitle, PINLockedBody, PINChecking,

	StaffCheckTitle, StaffCheckBody, StaffPromptVisual, StaffConfirm, StaffReject,
	StaffAuthRequired, StaffExitKiosk, StaffCalled,
	StaffMenuTitle, StaffMenuBack, StaffMenuNoCheck, StaffPINBody, StaffPINWrong, StaffLocked,

	StaffCardTitle, StaffCardPlace, StaffCardHPKI, StaffCardUsePIN, StaffCardBusy, StaffCardBusyPIN,
	StaffCardPINTitle, StaffCardPINJPKI, StaffCardPINHPKI, StaffCardWrong, StaffCardWrongPlain,
	StaffCardBlocked, StaffCardNotRegistered, StaffCardRefused, StaffMenuOperator,
	StaffRoleReception, StaffRoleAdministrator, StaffLoginEnded, StaffNotAllowed,
	StaffRevisitLocked, StaffRevisitUnlock, StaffRevisitUnlockFailed,

	FaultNoReaderTitle, FaultNoReaderBody, FaultNoReaderStaff,
	FaultNoFaceCameraTitle, FaultNoFaceCameraBody, FaultNoFaceCameraStaff,
	FaultNoCardCameraTitle, FaultNoCardCameraBody, FaultNoCardCameraStaff,
	FaultResultsTitle, FaultResultsBody, FaultResultsStaff,

	RegisterTitle, RegisterBody, RegisterYes, RegisterNo, RegisterDone, RegisterBusy,

	ConsentTitle, ConsentBody, ConsentAll, ConsentIndividual,
	ConsentMedicalTitle, ConsentMedicalBody, ConsentCheckupTitle, ConsentCheckupBody,
	ConsentAgree, ConsentDisagree, ConsentNote, ConsentConfirm, ConsentSaving,

	PrescriptionTitle, PrescriptionElectronic, PrescriptionElectronicHint,
	PrescriptionPaper, PrescriptionPaperHint,

	CheckingTitle, CheckingBody, DoneTitle, DoneBody, DoneTakeCard,

	ErrNotMyNumberTitle, ErrNotMyNumberBody, ErrSmartphoneTitle, ErrSmartphoneBody,
	ErrNextGenerationTitle, ErrNextGenerationBody,
	ErrUnreadableTitle, ErrUnreadableBody, ErrCardRemovedTitle, ErrCardRemovedBody,
	ErrCardLockedTitle, ErrCardLockedBody, ErrCertExpiredTitle, ErrCertExpiredGrace,
	ErrCertExpiredBody, ErrNetworkTitle, ErrNetworkBody, ErrTimeoutTitle,
	ErrTimeoutBody, ErrGenericTitle, ErrGenericBody,
	ErrJukiTitle, ErrJukiBody, ErrCardFaceTitle, ErrCardFaceBody,
	ErrFaceUnavailableTitle, ErrFaceUnavailableBody, ErrCardInvalidTitle, ErrCardInvalidBody,
	ErrCameraTitle, ErrCameraBody, ErrStaffRejectedTitle, ErrStaffRejectedBody,
	ErrNoMethodTitle, ErrNoMethodBody, ErrCancelledTitle, ErrCancelledBody,
	ErrInactivityTitle, ErrInactivityBody, ErrKeyBLowTriesTitle, ErrKeyBLowTriesBody,

	ResultValid, ResultInvalidTitle, ResultInvalidBody, ResultInvalidNewTitle,
	ResultInvalidNewBody, ResultNotFoundTitle, ResultNotFoundBody,
	ResultMultipleTitle, ResultMultipleBody,
	ResultValidUnregisteredTitle, ResultValidUnregisteredBody,

	VisitTitle, VisitFirst, VisitFirstHint, VisitRevisit, VisitRevisitHint,
	RecogniseTitle, DepartmentTitle, TicketingTitle,
	TicketTitle, TicketNumber, TicketBody, TicketBodyNoPrinter, TicketNotPrinted, TicketUnlink,
	LinkTitle, LinkBody, LinkYes, LinkNo, LinkFailed, LinkingTitle,
	ReferredFirstVisitTitle, ReferredFirstVisitBody, ReferredDeskTitle, ReferredDeskBody,
	UnlinkTitle, UnlinkBody, UnlinkYes, UnlinkingTitle, UnlinkedTitle, UnlinkedBody,
	ErrRevokedTitle, ErrRevisitLockedTitle, ErrRevisitLockedBody, ErrUnlinkFailedTitle, ErrTicketUnavailableBody, RevisitAskReception,
	Continue, Help, CardLeft,
}

// countKeys are the messages whose wording depends on the {count} argument.
var countKeys = map[Key]bool{
	FaceTriesLeft:  true,
	PINTriesLeft:   true,
	StaffLocked:    true,
	StaffCardWrong: true,
}

// Keys returns every message key, in catalogue order. The slice is a copy.
func Keys() []Key {
	return append([]Key(nil), keyList...)
}

// IsKey reports whether k is one of the catalogue's keys.
func IsKey(k Key) bool {
	_, ok := keyIndex[k]
	return ok
}

var keyIndex = func() map[Key]int {
	m := make(map[Key]int, len(keyList))
	for i, k := range keyList {
		m[k] = i
	}
	return m
}()
