//go:build tools

// This file pins modules the project depends on before their first importer lands,
// so that `go mod tidy` keeps them at the exact versions the module proxy serves.
package main

import (
	_ "github.com/Kagami/go-face"
	_ "github.com/awnumar/memguard"
	_ "github.com/blackjack/webcam"
	_ "github.com/ebfe/scard"
	_ "github.com/nicksnyder/go-i18n/v2/i18n"
	_ "github.com/otiai10/gosseract/v2"
	_ "github.com/yalue/onnxruntime_go"
	_ "golang.org/x/image/font/opentype"
	_ "gonum.org/v1/gonum/mat"
	_ "modernc.org/sqlite"
)
