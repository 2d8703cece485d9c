package session

import "time"

// HintHold is how long a face hint stays before another replaces it. The
// quality gate judges every frame and its reason can flip several times a
// second; a patient needs time to read a hint (and the voice to say it),
// so the View changes its hint at most once per HintHold. The hold is kept
// here, not in the UI, because the screen and the voice both follow the
// View: they then agree on the hint and neither chatters.
const HintHold = 2 * time.Second

// hints is the face attempt's hint as the View shows it.
type hints struct {
	shown    Guidance  // on the screen (View.Guidance)
	reported bool      // the camera reported since the attempt began
	since    time.Time // when shown was put on the screen
	next     Guidance  // the latest report, shown when the hold ends
	timer    *time.Timer
	gen      int // which hold's timer is current
}

// offerHint takes the quality gate's latest reason: shown at once when the
// hold is over, else when it ends (the latest reason then).
func (s *session) offerHint(g Guidance) {
	h := &s.hints
	h.next = g
	if h.reported && g == h.shown {
		h.stop()
		return
	}
	wait := time.Until(h.since.Add(HintHold))
	if !h.reported || wait <= 0 {
		s.showHint(g)
		return
	}
	if h.timer == nil {
		gen := h.gen
		h.timer = time.AfterFunc(wait, func() { s.post(Event{Kind: EvGuidance, hintDue: true, gen: gen}) })
	}
}

// hintDue shows the hint that waited for the hold to end.
func (s *session) hintDue(gen int) {
	if gen == s.hints.gen {
		s.showHint(s.hints.next)
	}
}

func (s *session) showHint(g Guidance) {
	h := &s.hints
	h.stop()
	h.shown, h.since, h.reported = g, time.Now(), true
	s.guidance = g
}

// resetHints starts a face attempt with a clear screen: its first report
// shows at once.
func (s *session) resetHints() {
	s.hints.stop()
	s.hints.shown, s.hints.reported = GuidanceNone, false
	s.guidance = GuidanceNone
}

func (h *hints) stop() {
	if h.timer != nil {
		h.timer.Stop()
		h.timer = nil
	}
	h.gen++
}
