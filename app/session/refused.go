package session

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"sync"
	"time"

	"github.com/uketsuke/uketsuke/app/secret"
)

// refusedCodes remembers 照合番号B values a card refused, so the kiosk
// never spends a second try on the same misread: a card locks after ten.
// It keeps only keyed digests (HMAC under a key in locked memory that dies
// with the process), for refusedFor, and at most refusedMax of them.
type refusedCodes struct {
	mu   sync.Mutex
	key  *secret.Buffer
	seen map[[sha256.Size]byte]time.Time
}

const (
	refusedFor = 30 * time.Minute
	refusedMax = 256
)

func newRefusedCodes() *refusedCodes {
	key := secret.New(32)
	if _, err := rand.Read(key.Bytes()); err != nil {
		panic("session: no randomness for the refused-code key: " + err.Error())
	}
	return &refusedCodes{key: key, seen: map[[sha256.Size]byte]time.Time{}}
}

func (r *refusedCodes) digest(code *secret.Buffer) [sha256.Size]byte {
	m := hmac.New(sha256.New, r.key.Bytes())
	m.Write(code.Bytes())
	var d [sha256.Size]byte
	m.Sum(d[:0])
	return d
}

// add remembers a refused code.
func (r *refusedCodes) add(code *secret.Buffer) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.expire(time.Now())
	if len(r.seen) >= refusedMax {
		r.dropOldest()
	}
	r.seen[r.digest(code)] = time.Now()
}

// has reports whether a card refused this code recently.
func (r *refusedCodes) has(code *secret.Buffer) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.expire(time.Now())
	_, ok := r.seen[r.digest(code)]
	return ok
}

func (r *refusedCodes) expire(now time.Time) {
	for d, at := range r.seen {
		if now.Sub(at) > refusedFor {
			delete(r.seen, d)
		}
	}
}

func (r *refusedCodes) dropOldest() {
	var oldest [sha256.Size]byte
	var at time.Time
	for d, t := range r.seen {
		if at.IsZero() || t.Before(at) {
			oldest, at = d, t
		}
	}
	delete(r.seen, oldest)
}
