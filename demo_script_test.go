package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/wire"
)

// playOnStandIns runs one demo script headless against the demo's
// stand-in world (no photos, no models) and returns its exit status and
// its JSON lines.
func playOnStandIns(t *testing.T, name string, revisit bool, prepare func(*wire.World)) (int, string, string) {
	t.Helper()
	a := test.NewApp()
	defer a.Quit()
	t.Setenv("UKETSUKE_DEMO_OPERATOR", "0")
	dir := t.TempDir()
	cfg, note := wire.DemoConfig(wire.Demo{Dir: dir, Card: "inprocess", Models: filepath.Join(dir, "no-models"), Holder: filepath.Join(dir, "none.png"), Revisit: revisit})
	if !strings.HasPrefix(note, "stand-ins:") {
		t.Fatalf("note %q: want stand-ins", note)
	}
	cfg.Face.AttemptTime.Duration = 3 * time.Second
	w, err := wire.Build(cfg, wire.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var out bytes.Buffer
	log := &stageLog{out: &out}
	k, err := session.New(session.Options{Devices: w.Devices, Settings: w.Settings,
		OnStage: func(st session.Stage) { log.add(w, st) }})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go k.Run(ctx)
	go w.Run(ctx, k)
	op := &operator{note: note, timings: log}
	op.start(a, k, w)
	if prepare != nil {
		prepare(w)
	}
	code := runDemoScript(ctx, op, log, demoScripts[name], 40*time.Second, name)
	return code, out.String(), cfg.Parts.Results.Dir
}

var (
	matched = regexp.MustCompile(`"stage":"match","part":"stand-in","score":[0-9.]+,"ms":[0-9]+,"ok":true`)
	refusal = regexp.MustCompile(`"stage":"match","part":"stand-in","score":[0-9.]+,"ms":[0-9]+,"ok":false`)
)

func TestDemoScriptsOnStandIns(t *testing.T) {
	for _, name := range []string{"face-ok", "pin-ok", "stranger-then-pin", "card-pulled"} {
		t.Run(name, func(t *testing.T) {
			code, out, results := playOnStandIns(t, name, false, nil)
			if code != 0 {
				t.Fatalf("exit %d\n%s", code, out)
			}
			if !strings.Contains(out, `"state":"done","ms_from_choice":`) {
				t.Errorf("no done line:\n%s", out)
			}
			if !strings.Contains(out, `{"stage":"eligibility","part":"https://127.0.0.1:`) {
				t.Errorf("no eligibility line with the stand-in's address:\n%s", out)
			}
			match := matched.MatchString(out)
			if want := name == "face-ok" || name == "card-pulled"; match != want {
				t.Errorf("match line %v, want %v:\n%s", match, want, out)
			}
			// The stand-in engine scores the stranger: the refusal is a stage too.
			refused := refusal.MatchString(out)
			if want := name == "stranger-then-pin"; refused != want {
				t.Errorf("refused match line %v, want %v:\n%s", refused, want, out)
			}
			files, _ := os.ReadDir(filepath.Join(results, "face"))
			if len(files) != 1 {
				t.Errorf("%d face/ result files, want 1", len(files))
			}
		})
	}
}

// With --revisit the scripts walk re-visit reception's screens: a first
// visit links the card and gets a ticket; the revisit script then places
// the same card again and gets the next ticket without a PIN.
func TestDemoScriptsWithRevisit(t *testing.T) {
	for _, name := range []string{"pin-ok", "revisit"} {
		t.Run(name, func(t *testing.T) {
			code, out, _ := playOnStandIns(t, name, true, nil)
			if code != 0 {
				t.Fatalf("exit %d\n%s", code, out)
			}
			for _, want := range []string{`{"state":"visit_kind"}`, `{"state":"link_offer"}`, `{"state":"ticket"}`, `"state":"done"`} {
				if !strings.Contains(out, want) {
					t.Errorf("no %s line:\n%s", want, out)
				}
			}
			pins := strings.Count(out, `{"state":"pin"}`)
			if recognised := strings.Contains(out, `{"state":"recognising"}`); recognised != (name == "revisit") || pins != 1 {
				t.Errorf("recognising %v, %d PIN screens:\n%s", recognised, pins, out)
			}
		})
	}
}

// A session that cannot complete exits 1: the eligibility service is down.
func TestDemoScriptFailsWhenTheServiceIsDown(t *testing.T) {
	code, out, _ := playOnStandIns(t, "face-ok", false, func(w *wire.World) { w.Sim.ServiceDown(true) })
	if code != 1 || !strings.Contains(out, `"state":"failed"`) {
		t.Fatalf("exit %d, want 1 with a failed line:\n%s", code, out)
	}
}

func TestDemoFlags(t *testing.T) {
	if _, err := parseDemoFlags([]string{"--exit-when-done"}); err == nil {
		t.Error("--exit-when-done without --script accepted")
	}
	if _, err := parseDemoFlags([]string{"extra"}); err == nil {
		t.Error("an argument accepted")
	}
	f, err := parseDemoFlags([]string{"--script", "pin-ok", "--exit-when-done"})
	if err != nil || f.script != "pin-ok" || !f.exitWhenDone || f.photos != "build/demo" {
		t.Errorf("%+v %v", f, err)
	}
}
