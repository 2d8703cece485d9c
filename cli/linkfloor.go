package cli

import (
	"fmt"
	"io"
	"runtime"
	"sort"
	"syscall"
	"time"

	"github.com/uketsuke/uketsuke/sim/scenario"
	"github.com/uketsuke/uketsuke/sim/vcard"
)

// cardLinker is a simulated world whose virtual card logs its traffic.
type cardLinker interface {
	CardLink() ([]vcard.Exchange, vcard.Latency)
}

// linkFigures gathers, per session, what crossed the card link between
// choosing 顔認証 and the result, and the floor for that work.
type linkFigures struct {
	lat          vcard.Latency
	sent, floors []vcard.Cost
	ratios       []float64 // measured time ÷ floor time
}

func (l *linkFigures) add(w scenario.World, r scenario.Report) {
	cl, ok := w.(cardLinker)
	if !ok || r.ChoseFace.IsZero() || r.Answered.IsZero() {
		return
	}
	ex, lat := cl.CardLink()
	in := vcard.Between(ex, r.ChoseFace, r.Answered)
	floor := vcard.Floor(in, lat)
	l.lat = lat
	l.sent = append(l.sent, vcard.Sent(in, lat))
	l.floors = append(l.floors, floor)
	if floor.Time > 0 {
		l.ratios = append(l.ratios, float64(r.FaceToResult)/float64(floor.Time))
	}
}

func (l *linkFigures) print(w io.Writer) {
	if len(l.floors) == 0 || l.lat.PerAPDU == 0 {
		fmt.Fprintln(w, "card link: no latency model (--latency fast or the stand-in world): no floor")
		return
	}
	i := medianIndex(l.floors)
	s, f := l.sent[i], l.floors[i]
	fmt.Fprintf(w, "card link, choose 顔認証 → result (median session) at %v per APDU + %v per byte:\n",
		l.lat.PerAPDU, l.lat.PerByte)
	fmt.Fprintf(w, "  sent  %3d APDUs %6d bytes = %6.1f ms\n", s.APDUs, s.Bytes, simMS(s.Time))
	fmt.Fprintf(w, "  floor %3d APDUs %6d bytes = %6.1f ms (each file read once in one extended READ, no repeated SELECT, no chaining)\n",
		f.APDUs, f.Bytes, simMS(f.Time))
	if len(l.ratios) > 0 {
		fmt.Fprintf(w, "  measured ÷ floor: median %.2f, p95 %.2f\n", percentile(l.ratios, 0.5), percentile(l.ratios, 0.95))
	}
}

// medianIndex is the session whose floor time is the median.
func medianIndex(c []vcard.Cost) int {
	idx := make([]int, len(c))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return c[idx[a]].Time < c[idx[b]].Time })
	return idx[len(idx)/2]
}

// processUsage is the process's CPU time and peak resident memory.
type processUsage struct {
	cpu     time.Duration
	peakRSS int64  // bytes
	goHeap  uint64 // bytes the Go runtime holds from the system now
}

func usage() processUsage {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return processUsage{}
	}
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return processUsage{cpu: cpu, peakRSS: ru.Maxrss * 1024, goHeap: ms.Sys - ms.HeapReleased}
}

func (u processUsage) since(before processUsage) processUsage {
	return processUsage{cpu: u.cpu - before.cpu, peakRSS: u.peakRSS, goHeap: u.goHeap}
}

func (u processUsage) print(w io.Writer, sessions int) {
	if sessions < 1 {
		return
	}
	fmt.Fprintf(w, "process (the kiosk with both face models, and the simulated world in the same process): peak RSS %.0f MB (Go runtime %.0f MB, the rest C: Tesseract, ONNX Runtime, OpenJPEG), CPU %.2f s per session\n",
		float64(u.peakRSS)/(1<<20), float64(u.goHeap)/(1<<20), (u.cpu / time.Duration(sessions)).Seconds())
}
