package apdu

import (
	"bytes"
	"context"
	"errors"
	"testing"
)

func TestEncodeShortAndExtended(t *testing.T) {
	cases := []struct {
		name string
		cmd  Command
		want []byte
	}{
		{"case1", Command{0, 0x20, 0, 0x80, nil, 0}, []byte{0, 0x20, 0, 0x80}},
		{"case2 Le256", ReadBinary(0x0102, 256), []byte{0, 0xB0, 1, 2, 0}},
		{"case3", SelectEF(0x000A), []byte{0, 0xA4, 2, 0x0C, 2, 0, 0x0A}},
		{"case4", Command{0x80, 0x2A, 0, 0x80, []byte{1, 2}, 256}, []byte{0x80, 0x2A, 0, 0x80, 2, 1, 2, 0}},
		{"ext case2", Command{0, 0xB0, 0, 0, nil, 1000}, []byte{0, 0xB0, 0, 0, 0, 0x03, 0xE8}},
		{"ext case2 max", Command{0, 0xB0, 0, 0, nil, 65536}, []byte{0, 0xB0, 0, 0, 0, 0, 0}},
	}
	for _, c := range cases {
		got, err := c.cmd.Encode()
		if err != nil || !bytes.Equal(got, c.want) {
			t.Errorf("%s: got % X, %v; want % X", c.name, got, err, c.want)
		}
	}
	long := Command{CLA: 0, INS: 0x2A, Data: make([]byte, 300), Le: 10}
	got, _ := long.Encode()
	if len(got) != 4+3+300+2 || got[4] != 0 || got[5] != 0x01 || got[6] != 0x2C {
		t.Errorf("extended case4 header % X", got[:7])
	}
	if _, err := (Command{Data: make([]byte, 70000)}).Encode(); !errors.Is(err, ErrCommandTooLong) {
		t.Errorf("oversized command: %v", err)
	}
}

func TestReadBinaryOffsetIs15Bit(t *testing.T) {
	c := ReadBinary(0xFFFF, 1)
	if c.P1 != 0x7F || c.P2 != 0xFF {
		t.Fatalf("P1P2 %02X%02X", c.P1, c.P2)
	}
}

func TestCheckSWCategories(t *testing.T) {
	cases := map[uint16]error{
		0x63C0: ErrBlocked, 0x6983: ErrBlocked, 0x6984: ErrBlocked,
		0x6982: ErrSecurityStatus, 0x6A82: ErrNotFound, 0x6A86: ErrBadParameters,
		0x6700: ErrWrongLength, 0x6985: ErrConditions, 0x6B00: ErrEndOfFile,
		0x6282: ErrEndOfFile, 0x6D00: ErrNotSupported, 0x6F00: ErrCardStatus,
	}
	for sw, want := range cases {
		err := CheckSW(sw)
		if !errors.Is(err, want) {
			t.Errorf("%04X: %v, want %v", sw, err, want)
		}
		var se *StatusError
		if !errors.As(err, &se) || se.SW != sw {
			t.Errorf("%04X: not a StatusError carrying its SW", sw)
		}
	}
	if CheckSW(0x9000) != nil {
		t.Error("9000 is not an error")
	}
	err := CheckSW(0x63C2)
	if left, ok := TriesLeft(err); !ok || left != 2 || !errors.Is(err, ErrWrongCredential) {
		t.Errorf("63C2: %v left=%d ok=%v", err, left, ok)
	}
	if left, ok := TriesLeft(CheckSW(0x6984)); !ok || left != 0 {
		t.Error("blocked should mean zero tries")
	}
	if _, ok := TriesLeft(CheckSW(0x6A82)); ok {
		t.Error("not found says nothing about tries")
	}
}

// script answers each transmitted command with the next canned response.
type script struct {
	sent    [][]byte
	answers [][]byte
}

func (s *script) Transmit(_ context.Context, cmd []byte) ([]byte, error) {
	s.sent = append(s.sent, append([]byte(nil), cmd...))
	if len(s.answers) == 0 {
		return nil, ErrCardRemoved
	}
	a := s.answers[0]
	s.answers = s.answers[1:]
	return a, nil
}

func TestChannelFollowsGetResponse(t *testing.T) {
	s := &script{answers: [][]byte{{1, 2, 0x61, 0x02}, {3, 4, 0x90, 0x00}}}
	data, err := NewChannel(s).Do(context.Background(), ReadBinary(0, 4))
	if err != nil || !bytes.Equal(data, []byte{1, 2, 3, 4}) {
		t.Fatalf("got % X, %v", data, err)
	}
	if !bytes.Equal(s.sent[1], []byte{0, 0xC0, 0, 0, 2}) {
		t.Fatalf("GET RESPONSE was % X", s.sent[1])
	}
}

// A file read in chained pieces leaves none of them behind: only the
// joined answer holds the data.
func TestChannelWipesChainedPieces(t *testing.T) {
	first, second := []byte{1, 2, 0x61, 0x02}, []byte{3, 4, 0x90, 0x00}
	s := &script{answers: [][]byte{first, second}}
	data, err := NewChannel(s).Do(context.Background(), ReadBinary(0, 4))
	if err != nil || !bytes.Equal(data, []byte{1, 2, 3, 4}) {
		t.Fatalf("got % X, %v", data, err)
	}
	if !bytes.Equal(first[:2], []byte{0, 0}) || !bytes.Equal(second[:2], []byte{0, 0}) {
		t.Fatalf("pieces left: % X, % X", first, second)
	}
}

func TestChannelResendsWithCorrectLe(t *testing.T) {
	s := &script{answers: [][]byte{{0x6C, 0x03}, {7, 8, 9, 0x90, 0x00}}}
	data, err := NewChannel(s).Do(context.Background(), ReadBinary(0, 256))
	if err != nil || !bytes.Equal(data, []byte{7, 8, 9}) {
		t.Fatalf("got % X, %v", data, err)
	}
	if s.sent[1][4] != 3 {
		t.Fatalf("resent with Le %02X", s.sent[1][4])
	}
}

func TestChannelBoundsGetResponseLoop(t *testing.T) {
	s := &script{}
	for i := 0; i < 100; i++ {
		s.answers = append(s.answers, []byte{0x61, 0x01})
	}
	_, err := NewChannel(s).Do(context.Background(), ReadBinary(0, 1))
	if !errors.Is(err, ErrMalformedResponse) {
		t.Fatalf("endless 61xx: %v", err)
	}
}

func TestChannelReportsRemovalAndShortResponses(t *testing.T) {
	_, err := NewChannel(&script{}).Do(context.Background(), SelectEF(1))
	if !errors.Is(err, ErrCardRemoved) {
		t.Fatalf("removed: %v", err)
	}
	_, err = NewChannel(&script{answers: [][]byte{{0x90}}}).Do(context.Background(), SelectEF(1))
	if !errors.Is(err, ErrMalformedResponse) {
		t.Fatalf("1-byte response: %v", err)
	}
}

func TestChannelWipesCommandBytes(t *testing.T) {
	s := &wipeCheck{}
	_, _ = NewChannel(s).Do(context.Background(), Verify([]byte("1234")))
	if bytes.Contains(s.buf, []byte("1234")) {
		t.Fatal("PIN left in the encoded command after transmit")
	}
}

type wipeCheck struct{ buf []byte }

func (w *wipeCheck) Transmit(_ context.Context, cmd []byte) ([]byte, error) {
	w.buf = cmd // keep the caller's slice to see whether it is wiped afterwards
	return []byte{0x90, 0}, nil
}

func FuzzChannelResponses(f *testing.F) {
	f.Add([]byte{0x61, 0x00}, []byte{0x90, 0x00})
	f.Add([]byte{0x6C, 0x10}, []byte{0x63, 0xC1})
	f.Add([]byte{}, []byte{0x01})
	f.Fuzz(func(t *testing.T, first, second []byte) {
		s := &script{answers: [][]byte{first, second, second, second}}
		data, err := NewChannel(s).Do(context.Background(), ReadBinary(0, 256))
		if err == nil && len(data) > len(first)+3*len(second) {
			t.Fatalf("more data than the card sent")
		}
	})
}

func TestParseCommandRoundTrip(t *testing.T) {
	cmds := []Command{
		{0, 0x20, 0, 0x80, nil, 0},
		ReadBinary(5, 256),
		ReadBinary(5, 17),
		SelectDF([]byte{0xD3, 0x92, 0xF0, 0, 0x26, 1, 0, 0, 0, 1}),
		{0x80, 0x2A, 0, 0x80, make([]byte, 51), 256},
		{0, 0xB0, 0, 0, nil, 4000},
		{0, 0xD6, 0, 0, make([]byte, 600), 0},
		{0, 0x2A, 0, 0, make([]byte, 600), 65536},
	}
	for _, c := range cmds {
		raw, err := c.Encode()
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseCommand(raw)
		if err != nil || back.CLA != c.CLA || back.INS != c.INS || back.P1 != c.P1 || back.P2 != c.P2 ||
			len(back.Data) != len(c.Data) || back.Le != c.Le {
			t.Errorf("%v: parsed %v, %v", c, back, err)
		}
	}
	for _, bad := range [][]byte{{0, 0xA4}, {0, 0xA4, 2, 0x0C, 5, 1}, {0, 0xA4, 0, 0, 0, 0, 9, 1}} {
		if _, err := ParseCommand(bad); err == nil {
			t.Errorf("% X parsed", bad)
		}
	}
}

func FuzzParseCommand(f *testing.F) {
	f.Add([]byte{0, 0xA4, 2, 0x0C, 2, 0, 0x0A})
	f.Add([]byte{0, 0xB0, 0, 0, 0, 0x10, 0})
	f.Fuzz(func(t *testing.T, raw []byte) {
		c, err := ParseCommand(raw)
		if err != nil {
			return
		}
		again, err := c.Encode()
		if err != nil {
			t.Fatalf("parsed command does not encode: %v", err)
		}
		if back, err := ParseCommand(again); err != nil || len(back.Data) != len(c.Data) || back.Le != c.Le {
			t.Fatalf("re-encoded command parses differently: %v", err)
		}
	})
}
