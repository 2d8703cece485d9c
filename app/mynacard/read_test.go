package mynacard

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/uketsuke/uketsuke/app/apdu"
	"github.com/uketsuke/uketsuke/app/tlv"
)

// fileCard answers SELECT with 9000 and READ BINARY from file; extended,
// when set, answers the reads that ask for more than 256 bytes instead.
func fileCard(file []byte, extended func(apdu.Command) []byte) *scriptCard {
	return &scriptCard{answer: func(c apdu.Command) []byte {
		switch {
		case c.INS != 0xB0:
			return sw9000
		case c.Le > readChunk && extended != nil:
			return extended(c)
		}
		off := int(c.P1)<<8 | int(c.P2)
		if off >= len(file) {
			return []byte{0x6B, 0x00}
		}
		return append(bytes.Clone(file[off:min(off+c.Le, len(file))]), sw9000...)
	}}
}

func statusOnly(sw ...byte) func(apdu.Command) []byte {
	return func(apdu.Command) []byte { return sw }
}

func extendedReads(sent []apdu.Command) (n int) {
	for _, c := range sent {
		if c.INS == 0xB0 && c.Le > readChunk {
			n++
		}
	}
	return n
}

// aRecord is a TLV of n value bytes, as the face record is.
func aRecord(n int) []byte {
	return tlv.Append(nil, TagFaceRecord, bytes.Repeat([]byte{0xA5}, n))
}

func TestRefusedExtendedReadsFallBackForGood(t *testing.T) {
	file := aRecord(5000)
	for _, sw := range [][]byte{{0x67, 0x00}, {0x6D, 0x00}, {0x6E, 0x00}, {0x6A, 0x86}} {
		card := fileCard(file, statusOnly(sw...))
		c := Open(card)
		for range 2 {
			buf, err := c.readTLVFile(context.Background(), 0)
			if err != nil || !bytes.Equal(buf.Bytes(), file) {
				t.Fatalf("% X: %v", sw, err)
			}
			buf.Destroy()
		}
		if n := extendedReads(card.sent); n != 1 {
			t.Errorf("% X: %d extended reads", sw, n)
		}
	}
}

func TestOtherStatusToAnExtendedReadIsTheAnswer(t *testing.T) {
	card := fileCard(aRecord(5000), statusOnly(0x69, 0x82))
	c := Open(card)
	if _, err := c.readTLVFile(context.Background(), 0); !errors.Is(err, apdu.ErrSecurityStatus) {
		t.Fatalf("6982: %v", err)
	}
	if len(card.sent) != 1 || c.link != apdu.MaxExtendedLe {
		t.Fatalf("%d commands, reads of up to %d bytes now", len(card.sent), c.link)
	}
}

func TestAnswerLongerThanAskedIsRefused(t *testing.T) {
	file := aRecord(5000)
	for _, link := range []readLimit{readChunk, 1000, apdu.MaxExtendedLe} {
		card := fileCard(file, nil)
		card.answer = func(apdu.Command) []byte { return append(bytes.Clone(file[:min(int(link)+1, len(file))]), sw9000...) }
		if link == apdu.MaxExtendedLe { // a card that says the file is longer than anything we asked for
			card.answer = func(apdu.Command) []byte { return append(make([]byte, apdu.MaxExtendedLe+1), sw9000...) }
		}
		c := Open(card)
		c.link = link
		if _, err := c.readTLVFile(context.Background(), 0); !errors.Is(err, ErrMalformedRecord) {
			t.Errorf("limit %d: %v", link, err)
		}
	}
}

func TestBytesPastTheTLVAreDropped(t *testing.T) {
	file := aRecord(700)
	card := fileCard(append(bytes.Clone(file), bytes.Repeat([]byte{0xEE}, 300)...), nil)
	buf, err := Open(card).readTLVFile(context.Background(), 0)
	if err != nil || !bytes.Equal(buf.Bytes(), file) || len(card.sent) != 1 {
		t.Fatalf("%d commands, %v", len(card.sent), err)
	}
	buf.Destroy()
}

func TestCardCappingItsAnswerIsReadOnInLargeChunks(t *testing.T) {
	file := aRecord(5000)
	card := fileCard(file, func(c apdu.Command) []byte {
		off := int(c.P1)<<8 | int(c.P2)
		return append(bytes.Clone(file[off:min(off+2048, len(file))]), sw9000...)
	})
	buf, err := Open(card).readTLVFile(context.Background(), 0)
	if err != nil || !bytes.Equal(buf.Bytes(), file) || len(card.sent) != 3 {
		t.Fatalf("%d commands, %v", len(card.sent), err)
	}
	buf.Destroy()
}

// failing answers 9000 but fails the commands fail picks.
type failing struct {
	sent [][]byte
	fail func(raw []byte) bool
}

func (f *failing) Transmit(_ context.Context, raw []byte) ([]byte, error) {
	f.sent = append(f.sent, bytes.Clone(raw[:4]))
	if f.fail != nil && f.fail(raw) {
		return nil, errors.New("reader hiccup")
	}
	return sw9000, nil
}

func TestFailedSelectForgetsTheEF(t *testing.T) {
	link := &failing{}
	c := Open(link)
	ctx := context.Background()
	if err := c.selectFile(ctx, appKenmen, kenmenCodeB); err != nil {
		t.Fatal(err)
	}
	link.fail = func(raw []byte) bool { return raw[1] == 0xA4 }
	if err := c.selectFile(ctx, appKenmen, kenmenFaceRecord); err == nil {
		t.Fatal("no error")
	}
	link.fail, link.sent = nil, nil
	if err := c.selectFile(ctx, appKenmen, kenmenCodeB); err != nil || len(link.sent) != 1 {
		t.Fatalf("%d commands after a failed SELECT: %v", len(link.sent), err)
	}
}

// FuzzReadTLVFile lets the fuzzer be the card: each answer is the next
// chunk of the input, after a two-byte length. Whatever it answers, a
// file read is the size its header says, within MaxRecordSize.
func FuzzReadTLVFile(f *testing.F) {
	withLen := func(b []byte) []byte { return append([]byte{byte(len(b) >> 8), byte(len(b))}, b...) }
	rec := append(aRecord(600), sw9000...)
	f.Add(withLen(rec))
	f.Add(append(withLen([]byte{0x67, 0x00}), append(withLen(rec[:258]), withLen(rec[256:])...)...))
	f.Add(withLen(append(bytes.Clone(rec[:len(rec)-2]), 0x61, 0x10)))
	f.Fuzz(func(t *testing.T, script []byte) {
		card := &scriptCard{answer: func(apdu.Command) []byte {
			if len(script) < 2 {
				return []byte{0x6B, 0x00}
			}
			n := min(int(script[0])<<8|int(script[1]), len(script)-2)
			a := bytes.Clone(script[2 : 2+n])
			script = script[2+n:]
			return a
		}}
		chunks := len(script)/2 + 2
		buf, err := Open(card).readTLVFile(context.Background(), 0)
		if len(card.sent) > chunks+1 {
			t.Fatalf("%d commands for %d answers", len(card.sent), chunks)
		}
		if err != nil {
			return
		}
		defer buf.Destroy()
		_, h, l, herr := tlv.Header(buf.Bytes())
		if herr != nil || h+l != buf.Len() || buf.Len() > MaxRecordSize {
			t.Fatalf("%d bytes read, header %d+%d (%v)", buf.Len(), h, l, herr)
		}
	})
}
