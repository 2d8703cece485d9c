package onshi

import (
	"bytes"
	"io"
	"time"
)

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

// jst is Japan Standard Time, which every date in a result is written in.
var jst = time.FixedZone("JST", 9*60*60)

func day(t time.Time) string     { return t.In(jst).Format("20060102") }
func stamp(t time.Time) string   { return t.In(jst).Format("20060102150405") }
func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
