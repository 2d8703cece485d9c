package jlis

import (
	"crypto/rsa"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math/big"
)

// stream is a deterministic byte stream (SHA-256 in counter mode) so the test
// hierarchy is the same on every machine for the same seed. Go's own
// rsa.GenerateKey deliberately ignores caller randomness, hence our own.
type stream struct {
	seed    [32]byte
	counter uint64
	buf     []byte
}

func newStream(seed int64, label string) *stream {
	h := sha256.New()
	fmt.Fprintf(h, "uketsuke-test-jlis/%d/%s", seed, label)
	s := &stream{}
	copy(s.seed[:], h.Sum(nil))
	return s
}

func (s *stream) Read(p []byte) (int, error) {
	for n := 0; n < len(p); {
		if len(s.buf) == 0 {
			var block [40]byte
			copy(block[:], s.seed[:])
			binary.BigEndian.PutUint64(block[32:], s.counter)
			s.counter++
			sum := sha256.Sum256(block[:])
			s.buf = sum[:]
		}
		c := copy(p[n:], s.buf)
		s.buf = s.buf[c:]
		n += c
	}
	return len(p), nil
}

// rsaKey derives an RSA-2048 key from (seed, label).
func rsaKey(seed int64, label string) *rsa.PrivateKey {
	s := newStream(seed, label)
	e := big.NewInt(65537)
	for {
		p, q := prime(s, 1024), prime(s, 1024)
		if p.Cmp(q) == 0 {
			continue
		}
		one := big.NewInt(1)
		p1, q1 := new(big.Int).Sub(p, one), new(big.Int).Sub(q, one)
		phi := new(big.Int).Mul(p1, q1)
		d := new(big.Int).ModInverse(e, phi)
		if d == nil {
			continue
		}
		k := &rsa.PrivateKey{
			PublicKey: rsa.PublicKey{N: new(big.Int).Mul(p, q), E: 65537},
			D:         d,
			Primes:    []*big.Int{p, q},
		}
		if k.N.BitLen() != 2048 || k.Validate() != nil {
			continue
		}
		k.Precompute()
		return k
	}
}

// prime returns a bits-long prime with its two top bits set.
func prime(s *stream, bits int) *big.Int {
	b := make([]byte, bits/8)
	for {
		s.Read(b)
		b[0] |= 0xC0
		b[len(b)-1] |= 1
		p := new(big.Int).SetBytes(b)
		for i := 0; i < 2000; i++ {
			if p.ProbablyPrime(20) {
				return p
			}
			p.Add(p, big.NewInt(2))
		}
	}
}
