package wire

import (
	"sync"

	"github.com/uketsuke/uketsuke/app/session"
)

// faultBoard collects the parts' faults, which come and go independently,
// and shows the kiosk the most pressing one (the View has room for one).
type faultBoard struct {
	k  *session.Kiosk
	mu sync.Mutex
	on map[session.ErrorCode]bool
}

// faultOrder: without a reader no patient can start; without the result
// folder no session can finish; a camera missing still leaves the PIN.
var faultOrder = []session.ErrorCode{session.ErrCodeNoReader, session.ErrCodeResults,
	session.ErrCodeNoCardCamera, session.ErrCodeNoFaceCamera}

func newFaultBoard(k *session.Kiosk) *faultBoard {
	return &faultBoard{k: k, on: map[session.ErrorCode]bool{}}
}

func (b *faultBoard) set(code session.ErrorCode, on bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.on[code] = on
	show := session.ErrCodeNone
	for _, c := range faultOrder {
		if b.on[c] {
			show = c
			break
		}
	}
	b.k.Fault(show)
}

// active lists the faults on now, most pressing first.
func (b *faultBoard) active() []session.ErrorCode {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []session.ErrorCode
	for _, c := range faultOrder {
		if b.on[c] {
			out = append(out, c)
		}
	}
	return out
}
