package onshi

import (
	"crypto/rand"
	"encoding/hex"
	"sync"
	"time"
)

// challenge is one nonce handed to a kiosk for its card to sign.
type challenge struct {
	nonce   []byte
	kiosk   string
	expires time.Time
	used    bool
	// What the first use answered, so that a retry of the identical request
	// (same idempotency key and body) gets the same answer.
	useKey  string
	useHash [32]byte
	status  int
	answer  []byte
}

// session is what a verified card unlocks for the rest of one visit.
type session struct {
	kiosk   string
	cardKey []byte
	person  int64
	grace   bool // certificate expired, inside the three-month grace
	method  string
	expires time.Time
}

// ttlMap is a mutex-guarded map whose entries expire; it sweeps lazily.
type ttlMap[V any] struct {
	mu        sync.Mutex
	m         map[string]V
	expiry    func(V) time.Time
	lastSweep time.Time
}

func newTTLMap[V any](expiry func(V) time.Time) *ttlMap[V] {
	return &ttlMap[V]{m: map[string]V{}, expiry: expiry}
}

// add stores v under a fresh random id and returns the id.
func (t *ttlMap[V]) add(now time.Time, v V) string {
	id := randomID()
	t.mu.Lock()
	defer t.mu.Unlock()
	t.sweepLocked(now)
	t.m[id] = v
	return id
}

// with runs fn on the entry under the lock; fn may change or delete it.
func (t *ttlMap[V]) with(id string, fn func(v V, ok bool) (keep bool)) {
	t.mu.Lock()
	defer t.mu.Unlock()
	v, ok := t.m[id]
	if !fn(v, ok) && ok {
		delete(t.m, id)
	}
}

// sweepLocked drops expired entries at most once a second, keeping them a
// minute past expiry so a late replay is told "expired", not "unknown".
func (t *ttlMap[V]) sweepLocked(now time.Time) {
	if now.Sub(t.lastSweep) < time.Second {
		return
	}
	t.lastSweep = now
	for id, v := range t.m {
		if now.After(t.expiry(v).Add(time.Minute)) {
			delete(t.m, id)
		}
	}
}

func (t *ttlMap[V]) len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.m)
}

func randomID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
