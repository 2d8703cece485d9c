package vcard

import (
	"testing"
	"time"
)

func read(ef uint16, off, n int) Exchange {
	return Exchange{CLA: 0x00, INS: 0xB0, P1: byte(off >> 8), P2: byte(off), App: "券面AP", AppAfter: "券面AP",
		EF: ef, EFAfter: ef, Command: 5, Response: n + 2, SW: 0x9000}
}

func sel(app string, from, to uint16) Exchange {
	return Exchange{CLA: 0x00, INS: 0xA4, P1: 0x02, P2: 0x0C, App: app, AppAfter: app, EF: from, EFAfter: to,
		Command: 7, Response: 2, SW: 0x9000}
}

// The floor reads each file once in one command, drops a SELECT of what is
// selected, and carries a chained command in one.
func TestFloorOfAShortReadSession(t *testing.T) {
	var ex []Exchange
	ex = append(ex, sel("券面AP", 0, 0x12), sel("券面AP", 0x12, 0x12)) // the second changes nothing
	ex = append(ex, sel("券面AP", 0x12, 2))
	for off := 0; off < 5000; off += 256 {
		ex = append(ex, read(2, off, min(256, 5000-off)))
	}
	ex = append(ex, read(2, 0, 256)) // the same file again: the floor never reads it twice
	chain := Exchange{CLA: 0x90, INS: 0xA2, Command: 260, Response: 2, SW: 0x9000}
	last := Exchange{CLA: 0x80, INS: 0xA2, Command: 60, Response: 2, SW: 0x9000}
	ex = append(ex, chain, last)
	lat := Latency{PerAPDU: 20 * time.Millisecond, PerByte: 50 * time.Microsecond}
	got := Floor(ex, lat)
	want := Cost{APDUs: 4, Bytes: 9 + 9 + (7 + 5000 + 2) + (7 + 255 + 55 + 2)}
	want.Time = 4*lat.PerAPDU + time.Duration(want.Bytes)*lat.PerByte
	if got != want {
		t.Fatalf("floor %+v, want %+v", got, want)
	}
	if sent := Sent(ex, lat); sent.APDUs != len(ex) || sent.Time <= got.Time {
		t.Fatalf("sent %+v against floor %+v", sent, got)
	}
}

// The card logs what it answered, with the selection before and after.
func TestTheCardLogsItsTraffic(t *testing.T) {
	c := &Card{present: true, apps: []*application{newApp("券面AP", AIDKenmen, &file{id: 2, data: make([]byte, 300)})},
		creds: map[Credential]*credential{}, sleep: func(time.Duration) {}}
	c.Process(append([]byte{0x00, 0xA4, 0x04, 0x0C, byte(len(AIDKenmen))}, AIDKenmen...))
	c.Process([]byte{0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x02})
	c.Process([]byte{0x00, 0xB0, 0x00, 0x00, 0x00})
	ex := c.TakeTraffic()
	if len(ex) != 3 || ex[0].AppAfter != "券面AP" || ex[1].EFAfter != 2 || ex[2].Response != 258 {
		t.Fatalf("traffic %+v", ex)
	}
	if len(c.TakeTraffic()) != 0 {
		t.Fatal("TakeTraffic did not start afresh")
	}
}

func TestBetweenKeepsTheWindow(t *testing.T) {
	t0 := time.Now()
	ex := []Exchange{{At: t0, EF: 1}, {At: t0.Add(time.Millisecond), EF: 2}, {At: t0.Add(2 * time.Millisecond), EF: 3}}
	if in := Between(ex, t0.Add(time.Millisecond), t0.Add(2*time.Millisecond)); len(in) != 2 || in[0].EF != 2 {
		t.Fatalf("window of the second and third exchange: %+v", in)
	}
}
