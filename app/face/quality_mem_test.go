//go:build !race

// The race detector's shadow memory makes the scan slow and meaningless.

package face

import (
	"crypto/rand"
	"runtime"
	"testing"

	"github.com/uketsuke/uketsuke/app/secret/secrettest"
)

// TestQualityChecksLeaveNoPixelsOnTheHeap: the eye and mask checks read a
// region as (luma, Cb, Cr) triples into a heap slice; it must be wiped once
// read, or that part of the face stays behind after the image is released.
func TestQualityChecksLeaveNoPixelsOnTheHeap(t *testing.T) {
	img, err := NewImage(96, 64)
	if err != nil {
		t.Fatal(err)
	}
	rand.Read(img.Pix)
	region := Rect{Min: Point{8, 8}, Max: Point{88, 56}}
	runs := secrettest.NewWindows()
	row := make([]byte, 3*img.W)
	for y := 8; y < 56; y++ {
		for x := 8; x < 88; x++ {
			p := ycc(img.At(x, y))
			copy(row[3*(x-8):], p[:])
		}
		runs.Add(row[:3*80], 3)
	}
	clear(row)
	if spread(img, region) <= 0 || meanYCC(img, region)[0] <= 0 {
		t.Fatal("noise has no spread or no brightness")
	}
	patchMeanLuma(img, Point{30, 30}, Point{60, 30}, eyeMesh())
	img.Release()
	runtime.GC()
	n, where, err := runs.Scan()
	if err != nil {
		t.Skipf("process memory not readable: %v", err)
	}
	if n > 0 {
		t.Errorf("%d runs of the region as luma and chroma left in memory, e.g. %v", n, where)
	}
}

// eyeMesh is a mesh whose outer eye corners are 200 pixels apart, so the
// cheek patches are wide.
func eyeMesh() []Point {
	m := make([]Point, MeshPoints)
	m[MeshEyeRightOuter], m[MeshEyeLeftOuter] = Point{0, 30}, Point{200, 30}
	return m
}
