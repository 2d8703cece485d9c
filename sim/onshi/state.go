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

// ttlMap is a mutex-guarded map whose entries expire. Every entry of one map
// lives the same time, so the insertion order is the expiry order: a FIFO of
// ids lets the sweep touch only what expired, never the whole map under the
// lock (hundreds of thousands of sessions at full load).
type ttlMap[V any] struct {
	mu     sync.Mutex
	m      map[string]V
	expiry func(V) time.Time
	order  []queued
	head   int
}

type queued struct {
	id string
	at time.Time
}

// linger keeps an expired entry a little, so a late use is told "expired"
// rather than "unknown".
const linger = 10 * time.Second

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
	t.order = append(t.order, queued{id: id, at: t.expiry(v).Add(linger)})
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

// sweepLocked drops the entries whose time has passed, oldest first.
func (t *ttlMap[V]) sweepLocked(now time.Time) {
	for t.head < len(t.order) && now.After(t.order[t.head].at) {
		delete(t.m, t.order[t.head].id) // may be gone already: harmless
		t.order[t.head] = queued{}
		t.head++
	}
	if t.head > 1024 && t.head > len(t.order)/2 {
		t.order = append(t.order[:0], t.order[t.head:]...)
		t.head = 0
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
