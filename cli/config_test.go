package cli

import (
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/app/config"
)

// `config sign` refuses to make a bundle without an expiry, and signs the
// expiry and the audience it is given.
func TestConfigSignNeedsAnExpiryAndSignsTheAudience(t *testing.T) {
	dir := t.TempDir()
	prefix := filepath.Join(dir, "k")
	if out, err := run(t, "config", "keygen", "--out", prefix); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	pubText, _ := os.ReadFile(prefix + ".pub")
	pub, _ := base64.StdEncoding.DecodeString(strings.TrimSpace(string(pubText)))
	c := config.Default()
	c.Serial, c.Facility.Code = 4, "1312345678"
	doc, _ := c.Marshal()
	in, out := filepath.Join(dir, "policy.json"), filepath.Join(dir, "p.bundle")
	os.WriteFile(in, doc, 0o644)
	sign := []string{"config", "sign", "--key", prefix + ".key", "--in", in, "--out", out}
	for _, extra := range [][]string{nil, {"--not-after", "2001-01-01T00:00:00Z"}, {"--valid-for", "1h", "--not-after", "2099-01-01T00:00:00Z"}} {
		if _, err := run(t, append(sign, extra...)...); !errors.Is(err, ErrUsage) {
			t.Fatalf("%v: %v", extra, err)
		}
	}
	if o, err := run(t, append(sign, "--valid-for", "720h", "--kiosk", "kiosk-7")...); err != nil {
		t.Fatalf("%v\n%s", err, o)
	}
	data, _ := os.ReadFile(out)
	keys := []ed25519.PublicKey{pub}
	now := time.Now()
	if _, err := config.OpenBundle(data, keys, config.Audience{Facility: "1312345678", Kiosk: "kiosk-7", Now: now}); err != nil {
		t.Fatal(err)
	}
	if _, err := config.OpenBundle(data, keys, config.Audience{Facility: "1312345678", Kiosk: "kiosk-8", Now: now}); !errors.Is(err, config.ErrWrongAudience) {
		t.Fatalf("another kiosk: %v", err)
	}
	if _, err := config.OpenBundle(data, keys, config.Audience{Facility: "1312345678", Kiosk: "kiosk-7", Now: now.Add(721 * time.Hour)}); !errors.Is(err, config.ErrBundleExpired) {
		t.Fatalf("after 720h: %v", err)
	}
}
