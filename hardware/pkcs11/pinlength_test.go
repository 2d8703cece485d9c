package pkcs11_test

import (
	"testing"

	"github.com/uketsuke/uketsuke/hardware/pkcs11"
)

// SoftHSM2 says a user PIN is 4 to 255 bytes long.
func TestSoftHSMSaysItsPINLengths(t *testing.T) {
	needSoftHSM(t)
	token(t)
	m, err := pkcs11.Open(SoftHSMModule)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	card, err := m.Card()
	if err != nil {
		t.Fatal(err)
	}
	lo, hi, err := card.PINLength()
	if err != nil || lo != 4 || hi != 255 {
		t.Fatalf("PIN lengths %d–%d, %v; want SoftHSM2's 4–255", lo, hi, err)
	}
}
