package cardface

import (
	"bytes"
	"context"
	"errors"
	"image"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/app/camera"
	"github.com/uketsuke/uketsuke/sim/profile"
)

func TestTruthOfEraGannenAndForeign(t *testing.T) {
	cases := []struct {
		birth   string
		foreign bool
		design  Design
		want    string
	}{
		{"1980-02-17", false, DesignCurrent, "55021720352285"},
		{"1989-01-08", false, DesignCurrent, "01010820352285"},
		{"1989-01-07", false, DesignCurrent, "64010720352285"},
		{"2019-05-01", false, DesignCurrent, "01050120352285"},
		{"1912-07-30", false, DesignCurrent, "01073020352285"},
		{"1926-12-25", false, "", "01122520352285"},
		{"1985-03-04", true, DesignCurrent, "85030420352285"},
		// The next design prints every birth date in the Gregorian calendar.
		{"1980-02-17", false, DesignNext, "80021720352285"},
		{"2019-05-01", false, DesignNext, "19050120352285"},
		{"1985-03-04", true, DesignNext, "85030420352285"},
	}
	for _, c := range cases {
		p := profile.Default()
		p.Birth, p.Foreign = c.birth, c.foreign
		tr, err := TruthOf(p, c.design)
		if err != nil || tr.CodeB != c.want {
			t.Errorf("%s foreign=%v %s: %q %v, want %s", c.birth, c.foreign, c.design, tr.CodeB, err, c.want)
		}
	}
}

func TestRenderIsDeterministicPerSeed(t *testing.T) {
	opts := Options{Seed: 9, Mix: Normal, Font: -1, Width: 480, Height: 360}
	a, ta, err := Render(profile.Default(), nil, opts)
	if err != nil {
		t.Fatal(err)
	}
	b, tb, _ := Render(profile.Default(), nil, opts)
	opts.Seed = 10
	c, _, _ := Render(profile.Default(), nil, opts)
	pa, pb, pc := a.(*image.RGBA).Pix, b.(*image.RGBA).Pix, c.(*image.RGBA).Pix
	if !bytes.Equal(pa, pb) || ta != tb {
		t.Error("same seed, different frames")
	}
	if bytes.Equal(pa, pc) {
		t.Error("different seeds, same frame")
	}
	if ta.CodeB != "55021720352285" {
		t.Errorf("truth %s", ta.CodeB)
	}
}

func TestRenderRefusesBadInput(t *testing.T) {
	if _, _, err := Render(nil, nil, Options{}); !errors.Is(err, profile.ErrInvalid) {
		t.Errorf("nil profile: %v", err)
	}
	p := profile.Default()
	p.Birth = "1980-02-30"
	if _, _, err := Render(p, nil, Options{}); !errors.Is(err, profile.ErrInvalid) {
		t.Errorf("impossible birth: %v", err)
	}
	if _, _, err := Render(profile.Default(), nil, Options{Width: 20, Height: 20}); !errors.Is(err, ErrFrameSize) {
		t.Errorf("tiny frame: %v", err)
	}
}

func TestRenderPoseAndCornersInsideFrame(t *testing.T) {
	_, tr, err := Render(profile.Default(), nil, Options{Seed: 1, Mix: Normal, Width: 640, Height: 480, Pose: &Pose{AngleDeg: 8, UpsideDown: true}})
	if err != nil {
		t.Fatal(err)
	}
	if !tr.UpsideDown {
		t.Error("pose ignored")
	}
	// Upside down: the upright card's top-left corner is the lower right one.
	if tr.Corners[0].Y < tr.Corners[2].Y {
		t.Errorf("corners %v not turned", tr.Corners)
	}
	for _, c := range tr.Corners {
		if c.X < 0 || c.Y < 0 || c.X > 640 || c.Y > 480 {
			t.Errorf("corner %v outside the frame", c)
		}
	}
}

func TestRandomHoldersAreValidCards(t *testing.T) {
	eras := map[string]bool{}
	for seed := int64(0); seed < 2000; seed++ {
		p := RandomHolder(seed)
		if err := p.Validate(); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		tr, err := TruthOf(p, DesignCurrent)
		if err != nil || len(tr.CodeB) != 14 {
			t.Fatalf("seed %d: %v %q", seed, err, tr.CodeB)
		}
		b, _ := p.BirthDate()
		e, _ := p.ExpiryDate()
		if e.Year() < 2015 || e.Year() > 2045 || e.Before(b) {
			t.Fatalf("seed %d: expiry %s for birth %s", seed, p.Expiry, p.Birth)
		}
		if !p.Foreign && !(e.Month() == b.Month() && e.Day() == b.Day()) && !(b.Month() == 2 && b.Day() == 29) {
			t.Fatalf("seed %d: national's card expires off the birthday: %s / %s", seed, p.Birth, p.Expiry)
		}
		if !p.Foreign {
			eras[tr.BirthYYMMDD[:2]+eraOf(b)] = true
		}
	}
	for _, e := range []string{"01大正", "01昭和", "01平成", "01令和"} {
		if !eras[e] {
			t.Errorf("2000 holders include no %s元年 birth", e[2:])
		}
	}
}

func eraOf(b time.Time) string {
	switch {
	case b.Before(time.Date(1912, 7, 30, 0, 0, 0, 0, time.UTC)):
		return "明治"
	case b.Before(time.Date(1926, 12, 25, 0, 0, 0, 0, time.UTC)):
		return "大正"
	case b.Before(time.Date(1989, 1, 8, 0, 0, 0, 0, time.UTC)):
		return "昭和"
	case b.Before(time.Date(2019, 5, 1, 0, 0, 0, 0, time.UTC)):
		return "平成"
	}
	return "令和"
}

func TestCameraStreamsDistinctFramesUntilClosed(t *testing.T) {
	cam, err := NewCamera(profile.Default(), nil, Options{Mix: Normal, Width: 320, Height: 240})
	if err != nil {
		t.Fatal(err)
	}
	f1, err := cam.Next(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	f2, _ := cam.Next(context.Background())
	if bytes.Equal(f1.Image.Pix, f2.Image.Pix) {
		t.Error("two identical frames")
	}
	f1.Release()
	f2.Release()
	cam.Close()
	if _, err := cam.Next(context.Background()); !errors.Is(err, camera.ErrClosed) {
		t.Errorf("after Close: %v", err)
	}
}

func TestFontsInstalled(t *testing.T) {
	if n := FontCount(); n < 1 {
		t.Fatal("no Japanese fonts: install fonts-ipaexfont-gothic, fonts-morisawa-bizud-gothic or fonts-noto-cjk")
	}
}
