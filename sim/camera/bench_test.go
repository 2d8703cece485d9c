package camera

import (
	"context"
	"syscall"
	"testing"
	"time"
)

// go test -run=^$ -bench=LiveFace ./sim/camera
func BenchmarkLiveFace640x480(b *testing.B) {
	s, err := NewLiveFaceSource(LiveConfig{Face: markedFace()})
	if err != nil {
		b.Fatal(err)
	}
	start := cpuTime()
	for b.Loop() {
		f, err := s.Next(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		f.Release()
	}
	// CPU time per frame: on this shared machine wall time mostly measures the other tenants.
	b.ReportMetric(float64((cpuTime()-start).Microseconds())/1000/float64(b.N), "cpu-ms/op")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
