package tlv

import (
	"bytes"
	"errors"
	"testing"
)

func TestRoundTripPrivateTags(t *testing.T) {
	var inner []byte
	inner = Append(inner, 0xDF22, []byte("19800217"))
	inner = Append(inner, 0xDF27, bytes.Repeat([]byte{7}, 300))
	inner = Append(inner, 0xDF23, []byte("2"))
	rec := Append(nil, 0xFF20, inner)

	tag, h, l, err := Header(rec[:6])
	if err != nil || tag != 0xFF20 || h+l != len(rec) {
		t.Fatalf("header: tag %X h %d l %d err %v (len %d)", tag, h, l, err, len(rec))
	}
	outer, err := Parse(rec)
	if err != nil || len(outer) != 1 || !outer[0].Constructed() {
		t.Fatalf("outer: %v %v", outer, err)
	}
	items, err := Parse(outer[0].Value)
	if err != nil || len(items) != 3 {
		t.Fatalf("inner: %d items, %v", len(items), err)
	}
	photo, err := Find(items, 0xDF27)
	if err != nil || len(photo) != 300 {
		t.Fatalf("DF27: %d bytes, %v", len(photo), err)
	}
	if _, err := Find(items, 0xDF29); !errors.Is(err, ErrMissing) {
		t.Fatalf("missing tag: %v", err)
	}
}

func TestLengthForms(t *testing.T) {
	for _, n := range []int{0, 0x7F, 0x80, 0xFF, 0x100, 0xFFFF, 0x10000} {
		enc := Append(nil, 0x04, make([]byte, n))
		it, rest, err := Next(enc)
		if err != nil || len(it.Value) != n || len(rest) != 0 {
			t.Errorf("length %d: %v", n, err)
		}
	}
}

func TestMalformed(t *testing.T) {
	cases := map[string]struct {
		in   []byte
		want error
	}{
		"empty tag":         {[]byte{}, ErrTruncated},
		"tag cut":           {[]byte{0xDF}, ErrTruncated},
		"tag too long":      {[]byte{0xDF, 0x81, 0x81, 0x01, 0x00}, ErrBadTag},
		"no length":         {[]byte{0x04}, ErrTruncated},
		"indefinite length": {[]byte{0x04, 0x80}, ErrBadLength},
		"5 length bytes":    {[]byte{0x04, 0x85, 0, 0, 0, 0, 1}, ErrBadLength},
		"length cut":        {[]byte{0x04, 0x82, 0x01}, ErrTruncated},
		"value cut":         {[]byte{0x04, 0x05, 1, 2}, ErrTruncated},
		"huge length":       {[]byte{0x04, 0x83, 0xFF, 0xFF, 0xFF, 1}, ErrTruncated},
	}
	for name, c := range cases {
		if _, _, err := Next(c.in); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
	}
}

func TestPaddingBetweenItems(t *testing.T) {
	b := append(Append(nil, 0x01, []byte{1}), 0x00, 0x00)
	b = append(b, Append(nil, 0x02, []byte{2})...)
	items, err := Parse(b)
	if err != nil || len(items) != 2 {
		t.Fatalf("%v %v", items, err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(Append(nil, 0xFF20, Append(Append(nil, 0xDF21, []byte{1, 2}), 0xDF22, []byte("19800217"))))
	f.Add([]byte{0x5F, 0x4E, 0x82, 0x01, 0x00})
	f.Add([]byte{0xFF, 0xFF, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		items, err := Parse(b)
		total := 0
		for _, it := range items {
			total += len(it.Value)
		}
		if total > len(b) {
			t.Fatalf("values (%d bytes) exceed input (%d)", total, len(b))
		}
		if err == nil {
			// a clean parse must re-encode to something that parses the same
			var again []byte
			for _, it := range items {
				again = Append(again, it.Tag, it.Value)
			}
			back, err := Parse(again)
			if err != nil || len(back) != len(items) {
				t.Fatalf("re-encoded items do not parse back: %v", err)
			}
		}
	})
}
