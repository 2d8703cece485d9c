package revisit

import (
	"bytes"
	"errors"
	"testing"
)

func TestSealOpensOnlyUnderItsRow(t *testing.T) {
	s, err := NewSealer([]KeyMaterial{{"d1", testKey(3, 32)}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Destroy()
	plain := []byte("06139999")
	sealed, err := s.Seal(append([]byte(nil), plain...), []byte("row A"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, plain) {
		t.Fatal("sealed value holds the plaintext")
	}
	got, err := s.Open(sealed, []byte("row A"))
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if _, err := s.Open(sealed, []byte("row B")); !errors.Is(err, ErrTampered) {
		t.Fatalf("opened under another row: %v", err)
	}
	flipped := append([]byte(nil), sealed...)
	flipped[len(flipped)-1] ^= 1
	if _, err := s.Open(flipped, []byte("row A")); !errors.Is(err, ErrTampered) {
		t.Fatalf("changed value: %v", err)
	}
	for _, short := range [][]byte{nil, {9}, sealed[:10]} {
		if _, err := s.Open(short, []byte("row A")); err == nil {
			t.Fatalf("%d bytes opened", len(short))
		}
	}
}

func TestSealRotation(t *testing.T) {
	old, err := NewSealer([]KeyMaterial{{"d1", testKey(3, 32)}})
	if err != nil {
		t.Fatal(err)
	}
	defer old.Destroy()
	sealed, _ := old.Seal([]byte("1234"), nil)
	rotated, err := NewSealer([]KeyMaterial{{"d2", testKey(4, 32)}, {"d1", testKey(3, 32)}})
	if err != nil {
		t.Fatal(err)
	}
	defer rotated.Destroy()
	if got, err := rotated.Open(sealed, nil); err != nil || string(got) != "1234" {
		t.Fatalf("old value after rotation: %q, %v", got, err)
	}
	fresh, _ := rotated.Seal([]byte("1234"), nil)
	if _, err := old.Open(fresh, nil); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("a value under a key the sealer lacks: %v", err)
	}
	if _, err := NewSealer([]KeyMaterial{{"d", testKey(1, 16)}}); !errors.Is(err, ErrWeakKey) {
		t.Fatalf("16-byte data key: %v", err)
	}
}
