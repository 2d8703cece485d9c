package woff

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	fynetheme "fyne.io/fyne/v2/theme"
	ot "github.com/go-text/typesetting/font/opentype"
)

func loader(t testing.TB, data []byte) *ot.Loader {
	t.Helper()
	ld, err := ot.NewLoader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("go-text cannot read it: %v", err)
	}
	return ld
}

// TestRoundTrip: go-text (Fyne's font reader) reads every table of the
// WOFF back exactly as it was in the original font.
func TestRoundTrip(t *testing.T) {
	for _, src := range [][]byte{fynetheme.DefaultTextFont().Content(), fynetheme.DefaultSymbolFont().Content()} {
		out, err := Encode(src)
		if err != nil {
			t.Fatal(err)
		}
		if len(out) >= len(src) {
			t.Errorf("WOFF is %d bytes, the font %d: nothing compressed", len(out), len(src))
		}
		orig, packed := loader(t, src), loader(t, out)
		if len(orig.Tables()) != len(packed.Tables()) {
			t.Fatalf("%d tables, want %d", len(packed.Tables()), len(orig.Tables()))
		}
		for _, tag := range orig.Tables() {
			a, _ := orig.RawTable(tag)
			b, err := packed.RawTable(tag)
			if err != nil || !bytes.Equal(a, b) {
				t.Errorf("table %s differs after the round trip (%v)", tag, err)
			}
		}
	}
}

func TestRejectsWhatIsNotOneFont(t *testing.T) {
	font := fynetheme.DefaultTextFont().Content()
	outside := append([]byte(nil), font[:sfntHeaderSize+sfntEntrySize]...)
	binary.BigEndian.PutUint32(outside[sfntHeaderSize+8:], 1<<30) // first table's offset
	cases := map[string][]byte{
		"empty":         nil,
		"text":          []byte("this is not a font at all"),
		"collection":    append([]byte("ttcf"), font[4:]...),
		"truncated":     font[:sfntHeaderSize+4],
		"table outside": outside,
	}
	for name, data := range cases {
		if _, err := Encode(data); !errors.Is(err, ErrNotSFNT) {
			t.Errorf("%s: error %v, want ErrNotSFNT", name, err)
		}
	}
}

func FuzzEncode(f *testing.F) {
	f.Add(fynetheme.DefaultSymbolFont().Content())
	f.Add([]byte("OTTO\x00\x01\x00\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := Encode(data)
		if err != nil {
			return
		}
		if !bytes.HasPrefix(out, []byte("wOFF")) || int(binary.BigEndian.Uint32(out[8:])) != len(out) {
			t.Fatalf("malformed WOFF header for %d input bytes", len(data))
		}
	})
}
