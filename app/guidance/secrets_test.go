package guidance_test

import (
	"testing"

	"github.com/uketsuke/uketsuke/app/guidance"
	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/i18n"
	"github.com/uketsuke/uketsuke/sim/standin/standintest"
)

// TestNothingSensitiveIsSpoken speaks every View of a known holder's
// sessions in every language and looks for the holder's secrets in what
// would be said.
func TestNothingSensitiveIsSpoken(t *testing.T) {
	h := standintest.DefaultHolder(t)
	cat := i18n.MustLoad()
	views := standintest.Run(t, h, standintest.Script{})
	states := map[session.State]bool{}
	spoken := 0
	for _, v := range views {
		states[v.State] = true
		for _, l := range i18n.All() {
			for _, k := range guidance.ForView(v) {
				text, ok := cat.Reading(l.Code, k)
				if !ok {
					t.Fatalf("%s: %s cannot be spoken", l.Code, k)
				}
				spoken++
				for _, leak := range h.Leaks(text) {
					t.Errorf("%s %s: %s", l.Code, k, leak)
				}
			}
		}
	}
	for _, st := range []session.State{session.StateMethod, session.StatePIN, session.StateFace, session.StateConsent, session.StateDone, session.StateIdle} {
		if !states[st] {
			t.Errorf("the sessions never showed %s", st)
		}
	}
	if spoken < 200 {
		t.Fatalf("only %d utterances checked", spoken)
	}
}
