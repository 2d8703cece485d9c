package mynacard

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/uketsuke/uketsuke/app/apdu"
	"github.com/uketsuke/uketsuke/app/tlv"
)

// scriptCard answers each command with answer's bytes and records what it
// was sent (a copy: the channel wipes what it transmitted).
type scriptCard struct {
	answer func(cmd apdu.Command) []byte
	sent   []apdu.Command
}

func (s *scriptCard) Transmit(_ context.Context, raw []byte) ([]byte, error) {
	cmd, err := apdu.ParseCommand(raw)
	if err != nil {
		return nil, err
	}
	cmd.Data = bytes.Clone(cmd.Data)
	s.sent = append(s.sent, cmd)
	return s.answer(cmd), nil
}

var (
	sw9000 = []byte{0x90, 0x00}
	sw6A82 = []byte{0x6A, 0x82}
	// A next-generation application's AID, made up for these tests.
	newAID = []byte{0xD3, 0x92, 0xF0, 0x00, 0x26, 0x02, 0x00, 0x00, 0x00, 0x01}
	jukiAP = []byte{0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x01}
)

func fciOf(name []byte) []byte {
	return append(tlv.Append(nil, 0x6F, tlv.Append(tlv.Append(nil, 0x84, name), 0xA5, nil)), sw9000...)
}

func dirTemplate(aid []byte, label string) []byte {
	inner := tlv.Append(nil, 0x4F, aid)
	if label != "" {
		inner = tlv.Append(inner, 0x50, []byte(label))
	}
	return tlv.Append(nil, 0x61, inner)
}

func isPartialSelect(cmd apdu.Command) bool {
	return cmd.INS == 0xA4 && cmd.P1 == 0x04 && !bytes.Equal(cmd.Data, aids[appJPKI])
}

// checkHarmless fails on any command beyond the probe's: no VERIFY, no EF
// of an application, nothing that writes.
func checkHarmless(t *testing.T, sent []apdu.Command) {
	t.Helper()
	for _, c := range sent {
		switch {
		case c.CLA != 0x00:
		case c.INS == 0xA4 && c.P1 == 0x04 && (c.P2 == 0x00 || c.P2 == 0x02 || c.P2 == 0x0C):
			continue
		case c.INS == 0xA4 && c.P1 == 0x00 && bytes.Equal(c.Data, []byte{0x3F, 0x00}):
			continue
		case c.INS == 0xA4 && c.P1 == 0x02 && bytes.Equal(c.Data, []byte{0x2F, 0x00}):
			continue // EF.DIR
		case c.INS == 0xA4 && c.P1 == 0x02 && bytes.Equal(c.Data, []byte{0x00, 0x06}):
			continue // JPKI-AP's token information, when there is a JPKI-AP
		case c.INS == 0xB2 || c.INS == 0xB0 || c.INS == 0xC0:
			continue
		}
		t.Errorf("the probe sent %v % X", c, c.Data)
	}
}

func detect(t *testing.T, answer func(apdu.Command) []byte) (*scriptCard, Kind, error) {
	t.Helper()
	card := &scriptCard{answer: answer}
	kind, err := Open(card).Detect(context.Background())
	checkHarmless(t, card.sent)
	return card, kind, err
}

func TestNextGenerationFoundByPartialSelect(t *testing.T) {
	card, kind, err := detect(t, func(cmd apdu.Command) []byte {
		if isPartialSelect(cmd) && bytes.HasPrefix(newAID, cmd.Data) && cmd.P2 == 0x00 {
			return fciOf(newAID)
		}
		return sw6A82
	})
	var newer *UnsupportedGenerationError
	if !errors.As(err, &newer) || !errors.Is(err, ErrUnsupportedGeneration) || kind != KindUnknown {
		t.Fatalf("kind %v, %v", kind, err)
	}
	if !bytes.Equal(newer.App.AID, newAID) {
		t.Fatalf("found % X", newer.App.AID)
	}
	// JPKI-AP by its full name, then the first prefix, which found it.
	if len(card.sent) != 2 || !bytes.Equal(card.sent[1].Data, probePrefixes[0]) || card.sent[1].Le != 256 {
		t.Fatalf("sent %v", card.sent)
	}
}

func TestTodaysApplicationsAreNotANewerCard(t *testing.T) {
	// A card with today's 住基AP and 券面AP but no JPKI-AP: odd, not newer.
	apps := [][]byte{jukiAP, aids[appKenmen]}
	next := 0
	_, _, err := detect(t, func(cmd apdu.Command) []byte {
		if !isPartialSelect(cmd) || !bytes.HasPrefix(apps[0], cmd.Data) {
			return sw6A82
		}
		if cmd.P2 == 0x00 {
			next = 0
		}
		if next == len(apps) {
			return sw6A82
		}
		next++
		return fciOf(apps[next-1])
	})
	if !errors.Is(err, ErrNotMyNumberCard) || errors.Is(err, ErrUnsupportedGeneration) {
		t.Fatalf("%v", err)
	}
}

func TestNextGenerationFoundInEFDIR(t *testing.T) {
	for _, records := range []bool{true, false} {
		dir := append(dirTemplate(aids[appKenmen], ""), dirTemplate(newAID, "AUTH-AP")...)
		_, _, err := detect(t, func(cmd apdu.Command) []byte {
			switch {
			case isPartialSelect(cmd):
				return []byte{0x6A, 0x86} // no partial selection on this card
			case cmd.INS == 0xA4 && cmd.P1 == 0x04:
				return sw6A82 // JPKI-AP
			case cmd.INS == 0xA4:
				return sw9000 // MF, EF.DIR
			case cmd.INS == 0xB2 && records && cmd.P1 == 1:
				return append(dirTemplate(aids[appKenmen], ""), sw9000...)
			case cmd.INS == 0xB2 && records && cmd.P1 == 2:
				return append(dirTemplate(newAID, "AUTH-AP"), sw9000...)
			case cmd.INS == 0xB2 && records:
				return []byte{0x6A, 0x83}
			case cmd.INS == 0xB2:
				return []byte{0x69, 0x81} // a transparent EF.DIR
			case cmd.INS == 0xB0:
				return append(bytes.Clone(dir), sw9000...)
			}
			return sw6A82
		})
		var newer *UnsupportedGenerationError
		if !errors.As(err, &newer) || !bytes.Equal(newer.App.AID, newAID) || newer.App.Label != "AUTH-AP" {
			t.Fatalf("records %v: %v", records, err)
		}
	}
}

// A transparent EF.DIR longer than one READ BINARY, padded, whose last
// chunk ends in 6282: read in chunks, and the application at its end found.
func TestLongTransparentEFDIR(t *testing.T) {
	var dir []byte
	for range 24 {
		dir = append(dir, dirTemplate(aids[appHojo], "TEXT-AP")...)
	}
	dir = append(append(dir, dirTemplate(newAID, "")...), 0xFF, 0xFF, 0xFF)
	if len(dir) <= 2*readChunk {
		t.Fatalf("EF.DIR of %d bytes is too short for the test", len(dir))
	}
	_, _, err := detect(t, func(cmd apdu.Command) []byte {
		switch {
		case cmd.INS == 0xA4 && cmd.P1 == 0x04:
			return sw6A82
		case cmd.INS == 0xA4:
			return sw9000
		case cmd.INS == 0xB2:
			return []byte{0x69, 0x81}
		case cmd.INS == 0xB0:
			off := int(cmd.P1)<<8 | int(cmd.P2)
			end := min(off+cmd.Le, len(dir))
			if end == len(dir) {
				return append(bytes.Clone(dir[off:end]), 0x62, 0x82)
			}
			return append(bytes.Clone(dir[off:end]), sw9000...)
		}
		return sw6A82
	})
	var newer *UnsupportedGenerationError
	if !errors.As(err, &newer) || !bytes.Equal(newer.App.AID, newAID) {
		t.Fatalf("%v", err)
	}
}

func TestPlainCardStaysNotAMyNumberCard(t *testing.T) {
	card, _, err := detect(t, func(apdu.Command) []byte { return sw6A82 })
	if !errors.Is(err, ErrNotMyNumberCard) || errors.Is(err, ErrUnsupportedGeneration) {
		t.Fatalf("%v", err)
	}
	// JPKI-AP, three prefixes, the MF: five commands for a foreign card.
	if len(card.sent) != 5 {
		t.Fatalf("%d commands", len(card.sent))
	}
}

func TestProbeForgetsTheSelection(t *testing.T) {
	c := Open(&scriptCard{answer: func(cmd apdu.Command) []byte {
		if isPartialSelect(cmd) {
			return fciOf(append(bytes.Clone(cmd.Data), make([]byte, 5)...)[:10])
		}
		return sw6A82
	}})
	if _, err := c.Detect(context.Background()); !errors.Is(err, ErrUnsupportedGeneration) {
		t.Fatal(err)
	}
	if c.current != appNone {
		t.Fatalf("the card thinks %v is selected", c.current)
	}
	// The relay must not reach the newer application.
	if _, err := c.Relay(context.Background(), []byte{0x00, 0xB0, 0x00, 0x00, 0x00}); !errors.Is(err, ErrRelayRefused) {
		t.Fatalf("relay after the probe: %v", err)
	}
}

func TestUnsupportedGenerationErrorSaysWhatItFound(t *testing.T) {
	e := &UnsupportedGenerationError{App: FoundApp{AID: newAID, Label: "AUTH"}}
	if got := e.Error(); !bytes.Contains([]byte(got), []byte("D392F00026020000000")) || !errors.Is(e, ErrUnsupportedGeneration) {
		t.Fatalf("%q", got)
	}
}
