package mynacard

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/uketsuke/uketsuke/app/apdu"
)

// recorder is a card that answers 9000 (with data to reads) and keeps every
// command that reached it.
type recorder struct{ sent [][]byte }

func (r *recorder) Transmit(_ context.Context, raw []byte) ([]byte, error) {
	r.sent = append(r.sent, bytes.Clone(raw))
	if len(raw) > 1 && raw[1] == insReadBinary {
		return []byte{0x30, 0x82, 0x90, 0x00}, nil
	}
	return []byte{0x90, 0x00}, nil
}

func encode(t testing.TB, c apdu.Command) []byte {
	t.Helper()
	b, err := c.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// relayedTo opens a card and relays the selections that leave JPKI-AP and
// file fid selected, the most the relay ever allows.
func relayedTo(t testing.TB, fid uint16) (*Card, *recorder) {
	rec := &recorder{}
	c := Open(rec)
	for _, cmd := range []apdu.Command{apdu.SelectDF(aids[appJPKI]), apdu.SelectEF(fid)} {
		if _, err := c.Relay(context.Background(), encode(t, cmd)); err != nil {
			t.Fatal(err)
		}
	}
	rec.sent = nil
	return c, rec
}

// The classes an attacker may try: plain, logical channels 1–3 and 4–19,
// secure messaging, chaining, proprietary, and their mixtures.
var attackCLAs = func() []byte {
	out := []byte{0x00, 0x01, 0x02, 0x03, 0x04, 0x08, 0x0C, 0x10, 0x14, 0x1C, 0x80, 0x84, 0x8C, 0x90, 0x94, 0xA0, 0xB0, 0xC0, 0xE0, 0xFF}
	for c := 0x40; c <= 0x4F; c++ {
		out = append(out, byte(c))
	}
	for c := 0x60; c <= 0x6F; c++ {
		out = append(out, byte(c))
	}
	return out
}()

// Parameter pairs: the allowed commands' own, and ones that change their meaning.
var attackP1P2 = [][2]byte{{0, 0}, {0x04, 0x0C}, {0x04, 0x00}, {0x02, 0x0C}, {0x00, 0x0C}, {0x08, 0x0C}, {0x09, 0x0C}, {0x00, 0x81}, {0x00, 0x80}, {0x81, 0x00}, {0x8A, 0x00}, {0x01, 0x00}, {0x00, 0x01}}

// Bodies: none, Le alone, a file id (public, key, PIN), JPKI-AP's and other
// AIDs, a nonce, a PIN.
var attackBodies = [][]byte{
	nil, {0x08}, {0x00}, {0x04},
	{0x02, 0x00, 0x0A}, {0x02, 0x00, 0x17}, {0x02, 0x00, 0x18}, {0x02, 0x00, 0x1B}, {0x02, 0x3F, 0x00},
	append([]byte{0x0A}, aids[appJPKI]...), append([]byte{0x0A}, aids[appKenmen]...), append([]byte{0x0A}, aids[appHojo]...),
	append(append([]byte{0x20}, make([]byte, 32)...), 0x00), {0x04, '1', '2', '3', '4'}, {0x08, '1', '2', '3', '4', '5', '6', '7', '8'},
}

// allowedShape is the test's own statement of the exchange's commands.
func allowedShape(raw []byte, selected uint16) bool {
	h, body := [4]byte(raw[:4]), raw[4:]
	aid := append([]byte{0x0A}, aids[appJPKI]...)
	switch {
	case h == [4]byte{0x00, 0xA4, 0x04, 0x0C}:
		return bytes.Equal(body, aid)
	case h == [4]byte{0x00, 0xA4, 0x02, 0x0C}:
		return len(body) == 3 && body[0] == 2 && body[1] == 0 && (body[2] == 0x0A || body[2] == 0x0B || body[2] == 0x06 || body[2] == 0x17)
	case raw[0] == 0x00 && raw[1] == 0xB0 && raw[2] < 0x80:
		return len(body) == 1 && selected != 0x0017
	case (h == [4]byte{0x80, 0xA2, 0, 0} || h == [4]byte{0x90, 0xA2, 0, 0} ||
		h == [4]byte{0x00, 0x82, 0, 0} || h == [4]byte{0x10, 0x82, 0, 0}):
		return len(body) > 1 && int(body[0]) == len(body)-1
	case h == [4]byte{0x00, 0x84, 0, 0}:
		return bytes.Equal(body, []byte{0x08})
	case h == [4]byte{0x00, 0x88, 0x00, 0x81}:
		return len(body) >= 33 && body[0] == 32 && len(body) <= 34 && selected == 0x0017
	}
	return false
}

func TestRelayForwardsOnlyTheExchange(t *testing.T) {
	ctx := context.Background()
	reached := map[[2]byte]bool{}
	var (
		c   *Card
		rec *recorder
	)
	for _, selected := range []uint16{0x000A, 0x0017} {
		c = nil
		for _, cla := range attackCLAs {
			for ins := 0; ins <= 0xFF; ins++ {
				for _, p := range attackP1P2 {
					for _, body := range attackBodies {
						raw := append([]byte{cla, byte(ins), p[0], p[1]}, body...)
						if c == nil {
							c, rec = relayedTo(t, selected)
						}
						_, err := c.Relay(ctx, raw)
						want := allowedShape(raw, selected)
						if got := len(rec.sent) == 1; got != want {
							t.Fatalf("EF %04X selected: % X reached the card: %v, want %v (%v)", selected, raw, got, want, err)
						}
						if !want && !errors.Is(err, ErrRelayRefused) {
							t.Fatalf("% X refused with %v", raw, err)
						}
						if want {
							reached[[2]byte{cla, byte(ins)}] = true
							c = nil // it may have changed the selection
						}
					}
				}
			}
		}
	}
	for _, ci := range [][2]byte{{0x00, 0xA4}, {0x00, 0xB0}, {0x80, 0xA2}, {0x90, 0xA2}, {0x00, 0x84}, {0x00, 0x82}, {0x10, 0x82}, {0x00, 0x88}} {
		if !reached[ci] {
			t.Errorf("%02X %02X of the exchange never reached the card", ci[0], ci[1])
		}
		delete(reached, ci)
	}
	if len(reached) > 0 {
		t.Errorf("other commands reached the card: %v", reached)
	}
}

func TestRelayRefusesCredentialsChannelsAndOtherFiles(t *testing.T) {
	attacks := map[string][]byte{
		"VERIFY with a PIN":               {0x00, 0x20, 0x00, 0x80, 0x04, '1', '2', '3', '4'},
		"empty VERIFY (tries query)":      {0x00, 0x20, 0x00, 0x80},
		"VERIFY INS 21":                   {0x00, 0x21, 0x00, 0x80, 0x04, '1', '2', '3', '4'},
		"CHANGE REFERENCE DATA":           {0x00, 0x24, 0x00, 0x80, 0x08, '1', '2', '3', '4', '5', '6', '7', '8'},
		"RESET RETRY COUNTER":             {0x00, 0x2C, 0x03, 0x80},
		"MANAGE CHANNEL open":             {0x00, 0x70, 0x00, 0x00, 0x01},
		"SELECT the PIN file":             {0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x18},
		"SELECT 署名用 key":                  {0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x1A},
		"SELECT by path":                  {0x00, 0xA4, 0x08, 0x0C, 0x04, 0xD0, 0x01, 0x00, 0x05},
		"SELECT MF":                       {0x00, 0xA4, 0x00, 0x0C, 0x02, 0x3F, 0x00},
		"SELECT on channel 1":             {0x01, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x0A},
		"READ BINARY by short EF id":      {0x00, 0xB0, 0x85, 0x00, 0x00},
		"READ BINARY on channel 5":        {0x41, 0xB0, 0x00, 0x00, 0x04},
		"READ BINARY, secure messaging":   {0x0C, 0xB0, 0x00, 0x00, 0x04},
		"READ BINARY of the key file":     {0x00, 0xB0, 0x00, 0x00, 0x04},
		"SIGN (PIN path)":                 {0x80, 0x2A, 0x00, 0x80, 0x01, 0x00, 0x00},
		"non-canonical Le":                {0x00, 0x84, 0x00, 0x00, 0x00, 0x00, 0x08},
		"extended READ BINARY":            {0x00, 0xB0, 0x00, 0x00, 0x00, 0x01, 0x00},
		"extended chained SET PUBLIC KEY": extendedCommand(0x90, insSetPublicKey, 300),
		"extended SET PUBLIC KEY, 3 KB":   extendedCommand(0x80, insSetPublicKey, 3000),
		"extended GET CHALLENGE":          {0x00, 0x84, 0x00, 0x00, 0x00, 0x00, 0x08},
	}
	for name, raw := range attacks {
		c, rec := relayedTo(t, 0x0017)
		if _, err := c.Relay(context.Background(), raw); !errors.Is(err, ErrRelayRefused) || len(rec.sent) != 0 {
			t.Errorf("%s (% X) reached the card: %v", name, raw, err)
		}
	}
}

func extendedCommand(cla, ins byte, n int) []byte {
	return append([]byte{cla, ins, 0x00, 0x00, 0x00, byte(n >> 8), byte(n)}, make([]byte, n)...)
}

// On a link that takes extended length the exchange sends the institution's
// certificate and signature in one command each instead of a chain.
func TestRelayForwardsTheLongPiecesInOneCommand(t *testing.T) {
	for _, raw := range [][]byte{extendedCommand(0x80, insSetPublicKey, 573), extendedCommand(0x00, insExternalAuth, 256)} {
		c, rec := relayedTo(t, 0x0017)
		if _, err := c.Relay(context.Background(), raw); err != nil || len(rec.sent) != 1 {
			t.Errorf("% X…: %v", raw[:7], err)
		}
	}
}

func TestRelayCapsTheSession(t *testing.T) {
	c, rec := relayedTo(t, 0x000A)
	read := encode(t, apdu.ReadBinary(0, 4))
	var err error
	for n := 2; n <= MaxRelayedCommands+5 && err == nil; n++ {
		_, err = c.Relay(context.Background(), read)
	}
	var limit *RelayLimitError
	if !errors.As(err, &limit) || !errors.Is(err, ErrRelayRefused) || limit.Max != MaxRelayedCommands {
		t.Fatalf("no limit: %v", err)
	}
	if got := len(rec.sent) + 2; got != MaxRelayedCommands {
		t.Fatalf("%d commands reached the card, the cap is %d", got, MaxRelayedCommands)
	}
}

// FuzzRelayGuard: bytes reach the card only if they are one of the
// exchange's commands, whatever the relay selected before.
func FuzzRelayGuard(f *testing.F) {
	f.Add([]byte{0x00, 0xB0, 0x00, 0x00, 0x04}, false)
	f.Add([]byte{0x00, 0x20, 0x00, 0x80, 0x04, 1, 2, 3, 4}, true)
	f.Add([]byte{0x90, 0xA2, 0x00, 0x00, 0x01, 0x7F}, false)
	f.Add([]byte{0x00, 0x88, 0x00, 0x81, 0x20, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 0x00}, true)
	f.Add([]byte{0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x0B}, false)
	f.Add([]byte{0x00, 0x84, 0x00, 0x00, 0x00, 0x00, 0x08}, false)
	f.Fuzz(func(t *testing.T, raw []byte, key bool) {
		selected := uint16(0x000A)
		if key {
			selected = 0x0017
		}
		c, rec := relayedTo(t, selected)
		_, err := c.Relay(context.Background(), raw)
		if len(rec.sent) > 0 {
			if !allowedShape(rec.sent[0], selected) {
				t.Fatalf("% X reached the card", raw)
			}
			return
		}
		if !errors.Is(err, ErrRelayRefused) {
			t.Fatalf("% X neither forwarded nor refused: %v", raw, err)
		}
	})
}
