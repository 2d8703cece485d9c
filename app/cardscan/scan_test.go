package cardscan_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"math"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/app/cardscan"
	"github.com/uketsuke/uketsuke/sim/cardface"
	"github.com/uketsuke/uketsuke/sim/profile"
)

// scriptedOCR stands in for Tesseract: it answers each request with the
// next text scripted for that field, found by the crop's language and order.
type scriptedOCR struct {
	mu    sync.Mutex
	texts []string
	calls int
}

func (s *scriptedOCR) Recognize(ctx context.Context, req cardscan.OCRRequest) (cardscan.OCRResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if req.Image == nil || req.Image.Rect.Empty() {
		return cardscan.OCRResult{}, errors.New("empty crop")
	}
	if s.calls >= len(s.texts) {
		return cardscan.OCRResult{}, nil
	}
	t := s.texts[s.calls]
	s.calls++
	return cardscan.OCRResult{Text: []byte(t), Confidence: 0.95}, nil
}

var (
	cleanOnce sync.Once
	clean     image.Image
	cleanErr  error
)

// cleanFrame is one rendered card, shared: the scripted OCR decides what is
// "read", the frame only has to hold a card to find.
func cleanFrame(t *testing.T) image.Image {
	t.Helper()
	cleanOnce.Do(func() {
		clean, _, cleanErr = cardface.Render(profile.Default(), nil, cardface.Options{Seed: 3, Mix: cardface.Clean, Width: 800, Height: 600})
	})
	if cleanErr != nil {
		t.Fatal(cleanErr)
	}
	return clean
}

func TestScanAssemblesCodeBInLockedBuffers(t *testing.T) {
	o := &scriptedOCR{texts: []string{
		"昭和55年 2月17日生", "昭和55年 2月17日生",
		"2035年 2月17日まで有効", "2035年 2月17日まで有効",
		"2285", "2285", "2285", // the third a binarised rendition, which the code's winner needs
	}}
	res, err := cardscan.New(o).Scan(context.Background(), cleanFrame(t))
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		got  []byte
		want string
	}{
		"birth": {res.BirthYYMMDD.Bytes(), "550217"}, "expiry": {res.ExpiryYear.Bytes(), "2035"},
		"code": {res.SecurityCode.Bytes(), "2285"}, "B": {res.CodeB.Bytes(), "55021720352285"},
	} {
		if !bytes.Equal(c.got, []byte(c.want)) {
			t.Errorf("%s = %q, want %s", name, c.got, c.want)
		}
	}
	if res.GregorianBirth || res.UpsideDown || res.Confidence != 0.95 {
		t.Errorf("result flags %+v", res)
	}
	res.Destroy()
	if res.CodeB.Alive() || res.BirthYYMMDD.Len() != 0 {
		t.Error("Destroy left a buffer alive")
	}
	res.Destroy()
}

// A foreign resident's card may end with the residence period, not on the
// birthday: nothing then ties the dates together, and each line must be
// read alike a third time (two wrong codes on the hard mix were such
// cards read alike twice).
func TestScanGregorianBirth(t *testing.T) {
	o := &scriptedOCR{texts: []string{
		"1985年 3月 4日生", "1985年 3月 4日生",
		"2030年 7月 1日まで有効", "2030年 7月 1日まで有効",
		"1985年 3月 4日生", "2030年 7月 1日まで有効",
		"0042", "0042", "0042",
	}}
	res, err := cardscan.New(o).Scan(context.Background(), cleanFrame(t))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Destroy()
	if !bytes.Equal(res.CodeB.Bytes(), []byte("85030420300042")) || !res.GregorianBirth {
		t.Errorf("B = %q, Gregorian %v", res.CodeB.Bytes(), res.GregorianBirth)
	}
	// An impossible reading a blind spot away (jpn's 0 as 9: 「10月」 as
	// 「19月」) is the value misread: it confirms.
	o = &scriptedOCR{texts: []string{
		"1955年 5月 5日生", "1955年 5月 5日生",
		"2032年10月27日まで有効", "2032年10月27日まで有効",
		"1955年 5月 5日生", "2032年19月27日まで有効",
		"3886", "3886", "3886",
	}}
	res, err = cardscan.New(o).Scan(context.Background(), cleanFrame(t))
	if err != nil || !bytes.Equal(res.CodeB.Bytes(), []byte("55050520323886")) {
		t.Fatalf("err = %v, want 2032年10月27日 confirmed by 「19月」", err)
	}
	res.Destroy()
	// The third and later readings of the birth line dissent (a garbled
	// month with other digits counts too): refused, not read.
	dissent := slices.Repeat([]string{"1985征5月 4日生"}, cardscan.DateRenditions-2)
	o = &scriptedOCR{texts: append([]string{"1985年 3月 4日生", "1985年 3月 4日生",
		"2030年 7月 1日まで有効", "2030年 7月 1日まで有効"}, dissent...)}
	res, err = cardscan.New(o).Scan(context.Background(), cleanFrame(t))
	if res != nil || !errors.Is(err, cardscan.ErrLowConfidence) || cardscan.FieldOf(err) != cardscan.FieldBirth {
		t.Fatalf("err = %v, want the unconfirmed birth date refused", err)
	}
}

func TestScanVoting(t *testing.T) {
	birth, other := "昭和55年 2月17日生", "昭和56年 2月17日生"
	rest := []string{"2035年 2月17日まで有効", "2035年 2月17日まで有効", "2285", "2285", "2285"}
	cases := []struct {
		name   string
		births []string
		ok     bool
	}{
		{"unanimous pair", []string{birth, birth}, true},
		{"one unreadable then a pair", []string{"昭和55年", birth, birth}, true},
		{"three to one", []string{birth, other, birth, birth}, true},
		{"two to one", []string{birth, other, birth, "x"}, false},
		{"two to two", []string{birth, other, birth, other}, false},
		{"four to two", []string{birth, other, birth, other, birth, birth, "x", "y"}, false},
		{"a single reading", []string{birth, "x", "y", "z"}, false},
		// The garbled readings still show an era, or the line would not be
		// taken for the birth date at all.
		{"a pair among garbled readings", []string{"昭和x年", "昭和y", "平成z", birth, birth, "w", "v", "u"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := &scriptedOCR{texts: append(append([]string{}, c.births...), rest...)}
			res, err := cardscan.New(o).Scan(context.Background(), cleanFrame(t))
			defer res.Destroy()
			if c.ok {
				if err != nil || !bytes.Equal(res.CodeB.Bytes(), []byte("55021720352285")) {
					t.Fatalf("err %v", err)
				}
				return
			}
			if !errors.Is(err, cardscan.ErrLowConfidence) || cardscan.FieldOf(err) != cardscan.FieldBirth {
				t.Fatalf("err = %v, want low confidence on the birth date", err)
			}
		})
	}
}

func TestScanRefusals(t *testing.T) {
	cases := []struct {
		name  string
		texts []string
		want  error
		field cardscan.Field
	}{
		{"no such era day", []string{"昭和64年 1月 8日生", "昭和64年 1月 8日生", "昭和64年 1月 8日生", "昭和64年 1月 8日生"},
			cardscan.ErrDateInvalid, cardscan.FieldBirth},
		{"nothing legible", []string{"", "", "", ""}, cardscan.ErrFieldUnreadable, cardscan.FieldBirth},
		{"expiry off the birthday", []string{"昭和55年 2月17日生", "昭和55年 2月17日生",
			"2035年 2月18日まで有効", "2035年 2月18日まで有効"}, cardscan.ErrDateInvalid, cardscan.FieldExpiry},
		{"expiry out of range", []string{"昭和55年 2月17日生", "昭和55年 2月17日生",
			"2055年 2月17日まで有効", "2055年 2月17日まで有効", "", ""}, cardscan.ErrDateInvalid, cardscan.FieldExpiry},
		{"five-digit code", []string{"昭和55年 2月17日生", "昭和55年 2月17日生",
			"2035年 2月17日まで有効", "2035年 2月17日まで有効", "22851", "22851", "22851", "22851"},
			cardscan.ErrFieldUnreadable, cardscan.FieldSecurityCode},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := cardscan.New(&scriptedOCR{texts: c.texts}).Scan(context.Background(), cleanFrame(t))
			if res != nil || !errors.Is(err, c.want) || cardscan.FieldOf(err) != c.field {
				t.Fatalf("err = %v (field %q), want %v on %s", err, cardscan.FieldOf(err), c.want, c.field)
			}
		})
	}
}

func TestScanNoCard(t *testing.T) {
	blank := image.NewGray(image.Rect(0, 0, 1280, 960))
	for i := range blank.Pix {
		blank.Pix[i] = 200
	}
	dark := image.NewGray(image.Rect(0, 0, 1280, 960))
	smallCard := image.NewGray(image.Rect(0, 0, 1280, 960))
	for y := 400; y < 480; y++ {
		for x := 600; x < 727; x++ {
			smallCard.Pix[y*1280+x] = 250
		}
	}
	noise := image.NewGray(image.Rect(0, 0, 640, 480))
	for i := range noise.Pix {
		noise.Pix[i] = uint8(i * 7919 % 251)
	}
	for name, img := range map[string]image.Image{"blank": blank, "dark": dark, "small card": smallCard, "noise": noise} {
		o := &scriptedOCR{}
		_, err := cardscan.New(o).Scan(context.Background(), img)
		if !errors.Is(err, cardscan.ErrNoCard) || o.calls != 0 {
			t.Errorf("%s: err = %v after %d OCR calls, want ErrNoCard before any", name, err, o.calls)
		}
	}
}

func TestScanBadImage(t *testing.T) {
	s := cardscan.New(&scriptedOCR{})
	for name, img := range map[string]image.Image{"nil": nil, "tiny": image.NewRGBA(image.Rect(0, 0, 50, 30)),
		"empty": image.NewGray(image.Rectangle{})} {
		if _, err := s.Scan(context.Background(), img); !errors.Is(err, cardscan.ErrBadImage) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

func TestScanHonoursCancelledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := cardscan.New(&scriptedOCR{}).Scan(ctx, cleanFrame(t))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
}

func TestDecodeRefusesNonImagesAndBombs(t *testing.T) {
	if _, err := cardscan.Decode(bytes.NewReader([]byte("%PDF-1.4 not an image"))); !errors.Is(err, cardscan.ErrBadImage) {
		t.Errorf("text file: %v", err)
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, image.NewGray(image.Rect(0, 0, 400, 300)))
	good := buf.Bytes()
	if img, err := cardscan.Decode(bytes.NewReader(good)); err != nil || img.Bounds().Dx() != 400 {
		t.Fatalf("valid PNG: %v", err)
	}
	if _, err := cardscan.Decode(bytes.NewReader(good[:len(good)/2])); !errors.Is(err, cardscan.ErrBadImage) {
		t.Errorf("truncated PNG: %v", err)
	}
	bomb := pngHeader(t, 40000, 40000)
	if _, err := cardscan.Decode(bytes.NewReader(bomb)); !errors.Is(err, cardscan.ErrBadImage) {
		t.Errorf("40000x40000 PNG header: %v", err)
	}
}

// pngHeader returns a PNG signature and IHDR chunk claiming w x h pixels.
func pngHeader(t *testing.T, w, h uint32) []byte {
	t.Helper()
	var buf bytes.Buffer
	_ = png.Encode(&buf, image.NewGray(image.Rect(0, 0, 1, 1)))
	b := buf.Bytes()[:33]
	put := func(off int, v uint32) {
		b[off], b[off+1], b[off+2], b[off+3] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
	}
	put(16, w)
	put(20, h)
	put(29, crc32IEEE(b[12:29]))
	return b
}

func crc32IEEE(p []byte) uint32 {
	crc := ^uint32(0)
	for _, c := range p {
		crc ^= uint32(c)
		for k := 0; k < 8; k++ {
			if crc&1 == 1 {
				crc = crc>>1 ^ 0xEDB88320
			} else {
				crc >>= 1
			}
		}
	}
	return ^crc
}

// A 10000x10000 frame (a card photographed at absurd resolution) must cost
// bounded time and memory: the scanner shrinks it before anything else.
func TestHugeImageIsShrunkEarly(t *testing.T) {
	const side = 10000
	img := image.NewGray(image.Rect(0, 0, side, side))
	for i := range img.Pix {
		img.Pix[i] = 30
	}
	// A card-proportioned bright rectangle, 70 % of the width.
	x0, y0, w := 1500, 2800, 7000
	h := int(float64(w) / 1.586)
	for y := y0; y < y0+h; y++ {
		row := img.Pix[y*side+x0 : y*side+x0+w]
		for i := range row {
			row[i] = 240
		}
	}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	corners, _, err := cardscan.Locate(img)
	took := time.Since(start)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if took > 5*time.Second {
		t.Errorf("took %v", took)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
		t.Errorf("allocated %d MiB", alloc>>20)
	}
	want := []cardscan.Pt{{X: 1500, Y: 2800}, {X: 8500, Y: 2800}, {X: 8500, Y: float64(2800 + h)}, {X: 1500, Y: float64(2800 + h)}}
	for i, c := range corners {
		if math.Hypot(c.X-want[i].X, c.Y-want[i].Y) > 40 {
			t.Errorf("corner %d at %v, want %v", i, c, want[i])
		}
	}
}

// Locate on rendered frames: corners within half a millimetre-ish of the
// truth and the right way up, across rotations, perspective and half turns.
func TestLocateRotatedAndUpsideDown(t *testing.T) {
	poses := []*cardface.Pose{{AngleDeg: 8}, {AngleDeg: -8}, {AngleDeg: 3, UpsideDown: true},
		{AngleDeg: -7.5, UpsideDown: true}, {AngleDeg: 0, UpsideDown: true}, nil}
	for i, pose := range poses {
		seed := int64(100 + i)
		img, truth, err := cardface.Render(cardface.RandomHolder(seed), nil,
			cardface.Options{Seed: seed, Mix: cardface.Normal, Font: -1, Pose: pose, Width: 800, Height: 600})
		if err != nil {
			t.Fatal(err)
		}
		corners, upsideDown, err := cardscan.Locate(img)
		if err != nil {
			t.Errorf("seed %d: %v", seed, err)
			continue
		}
		if upsideDown != truth.UpsideDown {
			t.Errorf("seed %d: upside down %v, truth %v", seed, upsideDown, truth.UpsideDown)
		}
		cardW := math.Hypot(truth.Corners[1].X-truth.Corners[0].X, truth.Corners[1].Y-truth.Corners[0].Y)
		tol := cardW / cardscan.CardWidthMM * 0.6 // 0.6 mm
		for k := range corners {
			if d := math.Hypot(corners[k].X-truth.Corners[k].X, corners[k].Y-truth.Corners[k].Y); d > tol {
				t.Errorf("seed %d corner %d off by %.1f px (tolerance %.1f)", seed, k, d, tol)
			}
		}
	}
}

// The renderer's half-turned card drawn over a white tray has no contrast
// to find it by: that is a refusal, not a guess.
func TestLocateNeedsContrastWithTheTray(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 640, 480))
	for i := range img.Pix {
		img.Pix[i] = 250
	}
	img.Set(10, 10, color.Black)
	if _, _, err := cardscan.Locate(img); !errors.Is(err, cardscan.ErrNoCard) {
		t.Fatalf("err = %v", err)
	}
}

// byLangOCR answers the four date readings from dates, then every code
// request with the next reading scripted for its engine.
type byLangOCR struct {
	mu    sync.Mutex
	dates []string
	code  map[string][]string
	conf  float64
	// engConf, when set, is eng's confidence in place of conf.
	engConf float64
}

func (b *byLangOCR) Recognize(ctx context.Context, req cardscan.OCRRequest) (cardscan.OCRResult, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.dates) > 0 {
		t := b.dates[0]
		b.dates = b.dates[1:]
		return cardscan.OCRResult{Text: []byte(t), Confidence: 0.99}, nil
	}
	q := b.code[req.Lang]
	if len(q) == 0 {
		return cardscan.OCRResult{}, nil
	}
	b.code[req.Lang] = q[1:]
	conf := b.conf
	if req.Lang == "eng" && b.engConf > 0 {
		conf = b.engConf
	}
	// 「7027@0.92」 is read at 0.92.
	text, at, found := strings.Cut(q[0], "@")
	if found {
		conf, _ = strconv.ParseFloat(at, 64)
	}
	return cardscan.OCRResult{Text: []byte(text), Confidence: conf}, nil
}

// In one card font eng reads every serif 7 as 1, in another jpn reads 8 as
// 6, so the two engines never agree on such a code; the rescue accepts one
// engine's unanimous, confident reading only when the other differs by
// exactly its own slip.
func TestScanSecurityCodeEngineBlindSpots(t *testing.T) {
	dates := []string{"昭和55年 2月17日生", "昭和55年 2月17日生", "2035年 2月17日まで有効", "2035年 2月17日まで有効"}
	cases := []struct {
		name string
		jpn  []string
		eng  []string
		conf float64
		want string // "" means refused
	}{
		{"eng reads each 7 as 1", slices.Repeat([]string{"7077"}, 6), slices.Repeat([]string{"1071"}, 6), 0.99, "55021720357077"},
		{"eng mixes 7 and 1", slices.Repeat([]string{"7077"}, 6), []string{"1071", "7077", "1011", "", "x", "1077"}, 0.99, "55021720357077"},
		{"jpn too unsure", slices.Repeat([]string{"7077"}, 6), slices.Repeat([]string{"1071"}, 6), 0.95, ""},
		{"eng differs elsewhere", slices.Repeat([]string{"7077"}, 6), append(slices.Repeat([]string{"1071"}, 5), "1078"), 0.99, ""},
		{"the other direction", slices.Repeat([]string{"1011"}, 6), slices.Repeat([]string{"7077"}, 6), 0.99, ""},
		{"one jpn dissent", append(slices.Repeat([]string{"7077"}, 5), "7017"), slices.Repeat([]string{"1071"}, 6), 0.99, ""},
		{"too few jpn readings", append(slices.Repeat([]string{"7077"}, 3), "", "", ""), slices.Repeat([]string{"1071"}, 6), 0.99, ""},
		{"eng unreadable", slices.Repeat([]string{"7077"}, 6), slices.Repeat([]string{""}, 6), 0.99, ""},
		{"jpn reads 8 as 6", slices.Repeat([]string{"6216"}, 6), slices.Repeat([]string{"8218"}, 6), 0.99, "55021720358218"},
		{"jpn reads 6 as 8", slices.Repeat([]string{"8218"}, 6), slices.Repeat([]string{"6216"}, 6), 0.99, ""},
		{"four of jpn's readings confident", []string{"7027", "7027", "7027@0.92", "7027", "7027@0.94", "7027"}, []string{"1027", "1027", "1027", "7027", "1027", "1027"}, 0.99, "55021720357027"},
		{"three of jpn's readings confident", []string{"7027", "7027@0.96", "7027@0.92", "7027", "7027@0.94", "7027"}, []string{"1027", "1027", "1027", "7027", "1027", "1027"}, 0.99, ""},
		{"each engine's slip at once", slices.Repeat([]string{"7068"}, 6), append(slices.Repeat([]string{"1068"}, 3), slices.Repeat([]string{"7066"}, 3)...), 0.99, ""},
		// TakaoGothic's 0 (seed 19253): jpn reads it as 9 mostly, eng reads
		// it right but below 0.97; both read the code itself at the code's
		// floor twice or more. eng's binarised rendition dropped the 0.
		{"both engines sure of the code twice", []string{"9115@0.99", "0115@0.97", "9115@0.98", "0115@0.96", "9115@0.99", "9115@0.99"},
			[]string{"0115@0.95", "115@0.01", "0115@0.90", "0115@0.98", "0115@0.86", "0115@0.99"}, 0.99, "55021720350115"},
		{"eng sure of it once", []string{"9115@0.99", "0115@0.97", "9115@0.98", "0115@0.96", "9115@0.99", "9115@0.99"},
			[]string{"0115@0.95", "115@0.01", "0115@0.90", "0115@0.88", "0115@0.86", "0115@0.89"}, 0.99, ""},
		{"jpn sure of it once", []string{"9115@0.99", "0115@0.97", "9115@0.98", "0115@0.90", "9115@0.99", "9115@0.99"},
			[]string{"0115@0.95", "115@0.01", "0115@0.90", "0115@0.98", "0115@0.86", "0115@0.99"}, 0.99, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := &byLangOCR{dates: append([]string{}, dates...), conf: c.conf,
				code: map[string][]string{"jpn": append([]string{}, c.jpn...), "eng": append([]string{}, c.eng...)}}
			res, err := cardscan.New(o).Scan(context.Background(), cleanFrame(t))
			defer res.Destroy()
			if c.want == "" {
				if !errors.Is(err, cardscan.ErrLowConfidence) && !errors.Is(err, cardscan.ErrFieldUnreadable) ||
					cardscan.FieldOf(err) != cardscan.FieldSecurityCode {
					t.Fatalf("err = %v, want the security code refused", err)
				}
				return
			}
			if err != nil || !bytes.Equal(res.CodeB.Bytes(), []byte(c.want)) {
				t.Fatalf("err %v", err)
			}
		})
	}
}

// In one font eng read a clean 「4819」 in every rendition, grey and
// binarised, but never above 0.42, while jpn read it at 0.94-0.99: the
// vote's floor kept the engines from agreeing. The rescue accepts jpn's
// unanimous reading when eng read exactly the same, whatever its
// confidence, never anything else, and a binarised rendition read it too.
// eng's readings come in the order of its renditions: grey, binarised x2,
// then four more; jpn's last of six is its binarised one.
func TestScanCodeEnginesAgreeBelowTheFloor(t *testing.T) {
	dates := []string{"昭和55年 2月17日生", "昭和55年 2月17日生", "2035年 2月17日まで有効", "2035年 2月17日まで有効"}
	jpn := slices.Repeat([]string{"4819"}, 6)
	eng := slices.Repeat([]string{"4819"}, 6)
	with := func(list []string, i int, text string) []string {
		out := slices.Clone(list)
		out[i] = text
		return out
	}
	cases := []struct {
		name     string
		jpn, eng []string
		jpnConf  float64
		want     bool
	}{
		{"eng agrees unsure", jpn, eng, 0.95, true},
		{"only jpn's binarised rendition confirms", jpn, with(eng, 1, ""), 0.95, true},
		{"no binarised rendition confirms", with(jpn, 5, "481"), with(eng, 1, ""), 0.95, false},
		{"eng once read another code", jpn, with(eng, 5, "4812"), 0.95, false},
		{"jpn once read another code", with(jpn, 3, "4812"), eng, 0.99, false},
		{"eng read it once", jpn, append([]string{"4819"}, slices.Repeat([]string{""}, 5)...), 0.99, false},
		{"jpn below the code's floor", jpn, eng, 0.92, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := &byLangOCR{dates: slices.Clone(dates), conf: c.jpnConf, engConf: 0.35,
				code: map[string][]string{"jpn": slices.Clone(c.jpn), "eng": slices.Clone(c.eng)}}
			res, err := cardscan.New(o).Scan(context.Background(), cleanFrame(t))
			defer res.Destroy()
			if !c.want {
				if res != nil || cardscan.FieldOf(err) != cardscan.FieldSecurityCode {
					t.Fatalf("err = %v, want the security code refused", err)
				}
				return
			}
			if err != nil || !bytes.Equal(res.SecurityCode.Bytes(), []byte("4819")) {
				t.Fatalf("err = %v, want 4819 read", err)
			}
		})
	}
}

// Every rendition can drop the same digit of an era year (昭和54年 read as
// 昭和5年); the ink where a one-digit year's padding space belongs refuses
// that, and must not refuse a genuine one-digit year in a noisy frame.
func TestScanEraYearMustMatchTheInk(t *testing.T) {
	read := []string{"昭和 5年 2月17日生", "昭和 5年 2月17日生", "2035年 2月17日まで有効", "2035年 2月17日まで有効", "2285", "2285", "2285"}
	for _, c := range []struct {
		birth string
		ok    bool
	}{{"1930-02-17", true}, {"1979-02-17", false}} {
		for seed := int64(1); seed <= 6; seed++ {
			p := profile.Default()
			p.Birth = c.birth
			frame, _, err := cardface.Render(p, nil, cardface.Options{Seed: seed, Mix: cardface.Normal, Font: -1})
			if err != nil {
				t.Fatal(err)
			}
			res, err := cardscan.New(&scriptedOCR{texts: read}).Scan(context.Background(), frame)
			res.Destroy()
			switch {
			case c.ok && err != nil:
				t.Errorf("born %s, seed %d: %v, want 昭和 5年 accepted", c.birth, seed, err)
			case !c.ok && (!errors.Is(err, cardscan.ErrLowConfidence) || cardscan.FieldOf(err) != cardscan.FieldBirth):
				t.Errorf("born %s, seed %d: err = %v, want the dropped digit refused on the birth date", c.birth, seed, err)
			}
		}
	}
}

// A birth line misread alike twice (「11月」 as 「1月」) wins its vote but
// contradicts the expiry's birthday; the second pass reads the expiry alone
// and the birth line again under both checks, where the true reading must
// outvote the misread three to one.
func TestScanRecoversFromAMisreadBirthMonth(t *testing.T) {
	misread, birth, expiry := "昭和60年 1月 5日生", "昭和60年11月 5日生", "2035年11月 5日まで有効"
	// Both lines remember what they read: the second pass re-votes the
	// expiry without OCR and reads the birth line on from its third
	// rendition, where the two misreads left off.
	script := func(goodBirths int) []string {
		s := []string{misread, misread, expiry, expiry}
		s = append(s, slices.Repeat([]string{""}, cardscan.DateRenditions-2)...) // the vetoed expiry, read on
		return append(s, slices.Repeat([]string{birth}, goodBirths)...)
	}
	o := &scriptedOCR{texts: append(script(6), "2285", "2285", "2285")}
	res, err := cardscan.New(o).Scan(context.Background(), cleanFrame(t))
	if err != nil || !bytes.Equal(res.CodeB.Bytes(), []byte("60110520352285")) {
		t.Fatalf("err %v", err)
	}
	res.Destroy()
	if want := 2 + cardscan.DateRenditions + 6 + 3; o.calls != want {
		t.Errorf("%d OCR calls, want %d: a rendition was recognised twice", o.calls, want)
	}
	// Five to two is not three to one: the contradiction stays the reason.
	res, err = cardscan.New(&scriptedOCR{texts: script(5)}).Scan(context.Background(), cleanFrame(t))
	if res != nil || !errors.Is(err, cardscan.ErrDateInvalid) || cardscan.FieldOf(err) != cardscan.FieldExpiry {
		t.Fatalf("err = %v, want the expiry/birthday contradiction", err)
	}
}

// In one font jpn read 「7月30日」 as the impossible 「7月36日」 or 「7月39日」
// more often than right, and now and then dropped the 0 (「7月 3日」): the
// impossible readings are 30 misread (jpn's 0 as 6 or 9), so they back 30
// against 3. An impossible reading that no blind spot explains (「7月37日」)
// backs nothing, and 30 does not lead 3 by three to one.
func TestScanImpossibleDayEchoesItsBlindSpot(t *testing.T) {
	script := func(impossible string) []string {
		b := func(day string) string { return "1979年 7月" + day + "日生" }
		s := []string{b(impossible), b(" 3"), b(impossible), b("30"), b(impossible), b(impossible),
			b(" 3"), b("39"), b("30"), b("30"), b(impossible), b("30")}
		return append(s, "2031年 7月30日まで有効", "2031年 7月30日まで有効", "3899", "3899", "3899")
	}
	res, err := cardscan.New(&scriptedOCR{texts: script("36")}).Scan(context.Background(), cleanFrame(t))
	if err != nil || !bytes.Equal(res.CodeB.Bytes(), []byte("79073020313899")) {
		t.Fatalf("err = %v, want 1979年7月30日 read", err)
	}
	res.Destroy()
	res, err = cardscan.New(&scriptedOCR{texts: script("37")}).Scan(context.Background(), cleanFrame(t))
	if res != nil || cardscan.FieldOf(err) != cardscan.FieldBirth {
		t.Fatalf("err = %v, want the birth date refused", err)
	}
}

// Both engines read a faint mark on the code's last 1 as a 4 in the grey
// renditions; the binarised one reads 1171. The code's winner needs a
// binarised reading, so the grey pair is not enough.
func TestScanCodeNeedsABinarisedReading(t *testing.T) {
	dates := []string{"昭和55年 2月17日生", "昭和55年 2月17日生", "2035年 2月17日まで有効", "2035年 2月17日まで有効"}
	for _, c := range []struct {
		name  string
		codes []string // grey, grey, binarised, grey
		want  string   // "" means the code refused
	}{
		{"a binarised 1171 against grey 1174", []string{"1174", "1174", "1171"}, ""},
		{"all 1171", []string{"1171", "1171", "1171"}, "1171"},
		// The threshold breaks a small 5's thin top stroke (read as 9, 0 or
		// 3): that slip confirms the grey winner once it leads three to one;
		// any other difference does not.
		{"a small 5 binarised as 9", []string{"5145", "5145", "9145", "5145"}, "5145"},
		{"a small 5 binarised as 0", []string{"5461", "5461", "0461", "5461"}, "5461"},
		{"a binarised 5185", []string{"5145", "5145", "5185", "5145"}, ""},
		// eng reads a binarised 3 as 5 (seeds 24262, 27085).
		{"a 3 binarised as 5", []string{"3647", "3647", "5647", "3647"}, "3647"},
		{"a 3 binarised as 8", []string{"3647", "3647", "8647", "3647"}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, err := cardscan.New(&scriptedOCR{texts: append(slices.Clone(dates), c.codes...)}).Scan(context.Background(), cleanFrame(t))
			defer res.Destroy()
			if c.want == "" {
				if res != nil || cardscan.FieldOf(err) != cardscan.FieldSecurityCode {
					t.Fatalf("err = %v, want the code refused", err)
				}
				return
			}
			if err != nil || !bytes.Equal(res.SecurityCode.Bytes(), []byte(c.want)) {
				t.Fatalf("err = %v, want %s read", err, c.want)
			}
		})
	}
}

// A Gregorian birth date (the next design, or a foreign resident's card)
// whose expiry falls on the birthday is held to the issuance rule: a
// child born in 2019 cannot hold a card valid to 2039 in 2026 (a 0 read as
// 9), though a card issued in 2034 can.
func TestScanGregorianChildsExpiryMustFitAnIssuedCard(t *testing.T) {
	// An expiry not on the birthday ties nothing to the birth date: each
	// line is then read a third time (confirmUnchecked).
	script := func(expiry string) []string {
		s := []string{"2019年 5月 5日生", "2019年 5月 5日生", expiry, expiry}
		if !strings.Contains(expiry, " 5月 5日") {
			s = append(s, "2019年 5月 5日生", expiry)
		}
		return append(s, "7523", "7523", "7523")
	}
	for _, c := range []struct {
		expiry string
		year   int
		ok     bool
	}{
		{"2030年 5月 5日まで有効", 2026, true},
		{"2039年 5月 5日まで有効", 2026, false},
		{"2039年 5月 5日まで有効", 2034, true},
		{"2037年 8月 1日まで有効", 2026, false}, // a residence period beyond ten years from now
		{"2036年 8月 1日まで有効", 2026, true},
	} {
		s := cardscan.New(&scriptedOCR{texts: script(c.expiry)})
		s.Now = func() time.Time { return time.Date(c.year, 12, 6, 0, 0, 0, 0, time.UTC) }
		res, err := s.Scan(context.Background(), cleanFrame(t))
		switch {
		case c.ok && err != nil:
			t.Errorf("%s in %d: %v, want read", c.expiry, c.year, err)
		case !c.ok && (res != nil || !errors.Is(err, cardscan.ErrDateInvalid)):
			t.Errorf("%s in %d: err = %v, want refused as an invalid date", c.expiry, c.year, err)
		}
		res.Destroy()
	}
}
