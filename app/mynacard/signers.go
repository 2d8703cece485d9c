package mynacard

import (
	"crypto/rsa"
	"sync"
)

// signerCache holds face-record signer keys whose CV certificates verified
// against the anchors it belongs to. J-LIS signs with few keys, so it stays
// small; it is bounded all the same. A nil cache remembers nothing.
type signerCache struct {
	mu   sync.Mutex
	keys []*rsa.PublicKey
}

const maxSigners = 16

// verifies reports whether a remembered key verifies rec's signature.
func (s *signerCache) verifies(rec *FaceRecord) bool {
	if s == nil {
		return false
	}
	s.mu.Lock()
	keys := s.keys
	s.mu.Unlock()
	for _, k := range keys {
		if rec.VerifySignature(k) == nil {
			return true
		}
	}
	return false
}

func (s *signerCache) remember(k *rsa.PublicKey) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, have := range s.keys {
		if have.Equal(k) {
			return
		}
	}
	if len(s.keys) == maxSigners {
		s.keys = s.keys[1:]
	}
	s.keys = append(s.keys[:len(s.keys):len(s.keys)], k)
}
