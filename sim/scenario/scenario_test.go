package scenario

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/sim/standin"
)

func settings() session.Settings {
	s := session.DefaultSettings()
	s.FaceAttemptTime = 500 * time.Millisecond
	s.AskPrescription = true // as the default configuration: the scripts choose the form
	return s
}

// Every built-in scenario runs to its end against the stand-ins.
func TestBuiltinsRunAgainstStandIns(t *testing.T) {
	names := Names()
	if len(names) < 7 {
		t.Fatalf("built-ins %v", names)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			sc, err := Load(name)
			if err != nil {
				t.Fatal(err)
			}
			var events int
			reps, err := Run(context.Background(), sc, Options{World: NewFakeWorld(standin.Fast), Settings: settings(),
				Trace: func(tr Trace) {
					if tr.Kind == "event" {
						events++
					}
				}})
			if err != nil {
				t.Fatal(err)
			}
			if events < 3 || len(reps) == 0 {
				t.Fatalf("%d events, %d runs", events, len(reps))
			}
		})
	}
}

// A wrong expectation fails the run: the runner is not a rubber stamp.
func TestWrongExpectationFails(t *testing.T) {
	sc, err := Parse([]byte(`{"name":"x","steps":[{"face":"holder"},{"card":"place"},{"await":"method"},
		{"expect":{"pin_offered":false}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Run(context.Background(), sc, Options{World: NewFakeWorld(standin.Fast), Settings: settings()})
	if !errors.Is(err, ErrFailed) || !strings.Contains(err.Error(), "pin_offered=true") {
		t.Fatalf("got %v", err)
	}
}

func TestBadScripts(t *testing.T) {
	for _, in := range []string{
		`{}`, `{"name":"x"}`, `{"name":"x","steps":[{}]}`,
		`{"name":"x","steps":[{"await":"nowhere"}]}`,
		`{"name":"x","steps":[{"touch":"choose_face","card":"place"}]}`,
		`{"name":"x","steps":[{"digits":"12a4"}]}`,
		`{"name":"x","steps":[{"card":"flip"}]}`,
		`{"name":"x","holder":{"kind":"passport"},"steps":[{"card":"place"}]}`,
		`{"name":"x","service":{"delay":"soon"},"steps":[{"card":"place"}]}`,
		`{"name":"x","steps":[{"touch":"toggle_item","item":"wine"}]}`,
		`{"name":"x","unknown":1,"steps":[{"card":"place"}]}`,
	} {
		if _, err := Parse([]byte(in)); !errors.Is(err, ErrScenario) {
			t.Errorf("%s: %v", in, err)
		}
	}
	if _, err := Load("no-such-scenario"); !errors.Is(err, ErrScenario) {
		t.Error("unknown scenario accepted")
	}
}

func FuzzParse(f *testing.F) {
	for _, n := range Names() {
		data, _ := builtin.ReadFile("scenarios/" + n + ".json")
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, err := Parse(data)
		if err != nil && !errors.Is(err, ErrScenario) {
			t.Fatalf("untyped error %v", err)
		}
		if err == nil && sc.Name == "" {
			t.Fatal("accepted a nameless scenario")
		}
	})
}

func TestThinkTimeWaitsBeforeEveryTouch(t *testing.T) {
	sc, _ := Load("face-ok")
	slow := WithThinkTime(sc, 20*time.Millisecond)
	touches, waits := 0, 0
	for i, st := range slow.Steps {
		if st.Touch != "" {
			touches++
			if i == 0 || slow.Steps[i-1].Wait != "20ms" {
				t.Fatalf("touch %d not preceded by a wait", i)
			}
		}
		if st.Wait != "" {
			waits++
		}
	}
	if touches == 0 || waits != touches || len(sc.Steps)+waits != len(slow.Steps) {
		t.Fatalf("%d touches, %d waits", touches, waits)
	}
	start := time.Now()
	if _, err := Run(context.Background(), slow, Options{World: NewFakeWorld(standin.Fast), Settings: settings()}); err != nil {
		t.Fatal(err)
	}
	if time.Since(start) < time.Duration(waits)*20*time.Millisecond {
		t.Fatal("the waits did not wait")
	}
}
