package reception

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/app/eligibility"
)

// TestMain turns the test binary into a kiosk running the req/ service
// when TestKilledServiceAnswersEachRequestOnce asks for one.
func TestMain(m *testing.M) {
	if dirs := os.Getenv("UKETSUKE_RECEPTION_HELPER"); dirs != "" {
		root, state, _ := strings.Cut(dirs, "|")
		serveUntilKilled(root, state)
	}
	os.Exit(m.Run())
}

func serveUntilKilled(root, state string) {
	slow := &countingLookup{f: func(ctx context.Context, q eligibility.InsuranceQuery) (*eligibility.Result, error) {
		time.Sleep(time.Duration(rand.IntN(3)) * time.Millisecond) // widen the windows between the steps
		return sample("架空　花子", "カクウ　ハナコ"), nil
	}}
	s, err := NewService(ServiceConfig{Root: root, StateDir: state, KioskID: "K1", Encoding: ShiftJIS,
		Lookup: slow, Poll: time.Millisecond, Settle: time.Nanosecond})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(2)
	}
	s.Run(context.Background())
	os.Exit(0)
}

// TestKilledServiceAnswersEachRequestOnce kills a real kiosk process at
// random moments while a reception system takes every answer as soon as it
// appears: no request may get two answers or none.
func TestKilledServiceAnswersEachRequestOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("subprocess test")
	}
	root, state := t.TempDir(), t.TempDir()
	const n = 150
	for i := range n {
		putRequest(t, root, fmt.Sprintf("OQSsiquc01req_%04d.xml", i), goodSearch)
	}
	res := filepath.Join(root, ResFolder)
	os.MkdirAll(res, 0o770)
	var mu sync.Mutex
	taken := map[string]int{}
	stop := make(chan struct{})
	consumed := make(chan struct{})
	go func() { // the reception system: read and remove every answer
		defer close(consumed)
		for {
			entries, _ := os.ReadDir(res)
			for _, e := range entries {
				if !strings.HasPrefix(e.Name(), "OQSsiquc01res_") || !strings.HasSuffix(e.Name(), ".xml") {
					continue
				}
				p := filepath.Join(res, e.Name())
				data, err := os.ReadFile(p)
				if err != nil {
					continue
				}
				if _, err := ReadDocument(data); err != nil {
					t.Errorf("%s is not whole: %v", e.Name(), err)
				}
				if os.Remove(p) == nil {
					mu.Lock()
					taken[e.Name()]++
					mu.Unlock()
				}
			}
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	pending := func() int {
		c := 0
		entries, _ := os.ReadDir(filepath.Join(root, ReqFolder))
		for _, e := range entries {
			if IsRequestName(e.Name()) {
				c++
			}
		}
		return c
	}
	start := func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "UKETSUKE_RECEPTION_HELPER="+root+"|"+state)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	kills := 0
	for round := 0; pending() > 0 && round < 60; round++ {
		cmd := start()
		time.Sleep(time.Duration(10+rand.IntN(50)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		kills++
	}
	// then one run that is not killed until every request is answered
	cmd := start()
	for deadline := time.Now().Add(20 * time.Second); pending() > 0 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if pending() > 0 {
		t.Fatalf("%d requests still pending after %d kills", pending(), kills)
	}
	time.Sleep(100 * time.Millisecond) // let the reception system take the last answers
	close(stop)
	<-consumed
	mu.Lock()
	defer mu.Unlock()
	for i := range n {
		name := fmt.Sprintf("OQSsiquc01res_%04d.xml", i)
		if taken[name] != 1 {
			t.Errorf("%s taken %d times", name, taken[name])
		}
	}
	t.Logf("%d requests, %d kills, each answered once", n, kills)
}
