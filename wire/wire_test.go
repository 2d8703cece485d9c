package wire

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/app/audit"
	"github.com/uketsuke/uketsuke/app/config"
	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/hardware/usb/usbtest"
	"github.com/uketsuke/uketsuke/sim/scenario"
)

func TestTheSimulatedWorldRunsAScriptThroughTheRoot(t *testing.T) {
	cfg := SimulatedConfig(Simulated{Dir: t.TempDir(), Fast: true})
	w, err := Build(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if w.Sim == nil || w.Audit == nil || w.Devices.Eligibility == nil {
		t.Fatalf("world %+v", w)
	}
	script, err := w.Script()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"face-ok", "card-without-pin"} {
		sc, err := scenario.Load(name)
		if err != nil {
			t.Fatal(err)
		}
		s := w.Settings
		s.FaceAttemptTime = 2 * time.Second
		if _, err := scenario.Run(context.Background(), sc, scenario.Options{World: script, Settings: s}); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	// The configuration asks for the prescription form (facility.ask_prescription
	// by default); both scripts choose 電子処方箋, which reaches the result files.
	if !w.Settings.AskPrescription {
		t.Error("the default configuration does not ask for the prescription form")
	}
	var files, electronic int
	err = filepath.WalkDir(cfg.Parts.Results.Dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".xml") {
			return err
		}
		data, err := os.ReadFile(path)
		files++
		if strings.Contains(string(data), "<PrescriptionIssueSelect>1</PrescriptionIssueSelect>") {
			electronic++
		}
		return err
	})
	if err != nil || files != 2 || electronic != 2 {
		t.Errorf("%d result files, %d with 電子処方箋, want 2 and 2 (%v)", files, electronic, err)
	}
}

// A next-generation card through the whole root: the virtual card in
// process, the real card stack and the kiosk's own audit log.
func TestANextGenerationCardThroughTheRoot(t *testing.T) {
	cfg := SimulatedConfig(Simulated{Dir: t.TempDir(), Fast: true})
	w, err := Build(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	script, err := w.Script()
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scenario.Load("next-generation-card")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := scenario.Run(context.Background(), sc, scenario.Options{World: script, Settings: w.Settings, Audit: w.Audit}); err != nil {
		t.Fatal(err)
	}
	w.Close()
	data, err := os.ReadFile(filepath.Join(cfg.Parts.Audit, audit.ErrorFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"msg":"card.next_generation"`, `"card":"next_generation"`, `"aid":"d392`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("error log %s lacks %s", data, want)
		}
	}
}

func TestFacilityWordingReachesTheCatalogue(t *testing.T) {
	cfg := SimulatedConfig(Simulated{Dir: t.TempDir(), Fast: true})
	cfg.Facility.Wording = map[string]map[string]string{"ja": {"place_card.note": "受付窓口でもお手伝いします"}}
	w, err := Build(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if got := w.Catalog.T("ja", "place_card.note"); got != "受付窓口でもお手伝いします" {
		t.Fatalf("the facility's wording did not reach the screens' catalogue: %q", got)
	}
	cfg.Facility.Wording = map[string]map[string]string{"ja": {"pin.tries_left": "もう一度"}}
	var ve *config.ValidationError
	if _, err := Build(cfg, Options{}); !errors.As(err, &ve) || ve.Field != "facility.wording" {
		t.Fatalf("wording that drops a placeholder: %v", err)
	}
}

func TestProductionRefusesSimulatedParts(t *testing.T) {
	cfg := SimulatedConfig(Simulated{Dir: t.TempDir(), Fast: true})
	_, err := Build(cfg, Options{Production: true})
	var ve *config.ValidationError
	if !errors.Is(err, ErrConfig) || !errors.As(err, &ve) || ve.Field != "parts.reader.kind" {
		t.Fatalf("simulated parts in production: %v", err)
	}
	if _, err := PlanOf(cfg, true); !errors.Is(err, ErrConfig) {
		t.Fatalf("plan: %v", err)
	}
}

func TestAMissingReaderIsAFaultNotACrash(t *testing.T) {
	cfg := SimulatedConfig(Simulated{Dir: t.TempDir(), Fast: true})
	r := newPCSCReader([]string{"No Such Reader*"}, usbGate{cfg: cfg, bus: usbtest.New(t).Bus(), log: discard()}, nil, nil)
	r.retry = 10 * time.Millisecond
	if r.log == nil {
		r.log = discard()
	}
	w, err := Build(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	k, err := session.New(session.Options{Devices: w.Devices, Settings: w.Settings})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go k.Run(ctx)
	views := k.Watch(ctx)
	go r.run(ctx, k, newFaultBoard(k))
	deadline := time.After(5 * time.Second)
	for {
		select {
		case v := <-views:
			if v.Fault == session.ErrCodeNoReader {
				return
			}
		case <-deadline:
			t.Fatal("no reader, and the kiosk was not told")
		}
	}
}
