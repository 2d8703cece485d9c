package mynacard

import (
	"crypto/rsa"
	"math/big"
)

// testKey is a fixed 2048-bit public key for negative verification tests.
var testKey = &rsa.PublicKey{N: new(big.Int).Lsh(big.NewInt(1), 2047).Add(new(big.Int).Lsh(big.NewInt(1), 2047), big.NewInt(159)), E: 65537}
