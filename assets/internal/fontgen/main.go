// Command fontgen converts a Debian font file into the form the kiosk
// embeds, chosen by DST's extension:
//
//	.woff  WOFF 1.0 (OFL fonts: a lossless change of container)
//	.gz    the untouched file, gzip-compressed (the IPA Font License forbids
//	       redistributing a modified font under its name, so IPAmj stays
//	       byte-identical once decompressed)
//	other  a plain copy (the CJK collection: WOFF 1.0 has no collections)
//
//	go run ./assets/internal/fontgen SRC DST
package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/uketsuke/uketsuke/assets/internal/woff"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: fontgen SRC DST")
		os.Exit(2)
	}
	if err := convert(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "fontgen:", err)
		os.Exit(1)
	}
}

func convert(src, dst string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	switch {
	case strings.HasSuffix(dst, ".woff"):
		data, err = woff.Encode(data)
	case strings.HasSuffix(dst, ".gz"):
		data, err = gzipped(data)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", src, err)
	}
	// Write then rename, so an interrupted run never leaves a half font
	// that make would take as up to date.
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".fontgen-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), dst)
}

func gzipped(data []byte) ([]byte, error) {
	var buf bytes.Buffer
	w, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(data); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
