// Package guidance decides what the kiosk says aloud: for each View the
// session publishes, the catalogue keys to speak, in order. It speaks the
// same catalogue keys the screens show (through i18n.ForSession and
// i18n.ForValidity, the one table from the session's codes to words), and
// only whole catalogue messages: nothing is ever formatted into spoken
// text, so a PIN, a 照合番号B, a name or a birth date cannot be said.
package guidance

import (
	"context"
	"slices"

	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/i18n"
)

// Speaker is the port a speech engine fills. Say speaks one catalogue
// message in lang and returns when it has been spoken, when Stop cuts it
// short or when ctx ends. Available says whether the engine has a voice
// for lang; the screen offers Japanese or English when it has not.
type Speaker interface {
	Say(ctx context.Context, lang i18n.Lang, key i18n.Key) error
	Stop()
	Available(lang i18n.Lang) bool
}

// unspoken are catalogue keys with {placeholders}: their words depend on
// an argument, so they are shown, never said.
var unspoken = map[i18n.Key]bool{
	i18n.FaceTriesLeft: true,
	i18n.PINTriesLeft:  true,
}

// Prompts beside the session's screens that a later step speaks: the
// inactivity warning and the reminder to take the card.
var extraPrompts = []i18n.Key{i18n.StillThere, i18n.StillThereBody, i18n.DoneTakeCard}

// ForView returns the keys to speak when v is shown: the words its screen
// shows (ui draws the same keys from the same tables), what went wrong
// first, then what to do. A face-quality hint replaces the face screen's
// instruction (one thing to do at a time). Nil means silence.
func ForView(v session.View) []i18n.Key {
	var keys []i18n.Key
	say := func(k ...i18n.Key) { keys = append(keys, k...) }
	code := func(c string) {
		if t, ok := i18n.ForSession(c); ok {
			say(t.Title, t.Body)
		}
	}
	if v.Prompt != "" {
		// A question or reminder over the screen (still there? your card):
		// it alone, so it is heard before the kiosk gives up.
		code(string(v.Prompt))
		return speakable(keys)
	}
	switch v.State {
	case session.StateIdle:
		switch {
		case v.Error == session.ErrCodeCardStillThere:
			code(string(v.Error))
		case v.Fault != session.ErrCodeNone:
			code(string(v.Fault))
		default:
			code("screen.idle")
		}
	case session.StateRejected, session.StateError:
		t := errorText(v.Error)
		say(t.Title, t.Body, i18n.DoneTakeCard)
	case session.StateMethod:
		say(i18n.MethodTitle)
		if v.Error == session.ErrCodePINLocked {
			say(i18n.PINLockedTitle)
		}
	case session.StateFace:
		if v.Guidance != session.GuidanceNone {
			code(string(v.Guidance))
		} else {
			say(i18n.FaceTitle, i18n.FaceBody)
		}
	case session.StateFaceFailed:
		keys = faceFailedKeys(v)
	case session.StatePIN:
		if v.Error != session.ErrCodeNone {
			say(i18n.PINWrong)
		}
		say(i18n.PINTitle)
		if v.PIN.LastTry {
			say(i18n.PINLastTry)
		} else {
			say(i18n.PINBody)
		}
	case session.StateDone:
		keys = append(doneKeys(v.Result.Validity), i18n.DoneTakeCard)
	case session.StateTicket:
		keys = ticketKeys(v.Revisit)
	default:
		// Screens of one message: reading, waiting, staff check, register,
		// consent, prescription.
		code(string(v.Message))
	}
	if v.HelpCalled && v.Prompt == "" {
		// Until staff answer, each screen ends by saying they are coming.
		code(string(session.MsgHelpCalled))
	}
	return speakable(keys)
}

// ticketKeys follows the ticket screen (ui/revisit.go): whether it printed,
// a link that failed, and the card to take. The number itself is on screen
// and paper only: spoken prompts are whole catalogue messages.
func ticketKeys(r session.RevisitView) []i18n.Key {
	keys := []i18n.Key{i18n.TicketTitle}
	switch {
	case r.PrintErr != session.ErrCodeNone:
		keys = append(keys, i18n.TicketNotPrinted)
	case r.Printed:
		keys = append(keys, i18n.TicketBody)
	default:
		keys = append(keys, i18n.TicketBodyNoPrinter)
	}
	if r.LinkErr != session.ErrCodeNone {
		keys = append(keys, i18n.LinkFailed)
	}
	return append(keys, i18n.DoneTakeCard)
}

// errorText is an error code's words, the generic ones for a code the
// table does not know (as the error screen shows them).
func errorText(c session.ErrorCode) i18n.Text {
	if t, ok := i18n.ForSession(string(c)); ok {
		return t
	}
	return i18n.Text{Title: i18n.ErrGenericTitle, Body: i18n.ErrGenericBody}
}

// faceFailedKeys: try again, or (no tries left) use the PIN or ask staff,
// and what went wrong.
func faceFailedKeys(v session.View) []i18n.Key {
	keys := []i18n.Key{i18n.FaceRetryTitle, i18n.FaceRetryBody}
	switch {
	case v.Message == session.MsgStaffOnly:
		keys = []i18n.Key{i18n.FaceFailedTitle, i18n.FaceFailedStaffOnly}
	case !v.Face.CanRetry:
		keys = []i18n.Key{i18n.FaceFailedTitle, i18n.FaceFailedBody}
	}
	if v.Error != session.ErrCodeNone {
		keys = append(keys, errorText(v.Error).Title)
	}
	return keys
}

// doneKeys are the done screen's words: a plain 有効 (or no answer to
// tell) is "reception complete, please wait", any other answer its own
// words (i18n.ForValidity), as ui's done screen shows them.
func doneKeys(val session.Validity) []i18n.Key {
	if val == session.ValidityValid || val == session.ValidityUnknown {
		return []i18n.Key{i18n.DoneTitle, i18n.ResultValid, i18n.DoneBody}
	}
	t := i18n.ForValidity(int(val))
	return []i18n.Key{t.Title, t.Body}
}

// speakable drops empty and argument-bearing keys and repeats.
func speakable(keys []i18n.Key) []i18n.Key {
	out := keys[:0]
	for _, k := range keys {
		if k != "" && !unspoken[k] && !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// Keys returns every key the kiosk may speak, each once, in the order a
// session meets them (the idle screen first): what a speech engine renders
// ahead of time, most needed first, and what every spoken language needs a
// reading for.
func Keys() []i18n.Key {
	var all []i18n.Key
	for _, v := range Views() {
		for _, k := range ForView(v) {
			if !slices.Contains(all, k) {
				all = append(all, k)
			}
		}
	}
	for _, k := range extraPrompts {
		if !slices.Contains(all, k) {
			all = append(all, k)
		}
	}
	return all
}

// Views returns a View for every message, error code, fault, face hint and
// eligibility result the session can publish: the space ForView covers.
func Views() []session.View {
	out := []session.View{{State: session.StateIdle, Message: "screen.idle"}}
	for _, m := range session.MessageKeys() {
		st := session.StateIdle
		if name, ok := stateOfMessage(m); ok {
			st = name
		}
		out = append(out, session.View{State: st, Message: m})
	}
	for _, c := range session.ErrorCodes() {
		for _, st := range []session.State{session.StateError, session.StateRejected, session.StatePIN, session.StateMethod, session.StateFaceFailed} {
			out = append(out, session.View{State: st, Message: session.MsgKey("screen." + st.String()), Error: c})
		}
	}
	for _, f := range session.Faults() {
		out = append(out, session.View{State: session.StateIdle, Message: "screen.idle", Fault: f})
	}
	for _, g := range session.Guidances() {
		out = append(out, session.View{State: session.StateFace, Message: "screen.face", Guidance: g})
	}
	for val := session.Validity(0); val <= 6; val++ {
		v := session.View{State: session.StateDone, Message: "screen.done"}
		v.Result.Validity = val
		out = append(out, v)
	}
	return out
}

// stateOfMessage finds the state a "screen.<state>" message belongs to.
func stateOfMessage(m session.MsgKey) (session.State, bool) {
	const prefix = "screen."
	if len(m) <= len(prefix) || string(m[:len(prefix)]) != prefix {
		return 0, false
	}
	return session.ParseState(string(m[len(prefix):]))
}

// Speak says keys in order through sp, stopping at the first error (a
// cancelled ctx or Stop). A language without a voice says nothing.
func Speak(ctx context.Context, sp Speaker, lang i18n.Lang, keys []i18n.Key) error {
	if !sp.Available(lang) {
		return nil
	}
	for _, k := range keys {
		if err := sp.Say(ctx, lang, k); err != nil {
			return err
		}
	}
	return nil
}
