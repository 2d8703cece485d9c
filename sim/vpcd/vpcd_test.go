package vpcd

import (
	"bytes"
	"context"
	"net"
	"testing"
	"time"
)

// echoCard answers every APDU with its first byte and 9000.
type echoCard struct {
	present bool
	resets  int
}

func (e *echoCard) Process(cmd []byte) ([]byte, bool) {
	if !e.present {
		return nil, false
	}
	return []byte{cmd[0], 0x90, 0x00}, true
}
func (e *echoCard) ATR() []byte   { return []byte{0x3B, 0xE0} }
func (e *echoCard) Reset()        { e.resets++ }
func (e *echoCard) Present() bool { return e.present }
func (e *echoCard) Pull()         { e.present = false }
func (e *echoCard) Insert()       { e.present = true }

func TestSpeaksVpcdFraming(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	card := &echoCard{present: true}
	client := New(ln.Addr().String(), card)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- client.Run(ctx) }()

	conn, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	exchange := func(payload []byte) []byte {
		t.Helper()
		if err := writeMessage(conn, payload); err != nil {
			t.Fatal(err)
		}
		reply, err := readMessage(conn)
		if err != nil {
			t.Fatal(err)
		}
		return reply
	}
	if got := exchange([]byte{ctrlGetATR}); !bytes.Equal(got, card.ATR()) {
		t.Fatalf("ATR % X", got)
	}
	writeMessage(conn, []byte{ctrlPowerOn}) // no reply expected
	if got := exchange([]byte{0x00, 0xA4, 0x04, 0x0C}); !bytes.Equal(got, []byte{0x00, 0x90, 0x00}) {
		t.Fatalf("APDU reply % X", got)
	}
	if card.resets != 1 {
		t.Fatalf("power on did not reset the card (%d resets)", card.resets)
	}
	client.Pull()
	if _, err := readMessage(conn); err == nil {
		t.Fatal("connection still open after the card was pulled")
	}
	client.Insert()
	ln.(*net.TCPListener).SetDeadline(time.Now().Add(5 * time.Second))
	again, err := ln.Accept()
	if err != nil {
		t.Fatalf("no reconnection after insert: %v", err)
	}
	again.Close()
	cancel()
	if err := <-done; err != context.Canceled {
		t.Fatalf("Run ended with %v", err)
	}
}

func TestRejectsEmptyMessages(t *testing.T) {
	if _, err := readMessage(bytes.NewReader([]byte{0, 0})); err == nil {
		t.Fatal("empty message accepted")
	}
	if _, err := readMessage(bytes.NewReader([]byte{0, 5, 1})); err == nil {
		t.Fatal("truncated message accepted")
	}
}

// A new card on the slot a card just left must stay away long enough for
// pcscd's presence poll to see the slot empty (the failures of issue 18).
func TestNextCardWaitsUntilTheSlotWasSeenEmpty(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ln.(*net.TCPListener).SetDeadline(time.Now().Add(10 * time.Second))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	first := New(ln.Addr().String(), &echoCard{present: true})
	go first.Run(ctx)
	conn, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	if err := writeMessage(conn, []byte{ctrlGetATR}); err != nil {
		t.Fatal(err)
	}
	if _, err := readMessage(conn); err != nil { // the client is serving: Pull closes its connection
		t.Fatal(err)
	}
	first.Pull()
	if _, err := readMessage(conn); err == nil {
		t.Fatal("connection still open after the card was pulled")
	}
	left := time.Now()
	second := New(ln.Addr().String(), &echoCard{present: true})
	go second.Run(ctx)
	next, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	next.Close()
	if gap := time.Since(left); gap < minAway-50*time.Millisecond {
		t.Fatalf("the next card arrived %v after the last left; pcscd polls every 400 ms and needs %v", gap, minAway)
	}
}
