package onshi

import (
	"testing"
	"time"
)

func TestTTLMapSweepsOnlyWhatExpired(t *testing.T) {
	type entry struct{ exp time.Time }
	m := newTTLMap(func(e entry) time.Time { return e.exp })
	t0 := time.Unix(1_000_000, 0)
	var ids []string
	for i := range 3000 {
		now := t0.Add(time.Duration(i) * time.Millisecond)
		ids = append(ids, m.add(now, entry{exp: now.Add(time.Second)}))
	}
	// At t0+3 s + linger, the first ~2000 have passed their time.
	m.add(t0.Add(3*time.Second+linger), entry{exp: t0.Add(time.Hour)})
	if got := m.len(); got < 1000 || got > 1100 {
		t.Fatalf("%d entries left after the sweep", got)
	}
	m.with(ids[0], func(_ entry, ok bool) bool {
		if ok {
			t.Fatal("the oldest entry survived")
		}
		return ok
	})
	m.with(ids[2999], func(_ entry, ok bool) bool {
		if !ok {
			t.Fatal("a live entry was swept")
		}
		return ok
	})
	if len(m.order)-m.head != m.len() {
		t.Fatalf("queue holds %d, map %d", len(m.order)-m.head, m.len())
	}
}
