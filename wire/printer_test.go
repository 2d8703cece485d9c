package wire

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/app/config"
	"github.com/uketsuke/uketsuke/app/revisit"
	"github.com/uketsuke/uketsuke/hardware/printer/printertest"
)

func TestTheConfiguredPrinterPrintsThroughTheRoot(t *testing.T) {
	rec := printertest.New()
	cfg := SimulatedConfig(Simulated{Dir: t.TempDir(), Fast: true})
	cfg.Parts.Printer = &config.Printer{Kind: config.KindNetwork, Address: rec.ListenTCP(t)}
	w, err := Build(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if w.Printer == nil {
		t.Fatal("no printer in the world")
	}
	tk := revisit.Ticket{Number: 1, ClinicName: "テスト医院", Issued: time.Now()}
	if err := w.Printer.Print(context.Background(), tk); err != nil {
		t.Fatal(err)
	}
	if got := rec.Printed(); len(got) != 1 || got[0].Lines()[0] != "テスト医院" {
		t.Fatalf("printed %+v", got)
	}
	plan, err := PlanOf(cfg, false)
	if err != nil {
		t.Fatal(err)
	}
	if plan.Printer["kind"] != config.KindNetwork || plan.Printer["address"] != cfg.Parts.Printer.Address {
		t.Errorf("plan names the printer as %v", plan.Printer)
	}
}

func TestNoPrinterConfiguredIsNil(t *testing.T) {
	cfg := SimulatedConfig(Simulated{Dir: t.TempDir(), Fast: true})
	w, err := Build(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if w.Printer != nil {
		t.Fatalf("a printer appeared without configuration: %v", w.Printer)
	}
	cfg.Parts.Printer = &config.Printer{Kind: config.KindUSB, Device: "usb/lp0"}
	var ve *config.ValidationError
	if _, err := Build(cfg, Options{}); !errors.Is(err, ErrConfig) || !errors.As(err, &ve) || ve.Field != "parts.printer.device" {
		t.Fatalf("a bad device path: %v", err)
	}
}
