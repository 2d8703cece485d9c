package revisit

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/uketsuke/uketsuke/app/secret"
)

func testKey(fill byte, n int) []byte { return bytes.Repeat([]byte{fill}, n) }

func card(t *testing.T, issuer, serial string) CardID {
	t.Helper()
	buf, err := secret.Take([]byte(serial))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(buf.Destroy)
	return CardID{IssuerDN: []byte(issuer), Serial: buf}
}

func TestConvertIsKeyedAndUnambiguous(t *testing.T) {
	keys, err := NewCodeKeys([]KeyMaterial{{"k2", testKey(2, 32)}, {"k1", testKey(1, 32)}})
	if err != nil {
		t.Fatal(err)
	}
	defer keys.Destroy()
	a, err := keys.Convert(card(t, "CN=issuer", "0123"))
	if err != nil {
		t.Fatal(err)
	}
	again, _ := keys.Convert(card(t, "CN=issuer", "0123"))
	if a != again {
		t.Fatal("the same card gave two codes")
	}
	if a.KeyID != "k2" {
		t.Fatalf("code made with %q, want the current key k2", a.KeyID)
	}
	// The same bytes split differently between issuer and serial.
	shifted, _ := keys.Convert(card(t, "CN=issuer0", "123"))
	if shifted.Sum == a.Sum {
		t.Fatal("moving a byte from serial to issuer kept the code")
	}
	all, err := keys.All(card(t, "CN=issuer", "0123"))
	if err != nil || len(all) != 2 || all[0] != a || all[1].KeyID != "k1" || all[1].Sum == a.Sum {
		t.Fatalf("All = %d codes, %v", len(all), err)
	}
	if _, err := keys.Convert(CardID{IssuerDN: []byte("CN=x")}); !errors.Is(err, ErrEmptyCardID) {
		t.Fatalf("no serial: %v", err)
	}
}

func TestCodeNeverPrints(t *testing.T) {
	keys, err := NewCodeKeys([]KeyMaterial{{"k", testKey(7, 32)}})
	if err != nil {
		t.Fatal(err)
	}
	defer keys.Destroy()
	c, _ := keys.Convert(card(t, "CN=issuer", "42"))
	hexSum := fmt.Sprintf("%x", c.Sum[:4])
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("x", "code", c)
	for _, out := range []string{fmt.Sprint(c), fmt.Sprintf("%x", c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), logged.String()} {
		if strings.Contains(out, hexSum) || !strings.Contains(out, "hidden") {
			t.Errorf("code printed as %q", out)
		}
	}
}

func TestKeysAreCheckedAndWiped(t *testing.T) {
	short := testKey(1, 31)
	if _, err := NewCodeKeys([]KeyMaterial{{"k", short}}); !errors.Is(err, ErrWeakKey) {
		t.Fatalf("31-byte key: %v", err)
	}
	if _, err := NewCodeKeys(nil); !errors.Is(err, ErrNoKeys) {
		t.Fatalf("no keys: %v", err)
	}
	for _, id := range []string{"", "has space", "k/1", strings.Repeat("k", 33)} {
		if _, err := NewCodeKeys([]KeyMaterial{{id, testKey(1, 32)}}); !errors.Is(err, ErrKeyID) {
			t.Errorf("key id %q: %v", id, err)
		}
	}
	if _, err := NewCodeKeys([]KeyMaterial{{"k", testKey(1, 32)}, {"k", testKey(2, 32)}}); !errors.Is(err, ErrKeyID) {
		t.Errorf("duplicate id: %v", err)
	}
	given := testKey(9, 32)
	keys, err := NewCodeKeys([]KeyMaterial{{"k", given}})
	if err != nil {
		t.Fatal(err)
	}
	keys.Destroy()
	if !bytes.Equal(given, make([]byte, 32)) {
		t.Fatal("the configured key bytes were not wiped")
	}
}
