package printertest

import (
	"bytes"
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/hardware/printer"
)

// Faults is the state a test sets for the printer to report.
type Faults struct {
	Offline      bool // offline for another reason (an error, the feed button)
	CoverOpen    bool
	PaperOut     bool
	PaperNearEnd bool
}

func (f Faults) stopped() bool { return f.Offline || f.CoverOpen || f.PaperOut }

// Recorder is a printer that keeps what it is sent. Like a real one it has
// one buffer and one set of modes across connections: while a fault stops
// it, commands wait in its buffer and print once the fault is cleared,
// unless a clear-buffers command discarded them.
type Recorder struct {
	mu          sync.Mutex
	faults      Faults
	runOutAfter int // lines until the paper ends; 0: never
	state       state
	pending     []Command
	streams     [][]byte
	printed     []Receipt
	errs        []error
	ended       int        // connections served to their end
	endedCond   *sync.Cond // signalled when one ends
}

// New makes a recorder that is ready to print.
func New() *Recorder {
	r := &Recorder{}
	r.endedCond = sync.NewCond(&r.mu)
	r.state.reset()
	return r
}

// SetFaults changes what the printer reports; clearing the last fault
// prints what waited in the buffer.
func (r *Recorder) SetFaults(f Faults) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.faults = f
	r.drain()
}

// PaperRunsOutAfter makes the paper end once n more lines were printed.
func (r *Recorder) PaperRunsOutAfter(lines int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.runOutAfter = lines
}

// Printed returns the receipts printed and cut so far.
func (r *Recorder) Printed() []Receipt {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Receipt(nil), r.printed...)
}

// Streams returns the bytes of each connection, in order.
func (r *Recorder) Streams() [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([][]byte, len(r.streams))
	for i, s := range r.streams {
		out[i] = bytes.Clone(s)
	}
	return out
}

// Errors returns what the decoder refused, one error per connection it ended.
func (r *Recorder) Errors() []error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]error(nil), r.errs...)
}

// WaitEnded waits until n connections were served to their end, as a
// test must before it changes the printer's state under a sender that has
// already hung up (its last bytes may still be on the way).
func (r *Recorder) WaitEnded(t testing.TB, n int) {
	t.Helper()
	timer := time.AfterFunc(5*time.Second, func() {
		r.mu.Lock()
		r.endedCond.Broadcast()
		r.mu.Unlock()
	})
	defer timer.Stop()
	deadline := time.Now().Add(5 * time.Second)
	r.mu.Lock()
	defer r.mu.Unlock()
	for r.ended < n {
		if time.Now().After(deadline) {
			t.Fatalf("printertest: %d of %d connections ended after 5s", r.ended, n)
		}
		r.endedCond.Wait()
	}
}

// ListenTCP serves raw TCP on a free loopback port, as a network printer
// serves port 9100, until the test ends. It returns host:port.
func (r *Recorder) ListenTCP(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				r.Serve(c)
			}()
		}
	}()
	return ln.Addr().String()
}

// Serve takes one connection's stream until it ends, answering status
// requests as they come. A command the decoder refuses ends the connection
// with the error, which Errors keeps too.
func (r *Recorder) Serve(link io.ReadWriter) error {
	var stream bytes.Buffer
	r.mu.Lock()
	idx := len(r.streams)
	r.streams = append(r.streams, nil)
	r.mu.Unlock()
	dec := NewDecoder(io.TeeReader(link, &stream))
	defer func() {
		r.mu.Lock()
		r.ended++
		r.endedCond.Broadcast()
		r.mu.Unlock()
	}()
	for {
		c, err := dec.Next()
		r.mu.Lock()
		r.streams[idx] = bytes.Clone(stream.Bytes())
		if err == nil {
			err = r.take(c, link)
		}
		if err != nil && !errors.Is(err, io.EOF) {
			r.errs = append(r.errs, err)
		}
		r.mu.Unlock()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// take handles one command with the lock held.
func (r *Recorder) take(c Command, link io.Writer) error {
	switch c.Op {
	case OpRealTimeStatus:
		_, err := link.Write([]byte{r.realTimeStatus(c.Arg)})
		return err
	case OpClearBuffers:
		r.pending = nil
		return r.state.apply(c)
	}
	if r.faults.stopped() {
		r.pending = append(r.pending, c)
		return nil
	}
	return r.process(c, link)
}

// process runs a buffered command as the printer's mechanism does.
func (r *Recorder) process(c Command, link io.Writer) error {
	if c.Op == OpPaperStatus {
		if link == nil { // its asker is gone
			return nil
		}
		_, err := link.Write([]byte{r.paperStatus()})
		return err
	}
	if err := r.state.apply(c); err != nil {
		return err
	}
	if c.Op == OpLineFeed && r.runOutAfter > 0 {
		if r.runOutAfter--; r.runOutAfter == 0 {
			r.faults.PaperOut = true
		}
	}
	r.printed = append(r.printed, r.state.receipts...)
	r.state.receipts = nil
	return nil
}

// drain prints what waited while the printer was stopped.
func (r *Recorder) drain() {
	for len(r.pending) > 0 && !r.faults.stopped() {
		c := r.pending[0]
		r.pending = r.pending[1:]
		if err := r.process(c, nil); err != nil {
			r.errs = append(r.errs, err)
		}
	}
}

// realTimeStatus answers DLE EOT n.
func (r *Recorder) realTimeStatus(n byte) byte {
	const fixed = 0x12
	f := r.faults
	b := byte(fixed)
	switch n {
	case printer.StatusPrinter:
		if f.stopped() {
			b |= 0x08
		}
	case printer.StatusOffline:
		if f.CoverOpen {
			b |= 0x04
		}
		if f.PaperOut {
			b |= 0x20
		}
	case printer.StatusPaper:
		if f.PaperNearEnd {
			b |= 0x0c
		}
		if f.PaperOut {
			b |= 0x60
		}
	}
	return b
}

// paperStatus answers GS r 1.
func (r *Recorder) paperStatus() byte {
	var b byte
	if r.faults.PaperNearEnd {
		b |= 0x03
	}
	if r.faults.PaperOut {
		b |= 0x0c
	}
	return b
}
