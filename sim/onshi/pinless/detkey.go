package pinless

import (
	"crypto/rsa"
	"crypto/sha256"
	"encoding/binary"
	"math/big"
	"sync"
)

// drbg is a SHA-256 counter stream: the same label gives the same bytes.
type drbg struct {
	label []byte
	n     uint64
	buf   []byte
}

func (d *drbg) Read(p []byte) (int, error) {
	for i := range p {
		if len(d.buf) == 0 {
			var ctr [8]byte
			binary.BigEndian.PutUint64(ctr[:], d.n)
			d.n++
			sum := sha256.Sum256(append(append([]byte{}, d.label...), ctr[:]...))
			d.buf = sum[:]
		}
		p[i], d.buf = d.buf[0], d.buf[1:]
	}
	return len(p), nil
}

var keyCache sync.Map // label → *rsa.PrivateKey

// deterministicKey derives an RSA key from a label, for a reproducible test
// hierarchy (Go's rsa.GenerateKey ignores its reader since Go 1.26).
// Never for production keys.
func deterministicKey(label string, bits int) *rsa.PrivateKey {
	if k, ok := keyCache.Load(label); ok {
		return k.(*rsa.PrivateKey)
	}
	r := &drbg{label: []byte(label)}
	e := big.NewInt(65537)
	for {
		p, q := randomPrime(r, bits/2, e), randomPrime(r, bits/2, e)
		n := new(big.Int).Mul(p, q)
		if p.Cmp(q) == 0 || n.BitLen() != bits {
			continue
		}
		p1, q1 := new(big.Int).Sub(p, big.NewInt(1)), new(big.Int).Sub(q, big.NewInt(1))
		phi := new(big.Int).Mul(p1, q1)
		d := new(big.Int).ModInverse(e, phi)
		if d == nil {
			continue
		}
		k := &rsa.PrivateKey{PublicKey: rsa.PublicKey{N: n, E: 65537}, D: d, Primes: []*big.Int{p, q}}
		k.Precompute()
		if k.Validate() != nil {
			continue
		}
		actual, _ := keyCache.LoadOrStore(label, k)
		return actual.(*rsa.PrivateKey)
	}
}

func randomPrime(r *drbg, bits int, e *big.Int) *big.Int {
	b := make([]byte, bits/8)
	one := big.NewInt(1)
	for {
		r.Read(b)
		b[0] |= 0xC0 // two top bits: the product has the full size
		b[len(b)-1] |= 1
		p := new(big.Int).SetBytes(b)
		if !p.ProbablyPrime(20) {
			continue
		}
		if new(big.Int).GCD(nil, nil, e, new(big.Int).Sub(p, one)).Cmp(one) == 0 {
			return p
		}
	}
}
