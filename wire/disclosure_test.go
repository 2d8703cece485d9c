package wire

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/sim/scenario"
)

// runWatched runs a scenario in a fresh simulated world and returns the
// world with the moment the face matched (zero if it never did) and the
// PIN-less stages that ran.
func runWatched(t *testing.T, script string) (*World, time.Time, map[string]string) {
	t.Helper()
	w, err := Build(SimulatedConfig(Simulated{Dir: t.TempDir(), Fast: true}), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	world, err := w.Script()
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scenario.Parse([]byte(script))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var matched time.Time
	stages := map[string]string{}
	trace := func(tr scenario.Trace) {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case tr.Kind == "event" && tr.Name == "face_matched" && matched.IsZero():
			matched = time.Now()
		case tr.Kind == "stage" && strings.HasSuffix(tr.Name, "_pinless"):
			stages[tr.Name] = tr.Detail
		}
	}
	s := w.Settings
	s.FaceAttemptTime = time.Second
	if _, err := scenario.Run(context.Background(), sc, scenario.Options{World: world, Settings: s, Trace: trace}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	return w, matched, stages
}

// ran says whether a stage ran and succeeded.
func ran(stages map[string]string, name string) bool {
	d, ok := stages[name]
	return ok && !strings.Contains(d, "failed")
}

// The PIN-less check is readied during the match, but nothing that tells
// the eligibility service who the patient is leaves the kiosk before the
// face matched.
func TestNothingAboutThePatientLeavesBeforeTheMatch(t *testing.T) {
	w, matched, stages := runWatched(t, `{"name": "face-ok-watched", "steps": [
		{"face": "holder"}, {"card": "place"}, {"await": "method"}, {"touch": "choose_face"},
		{"await": "consent"}, {"touch": "consent_all"}, {"await": "prescription"},
		{"touch": "prescribe_paper"}, {"await": "done"}, {"card": "remove"}, {"await": "idle"}]}`)
	if !ran(stages, "prepare_pinless") || !ran(stages, "advance_pinless") {
		t.Fatalf("the PIN-less check was not readied during the match: %v", stages)
	}
	told := w.Sim.Disclosures()
	if matched.IsZero() || len(told) == 0 {
		t.Fatalf("matched at %v, %d identifying requests: the session did not get through", matched, len(told))
	}
	for _, d := range told {
		if d.At.Before(matched) {
			t.Errorf("%s reached the service %v before the face matched", d.Path, matched.Sub(d.At))
		}
	}
}

// A stranger at the camera: the face never matches and the patient leaves.
// The kiosk readied the check (the card and the service talked) but sent
// nothing that identifies the card's holder.
func TestAFaceThatDoesNotMatchSendsNothingAboutThePatient(t *testing.T) {
	w, matched, stages := runWatched(t, `{"name": "stranger-leaves", "steps": [
		{"face": "stranger"}, {"card": "place"}, {"await": "method"}, {"touch": "choose_face"},
		{"await": "face"}, {"await": "face_failed", "timeout": "30s"},
		{"card": "remove"}, {"await": "idle"}]}`)
	if !matched.IsZero() {
		t.Fatal("a stranger's face matched")
	}
	if !ran(stages, "prepare_pinless") || !ran(stages, "advance_pinless") {
		t.Fatalf("the PIN-less check was not readied, so this test proves nothing: %v", stages)
	}
	if told := w.Sim.Disclosures(); len(told) != 0 {
		t.Fatalf("the service was told about the patient without a match: %+v", told)
	}
}

// A card (or reader) that refuses extended length: the kiosk reads in short
// commands, the PIN-less exchange chains, and the face path still ends in
// the result, with nothing sent about the patient before the match.
func TestAShortAPDUCardGoesTheWholeWay(t *testing.T) {
	w, matched, stages := runWatched(t, `{"name": "short-apdus", "holder": {"short_apdus": true}, "steps": [
		{"face": "holder"}, {"card": "place"}, {"await": "method"}, {"touch": "choose_face"},
		{"await": "consent"}, {"touch": "consent_all"}, {"await": "prescription"},
		{"touch": "prescribe_paper"}, {"await": "done"}, {"card": "remove"}, {"await": "idle"}]}`)
	if !ran(stages, "advance_pinless") || matched.IsZero() {
		t.Fatalf("the short-APDU card did not get through: matched %v, stages %v", matched, stages)
	}
	ex, _ := w.Sim.CardLink()
	chained := 0
	for _, e := range ex {
		if e.Command > 261 {
			t.Fatalf("a %d-byte command reached a card that takes only short ones", e.Command)
		}
		if e.CLA&0x10 != 0 {
			chained++
		}
	}
	if chained == 0 {
		t.Fatal("the institution's certificate was not chained on a short-only link")
	}
	for _, d := range w.Sim.Disclosures() {
		if d.At.Before(matched) {
			t.Errorf("%s reached the service before the face matched", d.Path)
		}
	}
}
