package guidance_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/app/guidance"
	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/i18n"
)

// talker is a Speaker that notes what it says; with hold set, each Say
// waits until Stop or its context ends (a long sentence being spoken).
type talker struct {
	hold bool

	mu     sync.Mutex
	said   []string
	warmed []i18n.Lang
	stops  int
	cut    chan struct{}
	voices map[i18n.Lang]bool
}

func newTalker() *talker { return &talker{cut: make(chan struct{})} }

func (r *talker) Say(ctx context.Context, lang i18n.Lang, key i18n.Key) error {
	r.mu.Lock()
	r.said = append(r.said, fmt.Sprintf("%s:%s", lang, key))
	cut := r.cut
	r.mu.Unlock()
	if !r.hold {
		return nil
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-cut:
		return context.Canceled
	}
}

func (r *talker) Stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stops++
	close(r.cut)
	r.cut = make(chan struct{})
}

func (r *talker) Available(lang i18n.Lang) bool { return r.voices == nil || r.voices[lang] }

func (r *talker) Warm(lang i18n.Lang) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.warmed = append(r.warmed, lang)
}

// saidNow waits until n things were said and returns them.
func (r *talker) saidNow(t *testing.T, n int) []string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		r.mu.Lock()
		got := slices.Clone(r.said)
		r.mu.Unlock()
		if len(got) >= n || time.Now().After(deadline) {
			return got
		}
		time.Sleep(time.Millisecond)
	}
}

// quiet waits a moment for anything more to be said and returns it all.
func (r *talker) quiet() []string {
	time.Sleep(100 * time.Millisecond)
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.said)
}

// fakeClock moves only when told; AfterFunc runs its functions on Advance.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
}

type fakeTimer struct {
	at      time.Time
	f       func()
	stopped bool
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *fakeClock) AfterFunc(d time.Duration, f func()) func() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	tm := &fakeTimer{at: c.now.Add(d), f: f}
	c.timers = append(c.timers, tm)
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		was := !tm.stopped
		tm.stopped = true
		return was
	}
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	var due []func()
	for _, tm := range c.timers {
		if !tm.stopped && !tm.at.After(c.now) {
			tm.stopped = true
			due = append(due, tm.f)
		}
	}
	c.mu.Unlock()
	for _, f := range due {
		f()
	}
}

func narrator(r *talker, c *fakeClock) *guidance.Narrator {
	return guidance.NewNarrator(r, guidance.NarratorOptions{Now: c.Now, AfterFunc: c.AfterFunc})
}

var (
	methodView = session.View{State: session.StateMethod, Message: "screen.method", Session: 1}
	faceView   = session.View{State: session.StateFace, Message: "screen.face", Session: 1}
)

func withHint(v session.View, g session.Guidance) session.View { v.Guidance = g; return v }

func TestNarratorSaysEachNewScreenOnce(t *testing.T) {
	r, c := newTalker(), newFakeClock()
	n := narrator(r, c)
	defer n.Close()
	n.Show(i18n.English, methodView)
	r.saidNow(t, 1)
	tick := methodView
	tick.Progress, tick.Seq = 0.5, 9 // a progress tick is not a new screen
	n.Show(i18n.English, tick)
	n.Show(i18n.English, faceView)
	got := r.saidNow(t, 3)
	want := []string{"en:" + string(i18n.MethodTitle), "en:" + string(i18n.FaceTitle), "en:" + string(i18n.FaceBody)}
	if !slices.Equal(got, want) {
		t.Fatalf("said %v, want %v", got, want)
	}
}

func TestNarratorCutsTheOldScreenShort(t *testing.T) {
	r, c := newTalker(), newFakeClock()
	r.hold = true
	n := narrator(r, c)
	defer n.Close()
	n.Show(i18n.Japanese, faceView)
	r.saidNow(t, 1) // the title is being said
	n.Show(i18n.Japanese, methodView)
	got := r.saidNow(t, 2)
	want := []string{"ja:" + string(i18n.FaceTitle), "ja:" + string(i18n.MethodTitle)}
	if !slices.Equal(got, want) {
		t.Fatalf("said %v, want %v: the face body should have been cut", got, want)
	}
}

func TestNarratorHintsAtMostOneEveryTwoSeconds(t *testing.T) {
	r, c := newTalker(), newFakeClock()
	n := narrator(r, c)
	defer n.Close()
	n.Show(i18n.English, withHint(faceView, session.GuidanceCloser))
	r.saidNow(t, 1)
	c.Advance(500 * time.Millisecond)
	n.Show(i18n.English, withHint(faceView, session.GuidanceFarther)) // held back
	c.Advance(500 * time.Millisecond)
	n.Show(i18n.English, withHint(faceView, session.GuidanceLight)) // replaces the held one
	if got := r.quiet(); len(got) != 1 {
		t.Fatalf("a second hint within 2 s: %v", got)
	}
	c.Advance(time.Second) // 2 s after the first hint
	got := r.saidNow(t, 2)
	want := []string{"en:" + string(i18n.FaceGuideCloser), "en:" + string(i18n.FaceGuideTooDark)}
	if !slices.Equal(got, want) {
		t.Fatalf("said %v, want %v", got, want)
	}
	// A hint followed (back to none) says nothing; one held back and
	// followed before its time is never said.
	c.Advance(100 * time.Millisecond)
	n.Show(i18n.English, withHint(faceView, session.GuidanceStill))
	n.Show(i18n.English, faceView)
	c.Advance(5 * time.Second)
	if got := r.quiet(); len(got) != 2 {
		t.Fatalf("said %v after the hints were followed", got)
	}
}

func TestNarratorIdleIsSilentButRepeatSaysIt(t *testing.T) {
	r, c := newTalker(), newFakeClock()
	n := narrator(r, c)
	defer n.Close()
	idle := session.View{State: session.StateIdle, Message: "screen.idle"}
	n.Show(i18n.Japanese, idle)
	if got := r.quiet(); len(got) != 0 {
		t.Fatalf("the idle kiosk said %v", got)
	}
	n.Repeat()
	got := r.saidNow(t, 2)
	want := []string{"ja:" + string(i18n.PlaceCardTitle), "ja:" + string(i18n.PlaceCardHow)}
	if !slices.Equal(got, want) {
		t.Fatalf("repeat said %v, want %v", got, want)
	}
	// A fault at the idle kiosk is said.
	n.Show(i18n.Japanese, session.View{State: session.StateIdle, Message: "screen.idle", Fault: session.ErrCodeNoReader})
	if got := r.saidNow(t, 3); len(got) < 3 || got[2] != "ja:"+string(i18n.FaultNoReaderTitle) {
		t.Fatalf("the fault was not said: %v", got)
	}
}

func TestNarratorSpeaksANewLanguageAndWarmsIt(t *testing.T) {
	r, c := newTalker(), newFakeClock()
	n := narrator(r, c)
	defer n.Close()
	n.Show(i18n.Japanese, methodView)
	r.saidNow(t, 1)
	n.Show(i18n.Korean, methodView)
	got := r.saidNow(t, 2)
	if len(got) != 2 || got[1] != "ko:"+string(i18n.MethodTitle) {
		t.Fatalf("said %v: the language change was not spoken", got)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !slices.Equal(r.warmed, []i18n.Lang{i18n.Japanese, i18n.Korean}) {
		t.Fatalf("warmed %v", r.warmed)
	}
}

func TestNarratorPINTriesWarningIsNew(t *testing.T) {
	r, c := newTalker(), newFakeClock()
	n := narrator(r, c)
	defer n.Close()
	pin := session.View{State: session.StatePIN, Message: "screen.pin", PIN: session.PINView{TriesLeft: 3}}
	n.Show(i18n.English, pin)
	r.saidNow(t, 2)
	typed := pin
	typed.PIN.Digits = 3 // typing is not a new screen
	n.Show(i18n.English, typed)
	wrong := pin
	wrong.Error, wrong.PIN.TriesLeft, wrong.PIN.LastTry, wrong.Message = session.ErrCodePINWrong, 1, true, "pin.last_try"
	n.Show(i18n.English, wrong)
	got := r.saidNow(t, 5)
	want := []string{"en:" + string(i18n.PINTitle), "en:" + string(i18n.PINBody),
		"en:" + string(i18n.PINWrong), "en:" + string(i18n.PINTitle), "en:" + string(i18n.PINLastTry)}
	if !slices.Equal(got, want) {
		t.Fatalf("said %v, want %v", got, want)
	}
}

func TestNarratorHushAndNoVoice(t *testing.T) {
	r, c := newTalker(), newFakeClock()
	r.voices = map[i18n.Lang]bool{i18n.Japanese: true}
	n := narrator(r, c)
	defer n.Close()
	n.Show(i18n.Tagalog, methodView) // no voice: nothing
	if got := r.quiet(); len(got) != 0 {
		t.Fatalf("said %v in a language without a voice", got)
	}
	if n.Available(i18n.Tagalog) || !n.Available(i18n.Japanese) {
		t.Fatal("Available does not follow the speaker")
	}
	n.Show(i18n.Japanese, methodView)
	r.saidNow(t, 1)
	n.Hush()
	n.Show(i18n.Japanese, methodView) // back from a staff page: said again
	if got := r.saidNow(t, 2); len(got) != 2 {
		t.Fatalf("said %v, want the method screen twice", got)
	}
}
