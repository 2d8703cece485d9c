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

// ForView returns the keys to speak when v is shown: what the screen asks,
// what went wrong and what to do next. A face-quality hint replaces the
// face screen's instruction (one thing to do at a time). Nil means silence.
func ForView(v session.View) []i18n.Key {
	var keys []i18n.Key
	add := func(t i18n.Text, ok bool) {
		if ok {
			keys = append(keys, t.Title, t.Body)
		}
	}
	switch {
	case v.Prompt != "":
		// A question or reminder over the screen (still there? your card):
		// it alone, so it is heard before the kiosk gives up.
		add(i18n.ForSession(string(v.Prompt)))
	case v.State == session.StateIdle && v.Fault != session.ErrCodeNone:
		add(i18n.ForSession(string(v.Fault)))
	case v.State == session.StateFace && v.Guidance != session.GuidanceNone:
		add(i18n.ForSession(string(v.Guidance)))
	case v.State == session.StateDone:
		add(i18n.ForValidity(int(v.Result.Validity)), true)
		keys = append(keys, i18n.DoneTakeCard)
	case (v.State == session.StateRejected || v.State == session.StateError) && v.Error != session.ErrCodeNone:
		add(i18n.ForSession(string(v.Error)))
		keys = append(keys, i18n.DoneTakeCard)
	default:
		if v.Error != session.ErrCodeNone {
			add(i18n.ForSession(string(v.Error)))
		}
		add(i18n.ForSession(string(v.Message)))
	}
	if v.HelpCalled && v.Prompt == "" {
		// Until staff answer, each screen ends by saying they are coming.
		add(i18n.ForSession(string(session.MsgHelpCalled)))
	}
	return speakable(keys)
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
