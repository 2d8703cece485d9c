package session_test

import (
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/sim/standin"
)

func asked(v session.View) bool { return v.Prompt == session.MsgStillThere }

// The machine's own timers: a 2 s inactivity limit asks after 1 s (the
// lead is at most half the limit), then ends the session on time. Times
// are the Views' own publication times, not the test's wake-ups.
func TestStillThereAsksThenEndsOnTime(t *testing.T) {
	r := newRig(t, func(s *session.Settings, _ *standin.World) { s.Inactivity = 2 * time.Second })
	r.place(holder())
	r.await(session.StateMethod, nil)
	r.must(r.k.Press(session.EvChoosePIN))
	pin := r.await(session.StatePIN, nil)
	v := r.await(session.StatePIN, asked)
	if after := v.At.Sub(pin.At); after < 900*time.Millisecond || after > 1500*time.Millisecond {
		t.Errorf("asked %v after the last touch, want about 1 s", after)
	}
	if left := v.PromptEnds.Sub(v.At); left < 500*time.Millisecond || left > 1100*time.Millisecond {
		t.Errorf("the prompt gives %v, want about 1 s", left)
	}
	id := v.Session
	end := r.await(session.StateIdle, nil)
	if ended := end.At.Sub(pin.At); ended < 1900*time.Millisecond {
		t.Errorf("ended %v after the last touch: the question must not shorten the limit", ended)
	}
	if end.Prompt == session.MsgStillThere || end.Session != 0 || id == 0 {
		t.Fatalf("after the timeout: prompt %q session %d (was %d)", end.Prompt, end.Session, id)
	}
}

// "Continue" answers the question and restarts the whole limit.
func TestStillHereContinues(t *testing.T) {
	r := newRig(t, func(s *session.Settings, _ *standin.World) { s.Inactivity = 1500 * time.Millisecond })
	r.place(holder())
	r.await(session.StateMethod, nil)
	v := r.await(session.StateMethod, asked)
	deadline := v.PromptEnds
	r.must(r.k.Press(session.EvStillHere))
	v = r.await(session.StateMethod, func(v session.View) bool { return v.Prompt == "" })
	time.Sleep(time.Until(deadline) + 100*time.Millisecond)
	if now := r.settle(); now.State != session.StateMethod || now.Session != v.Session {
		t.Fatalf("after the old deadline: %s session %d, want method session %d", now.State, now.Session, v.Session)
	}
	// Unanswered the second time, it ends.
	r.await(session.StateMethod, asked)
	r.await(session.StateIdle, nil)
}

// Any handled touch answers too: the patient is obviously there.
func TestAnyTouchAnswersTheQuestion(t *testing.T) {
	r := newRig(t, func(s *session.Settings, _ *standin.World) { s.Inactivity = 1500 * time.Millisecond })
	r.place(holder())
	r.await(session.StateMethod, asked)
	r.must(r.k.Press(session.EvChoosePIN))
	if v := r.await(session.StatePIN, nil); v.Prompt != "" {
		t.Fatalf("prompt %q after a touch", v.Prompt)
	}
}

// The ends of a session are not asked about: nothing is lost there.
func TestNoQuestionAtTheEnds(t *testing.T) {
	r := newRig(t, func(s *session.Settings, _ *standin.World) { s.Inactivity = 400 * time.Millisecond })
	h := holder()
	h.Kind = session.CardJuki
	r.place(h)
	r.await(session.StateRejected, nil)
	for {
		v := <-r.views
		if asked(v) {
			t.Fatalf("asked in %s", v.State)
		}
		if v.State == session.StateIdle {
			return
		}
	}
}

// A card left after 受付完了 is reminded of after TakeCardAfter and again
// every TakeCardEvery, through the end of its session, until it is taken.
func TestCardLeftIsRemindedUntilTaken(t *testing.T) {
	r := newRig(t, func(s *session.Settings, _ *standin.World) {
		s.TakeCardAfter, s.TakeCardEvery = 200*time.Millisecond, 150*time.Millisecond
		s.Inactivity = time.Second
	})
	r.w.Scene.Show(7, session.GuidanceNone)
	r.place(holder())
	r.await(session.StateMethod, nil)
	r.must(r.k.Press(session.EvChooseFace))
	r.await(session.StateConsent, nil)
	r.must(r.k.Press(session.EvConsentAll))
	done := r.await(session.StateDone, nil)
	if done.Prompt != "" {
		t.Fatalf("reminded at once: %q", done.Prompt)
	}
	v := r.await(session.StateDone, func(v session.View) bool { return v.Reminders == 1 })
	if after := v.At.Sub(done.At); v.Prompt != session.MsgCardLeft || after < 190*time.Millisecond {
		t.Fatalf("first reminder %q after %v", v.Prompt, after)
	}
	r.await(session.StateDone, func(v session.View) bool { return v.Reminders == 2 })
	// The session ends (inactivity); the card is still there: reminders go on.
	v = r.await(session.StateIdle, func(v session.View) bool { return v.Reminders >= 3 })
	if v.Prompt != session.MsgCardLeft || v.Error != session.ErrCodeCardStillThere {
		t.Fatalf("idle reminder %q %q", v.Prompt, v.Error)
	}
	r.must(r.k.CardRemoved())
	v = r.await(session.StateIdle, func(v session.View) bool { return v.Error == "" })
	if v.Prompt != "" || v.Reminders != 0 {
		t.Fatalf("after the card left: prompt %q reminders %d", v.Prompt, v.Reminders)
	}
	time.Sleep(300 * time.Millisecond)
	if v := r.settle(); v.Prompt != "" {
		t.Fatalf("reminded of a card that was taken: %q", v.Prompt)
	}
}

// Help stays called across screens until staff answer, on the console or
// by starting a visual check.
func TestHelpIsCalledUntilStaffAnswer(t *testing.T) {
	r := newRig(t, nil)
	r.place(holder())
	r.await(session.StateMethod, nil)
	r.must(r.k.Press(session.EvHelp))
	r.await(session.StateMethod, func(v session.View) bool { return v.HelpCalled })
	r.must(r.k.Press(session.EvChoosePIN))
	if v := r.await(session.StatePIN, nil); !v.HelpCalled || v.StaffAsked {
		t.Fatalf("after a touch: help %v, staff asked %v (help is not a visual check)", v.HelpCalled, v.StaffAsked)
	}
	r.must(r.k.StaffIn(r.last.Session, session.EvHelpAnswered))
	r.await(session.StatePIN, func(v session.View) bool { return !v.HelpCalled })

	r.must(r.k.Press(session.EvHelp))
	r.await(session.StatePIN, func(v session.View) bool { return v.HelpCalled })
	r.must(r.k.Staff(session.EvStaffStart))
	if v := r.await(session.StateStaffCheck, nil); v.HelpCalled {
		t.Fatal("staff started a visual check: help is answered")
	}
	r.must(r.k.Press(session.EvHelp))
	r.await(session.StateStaffCheck, func(v session.View) bool { return v.HelpCalled })
	r.must(r.k.CardRemoved())
	if v := r.await(session.StateIdle, nil); v.HelpCalled {
		t.Fatal("a help call outlived its session")
	}
}

func TestHelpAtAnIdleKioskDoesNothing(t *testing.T) {
	r := newRig(t, nil)
	r.must(r.k.Press(session.EvHelp))
	if v := r.settle(); v.HelpCalled || v.State != session.StateIdle {
		t.Fatalf("idle help: %+v", v)
	}
}

func TestNegativeWarningTimesAreRefused(t *testing.T) {
	s := session.DefaultSettings()
	s.TakeCardEvery = -time.Second
	if _, err := session.New(session.Options{Devices: standin.NewWorld(standin.Fast).Devices(), Settings: s}); err == nil {
		t.Fatal("a negative reminder interval was accepted")
	}
}

// A face hint stays HintHold before the next replaces it, however fast the
// quality gate changes its mind; the first of an attempt shows at once.
func TestFaceHintStaysTwoSeconds(t *testing.T) {
	r := newRig(t, func(s *session.Settings, _ *standin.World) { s.FaceAttemptTime = 6 * time.Second })
	r.w.Scene.Show(9, session.GuidanceMask)
	r.place(holder())
	r.await(session.StateMethod, nil)
	r.must(r.k.Press(session.EvChooseFace))
	v := r.await(session.StateFace, func(v session.View) bool { return v.Guidance == session.GuidanceMask })
	if v.Face.Passing {
		t.Fatal("passing with a hint on the screen")
	}
	shown := v.At
	r.w.Scene.Show(9, session.GuidanceCloser)
	time.Sleep(300 * time.Millisecond)
	r.w.Scene.Show(9, session.GuidanceLight)
	v = r.await(session.StateFace, func(v session.View) bool { return v.Guidance != session.GuidanceMask })
	if held := v.At.Sub(shown); held < session.HintHold-50*time.Millisecond {
		t.Fatalf("the mask hint was replaced after %v, want at least %v", held, session.HintHold)
	}
	if v.Guidance != session.GuidanceLight {
		t.Fatalf("after the hold: %q, want the latest reason", v.Guidance)
	}
}

// Frames that pass the gate turn the oval green (Face.Passing); a hint
// turns it back.
func TestFacePassingFollowsTheGate(t *testing.T) {
	r := newRig(t, func(s *session.Settings, _ *standin.World) { s.FaceAttemptTime = 9 * time.Second })
	r.w.Scene.Show(9, session.GuidanceNone)
	r.place(holder())
	r.await(session.StateMethod, nil)
	r.must(r.k.Press(session.EvChooseFace))
	// The camera yields to the card side first: its first report may take
	// longer than await's patience.
	for deadline := time.Now().Add(6 * time.Second); !r.last.Face.Passing; {
		if time.Now().After(deadline) {
			t.Fatalf("frames never passed: %+v", r.last.Face)
		}
		select {
		case r.last = <-r.views:
		case <-time.After(100 * time.Millisecond):
		}
	}
	r.w.Scene.Show(9, session.GuidanceCloser)
	v := r.await(session.StateFace, func(v session.View) bool { return v.Guidance == session.GuidanceCloser })
	if v.Face.Passing {
		t.Fatal("passing with a hint on the screen")
	}
}
