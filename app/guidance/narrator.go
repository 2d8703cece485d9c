package guidance

import (
	"context"
	"sync"
	"time"

	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/i18n"
)

// HintGap is the least time between two spoken face hints (issue 21): a
// patient moving in front of the camera must not hear a stream of them.
const HintGap = 2 * time.Second

// NarratorOptions configure a Narrator; the zero value is the kiosk's.
type NarratorOptions struct {
	// Now and AfterFunc are the clock (tests use a fake one); nil: time's.
	Now       func() time.Time
	AfterFunc func(d time.Duration, f func()) (stop func() bool)
	// HintGap: 0 is HintGap.
	HintGap time.Duration
}

// Narrator speaks the screens: the UI hands it every View it renders, in
// the language the patient hears, and the Narrator decides what to say and
// when. A screen that asks something new cuts what is being said and says
// its own words (ForView); a View that only moved a progress bar says
// nothing; face hints come at most one per HintGap; the plain idle screen
// is silent (nobody is there to hear it: the patient who left took their
// card). Show never blocks: speech runs on its own goroutine, one
// utterance at a time.
type Narrator struct {
	sp  Speaker
	opt NarratorOptions

	mu       sync.Mutex
	shown    bool
	lang     i18n.Lang
	view     session.View // the last View shown, for Repeat
	asked    asks         // what it asks
	lastHint time.Time    // when a face hint was last said
	pending  func() bool  // stops the timer of a held-back hint
	cancel   context.CancelFunc
	done     chan struct{} // closed when the running utterance has ended
	closed   bool
}

// asks is what a View asks of the patient: the fields whose change is a
// new thing to say. Progress, the PIN's digit count and timestamps are not.
type asks struct {
	state     session.State
	message   session.MsgKey
	err       session.ErrorCode
	fault     session.ErrorCode
	guidance  session.Guidance
	triesLeft int
	lastTry   bool
	attempt   int
	session   uint64
}

func asksOf(v session.View) asks {
	return asks{state: v.State, message: v.Message, err: v.Error, fault: v.Fault, guidance: v.Guidance,
		triesLeft: v.PIN.TriesLeft, lastTry: v.PIN.LastTry, attempt: v.Face.Attempt, session: v.Session}
}

// warmer is a Speaker that renders a language ahead of time.
type warmer interface{ Warm(lang i18n.Lang) }

// NewNarrator returns a Narrator speaking through sp.
func NewNarrator(sp Speaker, o NarratorOptions) *Narrator {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.AfterFunc == nil {
		o.AfterFunc = func(d time.Duration, f func()) func() bool { return time.AfterFunc(d, f).Stop }
	}
	if o.HintGap == 0 {
		o.HintGap = HintGap
	}
	return &Narrator{sp: sp, opt: o}
}

// Available reports whether lang has a voice.
func (n *Narrator) Available(lang i18n.Lang) bool { return n.sp.Available(lang) }

// Show tells the Narrator the screen now shows v in lang (the language the
// patient hears). It is cheap to call on every render.
func (n *Narrator) Show(lang i18n.Lang, v session.View) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return
	}
	a := asksOf(v)
	if n.shown && a == n.asked && lang == n.lang {
		return
	}
	prev, prevLang, first := n.asked, n.lang, !n.shown
	n.shown, n.lang, n.view, n.asked = true, lang, v, a
	n.stopPendingLocked()
	if lang != prevLang {
		if w, ok := n.sp.(warmer); ok {
			w.Warm(lang)
		}
	}
	switch {
	case silentIdle(v):
		n.stopLocked()
	case v.State == session.StateFace && v.Guidance != session.GuidanceNone && !first && sameScreen(prev, a) && lang == prevLang:
		n.hintLocked(v)
	case v.State == session.StateFace && v.Guidance == session.GuidanceNone && !first && sameScreen(prev, a) && lang == prevLang:
		// The hint was followed: nothing new to do, let the words end.
	default:
		if v.Guidance != session.GuidanceNone {
			n.lastHint = n.opt.Now()
		}
		n.sayLocked(lang, ForView(v))
	}
}

// sameScreen: a and b differ in the face hint at most.
func sameScreen(a, b asks) bool {
	a.guidance, b.guidance = "", ""
	return a == b
}

// silentIdle is the idle screen with nothing for anyone to hear: no
// fault, no card left on the reader.
func silentIdle(v session.View) bool {
	return v.State == session.StateIdle && v.Fault == session.ErrCodeNone && v.Error != session.ErrCodeCardStillThere
}

// hintLocked says a new face hint now, or when HintGap has passed since
// the last one if the screen still shows it then.
func (n *Narrator) hintLocked(v session.View) {
	wait := n.lastHint.Add(n.opt.HintGap).Sub(n.opt.Now())
	if n.lastHint.IsZero() || wait <= 0 {
		n.lastHint = n.opt.Now()
		n.sayLocked(n.lang, ForView(v))
		return
	}
	held := asksOf(v)
	n.pending = n.opt.AfterFunc(wait, func() {
		n.mu.Lock()
		defer n.mu.Unlock()
		if n.closed || n.asked != held {
			return
		}
		n.pending = nil
		n.lastHint = n.opt.Now()
		n.sayLocked(n.lang, ForView(n.view))
	})
}

func (n *Narrator) stopPendingLocked() {
	if n.pending != nil {
		n.pending()
		n.pending = nil
	}
}

// Repeat says the current screen's words again (the patient's "repeat"
// key), the idle screen's too.
func (n *Narrator) Repeat() {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed || !n.shown {
		return
	}
	n.stopPendingLocked()
	n.sayLocked(n.lang, ForView(n.view))
}

// Hush stops speaking (staff pages cover the patient's screen); the next
// View shown is said whole, even if it did not change.
func (n *Narrator) Hush() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.stopPendingLocked()
	n.stopLocked()
	n.shown = false
}

// Close stops speaking and waits for the utterance to end.
func (n *Narrator) Close() {
	n.mu.Lock()
	n.closed = true
	n.stopPendingLocked()
	n.stopLocked()
	done := n.done
	n.mu.Unlock()
	if done != nil {
		<-done
	}
}

// stopLocked cuts the running utterance.
func (n *Narrator) stopLocked() {
	if n.cancel != nil {
		n.cancel()
		n.cancel = nil
		n.sp.Stop()
	}
}

// sayLocked cuts what is being said and says keys in lang on a new
// goroutine, which starts once the previous one has ended (a Speaker says
// one thing at a time, and a late Say from the old one would cut the new).
func (n *Narrator) sayLocked(lang i18n.Lang, keys []i18n.Key) {
	n.stopLocked()
	if len(keys) == 0 {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	prev, done := n.done, make(chan struct{})
	n.cancel, n.done = cancel, done
	go func() {
		defer close(done)
		if prev != nil {
			<-prev
		}
		for _, k := range keys {
			if ctx.Err() != nil {
				return
			}
			if err := Speak(ctx, n.sp, lang, []i18n.Key{k}); err != nil {
				return
			}
		}
	}()
}
