package printertest

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/app/revisit"
	"github.com/uketsuke/uketsuke/hardware/printer"
)

func ticketStream(t testing.TB) []byte {
	b, err := printer.TicketBytes(revisit.Ticket{Number: 31, Department: "眼科", ClinicName: "みどり眼科", Issued: time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecoderRefusesWhatItDoesNotKnow(t *testing.T) {
	cases := map[string][]byte{
		"bold (ESC E)":        {0x1b, 'E', 1},
		"barcode (GS k)":      {0x1d, 'k', 4, '1', 0},
		"bare 0x80":           {0x80},
		"DEL":                 {0x7f},
		"carriage return":     {0x0d},
		"size with bit 3":     {0x1d, '!', 0x08},
		"alignment 3":         {0x1b, 'a', 3},
		"code system 3":       {0x1c, 'C', 3},
		"PDF417 (cn 48)":      {0x1d, '(', 'k', 3, 0, 48, 65, 0},
		"QR transmit size":    {0x1d, '(', 'k', 3, 0, 49, 82, 48},
		"QR module 17":        {0x1d, '(', 'k', 3, 0, 49, 67, 17},
		"QR print other m":    {0x1d, '(', 'k', 3, 0, 49, 81, 49},
		"DLE EOT 5":           {0x10, 0x04, 5},
		"DLE DC4 other fn":    {0x10, 0x14, 1, 0, 1},
		"cut 2":               {0x1d, 'V', 2},
		"lead without trail":  {0x1c, '&', 0x88, 0x0a},
		"GS ( other function": {0x1d, '(', 'L', 2, 0, 48, 50},
	}
	for name, stream := range cases {
		if _, err := Parse(stream); !errors.Is(err, ErrUnknownCommand) {
			t.Errorf("%s: got %v, want ErrUnknownCommand", name, err)
		}
	}
}

func TestDecoderRefusesTruncatedCommands(t *testing.T) {
	full := ticketStream(t)
	truncated := 0
	for n := 1; n < len(full); n++ {
		_, err := Parse(full[:n])
		if errors.Is(err, ErrTruncated) {
			truncated++
		} else if err != nil {
			t.Fatalf("prefix of %d bytes: %v", n, err)
		}
	}
	if truncated == 0 {
		t.Fatal("no prefix was found truncated")
	}
	if _, err := Parse([]byte{0x1d, '(', 'k', 10, 0, 49, 80, 48, '1'}); !errors.Is(err, ErrTruncated) {
		t.Errorf("short QR store: got %v", err)
	}
}

func TestInterpretRefusesMisplacedCommands(t *testing.T) {
	cases := map[string][]byte{
		"kanji without Kanji mode": {0x1c, 'C', 1, 0x8e, 0xf3, 0x0a},
		"kanji in JIS code system": {0x1c, 'C', 0, 0x1c, '&', 0x8e, 0xf3, 0x0a},
		"katakana on page 0":       {0xb1, 0x0a},
		"alignment mid-line":       {'A', 0x1b, 'a', 1, 0x0a},
		"QR print with no data":    {0x1d, '(', 'k', 3, 0, 49, 81, 48},
		"QR mid-line":              {'A', 0x1d, '(', 'k', 4, 0, 49, 80, 48, '1', 0x1d, '(', 'k', 3, 0, 49, 81, 48},
		"init drops text":          {'A', 0x1b, '@'},
		"unassigned Shift_JIS":     {0x1c, 'C', 1, 0x1c, '&', 0x85, 0x40, 0x0a},
	}
	for name, stream := range cases {
		cmds, err := Parse(stream)
		if err != nil {
			t.Fatalf("%s: parse: %v", name, err)
		}
		if _, err := Interpret(cmds); !errors.Is(err, ErrBadSequence) {
			t.Errorf("%s: got %v, want ErrBadSequence", name, err)
		}
	}
}

func TestLiveDecoderDoesNotWaitPastACommand(t *testing.T) {
	pr, pw := io.Pipe()
	d := NewDecoder(pr)
	go pw.Write([]byte("AB\x10\x04\x01"))
	got := make(chan []Command)
	go func() {
		var cmds []Command
		for len(cmds) < 2 {
			c, err := d.Next()
			if err != nil {
				break
			}
			cmds = append(cmds, c)
		}
		got <- cmds
	}()
	select {
	case cmds := <-got:
		if len(cmds) != 2 || cmds[0].Op != OpText || cmds[1].Op != OpRealTimeStatus {
			t.Fatalf("got %+v", cmds)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("the decoder waited for bytes after the status request")
	}
	pw.Close()
}

func TestInterpretKeepsSeveralReceiptsApart(t *testing.T) {
	one := ticketStream(t)
	cmds, err := Parse(append(bytes.Clone(one), one...))
	if err != nil {
		t.Fatal(err)
	}
	rs, err := Interpret(cmds)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 || !rs[0].Cut || !rs[1].Cut || len(rs[0].Blocks) != len(rs[1].Blocks) {
		t.Fatalf("got %d receipts: %+v", len(rs), rs)
	}
}

// FuzzDecode feeds the decoder and the interpreter arbitrary streams: they
// refuse with an error, never panic, and whatever parses renders.
func FuzzDecode(f *testing.F) {
	f.Add(ticketStream(f))
	f.Add([]byte{0x10, 0x04, 0x01, 0x1d, 'r', 1})
	f.Add([]byte{0x1d, '(', 'k', 3, 0, 49, 81, 48})
	f.Add(printer.ClearBuffers)
	f.Fuzz(func(t *testing.T, stream []byte) {
		cmds, err := Parse(stream)
		if err != nil {
			if !errors.Is(err, ErrUnknownCommand) && !errors.Is(err, ErrTruncated) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		receipts, err := Interpret(cmds)
		if err != nil {
			return
		}
		for _, r := range receipts {
			if _, err := Render(r); err != nil && !errors.Is(err, ErrCannotRender) && !errors.Is(err, ErrNoFont) {
				t.Fatalf("render: %v", err)
			}
		}
	})
}

func TestRenderRefusesEndlessPaper(t *testing.T) {
	r := Receipt{}
	for range 100 {
		r.Blocks = append(r.Blocks, Block{Feed: 255})
	}
	if _, err := Render(r); !errors.Is(err, ErrCannotRender) {
		t.Fatalf("got %v, want ErrCannotRender", err)
	}
}
