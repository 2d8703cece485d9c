package jp2

import "testing"

func TestScaleTo8(t *testing.T) {
	cases := []struct {
		v    int32
		prec uint
		want byte
	}{
		{0, 1, 0}, {1, 1, 255},
		{0, 4, 0}, {15, 4, 255}, {8, 4, 136},
		{200, 8, 200},
		{65535, 16, 255}, {256, 16, 1}, {1023, 10, 255}, {4, 10, 1},
	}
	for _, c := range cases {
		if got := scaleTo8(c.v, c.prec); got != c.want {
			t.Errorf("scaleTo8(%d, %d) = %d, want %d", c.v, c.prec, got, c.want)
		}
	}
}

func TestSYCCToRGB(t *testing.T) {
	pix := []byte{
		128, 128, 128, 255, // grey stays grey
		76, 85, 255, 255, // full-range red
		255, 128, 128, 255, // white
	}
	syccToRGB(pix)
	want := []byte{128, 128, 128, 255, 254, 0, 0, 255, 255, 255, 255, 255}
	for i := range want {
		d := int(pix[i]) - int(want[i])
		if d < -2 || d > 2 {
			t.Fatalf("got %v, want %v (±2)", pix, want)
		}
	}
}
