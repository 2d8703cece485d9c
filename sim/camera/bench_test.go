package camera

import (
	"context"
	"testing"
)

// go test -run=^$ -bench=LiveFace ./sim/camera
func BenchmarkLiveFace640x480(b *testing.B) {
	s, err := NewLiveFaceSource(LiveConfig{Face: markedFace()})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		f, err := s.Next(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		f.Release()
	}
}
