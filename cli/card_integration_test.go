//go:build integration

package cli

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/hardware/pcsc"
	"github.com/uketsuke/uketsuke/sim/vpcd"
)

func TestIntegrationCardCommandsThroughPcscd(t *testing.T) {
	pc, err := pcsc.Establish(pcsc.AllowList{"Virtual PCD*"})
	if err != nil {
		if os.Getenv("UKETSUKE_REQUIRE_PCSC") == "1" {
			t.Fatal(err)
		}
		t.Skipf("no pcscd (%v); `make test` runs this with a real pcscd", err)
	}
	defer pc.Close()
	card, _, err := newVirtualCard("", "none")
	if err != nil {
		t.Fatal(err)
	}
	client := vpcd.New(vpcd.DefaultAddr, card)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { client.Run(ctx); close(done) }()
	defer func() {
		cancel()
		<-done
		wait, stop := context.WithTimeout(context.Background(), 15*time.Second)
		defer stop()
		pc.WaitFor(wait, "Virtual PCD 00 00", false)
	}()
	wait, stop := context.WithTimeout(context.Background(), 10*time.Second)
	defer stop()
	if err := pc.WaitFor(wait, "Virtual PCD 00 00", true); err != nil {
		t.Fatal(err)
	}

	out, err := runIn(t, "55021720352285\n1234\n", "card", "read", "--pin-fd", "0", "--json")
	if err != nil {
		t.Fatalf("card read: %v\n%s", err, out)
	}
	var rep readReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("card read printed %q: %v", out, err)
	}
	if rep.Signature != "valid" || rep.CardPresence != "proven" || rep.Birth != "1980-02-17" ||
		rep.Photo == nil || rep.Photo.Format != "J2K" || rep.JPKI == nil || rep.JPKI.Chain != "valid" || rep.JPKI.Signed != "ok" {
		t.Fatalf("card read report: %s", out)
	}
	if strings.Contains(out, "55021720352285") || strings.Contains(out, "2285") {
		t.Fatal("card read printed the 照合番号B or the security code")
	}

	out, err = runIn(t, "55021720350000\n", "card", "read", "--json")
	if err == nil || !strings.Contains(out, `"code_b_tries_left":9`) {
		t.Fatalf("wrong code: %v %s", err, out)
	}
	if card.TriesLeft("kenmen-code-b") != 9 {
		t.Fatal("the virtual card's counter disagrees")
	}
	out, err = runIn(t, "55021720352285\n", "card", "bench", "-n", "3")
	if err != nil || !strings.Contains(out, "median") {
		t.Fatalf("card bench: %v %s", err, out)
	}
	if card.TriesLeft("kenmen-code-b") != 10 {
		t.Fatal("a correct code did not reset the counter")
	}
}
