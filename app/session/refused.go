package session

import (
	"crypto/rand"
	"crypto/subtle"
	"sync"
	"time"

	"github.com/uketsuke/uketsuke/app/secret"
)

// refusedCodes remembers 照合番号B values a card refused, so the kiosk
// never spends a second try on the same misread: a card locks after ten.
// The codes stay in locked memory, masked with a random pad that dies with
// the process, so no scan of the kiosk's memory finds them in the clear.
type refusedCodes struct {
	mu    sync.Mutex
	pad   *secret.Buffer // keyBLength random bytes
	slots *secret.Buffer // refusedMax masked codes
	at    []time.Time    // when each slot was filled; zero: empty
}

const (
	keyBLength = 14
	refusedFor = 30 * time.Minute
	refusedMax = 64
)

func newRefusedCodes() (*refusedCodes, error) {
	pad, err := secret.New(keyBLength)
	if err != nil {
		return nil, err
	}
	if _, err := rand.Read(pad.Bytes()); err != nil {
		panic("session: no randomness for the refused-code pad: " + err.Error())
	}
	slots, err := secret.New(keyBLength * refusedMax)
	if err != nil {
		pad.Destroy()
		return nil, err
	}
	return &refusedCodes{pad: pad, slots: slots, at: make([]time.Time, refusedMax)}, nil
}

func (r *refusedCodes) slot(i int) []byte { return r.slots.Bytes()[i*keyBLength : (i+1)*keyBLength] }

// masked writes code XOR pad into dst.
func (r *refusedCodes) masked(dst []byte, code *secret.Buffer) {
	for i := range dst {
		dst[i] = code.Bytes()[i] ^ r.pad.Bytes()[i]
	}
}

// add remembers a refused code in a free slot, or in the oldest one.
func (r *refusedCodes) add(code *secret.Buffer) {
	if code.Len() != keyBLength {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	now, use := time.Now(), 0
	for i, t := range r.at {
		if t.IsZero() || now.Sub(t) > refusedFor {
			use = i
			break
		}
		if t.Before(r.at[use]) {
			use = i
		}
	}
	r.masked(r.slot(use), code)
	r.at[use] = now
}

// has reports whether a card refused this code recently.
func (r *refusedCodes) has(code *secret.Buffer) bool {
	if code.Len() != keyBLength {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	probe, err := secret.New(keyBLength)
	if err != nil {
		return true // unknown: treat as refused rather than risk a try
	}
	defer probe.Destroy()
	r.masked(probe.Bytes(), code)
	now := time.Now()
	for i, t := range r.at {
		if !t.IsZero() && now.Sub(t) <= refusedFor && subtle.ConstantTimeCompare(probe.Bytes(), r.slot(i)) == 1 {
			return true
		}
	}
	return false
}
