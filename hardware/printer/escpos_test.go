package printer

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/app/revisit"
)

// The expected bytes are written out from the ESC/POS command reference,
// not produced by the decoder, so encoder and decoder cannot share a mistake.
func TestEncoderEmitsTheReferenceBytes(t *testing.T) {
	var e Encoder
	e.Init()
	e.Align(AlignCenter)
	e.Size(6, 6)
	e.Line("受付")
	e.QR("42", 6, QRLevelM)
	e.Cut()
	got, err := e.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{
		0x1b, 0x40, // ESC @
		0x1b, 0x74, 0x01, // ESC t 1
		0x1c, 0x43, 0x01, // FS C 1
		0x1c, 0x26, // FS &
		0x1b, 0x61, 0x01, // ESC a 1
		0x1d, 0x21, 0x55, // GS ! (5<<4 | 5)
		0x8e, 0xf3, 0x95, 0x74, 0x0a, // 受付 in Shift_JIS, LF
		0x1d, 0x28, 0x6b, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00, // model 2
		0x1d, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x43, 0x06, // module 6 dots
		0x1d, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x45, 0x31, // level M
		0x1d, 0x28, 0x6b, 0x05, 0x00, 0x31, 0x50, 0x30, '4', '2', // store "42"
		0x1d, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x51, 0x30, // print
		0x1d, 0x56, 0x42, 0x00, // GS V 66 0
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("stream\n got % x\nwant % x", got, want)
	}
}

func TestShiftJISRefusesWhatItCannotCarry(t *testing.T) {
	for _, s := range []string{"𠮷田医院", "クリニック😀", "A\x1bB", "内科\n", "髙橋医院", "①内科", "㈱"} {
		_, err := ShiftJIS(s)
		var ue *UnencodableError
		if !errors.As(err, &ue) || !errors.Is(err, ErrUnencodable) || !errors.Is(err, revisit.ErrBadTicket) {
			t.Errorf("%q: got %v, want an UnencodableError", s, err)
		}
	}
	got, err := ShiftJIS("ｻｸﾗ高橋No.1")
	if err != nil {
		t.Fatal(err)
	}
	if want := []byte{0xbb, 0xb8, 0xd7, 0x8d, 0x82, 0x8b, 0xb4, 'N', 'o', '.', '1'}; !bytes.Equal(got, want) {
		t.Errorf("got % x, want % x", got, want)
	}
}

func TestEncoderStopsAtTheFirstError(t *testing.T) {
	var e Encoder
	e.Init()
	e.Text("𠮷")
	e.Line("fine")
	if _, err := e.Bytes(); !errors.Is(err, ErrUnencodable) {
		t.Fatalf("got %v", err)
	}
	for name, spoil := range map[string]func(*Encoder){
		"size 0":     func(e *Encoder) { e.Size(0, 1) },
		"size 9":     func(e *Encoder) { e.Size(1, 9) },
		"align":      func(e *Encoder) { e.Align(3) },
		"feed":       func(e *Encoder) { e.Feed(256) },
		"QR empty":   func(e *Encoder) { e.QR("", 6, QRLevelM) },
		"QR module":  func(e *Encoder) { e.QR("1", 17, QRLevelM) },
		"QR level":   func(e *Encoder) { e.QR("1", 6, 52) },
		"QR too big": func(e *Encoder) { e.QR(string(make([]byte, QRMaxData+1)), 6, QRLevelL) },
	} {
		var e Encoder
		spoil(&e)
		if _, err := e.Bytes(); !errors.Is(err, ErrBadParameter) {
			t.Errorf("%s: got %v, want ErrBadParameter", name, err)
		}
	}
}

func TestTicketBytesValidatesFirst(t *testing.T) {
	_, err := TicketBytes(revisit.Ticket{Number: 0, Issued: time.Now(), ClinicName: "医院"})
	if !errors.Is(err, revisit.ErrBadTicket) {
		t.Fatalf("got %v", err)
	}
}

func TestStatusBytesDecode(t *testing.T) {
	cases := []struct {
		name                          string
		printer, offline, errs, paper byte
		want                          revisit.PrinterStatus
	}{
		{"ready", 0x12, 0x12, 0x12, 0x12, revisit.PrinterStatus{}},
		{"near end", 0x12, 0x12, 0x12, 0x1e, revisit.PrinterStatus{PaperNearEnd: true}},
		{"cover", 0x1a, 0x16, 0x12, 0x12, revisit.PrinterStatus{Offline: true, CoverOpen: true}},
		{"paper end", 0x1a, 0x32, 0x12, 0x72, revisit.PrinterStatus{Offline: true, PaperOut: true}},
		{"cutter error", 0x12, 0x12, 0x1a, 0x12, revisit.PrinterStatus{Offline: true}},
	}
	for _, c := range cases {
		if got := decodeStatus(c.printer, c.offline, c.errs, c.paper); got != c.want {
			t.Errorf("%s: got %+v, want %+v", c.name, got, c.want)
		}
	}
	if err := checkStatusByte(1, 0x00); !errors.Is(err, ErrBadStatus) {
		t.Errorf("a byte without the fixed bits: got %v", err)
	}
	if _, err := decodePaper(0x12); !errors.Is(err, ErrBadStatus) {
		t.Errorf("a DLE EOT answer taken for GS r: got %v", err)
	}
}

func TestAddressesAreChecked(t *testing.T) {
	for _, a := range []string{"", "printer", ":9100", "host:"} {
		if _, err := Network(a); !errors.Is(err, ErrBadAddress) {
			t.Errorf("Network(%q): got %v", a, err)
		}
	}
	if _, err := Device("usb/lp0"); !errors.Is(err, ErrBadAddress) {
		t.Errorf("relative device path: got %v", err)
	}
}
