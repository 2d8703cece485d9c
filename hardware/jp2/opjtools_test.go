package jp2

import (
	"bytes"
	"fmt"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// These tests check the wrapper against an independent codec: OpenJPEG's
// own command-line tools (Debian libopenjp2-tools, installed by `make`).

func requireTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s not found: install libopenjp2-tools (make apt)", name)
	}
	return p
}

// writePGM writes 8- or 16-bit (big-endian) grey samples.
func writePGM(t *testing.T, path string, w, h, maxval int, samples []int) {
	t.Helper()
	var b bytes.Buffer
	fmt.Fprintf(&b, "P5\n%d %d\n%d\n", w, h, maxval)
	for _, s := range samples {
		if maxval > 255 {
			b.WriteByte(byte(s >> 8))
		}
		b.WriteByte(byte(s))
	}
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestDecodesWhatOpjCompressMakes(t *testing.T) {
	tool := requireTool(t, "opj_compress")
	dir := t.TempDir()
	src := testGray(120, 90, 6)
	samples := make([]int, len(src.Pix))
	for i, v := range src.Pix {
		samples[i] = int(v)
	}
	writePGM(t, filepath.Join(dir, "in.pgm"), 120, 90, 255, samples)
	for _, ext := range []string{"j2k", "jp2"} {
		out := filepath.Join(dir, "out."+ext)
		if msg, err := exec.Command(tool, "-i", filepath.Join(dir, "in.pgm"), "-o", out).CombinedOutput(); err != nil {
			t.Fatalf("opj_compress: %v\n%s", err, msg)
		}
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		img, err := Decode(data, nil)
		if err != nil {
			t.Fatalf("%s: %v", ext, err)
		}
		if !bytes.Equal(img.(*image.Gray).Pix, src.Pix) {
			t.Fatalf("%s: pixels differ from opj_compress's lossless input", ext)
		}
	}
}

func TestSixteenBitSamplesScaleToEight(t *testing.T) {
	tool := requireTool(t, "opj_compress")
	dir := t.TempDir()
	const w, h = 64, 32
	samples := make([]int, w*h)
	for i := range samples {
		samples[i] = i * 127 % 65536
	}
	writePGM(t, filepath.Join(dir, "in.pgm"), w, h, 65535, samples)
	out := filepath.Join(dir, "out.j2k")
	if msg, err := exec.Command(tool, "-i", filepath.Join(dir, "in.pgm"), "-o", out).CombinedOutput(); err != nil {
		t.Fatalf("opj_compress: %v\n%s", err, msg)
	}
	data, _ := os.ReadFile(out)
	img, err := Decode(data, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range samples {
		if got := img.(*image.Gray).Pix[i]; got != byte(s>>8) {
			t.Fatalf("sample %d: got %d, want %d", i, got, s>>8)
		}
	}
}

func TestOpjDecompressReadsWhatWeEncode(t *testing.T) {
	tool := requireTool(t, "opj_decompress")
	dir := t.TempDir()
	src := testGray(77, 55, 8)
	data, err := EncodeGray(src, 100)
	if err != nil {
		t.Fatal(err)
	}
	in, out := filepath.Join(dir, "in.j2k"), filepath.Join(dir, "out.pgm")
	if err := os.WriteFile(in, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if msg, err := exec.Command(tool, "-i", in, "-o", out).CombinedOutput(); err != nil {
		t.Fatalf("opj_decompress: %v\n%s", err, msg)
	}
	pgm, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	w, h, pix := readPGM(t, pgm)
	if w != 77 || h != 55 || !bytes.Equal(pix, src.Pix) {
		t.Fatalf("opj_decompress gave %dx%d and different pixels", w, h)
	}
}

// readPGM parses an 8-bit binary PGM, skipping # comments in the header.
func readPGM(t *testing.T, data []byte) (w, h int, pix []byte) {
	t.Helper()
	var fields []string
	rest := data
	for len(fields) < 4 {
		line, after, ok := bytes.Cut(rest, []byte("\n"))
		if !ok {
			t.Fatal("PGM header cut short")
		}
		rest = after
		if !bytes.HasPrefix(line, []byte("#")) {
			fields = append(fields, strings.Fields(string(line))...)
		}
	}
	var maxval int
	if _, err := fmt.Sscan(strings.Join(fields[1:4], " "), &w, &h, &maxval); err != nil || fields[0] != "P5" || maxval != 255 {
		t.Fatalf("unexpected PGM header %q", fields)
	}
	return w, h, rest
}
