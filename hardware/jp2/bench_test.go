package jp2

import (
	"fmt"
	"image"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// Decode speed for a card-like photo and a VGA frame, lossless and at the
// card's compression: go test -run=^$ -bench=Decode ./hardware/jp2
func BenchmarkDecodeGray(b *testing.B) {
	for _, size := range [][2]int{{300, 400}, {640, 480}} {
		for _, q := range []int{CardPhotoQuality, 100} {
			data := mustEncode(b, testGray(size[0], size[1], 1).Pix, size[0], size[1], 1, q, FormatJ2K)
			b.Run(fmt.Sprintf("%dx%d/q%d/%dB", size[0], size[1], q, len(data)), func(b *testing.B) {
				defer reportCPU(b)()
				for b.Loop() {
					if _, err := Decode(data, nil); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// A card photo made from a real face (../shared/faces), as the virtual card holds it.
func BenchmarkDecodeCardPhotoRealFace(b *testing.B) {
	f, err := os.Open(filepath.Join("..", "..", "..", "shared", "faces", "lfw-devtrain", "Aaron_Sorkin", "Aaron_Sorkin_0001.jpg"))
	if err != nil {
		b.Skipf("shared faces absent: %v", err)
	}
	defer f.Close()
	face, _, err := image.Decode(f)
	if err != nil {
		b.Fatal(err)
	}
	data, err := EncodeCardPhoto(face)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(len(data)), "bytes")
	defer reportCPU(b)()
	for b.Loop() {
		if _, err := Decode(data, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// reportCPU adds the process's CPU time per operation: on this shared
// machine wall time mostly measures the other tenants.
func reportCPU(b *testing.B) func() {
	start := cpuTime()
	return func() {
		b.ReportMetric(float64((cpuTime()-start).Microseconds())/1000/float64(b.N), "cpu-ms/op")
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
