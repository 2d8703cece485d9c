package session_test

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/app/audit"
	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/sim/standin"
)

// rig is a running kiosk in a stand-in world.
type rig struct {
	t     *testing.T
	k     *session.Kiosk
	w     *standin.World
	views <-chan session.View
	last  session.View
	stop  func()
}

func testSettings() session.Settings {
	s := session.DefaultSettings()
	s.FaceAttemptTime = 300 * time.Millisecond
	s.Inactivity = 5 * time.Second
	s.FusionWindow = time.Second
	return s
}

func newRig(t *testing.T, mod func(*session.Settings, *standin.World)) *rig {
	t.Helper()
	return newRigLog(t, mod, nil)
}

func newRigLog(t *testing.T, mod func(*session.Settings, *standin.World), log *audit.Logger) *rig {
	t.Helper()
	w := standin.NewWorld(standin.Fast)
	set := testSettings()
	if mod != nil {
		mod(&set, w)
	}
	k, err := session.New(session.Options{Devices: w.Devices(), Settings: set, Audit: log})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { k.Run(ctx); close(done) }()
	r := &rig{t: t, k: k, w: w, views: k.Watch(ctx)}
	r.stop = func() { cancel(); <-done }
	t.Cleanup(r.stop)
	return r
}

func holder() standin.Holder {
	return standin.Holder{Person: 7, PIN: []byte("4821"), KeyB: []byte("55021720352285")}
}

// await waits until the view is in state st and satisfies ok (if given).
func (r *rig) await(st session.State, ok func(session.View) bool) session.View {
	r.t.Helper()
	deadline := time.After(3 * time.Second)
	for {
		if r.last.State == st && (ok == nil || ok(r.last)) {
			return r.last
		}
		select {
		case v := <-r.views:
			r.last = v
		case <-deadline:
			r.t.Fatalf("waiting for %s: stuck in %s (error %q, message %q)", st, r.last.State, r.last.Error, r.last.Message)
		}
	}
}

// settle waits until the machine has handled everything sent so far.
func (r *rig) settle() session.View {
	r.must(r.k.Sync(context.Background()))
	r.last = r.k.View()
	return r.last
}

func (r *rig) must(err error) {
	r.t.Helper()
	if err != nil {
		r.t.Fatal(err)
	}
}

func (r *rig) place(h standin.Holder) *standin.Card {
	c := r.w.Card(h)
	r.must(r.k.CardPlaced(c))
	return c
}

func (r *rig) typePIN(digits string) {
	for i := 0; i < len(digits); i++ {
		r.must(r.k.Digit(digits[i] - '0'))
	}
}

// goroutinesSettle waits for the goroutine count to come back to base.
func goroutinesSettle(t *testing.T, base int) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > base {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			n := runtime.Stack(buf, true)
			t.Fatalf("%d goroutines, want %d:\n%s", runtime.NumGoroutine(), base, buf[:n])
		}
		time.Sleep(10 * time.Millisecond)
	}
}
