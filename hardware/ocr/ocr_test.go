package ocr

import (
	"bytes"
	"context"
	"errors"
	"image"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/otiai10/gosseract/v2"
	"github.com/uketsuke/uketsuke/app/cardscan"
	"github.com/uketsuke/uketsuke/sim/cardface"
	"github.com/uketsuke/uketsuke/sim/profile"
)

var (
	poolOnce sync.Once
	shared   *Pool
	poolErr  error
)

// testPool is one two-worker pool for the package: loading models costs
// about a second per worker.
func testPool(t *testing.T) *Pool {
	t.Helper()
	poolOnce.Do(func() { shared, poolErr = NewPool(2) })
	if poolErr != nil {
		t.Fatalf("starting Tesseract: %v", poolErr)
	}
	return shared
}

func holder(birth, expiry, code string, foreign bool) *profile.Profile {
	p := profile.Default()
	p.Birth, p.Expiry, p.SecurityCode, p.Foreign = birth, expiry, code, foreign
	return p
}

// scanRendered renders p and scans it with real Tesseract, returning 照合番号B.
func scanRendered(t *testing.T, p *profile.Profile, opts cardface.Options) (string, error) {
	t.Helper()
	img, truth, err := cardface.Render(p, nil, opts)
	if err != nil {
		t.Fatal(err)
	}
	res, err := testPool(t).Scan(context.Background(), img)
	if err != nil {
		return "", err
	}
	defer res.Destroy()
	if res.UpsideDown != truth.UpsideDown {
		t.Errorf("upside down %v, truth %v", res.UpsideDown, truth.UpsideDown)
	}
	if got := res.CodeB.Bytes(); !bytes.Equal(got, []byte(truth.CodeB)) {
		t.Errorf("read %s, truth %s", got, truth.CodeB)
	}
	return truth.CodeB, nil
}

func TestScanEveryEraAndGannen(t *testing.T) {
	cases := []struct{ birth, expiry, want string }{
		{"1911-03-15", "2027-03-15", "44031520270000"}, // 明治44年
		{"1912-07-30", "2030-07-30", "01073020300000"}, // 大正元年
		{"1926-12-25", "2029-12-25", "01122520290000"}, // 昭和元年
		{"1980-02-17", "2035-02-17", "55021720350000"}, // 昭和55年
		{"1989-01-07", "2031-01-07", "64010720310000"}, // 昭和64年
		{"1989-01-08", "2031-01-08", "01010820310000"}, // 平成元年
		{"2019-04-30", "2029-04-30", "31043020290000"}, // 平成31年
		{"2019-05-01", "2029-05-01", "01050120290000"}, // 令和元年
		{"2020-02-29", "2030-02-28", "02022920300000"}, // 令和2年, common-year expiry
	}
	for i, c := range cases {
		t.Run(c.birth, func(t *testing.T) {
			p := holder(c.birth, c.expiry, "0000", false)
			want, err := scanRendered(t, p, cardface.Options{Seed: int64(i), Mix: cardface.Clean, Font: i % cardface.FixedFontCount()})
			if err != nil {
				t.Fatal(err)
			}
			if want != c.want {
				t.Fatalf("renderer truth %s, want %s", want, c.want)
			}
		})
	}
}

func TestScanGregorianBirthDate(t *testing.T) {
	p := holder("1985-03-04", "2031-11-20", "7310", true)
	p.Name = "SMITH JOHN"
	want, err := scanRendered(t, p, cardface.Options{Seed: 7, Mix: cardface.Clean})
	if err != nil {
		t.Fatal(err)
	}
	if want != "85030420317310" {
		t.Fatalf("truth %s", want)
	}
}

func TestScanRotatedAndUpsideDown(t *testing.T) {
	for i, pose := range []cardface.Pose{{AngleDeg: 8}, {AngleDeg: -8}, {AngleDeg: 5, UpsideDown: true}, {AngleDeg: -6, UpsideDown: true}} {
		p := cardface.RandomHolder(int64(40 + i))
		if _, err := scanRendered(t, p, cardface.Options{Seed: int64(40 + i), Mix: cardface.Normal, Font: -1, Pose: &pose}); err != nil {
			t.Errorf("pose %+v: %v", pose, err)
		}
	}
}

func TestScanRefusesFramesWithoutACard(t *testing.T) {
	blank := image.NewGray(image.Rect(0, 0, 1280, 960))
	if _, err := testPool(t).Scan(context.Background(), blank); !errors.Is(err, cardscan.ErrNoCard) {
		t.Fatalf("blank frame: %v", err)
	}
}

func TestPoolServesConcurrentScans(t *testing.T) {
	pool := testPool(t)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func(seed int64) {
			defer wg.Done()
			img, truth, err := cardface.Render(cardface.RandomHolder(seed), nil, cardface.Options{Seed: seed, Mix: cardface.Clean, Font: -1})
			if err != nil {
				errs <- err
				return
			}
			res, err := pool.Scan(context.Background(), img)
			if err != nil {
				errs <- err
				return
			}
			defer res.Destroy()
			if !bytes.Equal(res.CodeB.Bytes(), []byte(truth.CodeB)) {
				errs <- errors.New("concurrent scan read a wrong code")
			}
		}(int64(60 + i))
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestRecognizeWaitsForAWorkerUntilContextEnds(t *testing.T) {
	pool := testPool(t)
	// Hold every worker.
	held := make([]*engine, 0, len(pool.all))
	for range pool.all {
		held = append(held, <-pool.idle)
	}
	defer func() {
		for _, e := range held {
			pool.idle <- e
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := pool.Recognize(ctx, cardscan.OCRRequest{Image: image.NewGray(image.Rect(0, 0, 10, 10)), Lang: "jpn"})
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 2*time.Second {
		t.Fatalf("err = %v after %v", err, time.Since(start))
	}
}

// Each rune of the text gets its symbol's box and confidence, and the
// lowest of them is the reading's confidence.
func TestAssembleGivesEachRuneItsConfidence(t *testing.T) {
	boxes := []gosseract.BoundingBox{
		{Box: image.Rect(0, 0, 5, 9), Word: ":", Confidence: 61},
		{Box: image.Rect(6, 0, 12, 9), Word: "6", Confidence: 99},
		{Box: image.Rect(13, 0, 19, 9), Word: "年", Confidence: 97.5},
	}
	res := assemble(boxes)
	if string(res.Text) != ":6年" || len(res.Boxes) != 3 || res.Boxes[1] != image.Rect(6, 0, 12, 9) {
		t.Fatalf("text %q, boxes %v", res.Text, res.Boxes)
	}
	if want := []float64{0.61, 0.99, 0.975}; !slices.Equal(res.Confidences, want) || res.Confidence != 0.61 {
		t.Errorf("confidences %v (lowest %v), want %v", res.Confidences, res.Confidence, want)
	}
}

func TestRecognizeUnknownLanguage(t *testing.T) {
	_, err := testPool(t).Recognize(context.Background(), cardscan.OCRRequest{Image: image.NewGray(image.Rect(0, 0, 10, 10)), Lang: "kor"})
	if !errors.Is(err, ErrLanguage) {
		t.Fatalf("err = %v", err)
	}
}

func TestClosedPoolRefuses(t *testing.T) {
	p, err := NewPool(1, "eng")
	if err != nil {
		t.Fatal(err)
	}
	p.Close()
	p.Close()
	if _, err := p.Recognize(context.Background(), cardscan.OCRRequest{Image: image.NewGray(image.Rect(0, 0, 10, 10)), Lang: "eng"}); !errors.Is(err, ErrClosed) {
		t.Fatalf("err = %v", err)
	}
}

func TestEncodePGM(t *testing.T) {
	g := image.NewGray(image.Rect(2, 3, 5, 5))
	for i := range g.Pix {
		g.Pix[i] = byte(i)
	}
	got := encodePGM(g)
	want := append([]byte("P5\n3 2\n255\n"), 0, 1, 2, 3, 4, 5)
	if !bytes.Equal(got, want) {
		t.Fatalf("%q", got)
	}
}

func TestScanStopsOnCancelledContext(t *testing.T) {
	img, _, err := cardface.Render(profile.Default(), nil, cardface.Options{Mix: cardface.Clean})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := testPool(t).Scan(ctx, img); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
}

// After a scan every worker's clients hold the blank image, not the card's
// last crop (the security code), until the next patient.
func TestScanLeavesEveryWorkerBlank(t *testing.T) {
	p := testPool(t)
	before := make([]int, len(p.all))
	for i, e := range p.all {
		before[i] = e.blanked
	}
	if _, err := scanRendered(t, holder("1980-02-17", "2035-02-17", "2285", false), cardface.Options{Seed: 1}); err != nil {
		t.Fatal(err)
	}
	for i, e := range p.all {
		if e.blanked <= before[i] {
			t.Errorf("worker %d still holds the last crop after the scan", i)
		}
	}
}
