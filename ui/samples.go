package ui

import (
	"image"
	"image/color"
	"math"
	"strings"
	"time"

	"github.com/uketsuke/uketsuke/app/operator"
	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/i18n"
)

// Sample is a named, typical View of one screen, for screenshots and the
// tests that walk every screen. The session core produces the real ones.
type Sample struct {
	Name string
	View session.View
	// Page opens the language picker, the staff login (staff, staff-wrong,
	// staff-locked), the staff card login (staff-card, staff-card-busy,
	// staff-operator-pin, staff-operator-pin-wrong, staff-operator-pin-hpki) or the staff menu
	// (staff-menu, staff-menu-operator) instead; "voice" shows the View
	// with voice guidance on (its repeat button, or the line offering
	// Japanese or English voice where the language has none).
	Page string
}

// Samples returns every screen and its main variants, by name.
func Samples() []Sample {
	base := func(st session.State) session.View {
		return session.View{State: st, Session: 1, PIN: session.PINView{Length: session.PINLength, TriesLeft: 3},
			Methods: session.MethodsView{Face: true, PIN: true, Staff: true},
			Face:    session.FaceView{Attempt: 1, MaxAttempts: 3, CanRetry: true}}
	}
	with := func(st session.State, f func(*session.View)) session.View {
		v := base(st)
		f(&v)
		return v
	}
	out := []Sample{
		{Name: "idle", View: session.View{State: session.StateIdle}},
		{Name: "idle-remove-card", View: session.View{State: session.StateIdle, Error: session.ErrCodeCardStillThere}},
		{Name: "reading", View: base(session.StateReading)},
		{Name: "method", View: base(session.StateMethod)},
		{Name: "method-voice", View: base(session.StateMethod), Page: "voice"},
		{Name: "method-no-pin", View: with(session.StateMethod, func(v *session.View) {
			v.Methods.PIN, v.Methods.NoPIN = false, true
		})},
		{Name: "method-pin-locked", View: with(session.StateMethod, func(v *session.View) {
			v.Methods.PIN, v.Methods.PINLocked, v.Error = false, true, session.ErrCodePINLocked
		})},
		{Name: "method-face-used-up", View: with(session.StateMethod, func(v *session.View) { v.Methods.Face = false })},
		{Name: "face", View: with(session.StateFace, func(v *session.View) { v.Progress = 0.3; v.Face.PhotoReady = true })},
		{Name: "face_failed", View: with(session.StateFaceFailed, func(v *session.View) { v.Face.Attempt = 1 })},
		{Name: "face_failed-staff-only", View: with(session.StateFaceFailed, func(v *session.View) {
			v.Face.Attempt, v.Face.CanRetry, v.Methods.PIN = 3, false, false
			v.Message = "face_failed.staff_only"
		})},
		{Name: "pin", View: with(session.StatePIN, func(v *session.View) { v.PIN.Digits = 2 })},
		{Name: "pin-full", View: with(session.StatePIN, func(v *session.View) { v.PIN.Digits, v.PIN.CanSubmit = 4, true })},
		{Name: "pin-last-try", View: with(session.StatePIN, func(v *session.View) {
			v.PIN.TriesLeft, v.PIN.LastTry, v.Error = 1, true, "pin.wrong"
		})},
		{Name: "pin_verifying", View: base(session.StatePINVerifying)},
		{Name: "staff_check", View: base(session.StateStaffCheck)},
		{Name: "checking", View: base(session.StateChecking)},
		{Name: "register", View: base(session.StateRegister)},
		{Name: "registering", View: base(session.StateRegistering)},
		{Name: "consent", View: base(session.StateConsent)},
		{Name: "consent-individual", View: with(session.StateConsent, func(v *session.View) {
			v.Consent = session.ConsentView{Individual: true, Selected: session.ConsentMedical | session.ConsentDrug | session.ConsentSurgery}
		})},
		{Name: "prescription", View: with(session.StatePrescription, func(v *session.View) { v.Consent.Selected = session.ConsentAll })},
		{Name: "submitting", View: base(session.StateSubmitting)},
		{Name: "done", View: with(session.StateDone, func(v *session.View) { v.Result.Validity = session.ValidityValid })},
		{Name: "language", View: base(session.StateMethod), Page: "language"},
		{Name: "staff-login", View: base(session.StateMethod), Page: "staff"},
		{Name: "staff-login-wrong", View: base(session.StateMethod), Page: "staff-wrong"},
		{Name: "staff-login-locked", View: base(session.StateMethod), Page: "staff-locked"},
		{Name: "staff-menu", View: session.View{State: session.StateIdle}, Page: "staff-menu"},
		{Name: "staff-menu-check", View: base(session.StateStaffCheck), Page: "staff-menu"},
		{Name: "staff-card", View: session.View{State: session.StateIdle}, Page: "staff-card"},
		{Name: "staff-card-busy", View: base(session.StateStaffCheck), Page: "staff-card-busy"},
		{Name: "staff-operator-pin", View: session.View{State: session.StateIdle}, Page: "staff-operator-pin"},
		{Name: "staff-operator-pin-wrong", View: session.View{State: session.StateIdle}, Page: "staff-operator-pin-wrong"},
		{Name: "staff-operator-pin-hpki", View: session.View{State: session.StateIdle}, Page: "staff-operator-pin-hpki"},
		{Name: "staff-menu-operator", View: base(session.StateStaffCheck), Page: "staff-menu-operator"},
		{Name: "staff-menu-fault", View: session.View{State: session.StateIdle, Fault: session.ErrCodeNoReader}, Page: "staff-menu"},
		{Name: "method-fault", View: with(session.StateMethod, func(v *session.View) {
			v.Fault, v.Methods.Face = session.ErrCodeNoFaceCamera, false
		})},
		// Nobody timed out unwarned, help on every screen (issue 21).
		{Name: "still-there", View: with(session.StatePIN, func(v *session.View) {
			v.PIN.Digits, v.Prompt, v.PromptEnds = 2, session.MsgStillThere, time.Now().Add(6*time.Second)
		})},
		{Name: "done-card-left", View: with(session.StateDone, func(v *session.View) {
			v.Result.Validity, v.Prompt, v.Reminders = session.ValidityValid, session.MsgCardLeft, 1
		})},
		{Name: "idle-card-left", View: session.View{State: session.StateIdle, Error: session.ErrCodeCardStillThere,
			Message: session.MsgRemoveCard, Prompt: session.MsgCardLeft, Reminders: 2}},
		{Name: "help-called", View: with(session.StateMethod, func(v *session.View) { v.HelpCalled = true })},
		{Name: "face-passing", View: with(session.StateFace, func(v *session.View) {
			v.Progress, v.Face.Passing, v.Face.PhotoReady = 0.4, true, true
		})},
	}
	out = append(out, revisitSamples(with)...)
	for _, f := range session.Faults() {
		out = append(out, Sample{Name: "idle-fault-" + faultName(f), View: session.View{State: session.StateIdle, Fault: f}})
	}
	for _, g := range Guidances() {
		out = append(out, Sample{Name: "face-" + strings.ReplaceAll(string(g), "face.", ""),
			View: with(session.StateFace, func(v *session.View) { v.Guidance = g; v.Progress = 0.5 })})
	}
	for _, val := range []session.Validity{session.ValidityInvalid, session.ValidityInvalidNew,
		session.ValidityNone, session.ValidityMultiple, session.ValidityUnregistered} {
		out = append(out, Sample{Name: "done-" + validityName(val), View: with(session.StateDone, func(v *session.View) {
			v.Message, v.Error, v.Result.Validity = "done.see_reception", session.ErrCodeIneligible, val
		})})
	}
	for _, c := range ErrorCodes() {
		st := session.StateError
		if strings.HasPrefix(string(c), "card.") && c != session.ErrCodeCardError {
			st = session.StateRejected
		}
		out = append(out, Sample{Name: "error-" + strings.ReplaceAll(string(c), ".", "-"), View: with(st, func(v *session.View) { v.Error = c })})
	}
	return out
}

func validityName(v session.Validity) string {
	return map[session.Validity]string{
		session.ValidityInvalid: "invalid", session.ValidityInvalidNew: "invalid-new",
		session.ValidityNone: "not-found", session.ValidityMultiple: "multiple",
		session.ValidityUnregistered: "valid-unregistered",
	}[v]
}

// faultName is a fault code as a screen name: device.no_reader → no-reader.
func faultName(c session.ErrorCode) string {
	name := string(c)
	if i := strings.IndexByte(name, '.'); i >= 0 && strings.HasPrefix(name, "device.") {
		name = name[i+1:]
	}
	return strings.NewReplacer(".", "-", "_", "-").Replace(name)
}

// SampleByName finds one sample.
func SampleByName(name string) (Sample, bool) {
	for _, s := range Samples() {
		if s.Name == name {
			return s, true
		}
	}
	return Sample{}, false
}

// ShowSample renders a sample on the shell.
func (s *Shell) ShowSample(sm Sample) {
	if _, ok := s.cfg.Voice.(sampleVoice); ok {
		s.cfg.Voice, s.voiceLang = nil, ""
	}
	s.leaveStaff()
	s.view = sm.View
	if sm.View.Prompt == session.MsgStillThere {
		s.promptFrom = sm.View.PromptEnds.Add(-session.DefaultStillThereLead)
	}
	switch sm.Page {
	case "language":
		s.OpenLanguagePicker()
	case "staff":
		s.OpenStaffLogin()
	case "staff-wrong", "staff-locked":
		s.openStaff()
		s.staffMsg, s.staffWait = staffWrong, 0
		if sm.Page == "staff-locked" {
			s.staffMsg, s.staffWait = staffLocked, 30*time.Second
		}
		s.render()
	case "staff-menu":
		s.openStaff()
		s.page, s.staffBy = pageStaffMenu, byPIN
		s.render()
	case "staff-card", "staff-card-busy":
		s.openStaff()
		s.page, s.readerBusy = pageStaffCard, sm.Page == "staff-card-busy"
		s.render()
	case "staff-operator-pin", "staff-operator-pin-wrong", "staff-operator-pin-hpki":
		s.openStaff()
		s.opScheme = operator.SchemeJPKI
		if sm.Page == "staff-operator-pin-hpki" {
			s.opScheme = operator.SchemeHPKI
			s.hpkiLo, s.hpkiHi = hpkiPINRange(0, 0)
		}
		if sm.Page == "staff-operator-pin-wrong" {
			s.opMsg, s.opLeft = opWrong, 2
		}
		s.page = pageOperatorPIN
		s.render()
	case "voice":
		if s.cfg.Voice == nil {
			s.cfg.Voice = sampleVoice{}
		}
		s.render()
	case "staff-menu-operator":
		s.openStaff()
		s.page, s.staffBy = pageStaffMenu, byOperator
		s.operator = operator.Session{OperatorID: "reception.sample", Name: "受付 太郎", Role: operator.RoleReception}
		s.render()
	default:
		s.render()
	}
}

// sampleVoice is voice guidance that says nothing, with espeak-ng's
// voices as a kiosk has them by default (no Tagalog, Khmer, Mongolian,
// and Thai and Burmese only on request; docs/speech.md).
type sampleVoice struct{}

func (sampleVoice) Show(i18n.Lang, session.View) {}
func (sampleVoice) Repeat()                      {}
func (sampleVoice) Hush()                        {}
func (sampleVoice) Available(l i18n.Lang) bool {
	switch l {
	case i18n.Tagalog, i18n.Khmer, i18n.Mongolian, i18n.Thai, i18n.Burmese:
		return false
	}
	return true
}

// SyntheticPreview is a drawn stand-in for the face camera's picture in
// screenshots: a grey head and shoulders, no real person.
type SyntheticPreview struct{}

// Latest draws the picture.
func (SyntheticPreview) Latest() image.Image {
	const w, h = 480, 600
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := uint8(70 + 60*y/h)
			dx, dy := float64(x-w/2)/120, float64(y-250)/160
			sx, sy := float64(x-w/2)/230, float64(y-h)/170
			switch {
			case dx*dx+dy*dy < 1:
				c = 190
			case sx*sx+sy*sy < 1:
				c = 120
			}
			img.SetNRGBA(x, y, color.NRGBA{c, c, uint8(math.Min(255, float64(c)+10)), 0xFF})
		}
	}
	return img
}

// revisitSamples are re-visit reception's screens and their variants.
func revisitSamples(with func(session.State, func(*session.View)) session.View) []Sample {
	mode := func(st session.State, f func(*session.RevisitView)) session.View {
		return with(st, func(v *session.View) {
			v.Revisit.Mode = session.VisitRevisit
			f(&v.Revisit)
		})
	}
	none := func(*session.RevisitView) {}
	return []Sample{
		{Name: "visit_kind", View: mode(session.StateVisitKind, func(r *session.RevisitView) { r.Mode = session.VisitBoth })},
		{Name: "recognising", View: mode(session.StateRecognising, none)},
		{Name: "department", View: mode(session.StateDepartment, func(r *session.RevisitView) {
			r.Departments = []string{"内科", "外科", "小児科", "整形外科", "皮膚科", "耳鼻咽喉科"}
		})},
		{Name: "ticketing", View: mode(session.StateTicketing, none)},
		{Name: "ticket", View: mode(session.StateTicket, func(r *session.RevisitView) {
			r.Number, r.Printed, r.Linked, r.Department = 12, true, true, "内科"
		})},
		{Name: "ticket-not-printed", View: with(session.StateTicket, func(v *session.View) {
			v.Message = session.MsgTicketNotPrinted
			v.Revisit = session.RevisitView{Mode: session.VisitRevisit, Number: 7, Linked: true, PrintErr: session.ErrCodePrinterPaperOut}
		})},
		{Name: "ticket-no-printer", View: mode(session.StateTicket, func(r *session.RevisitView) { r.Number = 103 })},
		{Name: "ticket-link-failed", View: mode(session.StateTicket, func(r *session.RevisitView) {
			r.Number, r.Printed, r.LinkErr = 8, true, session.ErrCodeLinkFailed
		})},
		{Name: "link_offer", View: mode(session.StateLinkOffer, none)},
		{Name: "linking", View: mode(session.StateLinking, none)},
		{Name: "referred-first-visit", View: with(session.StateReferred, func(v *session.View) {
			v.Message, v.Revisit.Mode = session.MsgReferredFirstVisit, session.VisitRevisit
		})},
		{Name: "referred-desk", View: with(session.StateReferred, func(v *session.View) {
			v.Message, v.Revisit.Mode = session.MsgReferredDesk, session.VisitRevisit
		})},
		{Name: "referred-no-ticket", View: with(session.StateReferred, func(v *session.View) {
			v.Message, v.Error, v.Revisit.Mode = session.MsgReferredNoTicket, session.ErrCodeTicketUnavailable, session.VisitRevisit
		})},
		{Name: "unlink_confirm", View: mode(session.StateUnlinkConfirm, none)},
		{Name: "unlinking", View: mode(session.StateUnlinking, none)},
		{Name: "unlinked", View: mode(session.StateUnlinked, none)},
	}
}
