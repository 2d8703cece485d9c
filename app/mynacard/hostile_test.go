package mynacard

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/uketsuke/uketsuke/app/apdu"
	"github.com/uketsuke/uketsuke/app/secret"
	"github.com/uketsuke/uketsuke/app/tlv"
)

func TestForbiddenFilesCannotBeSelected(t *testing.T) {
	c := Open(answerAll{0x90, 0x00})
	for _, f := range []struct {
		app application
		fid fileID
	}{{appKenmen, 0x0005}, {appKenmen, 0x0013}, {appHojo, 0x0001}} {
		if err := c.selectFile(context.Background(), f.app, f.fid); !errors.Is(err, ErrForbiddenFile) {
			t.Errorf("%v EF %04X: %v", f.app, uint16(f.fid), err)
		}
	}
}

// answerAll answers every command with the same bytes.
type answerAll []byte

func (a answerAll) Transmit(context.Context, []byte) ([]byte, error) { return a, nil }

// replay answers with a fixed script and then with 6A82.
type replay struct{ answers [][]byte }

func (r *replay) Transmit(context.Context, []byte) ([]byte, error) {
	if len(r.answers) == 0 {
		return []byte{0x6A, 0x82}, nil
	}
	a := r.answers[0]
	r.answers = r.answers[1:]
	return a, nil
}

func TestHostileLengthsAreBounded(t *testing.T) {
	// A face record header claiming 8 MB must be refused before allocation.
	header := []byte{0xFF, 0x20, 0x83, 0x7F, 0xFF, 0xFF, 0xDF, 0x21, 0x90, 0x00}
	c := Open(&replay{answers: [][]byte{{0x90, 0}, {0x90, 0}, header}})
	if _, err := c.ReadFaceRecord(context.Background()); !errors.Is(err, ErrRecordTooLarge) {
		t.Fatalf("huge record: %v", err)
	}
}

func TestShortFileIsAnErrorNotALoop(t *testing.T) {
	header := []byte{0xFF, 0x20, 0x82, 0x01, 0x00, 0xDF, 0x21, 0x00, 0x90, 0x00}
	// the card then answers reads with no data and 9000
	c := Open(&replay{answers: [][]byte{{0x90, 0}, {0x90, 0}, header, {0x90, 0}}})
	if _, err := c.ReadFaceRecord(context.Background()); !errors.Is(err, ErrMalformedRecord) {
		t.Fatalf("empty reads: %v", err)
	}
}

func TestEmptyVerifyAnswering9000IsNotTriesLeft(t *testing.T) {
	c := Open(answerAll{0x90, 0x00})
	if _, err := c.CodeBTriesLeft(context.Background()); !errors.Is(err, apdu.ErrCardStatus) {
		t.Fatalf("9000 to an empty VERIFY: %v", err)
	}
}

func FuzzParseFaceRecord(f *testing.F) {
	var inner []byte
	for _, tag := range []uint32{TagBirth, TagSex, TagCardKey, TagNameImage, TagAddressImage, TagPhoto, TagSignature, TagExpiry, TagCodeImage} {
		inner = tlv.Append(inner, tag, []byte("19800217"))
	}
	f.Add(tlv.Append(nil, TagFaceRecord, inner))
	f.Add([]byte{0xFF, 0x20, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		rec, err := ParseFaceRecord(take(append([]byte(nil), b...)))
		if err == nil {
			if rec.CardKey == nil || len(rec.Birth) != 8 {
				t.Fatal("accepted a record without a key or a birth date")
			}
			rec.Destroy()
		}
	})
}

func FuzzParseCVCertificate(f *testing.F) {
	f.Add([]byte{0x7F, 0x21, 0x04, 0x5F, 0x4E, 0x01, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		cert, err := ParseCVCertificate(b)
		if err == nil && (cert.SubjectKey == nil || cert.SubjectKey.N.BitLen() < 2040) {
			t.Fatal("accepted a certificate without a usable key")
		}
	})
}

func FuzzVerifyIntegrity(f *testing.F) {
	f.Add([]byte{0xFF, 0x30, 0x00}, []byte{0xFF, 0x20, 0x00})
	f.Fuzz(func(t *testing.T, integ, attrs []byte) {
		if VerifyIntegrity(integ, attrs, testKey) == nil {
			t.Fatal("random bytes verified")
		}
	})
}

func FuzzClassifyToken(f *testing.F) {
	f.Add([]byte("JPKIAPICCTOKEN2                 "))
	f.Fuzz(func(t *testing.T, b []byte) {
		kind, err := classifyToken(b)
		if (err == nil) == (kind == KindUnknown) {
			t.Fatalf("kind %v with error %v", kind, err)
		}
	})
}

// A card without JPKI-AP answers the generation probe with nonsense: every
// answer ends in a typed error, within a bounded number of commands.
func TestHostileAnswersToTheGenerationProbe(t *testing.T) {
	long := append(tlv.Append(nil, 0x6F, make([]byte, 2000)), sw9000...)
	cases := []struct {
		name   string
		answer func(apdu.Command) []byte
		want   []error
	}{
		{"truncated FCI", func(c apdu.Command) []byte {
			return onPartial(c, []byte{0x6F, 0x10, 0x84, 0x0A, 0xD3, 0x90, 0x00})
		}, []error{ErrNotMyNumberCard, ErrMalformedRecord}},
		{"huge FCI", func(c apdu.Command) []byte { return onPartial(c, long) }, []error{ErrNotMyNumberCard, ErrRecordTooLarge}},
		{"FCI length past the end", func(c apdu.Command) []byte {
			return onPartial(c, []byte{0x6F, 0x84, 0xFF, 0xFF, 0xFF, 0xFF, 0x90, 0x00})
		}, []error{ErrNotMyNumberCard, ErrMalformedRecord}},
		{"name outside the prefix", func(c apdu.Command) []byte {
			return onPartial(c, fciOf([]byte{0xA0, 0x00, 0x00, 0x00, 0x03, 0x10, 0x10}))
		}, []error{ErrNotMyNumberCard, ErrMalformedRecord}},
		{"name too short", func(c apdu.Command) []byte { return onPartial(c, fciOf([]byte{0xD3, 0x92})) },
			[]error{ErrNotMyNumberCard, ErrMalformedRecord}},
		{"name too long", func(c apdu.Command) []byte {
			return onPartial(c, fciOf(append(bytes.Clone(c.Data), make([]byte, 20)...)))
		}, []error{ErrNotMyNumberCard, ErrMalformedRecord}},
		{"9000 and no FCI", func(c apdu.Command) []byte { return sw9000 }, []error{ErrNotMyNumberCard}},
		{"FCI without a name", func(c apdu.Command) []byte {
			return onPartial(c, append(tlv.Append(nil, 0x6F, tlv.Append(nil, 0xA5, nil)), sw9000...))
		}, []error{ErrNotMyNumberCard}},
		{"wrong status words", func(c apdu.Command) []byte {
			return onPartial(c, [][]byte{{0x63, 0xC2}, {0x62, 0x83}, {0x6F, 0x00}, {0x69, 0x85}}[len(c.Data)%4])
		}, []error{ErrNotMyNumberCard}},
		{"a known name forever", func(c apdu.Command) []byte { return onPartial(c, fciOf(jukiAP)) }, []error{ErrNotMyNumberCard}},
		{"known names that never end", knownForever(), []error{ErrNotMyNumberCard}},
		{"EF.DIR records forever", func(c apdu.Command) []byte {
			if c.INS == 0xB2 {
				return append(make([]byte, 300), sw9000...)
			}
			return onPartial(c, sw9000)
		}, []error{ErrNotMyNumberCard, ErrRecordTooLarge}},
		{"transparent EF.DIR without end", func(c apdu.Command) []byte {
			switch c.INS {
			case 0xB2:
				return []byte{0x69, 0x81}
			case 0xB0:
				return append(bytes.Repeat([]byte{0x61}, 256), sw9000...)
			}
			return onPartial(c, sw9000)
		}, []error{ErrNotMyNumberCard, ErrRecordTooLarge}},
		{"EF.DIR template without an AID", func(c apdu.Command) []byte {
			if c.INS == 0xB2 {
				return append(tlv.Append(nil, 0x61, tlv.Append(nil, 0x50, []byte("X"))), sw9000...)
			}
			return onPartial(c, sw9000)
		}, []error{ErrNotMyNumberCard, ErrMalformedRecord}},
		{"EF.DIR garbage", func(c apdu.Command) []byte {
			if c.INS == 0xB2 {
				return []byte{0x61, 0x7F, 0x4F, 0x90, 0x00}
			}
			return onPartial(c, sw9000)
		}, []error{ErrNotMyNumberCard, ErrMalformedRecord}},
		{"short response", func(c apdu.Command) []byte { return onPartial(c, []byte{0x90}) }, []error{apdu.ErrMalformedResponse}},
		{"endless 61xx", func(c apdu.Command) []byte { return onPartial(c, []byte{0x61, 0x10}) }, []error{apdu.ErrMalformedResponse}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			card, kind, err := detect(t, tc.answer)
			for _, want := range tc.want {
				if !errors.Is(err, want) {
					t.Errorf("kind %v, %v: want %v", kind, err, want)
				}
			}
			if errors.Is(err, ErrUnsupportedGeneration) {
				t.Errorf("taken for a newer card: %v", err)
			}
			if len(card.sent) > 120 {
				t.Errorf("%d commands", len(card.sent))
			}
		})
	}
}

// onPartial answers a partial SELECT with a; JPKI-AP and the rest are absent.
func onPartial(c apdu.Command, a []byte) []byte {
	if isPartialSelect(c) || c.INS == 0xC0 {
		return bytes.Clone(a)
	}
	if c.INS == 0xA4 && c.P1 != 0x04 {
		return sw9000 // MF and EF.DIR, for the cases that read it
	}
	return sw6A82
}

// knownForever names today's applications in turn, however often asked.
func knownForever() func(apdu.Command) []byte {
	n := 0
	return func(c apdu.Command) []byte {
		var under [][]byte
		for _, a := range todaysApps {
			if bytes.HasPrefix(a, c.Data) {
				under = append(under, a)
			}
		}
		if !isPartialSelect(c) || len(under) == 0 {
			return onPartial(c, nil)
		}
		n++
		return onPartial(c, fciOf(under[n%len(under)]))
	}
}

func FuzzParseFCIName(f *testing.F) {
	f.Add(fciOf(newAID)[:14], []byte{0xD3, 0x92})
	f.Add([]byte{0x62, 0x03, 0x84, 0x01, 0xD3}, []byte{0xD3})
	f.Add([]byte{0x84, 0x05, 0xD3, 0x92, 0x10, 0x00, 0x31}, []byte{})
	f.Fuzz(func(t *testing.T, fci, prefix []byte) {
		name, err := parseFCIName(fci, prefix)
		if err != nil && !errors.Is(err, ErrMalformedRecord) && !errors.Is(err, ErrRecordTooLarge) {
			t.Fatalf("untyped error %v", err)
		}
		if name != nil && (len(name) < minAIDLen || len(name) > maxAIDLen || !bytes.HasPrefix(name, prefix)) {
			t.Fatalf("accepted the name % X for % X", name, prefix)
		}
	})
}

func FuzzParseDir(f *testing.F) {
	f.Add(append(dirTemplate(newAID, "AUTH-AP"), dirTemplate(aids[appKenmen], "")...))
	f.Add([]byte{0x61, 0x00, 0xFF, 0xFF})
	f.Fuzz(func(t *testing.T, data []byte) {
		apps, err := parseDir(data)
		if err != nil && !errors.Is(err, ErrMalformedRecord) {
			t.Fatalf("untyped error %v", err)
		}
		for _, a := range apps {
			if len(a.AID) < minAIDLen || len(a.AID) > maxAIDLen || len(a.Label) > maxLabelLen {
				t.Fatalf("accepted %+v", a)
			}
		}
	})
}

// FuzzDetectOnAnyCard lets the fuzzer be the card: each command's answer is
// the next length-prefixed chunk of the input. Detect must end in a kind or
// an error, never a panic, and the probe must stay harmless.
func FuzzDetectOnAnyCard(f *testing.F) {
	f.Add([]byte{2, 0x6A, 0x82, 15, 0x6F, 0x0C, 0x84, 0x0A, 0xD3, 0x92, 0xF0, 0x00, 0x26, 0x02, 0, 0, 0, 1, 0x90, 0x00})
	f.Add([]byte{2, 0x6A, 0x82, 2, 0x6A, 0x82, 2, 0x6A, 0x82, 2, 0x6A, 0x82, 2, 0x90, 0x00, 2, 0x90, 0x00, 4, 0x61, 0x00, 0x90, 0x00})
	f.Fuzz(func(t *testing.T, script []byte) {
		card := &scriptCard{answer: func(apdu.Command) []byte {
			if len(script) == 0 {
				return sw6A82
			}
			n := min(int(script[0]), len(script)-1)
			a := bytes.Clone(script[1 : 1+n])
			script = script[1+n:]
			return a
		}}
		kind, err := Open(card).Detect(context.Background())
		if (err == nil) == (kind == KindUnknown) {
			t.Fatalf("kind %v with error %v", kind, err)
		}
		checkHarmless(t, card.sent)
		if len(card.sent) > 200 {
			t.Fatalf("%d commands", len(card.sent))
		}
	})
}

// take moves b into locked memory; tests run far below the lock limit.
func take(b []byte) *secret.Buffer {
	buf, err := secret.Take(b)
	if err != nil {
		panic(err)
	}
	return buf
}
