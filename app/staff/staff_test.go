package staff

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/app/secret"
)

func pin(s string) *secret.Buffer {
	b, err := secret.Take([]byte(s))
	if err != nil {
		panic(err)
	}
	return b
}

func TestHashAndCheck(t *testing.T) {
	h, err := HashPIN([]byte("482913"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(h, "482913") || !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=3,p=1$") {
		t.Fatalf("hash %q", h)
	}
	other, _ := HashPIN([]byte("482913"))
	if other == h {
		t.Fatal("two hashes of one PIN are equal: no salt")
	}
	g, err := NewGuard(h)
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Check(pin("482913")); err != nil {
		t.Fatalf("right PIN: %v", err)
	}
	if err := g.Check(pin("482914")); !errors.Is(err, ErrWrong) {
		t.Fatalf("wrong PIN: %v", err)
	}
}

func TestPINForm(t *testing.T) {
	for _, p := range []string{"", "12345", "1234567890123", "12345a", "１２３４５６"} {
		if _, err := HashPIN([]byte(p)); !errors.Is(err, ErrPINForm) {
			t.Errorf("%q: %v", p, err)
		}
	}
}

func TestWrongPINsLockTheGuardForGrowingTimes(t *testing.T) {
	h, _ := HashPIN([]byte("482913"))
	g, _ := NewGuard(h)
	now := time.Unix(1000, 0)
	g.now = func() time.Time { return now }
	for i := 0; i < freeAttempts-1; i++ {
		if err := g.Check(pin("000000")); !errors.Is(err, ErrWrong) {
			t.Fatalf("attempt %d: %v", i+1, err)
		}
	}
	var locked *LockedError
	if err := g.Check(pin("000000")); !errors.As(err, &locked) || locked.For != lockStart {
		t.Fatalf("third wrong PIN: %v", err)
	}
	hashed := g.checks
	if err := g.Check(pin("482913")); !errors.As(err, &locked) || g.checks != hashed {
		t.Fatalf("the right PIN while locked must not even be hashed: %v", err)
	}
	now = now.Add(lockStart + time.Second)
	if err := g.Check(pin("111111")); !errors.As(err, &locked) || locked.For != 2*lockStart {
		t.Fatalf("fourth wrong PIN: %v, want a doubled lock", err)
	}
	now = now.Add(2*lockStart + time.Second)
	if err := g.Check(pin("482913")); err != nil {
		t.Fatalf("right PIN after the lock: %v", err)
	}
	if err := g.Check(pin("000000")); !errors.Is(err, ErrWrong) {
		t.Fatalf("a right PIN resets the count: %v", err)
	}
}

func TestMalformedHashes(t *testing.T) {
	for _, h := range []string{"", "1234", "$argon2i$v=19$m=65536,t=3,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=1,t=3,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", "$argon2id$v=19$m=65536,t=3,p=1$$"} {
		if _, err := NewGuard(h); !errors.Is(err, ErrHash) {
			t.Errorf("%q: %v", h, err)
		}
	}
}
