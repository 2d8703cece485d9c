package printer_test

import (
	"context"
	"errors"
	"image"
	"image/png"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	zxqr "github.com/makiuchi-d/gozxing/qrcode"

	"github.com/uketsuke/uketsuke/app/revisit"
	"github.com/uketsuke/uketsuke/hardware/printer"
	"github.com/uketsuke/uketsuke/hardware/printer/printertest"
)

func ticket(number int) revisit.Ticket {
	return revisit.Ticket{
		Number:     number,
		Department: "整形外科",
		Issued:     time.Date(2026, 12, 6, 9, 5, 0, 0, time.FixedZone("JST", 9*3600)),
		ClinicName: "さくら通り内科・小児科クリニック",
	}
}

func networkPrinter(t *testing.T, rec *printertest.Recorder) *printer.Printer {
	t.Helper()
	p, err := printer.Network(rec.ListenTCP(t))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestNetworkPrintsATicketThatParsesBack(t *testing.T) {
	rec := printertest.New()
	p := networkPrinter(t, rec)
	if err := p.Print(context.Background(), ticket(128)); err != nil {
		t.Fatal(err)
	}

	// Parse the stream the printer received, independently of the recorder's live decoding.
	streams := rec.Streams()
	if len(streams) != 1 {
		t.Fatalf("%d connections, want 1", len(streams))
	}
	cmds, err := printertest.Parse(streams[0])
	if err != nil {
		t.Fatal(err)
	}
	receipts, err := printertest.Interpret(cmds)
	if err != nil {
		t.Fatal(err)
	}
	if len(receipts) != 1 || !receipts[0].Cut {
		t.Fatalf("got %d receipts (%+v), want one cut ticket", len(receipts), receipts)
	}
	r := receipts[0]
	wantLines := []string{"さくら通り内科・小児科クリニック", "受付番号", "128", "整形外科", "2026年12月6日 09:05"}
	if got := r.Lines(); !reflect.DeepEqual(got, wantLines) {
		t.Errorf("lines %q, want %q", got, wantLines)
	}
	checkBlock(t, r, "128", 6)
	checkBlock(t, r, "整形外科", 2)
	checkBlock(t, r, "受付番号", 1)
	qr := onlyQR(t, r)
	if qr.Data != "128" || qr.Model != printer.QRModel2 {
		t.Errorf("QR %+v, want model 2 carrying 128", qr)
	}
	if printed := rec.Printed(); !reflect.DeepEqual(printed, receipts) {
		t.Errorf("the recorder printed %+v, the stream parses to %+v", printed, receipts)
	}

	img := render(t, r, "ticket-128.png")
	if got := decodeQR(t, img); got != "128" {
		t.Errorf("QR in the picture says %q, want 128", got)
	}
}

func checkBlock(t *testing.T, r printertest.Receipt, text string, size int) {
	t.Helper()
	for _, b := range r.Blocks {
		if b.Text() == text {
			if b.Align != printer.AlignCenter || len(b.Runs) != 1 || b.Runs[0].Width != size || b.Runs[0].Height != size {
				t.Errorf("%q printed as %+v, want centred at %dx%d", text, b, size, size)
			}
			return
		}
	}
	t.Errorf("no line %q", text)
}

func onlyQR(t *testing.T, r printertest.Receipt) printertest.QR {
	t.Helper()
	var qrs []printertest.QR
	for _, b := range r.Blocks {
		if b.QR != nil {
			qrs = append(qrs, *b.QR)
		}
	}
	if len(qrs) != 1 {
		t.Fatalf("%d QR codes, want 1", len(qrs))
	}
	return qrs[0]
}

// render draws the receipt and keeps it in build/tickets/ to be looked at.
func render(t *testing.T, r printertest.Receipt, name string) image.Image {
	t.Helper()
	img, err := printertest.Render(r)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(moduleRoot(t), "build", "tickets")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	t.Logf("ticket drawn to %s", f.Name())
	return img
}

func moduleRoot(t *testing.T) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test")
		}
		dir = parent
	}
}

// decodeQR reads the QR code back from the picture with a decoder that
// shares nothing with the encoder that drew it.
func decodeQR(t *testing.T, img image.Image) string {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := zxqr.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_TRY_HARDER: true})
	if err != nil {
		t.Fatalf("no QR code found in the ticket: %v", err)
	}
	return res.GetText()
}

func TestDevicePrintsATicket(t *testing.T) {
	rec := printertest.New()
	p, err := printer.Device(rec.ServeDevice(t))
	if err != nil {
		t.Fatal(err)
	}
	tk := ticket(7)
	tk.Department = ""
	if err := p.Print(context.Background(), tk); err != nil {
		t.Fatal(err)
	}
	printed := rec.Printed()
	if len(printed) != 1 {
		t.Fatalf("%d tickets printed, want 1 (decoder errors %v)", len(printed), rec.Errors())
	}
	want := []string{"さくら通り内科・小児科クリニック", "受付番号", "7", "2026年12月6日 09:05"}
	if got := printed[0].Lines(); !reflect.DeepEqual(got, want) {
		t.Errorf("lines %q, want %q", got, want)
	}
	if qr := onlyQR(t, printed[0]); qr.Data != "7" {
		t.Errorf("QR carries %q", qr.Data)
	}
}

func TestFaultsStopTheTicketBeforeItIsSent(t *testing.T) {
	cases := []struct {
		faults printertest.Faults
		want   error
	}{
		{printertest.Faults{PaperOut: true}, revisit.ErrPaperOut},
		{printertest.Faults{CoverOpen: true}, revisit.ErrCoverOpen},
		{printertest.Faults{CoverOpen: true, PaperOut: true}, revisit.ErrCoverOpen},
		{printertest.Faults{Offline: true}, revisit.ErrOffline},
	}
	for _, c := range cases {
		rec := printertest.New()
		p := networkPrinter(t, rec)
		rec.SetFaults(c.faults)
		err := p.Print(context.Background(), ticket(3))
		if !errors.Is(err, c.want) {
			t.Errorf("%+v: got %v, want %v", c.faults, err, c.want)
		}
		rec.WaitEnded(t, 1)
		rec.SetFaults(printertest.Faults{})
		if n := len(rec.Printed()); n != 0 {
			t.Errorf("%+v: %d tickets printed after the fault was cleared, want none", c.faults, n)
		}
		if s := rec.Streams(); len(s) != 1 || strings.Contains(string(s[0]), "3") {
			t.Errorf("%+v: the ticket was sent: % x", c.faults, s)
		}
	}
}

func TestStatusReportsNearEndAndStillPrints(t *testing.T) {
	rec := printertest.New()
	p := networkPrinter(t, rec)
	rec.SetFaults(printertest.Faults{PaperNearEnd: true})
	st, err := p.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if want := (revisit.PrinterStatus{PaperNearEnd: true}); st != want {
		t.Errorf("status %+v, want %+v", st, want)
	}
	if err := p.Print(context.Background(), ticket(4)); err != nil {
		t.Fatalf("near end must still print: %v", err)
	}
	rec.SetFaults(printertest.Faults{PaperOut: true})
	if st, err := p.Status(context.Background()); err != nil || st.Err() != revisit.ErrPaperOut {
		t.Errorf("paper out: status %+v, %v", st, err)
	}
}

func TestPaperEndingMidTicketIsNotCountedNorPrintedLater(t *testing.T) {
	rec := printertest.New()
	p := networkPrinter(t, rec)
	p.ConfirmTimeout = 300 * time.Millisecond
	rec.PaperRunsOutAfter(3)
	err := p.Print(context.Background(), ticket(9))
	if !errors.Is(err, revisit.ErrPaperOut) {
		t.Fatalf("got %v, want ErrPaperOut", err)
	}
	rec.WaitEnded(t, 1)
	rec.SetFaults(printertest.Faults{}) // staff change the roll
	if n := len(rec.Printed()); n != 0 {
		t.Fatalf("%d tickets came out after the roll was changed, want none", n)
	}
	if err := p.Print(context.Background(), ticket(10)); err != nil {
		t.Fatal(err)
	}
	printed := rec.Printed()
	if len(printed) != 1 || onlyQR(t, printed[0]).Data != "10" {
		t.Fatalf("after the roll change: %+v, want ticket 10 alone", printed)
	}
}

func TestAFailedTicketIsClearedEvenWhenTheCallerGaveUp(t *testing.T) {
	rec := printertest.New()
	p := networkPrinter(t, rec)
	rec.PaperRunsOutAfter(2)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if err := p.Print(ctx, ticket(11)); !errors.Is(err, revisit.ErrOffline) && !errors.Is(err, revisit.ErrPaperOut) {
		t.Fatalf("got %v, want the ticket refused", err)
	}
	rec.WaitEnded(t, 1)
	rec.SetFaults(printertest.Faults{})
	if n := len(rec.Printed()); n != 0 {
		t.Fatalf("%d tickets came out after the roll was changed, want none", n)
	}
}

func TestUnencodableNameIsRefusedWithoutTouchingThePrinter(t *testing.T) {
	rec := printertest.New()
	p := networkPrinter(t, rec)
	tk := ticket(5)
	tk.ClinicName = "𠮷田医院"
	err := p.Print(context.Background(), tk)
	var ue *printer.UnencodableError
	if !errors.As(err, &ue) || ue.Rune != '𠮷' || !errors.Is(err, revisit.ErrBadTicket) {
		t.Fatalf("got %v, want an UnencodableError naming 𠮷", err)
	}
	if s := rec.Streams(); len(s) != 0 {
		t.Errorf("the printer was contacted: %q", s)
	}
}

func TestUnreachablePrinterIsOffline(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	p, err := printer.Network(addr)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Print(context.Background(), ticket(1)); !errors.Is(err, revisit.ErrOffline) {
		t.Fatalf("got %v, want ErrOffline", err)
	}
}

func TestSilentPrinterTimesOut(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() { // accepts and never answers, like a wedged printer
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
		}
	}()
	p, err := printer.Network(ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = p.Print(ctx, ticket(1))
	if !errors.Is(err, revisit.ErrOffline) {
		t.Fatalf("got %v, want ErrOffline", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v to give up, the context allowed 200ms", d)
	}
}
